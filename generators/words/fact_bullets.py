"""Bullets built fact by fact from the attribute sheet, for the slots a small model fills badly.

A small model's bullets often say one thing twice, pad with filler or copy the prompt's worked example. Such a
bullet is replaced (and missing bullets are added) with the next fact of the sheet the kept bullets do not
already state, written from a plain template in `assets/presets/copy_style.json` ("Made of cotton.",
"材质：纯棉。"). Templates only restate catalog values, so every bullet they write is grounded.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from generators.runtime.lexicon import LEXICON_KINDS, default_lexicon, has_cjk
from generators.words.attributes import AttributeSheet
from generators.words.copy_style import (
    filler_phrases,
    repeated_phrases,
    sentence_key,
    shared_run,
    style_data,
    words_of,
)
from generators.words.parsing import CopyFields
from generators.words.presets import Language, read_asset_json
from generators.words.prompts import copied_example_phrases

# The order facts fill bullets: what a shopper checks first.
FACT_ORDER = ("material", "color", "fit", "design", "size", "count")
# A bullet sharing a run of this many words (twice as many characters in Chinese) with an earlier one, making
# up this share of its own words, says the earlier bullet again.
MIN_SHARED_WORDS, SHARED_SHARE = 3, 0.5
_ONE_SIZE = {"one size", "onesize", "os", "均码", "one-size", "free size"}


@lru_cache(maxsize=1)
def _zh_forms() -> dict[tuple[str, str], str]:
    """(kind, canonical) -> the lexicon's first Chinese form ("material", "cotton") -> 纯棉."""
    data = read_asset_json("lexicon.json")
    out: dict[tuple[str, str], str] = {}
    for kind in ("color", "material", "fit", "design"):
        for canonical, forms in data.get(kind, {}).items():
            if isinstance(forms, dict) and forms.get("zh"):
                out[kind, canonical] = forms["zh"][0]
    return out


def _values(sheet: AttributeSheet, name: str, language: Language) -> list[str]:
    """The catalog's values of one attribute, in the copy's language where the lexicon can say it."""
    found = [v for v in sheet.values.get(name, ()) if v.source.value == "catalog"]
    out: list[str] = []
    for v in found:
        text = v.value.strip()
        if language is Language.ZH and not has_cjk(text):
            text = _zh_forms().get((name, v.canonical or ""), text)
        elif language is Language.EN and has_cjk(text) and v.canonical:
            text = v.canonical
        if text and text.lower() not in (o.lower() for o in out):
            out.append(text)
    return out


def fact_bullets(sheet: AttributeSheet, language: Language) -> list[tuple[str, str]]:
    """(attribute, bullet) for every catalog fact a template can state, in `FACT_ORDER`."""
    templates = style_data()["facts"][language.value]
    sep = "、" if language is Language.ZH else ", "
    out: list[tuple[str, str]] = []
    for name in FACT_ORDER:
        values = _values(sheet, name, language)
        if not values:
            continue
        if name == "size":
            sizes = [s.strip() for v in values for s in v.replace("，", ",").split(",") if s.strip()]
            if len(sizes) == 1 and sizes[0].lower() in _ONE_SIZE:
                out.append((name, templates["one_size"]))
                continue
            values = [", ".join(sizes)]
        value = sep.join(values)
        if (
            name == "fit" and language is Language.EN and "fit" in value.lower()
        ):  # "Regular fit.", not "Fit: Regular fit."
            out.append((name, value[0].upper() + value[1:] + "."))
            continue
        out.append((name, templates[name].format(value=value)))
    return out


def _states(text: str, sheet: AttributeSheet, name: str) -> bool:
    """Whether `text` already states the sheet's value of attribute `name` (any lexicon form counts)."""
    low = text.lower()
    raw = [v.value.lower() for v in sheet.values.get(name, ()) if v.source.value == "catalog"]
    if any(r and r in low for r in raw):
        return True
    kind = next((k for k in LEXICON_KINDS if k.value == name), None)
    if kind is None:  # sizes and counts: the raw catalog value above is the only form
        return False
    supported = sheet.supported(kind)
    return any(m.canonical in supported for m in default_lexicon().find(text, (kind,)) if not m.negated)


def weak_bullet_reason(bullet: str, earlier: list[str], product_text: str) -> str:
    """Why a bullet should make way for a fact ("" when it stays): it repeats, is filler only, copies the example."""
    key = sentence_key(bullet)
    if any(key and key == sentence_key(e) for e in earlier):
        return "repeated an earlier bullet"
    words = words_of(bullet)
    if sum(1 for w in words if not w.isdigit()) < (3 if has_cjk(bullet) else 2):  # "501 501", "红色"
        return "said nothing"
    if repeated_phrases(CopyFields(bullets=(bullet,))):  # "100% Cotton, 100% 100% 100% 100% 100%"
        return "looped on a phrase"
    for e in earlier:  # "SOLD: NAVAL, LINES OF NOVELS" after "SOLD BY NAVAL, LINES OF NOVELS, SUBFRAME"
        run, _ = shared_run(words, words_of(e))
        if run >= (2 * MIN_SHARED_WORDS if has_cjk(bullet) else MIN_SHARED_WORDS) and run >= SHARED_SHARE * len(words):
            return "mostly repeated an earlier bullet"
    if copied_example_phrases(bullet, product_text):
        return "copied the prompt's example"
    filler = filler_phrases(bullet)
    if filler:
        rest = bullet
        for phrase in filler:
            rest = rest.replace(phrase, " ")
        # What is left once the filler is gone ("FIT: A classic piece" -> "FIT:") says nothing.
        if len(sentence_key(rest).split()) <= 3 and len(sentence_key(rest).replace(" ", "")) <= 12:
            return "was filler only"
    return ""


def repair_bullets(
    fields: CopyFields, sheet: AttributeSheet, language: Language, count: int
) -> tuple[CopyFields, tuple[str, ...]]:
    """Replace weak bullets and fill missing ones (up to `count`) with facts from the sheet.

    Returns:
        The fields with their bullets repaired, and one fix note per bullet written from the sheet.
    """
    if count <= 0:
        return fields, ()
    kept: list[str] = []
    weak: list[tuple[str, str]] = []  # (bullet, why), in order
    for i, bullet in enumerate(fields.bullets[:count]):
        why = weak_bullet_reason(bullet, list(fields.bullets[:i]), sheet.text)
        if why:
            weak.append((bullet, why))
        else:
            kept.append(bullet)
    # Only the bullets count as already stating a fact: a shopper scans them for it, whatever the title says.
    facts = [
        (name, text)
        for name, text in fact_bullets(sheet, language)
        if not _states(" ".join(kept), sheet, name) and sentence_key(text) not in {sentence_key(k) for k in kept}
    ]
    bullets = list(kept)
    fixes: list[str] = []
    for name, text in facts:
        if len(bullets) >= count:
            break
        bullets.append(text)
        why = weak.pop(0)[1] if weak else "was missing"
        fixes.append(f"a bullet {why}: wrote the catalog's {name} instead ('{text}')")
    # A filler-only bullet with no fact left to replace it stays (flagged); a repeat or a copied example goes.
    bullets += [b for b, why in weak if why == "was filler only"][: max(0, count - len(bullets))]
    if bullets == list(fields.bullets):
        return fields, ()
    return replace(fields, bullets=tuple(bullets)), tuple(fixes)
