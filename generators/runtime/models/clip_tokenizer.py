"""The real CLIP BPE tokenizer (the one Stable Diffusion uses), built offline from open_clip's bundled file.

No registry package carries Stable Diffusion's `tokenizer/` folder, but open_clip ships the same BPE merges.
From them we rebuild transformers' `CLIPTokenizer` exactly (49,408 ids, identical to open_clip's).
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import CLIPTokenizer

CLIP_VOCAB_SIZE = 49408
CLIP_MAX_LENGTH = 77  # without it diffusers fails with "OverflowError: int too big to convert"
BOS_TOKEN = "<|startoftext|>"
EOS_TOKEN = "<|endoftext|>"
_BPE_NAME = "bpe_simple_vocab_16e6.txt.gz"
_N_MERGES = 49152 - 256 - 2  # open_clip keeps lines [1:48895] of the file: the first line is a header


def _bytes_to_unicode() -> list[str]:
    """GPT-2/CLIP's reversible map from the 256 byte values to printable characters, in id order."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    printable += list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return [chr(c) for c in chars]


def _bpe_file() -> Path:
    """open_clip's `default_bpe()` file, found without importing open_clip (that pulls in torch and timm)."""
    spec = find_spec("open_clip")
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / _BPE_NAME
        if path.is_file():
            return path
    from open_clip.tokenizer import default_bpe

    return Path(default_bpe())


@lru_cache(maxsize=1)
def clip_vocab_and_merges() -> tuple[dict[str, int], list[tuple[str, str]]]:
    """(vocab, merges) of CLIP's tokenizer, read from `open_clip.tokenizer.default_bpe()`."""
    with gzip.open(_bpe_file(), "rt", encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    merges = [tuple(line.split()) for line in lines[1 : _N_MERGES + 1]]
    byte_chars = _bytes_to_unicode()
    tokens = byte_chars + [c + "</w>" for c in byte_chars] + ["".join(m) for m in merges] + [BOS_TOKEN, EOS_TOKEN]
    vocab = {tok: i for i, tok in enumerate(tokens)}
    if len(vocab) != CLIP_VOCAB_SIZE:  # a changed open_clip file would silently shift every id
        raise RuntimeError(f"open_clip's BPE file gave {len(vocab)} tokens, expected {CLIP_VOCAB_SIZE}")
    return vocab, merges  # type: ignore[return-value]


def build_clip_tokenizer() -> CLIPTokenizer:
    """A transformers `CLIPTokenizer` identical to Stable Diffusion's, built without a network."""
    from transformers import CLIPTokenizer

    vocab, merges = clip_vocab_and_merges()
    return CLIPTokenizer(
        vocab=dict(vocab),
        merges=list(merges),
        unk_token=EOS_TOKEN,
        bos_token=BOS_TOKEN,
        eos_token=EOS_TOKEN,
        pad_token=EOS_TOKEN,
        model_max_length=CLIP_MAX_LENGTH,
    )


def save_clip_tokenizer(dest: Path) -> None:
    """Write the tokenizer files (`save_pretrained`) into `dest`."""
    build_clip_tokenizer().save_pretrained(str(dest))
