"""Is it a word? English words from the CLIP byte-pair vocabulary that ships inside open_clip (no download).

Small models sometimes write strings that look like words and are not ("HREYCE PRULROWSHELD HORSEHOLDE"). A word
is known when CLIP's BPE vocabulary holds it whole (about 34,000 common English words, learnt from web text), or
its stem does (ribbed, hems, fringed, breathable), or it is two known words run together (crewneck). The file is
read without importing open_clip (which would bring torch), once per process.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

BPE_FILE = "bpe_simple_vocab_16e6.txt.gz"
_MERGES = 49152 - 256 - 2  # the merges open_clip's tokenizer reads (its own constant)
_SUFFIXES = ("ing", "able", "ible", "ed", "es", "er", "est", "ly", "s", "d")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Whole-word tokens of CLIP's BPE vocabulary; empty when open_clip is not installed."""
    spec = importlib.util.find_spec("open_clip")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / BPE_FILE
    if not path.is_file():
        return frozenset()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.read().split("\n")[1 : _MERGES + 1]
    return frozenset(a + b[:-4] for a, b in (line.split() for line in lines if " " in line) if b.endswith("</w>"))


def _stem_known(word: str, vocab: frozenset[str]) -> bool:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            # ribbed -> ribb -> rib; fringed -> fring(e); breathable -> breath
            if stem in vocab or stem[:-1] in vocab and stem[-1] == stem[-2] or stem + "e" in vocab:
                return True
    return False


def is_known_word(word: str, extra: frozenset[str] | set[str] = frozenset()) -> bool:
    """True for an English word (or one in `extra`, e.g. the catalog's own words); case-insensitive."""
    w = word.lower()
    vocab = english_words()
    if not vocab or len(w) < 4 or w in vocab or w in extra or _stem_known(w, vocab):
        return True
    return any(w[:i] in vocab and (w[i:] in vocab or _stem_known(w[i:], vocab)) for i in range(3, len(w) - 2))


def unknown_words(text: str, extra: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The Latin-script words of `text` that are not English words (nor in `extra`), in order."""
    return [w for w in re.findall(r"[A-Za-z]+", text) if not is_known_word(w, extra)]
