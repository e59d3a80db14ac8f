"""Style checks a marketer would make before publishing: repetition, filler and a copied catalog description.

Small models loop ("FIT: A classic piece … FIT: A classic piece"), pad with phrases that fit any product
("perfect for any occasion", 百搭) and hand the catalog's own description back as theirs. Each finding is a
`StyleIssue` with a message a marketer can act on; ranking costs each one like any other flag. The filler
list lives in `assets/presets/copy_style.json` (en and zh).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from generators.runtime.lexicon import has_cjk
from generators.words.parsing import CopyFields
from generators.words.presets import read_asset_json

STYLE_ASSET = "copy_style.json"
# A description sharing this many words in a row with the catalog's (or most of a short one) was copied.
COPIED_RUN_WORDS = 12
COPIED_SHARE = 0.8
_MIN_SENTENCE_CHARS = 8
# A run of this many words (characters in Chinese) said this often in one draft is a loop, not emphasis.
PHRASE_WORDS, PHRASE_CHARS_ZH, PHRASE_TIMES = 3, 4, 3  # "Red." twice is not a repeated sentence worth a flag
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;])\s*|\n+")
_WORD = re.compile(r"[\w\u3400-\u9fff]+")


class StyleKind(StrEnum):
    REPEATED = "repeats itself"
    REPEATED_PHRASE = "repeats a phrase"
    FILLER = "filler"
    COPIED_DESCRIPTION = "copies the catalog description"


@dataclass(frozen=True)
class StyleIssue:
    """One style problem; `field` names where (title, bullet 2, description)."""

    kind: StyleKind
    field: str
    phrase: str
    other: str = ""  # the field it repeats (REPEATED only)

    @property
    def message(self) -> str:
        if self.kind is StyleKind.REPEATED:
            return f"{self.field} repeats {self.other}: '{self.phrase}'"
        if self.kind is StyleKind.REPEATED_PHRASE:
            return f"{self.field}: says '{self.phrase}' {self.other}"
        if self.kind is StyleKind.FILLER:
            return f"{self.field}: '{self.phrase}' is filler that fits any product; say something specific"
        return f"{self.field} copies the catalog description word for word: '{self.phrase}'"


@lru_cache(maxsize=1)
def style_data() -> dict[str, Any]:
    """`assets/presets/copy_style.json`, read once."""
    return read_asset_json(STYLE_ASSET)


@lru_cache(maxsize=1)
def _filler_pattern() -> re.Pattern[str]:
    phrases = [p for lang in style_data()["filler"].values() for p in lang]
    alts = [
        re.escape(p) if has_cjk(p) else rf"(?<!\w){re.escape(p)}(?!\w)"
        for p in sorted(phrases, key=len, reverse=True)  # longest first: "perfect for any occasion" wins
    ]
    return re.compile("|".join(alts), re.IGNORECASE)


def filler_phrases(text: str) -> list[str]:
    """The filler phrases in `text`, in order (en whole words, zh substrings)."""
    return [m.group(0) for m in _filler_pattern().finditer(text)]


def words_of(text: str) -> list[str]:
    """`text` as lower-cased units: words, or characters for Chinese."""
    words = [w.lower() for w in _WORD.findall(text)]
    return [c for w in words for c in w] if has_cjk(text) else words


def sentence_key(sentence: str) -> str:
    """A sentence reduced to its words, lower-cased: what counts as "the same sentence"."""
    return " ".join(w.lower() for w in _WORD.findall(sentence))


def sentences(text: str) -> list[str]:
    """`text` split into sentences (en and zh punctuation), stripped, empty ones left out."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _fields(fields: CopyFields) -> list[tuple[str, str]]:
    named = [("title", fields.title), *((f"bullet {i + 1}", b) for i, b in enumerate(fields.bullets))]
    return [*named, ("description", fields.description)]


def repeated_sentences(fields: CopyFields) -> list[StyleIssue]:
    """Sentences (and bullets) said twice across bullets and description, each repeat once.

    A bullet label repeated with the same body ("FIT: A classic piece" twice) counts; the title may repeat
    in the description (listings usually name the product again), so it is only a source, never flagged.
    """
    seen: dict[str, str] = {}
    out: list[StyleIssue] = []
    for name, text in _fields(fields):
        for sentence in sentences(text):
            key = sentence_key(sentence)
            if len(key) < _MIN_SENTENCE_CHARS:
                continue
            if key in seen and name != "title" and not (seen[key] == "title" and name == "description"):
                out.append(StyleIssue(StyleKind.REPEATED, name, sentence, seen[key]))
            seen.setdefault(key, name)
    return out


def repeated_phrases(fields: CopyFields) -> list[StyleIssue]:
    """Word runs (`PHRASE_WORDS` words, `PHRASE_CHARS_ZH` Chinese characters) said `PHRASE_TIMES`+ times across
    the bullets and description ("a 100% fabric, and a 100% fabric, and a 100% fabric"), one issue per loop."""
    text = "\n".join([*fields.bullets, fields.description])
    grams: dict[str, int] = {}
    for line in text.split("\n"):
        words = [w.lower() for w in _WORD.findall(line)]
        units = [c for w in words for c in w] if has_cjk(line) else words
        size = PHRASE_CHARS_ZH if has_cjk(line) else PHRASE_WORDS
        joiner = "" if has_cjk(line) else " "
        for i in range(len(units) - size + 1):
            gram = joiner.join(units[i : i + size])
            grams[gram] = grams.get(gram, 0) + 1
    out: list[StyleIssue] = []
    reported: list[set[str]] = []
    for gram, times in sorted(grams.items(), key=lambda kv: -kv[1]):
        parts = set(gram.split()) if " " in gram else set(gram)
        if times < PHRASE_TIMES or any(len(parts & r) >= len(parts) - 1 for r in reported):
            continue  # overlapping windows of one loop are one issue
        reported.append(parts)
        out.append(StyleIssue(StyleKind.REPEATED_PHRASE, "bullets and description", gram, f"{times} times"))
    return out


def shared_run(a: list[str], b: list[str]) -> tuple[int, int]:
    """The longest run of items `a` shares with `b`: (length, end index in `a`)."""
    best_len, best_end = 0, 0
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):  # longest common substring, O(len(a)·len(b)); both are short texts
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best_len:
                    best_len, best_end = cur[j], i
        prev = cur
    return best_len, best_end


def copied_run(copy: str, catalog: str) -> str:
    """The longest run of words `copy` shares with `catalog`, if it is long enough to count as copied."""
    if not copy or not catalog:
        return ""
    if has_cjk(catalog):  # characters are the unit for Chinese
        a, b = [c for c in copy if not c.isspace()], [c for c in catalog if not c.isspace()]
        joiner, need = "", 2 * COPIED_RUN_WORDS
    else:
        a, b = [w.lower() for w in _WORD.findall(copy)], [w.lower() for w in _WORD.findall(catalog)]
        joiner, need = " ", COPIED_RUN_WORDS
    need = min(need, max(4, int(COPIED_SHARE * len(b))))
    best_len, best_end = shared_run(a, b)
    return joiner.join(a[best_end - best_len : best_end]) if best_len >= need else ""


def style_issues(fields: CopyFields, catalog_description: str = "") -> list[StyleIssue]:
    """Every repetition, filler phrase and copied catalog description in one candidate, in reading order."""
    out = repeated_sentences(fields) + repeated_phrases(fields)
    for name, text in _fields(fields):
        out += [StyleIssue(StyleKind.FILLER, name, p) for p in dict.fromkeys(filler_phrases(text))]
    run = copied_run(fields.description, catalog_description)
    if run:
        out.append(StyleIssue(StyleKind.COPIED_DESCRIPTION, "description", _shorten(run)))
    return out


def style_summary(issues: list[StyleIssue]) -> str:
    """A few words for a ranking reason: "repeats itself (2), filler (1)"; "" when clean."""
    counts: dict[StyleKind, int] = {}
    for issue in issues:
        counts[issue.kind] = counts.get(issue.kind, 0) + 1
    return ", ".join(
        f"{k.value} ({n})" if k is not StyleKind.COPIED_DESCRIPTION else k.value for k, n in counts.items()
    )


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
