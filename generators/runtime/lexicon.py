"""Find colour, material, fit, design and claim mentions in English and Chinese text, with synonyms (crimson ≈ red,
棉 ≈ cotton, relaxed fit ≈ 宽松).

It lives in the runtime, the lowest layer, because the copy pipelines (grounding, attribute sheets) and scoring
(Chinese query translation, the English-only CLIP check) both use it, and scoring may not import a pipeline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any


class MentionKind(StrEnum):
    """What a mention is about; the lexicon has surface forms for the first five."""

    COLOR = "color"
    MATERIAL = "material"
    FIT = "fit"
    DESIGN = "design"  # details a shopper picks by: shoe height, sleeve, neckline, rise, closure
    CLAIM = "claim"
    SIZE = "size"
    COUNT = "count"
    PRICE = "price"  # prices and discounts: the catalog's price, or nothing
    NUMBER = "number"  # any other figure (model number, dimension, percentage): only the catalog's own
    WORDING = "wording"  # strings that look like words and are not ("PRULROWSHELD"): a small model's garble


LEXICON_KINDS = (MentionKind.COLOR, MentionKind.MATERIAL, MentionKind.FIT, MentionKind.DESIGN, MentionKind.CLAIM)


@dataclass(frozen=True)
class Mention:
    """One mention found in a text: `text[start:end] == phrase`."""

    kind: MentionKind
    canonical: str
    phrase: str
    start: int
    end: int
    negated: bool = False


_CJK = re.compile(r"[\u3400-\u9fff]")
_NEGATION_BEFORE = re.compile(r"(?:\b(?:no|not|without|zero|non|free of)\W*|无|不含|非|零)$", re.IGNORECASE)
_NEGATION_AFTER = re.compile(r"^-?\s?free\b", re.IGNORECASE)


def has_cjk(text: str) -> bool:
    """True when `text` contains a Chinese (CJK unified) character."""
    return bool(_CJK.search(text))


class Lexicon:
    """Surface forms per canonical value, from `assets/presets/lexicon.json`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.surfaces: dict[MentionKind, dict[str, str]] = {}
        self._patterns: dict[MentionKind, re.Pattern[str]] = {}
        self._axes: dict[tuple[MentionKind, str], str] = {}
        # Words too vague in running text ("a classic tee") that name a value as a whole catalog cell (fit: Regular).
        self._cells: dict[MentionKind, dict[str, str]] = {}
        for kind in LEXICON_KINDS:
            table: dict[str, str] = {}
            cells = self._cells.setdefault(kind, {})
            for canonical, forms in data.get(kind.value, {}).items():
                if forms.get("axis"):
                    self._axes[kind, canonical] = forms["axis"]
                cells.update((cell.lower(), canonical) for cell in forms.get("cell", []))
                for form in [canonical, *forms.get("en", []), *forms.get("zh", [])]:
                    table.setdefault(form.lower(), canonical)
            self.surfaces[kind] = table
            # Longest first so "cherry red" wins over "red" and "纯棉" over "棉" at the same place.
            forms = sorted(table, key=len, reverse=True)
            alts = [re.escape(f) if has_cjk(f) else rf"(?<!\w){re.escape(f)}(?!\w)" for f in forms]
            self._patterns[kind] = re.compile("|".join(alts), re.IGNORECASE)
        self.attribute_keys: dict[str, str] = {
            alias.lower(): key for key, aliases in data.get("attribute_keys", {}).items() for alias in aliases
        }
        self.zh_ignore: tuple[str, ...] = tuple(sorted(data.get("zh_ignore", []), key=len, reverse=True))

    def attribute_key(self, name: str) -> str:
        """Catalog column name -> color/material/size/count, or the name itself (lower-cased)."""
        key = name.strip().lower()
        return self.attribute_keys.get(key, key)

    def _masked(self, text: str) -> str:
        # Phrases like 网红 ("influencer") contain 红 ("red") without meaning it; blank them out, same length.
        for phrase in self.zh_ignore:
            if phrase in text:
                text = text.replace(phrase, "\0" * len(phrase))
        return text

    def find(self, text: str, kinds: tuple[MentionKind, ...] = LEXICON_KINDS) -> list[Mention]:
        """All lexicon mentions in `text`, left to right, with negation ("no polyester", "无塑料") marked."""
        masked = self._masked(text)
        found: list[Mention] = []
        for kind in kinds:
            for m in self._patterns[kind].finditer(masked):
                canonical = self.surfaces[kind][m.group(0).lower()]
                before, after = text[max(0, m.start() - 12) : m.start()], text[m.end() : m.end() + 6]
                negated = bool(_NEGATION_BEFORE.search(before) or _NEGATION_AFTER.search(after))
                found.append(Mention(kind, canonical, text[m.start() : m.end()], m.start(), m.end(), negated))
        return sorted(found, key=lambda x: x.start)

    def same_axis(self, kind: MentionKind, values: Iterable[str], canonical: str) -> frozenset[str]:
        """The `values` that describe the same side of a product as `canonical`, so either one excludes the
        other: a width fit says nothing about length ("cropped"). Values without an axis share one."""
        axis = self._axes.get((kind, canonical), "")
        return frozenset(v for v in values if self._axes.get((kind, v), "") == axis)

    def canonical_values(self, kind: MentionKind, value: str) -> frozenset[str]:
        """Canonical values named by a catalog value: "Crimson" -> {red}; "cotton/polyester" -> both; "Regular"
        (a whole cell) -> {regular fit}."""
        found = frozenset(m.canonical for m in self.find(value, (kind,)) if not m.negated)
        cell = self._cells.get(kind, {}).get(value.strip().lower())
        return found or (frozenset({cell}) if cell else frozenset())


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped in `assets/presets/lexicon.json`, read once."""
    return Lexicon(
        json.loads(resources.files("assets").joinpath("presets", "lexicon.json").read_text(encoding="utf-8"))
    )
