"""Chinese shopping queries for English-only CLIPs, translated term by term with Vitrine's own vocabularies.

OpenAI/LAION CLIPs learned from English captions, so "红色纯棉T恤" means nothing to them. Product searches are
mostly attribute words, and every attribute label already has a Chinese name (`assets/vocab/attributes.json`),
as do the copy lexicon's colours, materials, fits and claims (`assets/presets/lexicon.json`); a few query words
more are in `assets/vocab/zh_query_terms.json`. Longest match first, left to right: "红色纯棉T恤" becomes
"red cotton t-shirt". Characters no vocabulary knows are reported, never guessed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from generators.runtime.lexicon import LEXICON_KINDS, default_lexicon, has_cjk
from scoring.attributes import load_vocabulary, vocab_dir

if TYPE_CHECKING:
    from scoring.scorer import ClipScorer

_PUNCTUATION = set("，。、；：！？（）【】《》“”‘’·～ 　")


@dataclass(frozen=True)
class ClipQuery:
    """What to give the model for a user's query, and what a person should be told about it."""

    original: str
    text: str  # the query the model sees (the original unless it was translated)
    unknown: tuple[str, ...] = ()  # Chinese words no vocabulary knows (left out of `text`)

    @property
    def translated(self) -> bool:
        return self.text != self.original

    def note(self, action: str = "searched as") -> str | None:
        """One line for the CLI and the studio, or None when the query went to the model as typed."""
        if not self.translated:
            return None
        line = f"{action} '{self.text}' (Chinese terms translated with Vitrine's attribute vocabulary"
        if self.unknown:
            line += "; not understood: " + ", ".join(self.unknown)
        return line + ")"


@lru_cache(maxsize=1)
def zh_terms() -> tuple[dict[str, str], frozenset[str]]:
    """Chinese term -> English, from the attribute vocabulary, the copy lexicon and the query word list."""
    terms: dict[str, str] = {}
    for group in load_vocabulary().values():
        for label in group.labels:
            if has_cjk(label.zh):
                terms.setdefault(label.zh, label.en)
    lexicon = default_lexicon()
    for kind in LEXICON_KINDS:
        for form, canonical in lexicon.surfaces[kind].items():
            if has_cjk(form):
                terms.setdefault(form, canonical)
    extra = json.loads((vocab_dir() / "zh_query_terms.json").read_text(encoding="utf-8"))
    for zh, en in extra["terms"].items():
        terms.setdefault(zh, en)
    # 网红 ("influencer") holds 红 ("red") without meaning it: the lexicon's ignore list applies here too
    return terms, frozenset(extra["ignore"]) | frozenset(lexicon.zh_ignore)


def translate_zh(text: str) -> tuple[str, tuple[str, ...]]:
    """(English rendering, unknown Chinese words) of a query; other words are kept as they are.

    Terms may mix scripts (T恤, V领), so matching runs over the whole query, longest term first.
    """
    terms, ignore = zh_terms()
    longest = max(map(len, (*terms, *ignore)))
    words: list[str] = []
    unknown: list[str] = []
    latin, miss = "", ""

    def flush() -> None:
        nonlocal latin, miss
        words.extend(w for w in latin.split() if w not in words)
        if miss:
            unknown.append(miss)
        latin, miss = "", ""

    i = 0
    while i < len(text):
        for n in range(min(longest, len(text) - i), 0, -1):
            piece = text[i : i + n]
            if piece in terms or piece in ignore:
                flush()
                if piece in terms and terms[piece] not in words:
                    words.append(terms[piece])
                i += n
                break
        else:
            ch = text[i]
            if has_cjk(ch):
                words.extend(w for w in latin.split() if w not in words)
                latin = ""
                miss += ch
            elif ch in _PUNCTUATION or ch.isspace():
                flush()
            else:
                if miss:
                    unknown.append(miss)
                    miss = ""
                latin += ch
            i += 1
    flush()
    return " ".join(words), tuple(unknown)


def clip_query(scorer: ClipScorer, text: str) -> ClipQuery:
    """The query as the scorer's model should see it: translated when Chinese meets an English-only CLIP.

    Nothing understood at all: the query goes as typed, and the scorer's language notice says why the
    order means little.
    """
    if scorer.multilingual or not has_cjk(text):
        return ClipQuery(text, text)
    english, unknown = translate_zh(text)
    if not english.strip():
        return ClipQuery(text, text, unknown)
    return ClipQuery(text, english, unknown)
