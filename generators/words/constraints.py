"""Platform limits and brand rules applied after generation, and the final rendering per platform.

Lengths are counted in characters (`len` of the text: a Chinese character counts one). After
`apply_constraints`, `limit_violations` is empty by construction; tests check that on many candidates.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

from generators.runtime.lexicon import has_cjk
from generators.words.parsing import CopyFields, clean_text, split_hashtags
from generators.words.presets import BrandKit, Layout, PlatformPreset


class BannedWordPolicy(StrEnum):
    REMOVE = "remove"  # delete the word and tidy the text
    DROP = "drop"  # drop the whole candidate


@dataclass(frozen=True)
class ConstraintOutcome:
    """Copy after constraints: `fields` obey every limit; `dropped` says it must not be shown."""

    fields: CopyFields
    dropped: bool
    drop_reason: str = ""
    fixes: tuple[str, ...] = ()  # what was changed (truncated title, banned word removed, phrase added)
    notes: tuple[str, ...] = ()  # shortfalls that could not be fixed (3 of 5 bullets)
    brand_compliance: float = 1.0  # how well the model followed the brand rules by itself (0..1)
    completeness: float = 1.0  # share of the platform's sections the copy fills (bullets, description), 0..1


_TRAILING = " ,;:-–—/&(、，；：·"


def fit_text(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary for Latin text, never mid-tag."""
    text = text.strip()
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if not has_cjk(cut[-12:]):
        space = cut.rfind(" ")
        if space > limit * 0.6:
            cut = cut[:space]
    return cut.rstrip(_TRAILING).rstrip()


def _word_pattern(word: str) -> re.Pattern[str]:
    if has_cjk(word):
        return re.compile(re.escape(word))
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _offensive_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The shipped offensive words (`assets/presets/offensive_words.json`), read once, as (word, pattern)."""
    from importlib import resources

    data = json.loads(resources.files("assets").joinpath("presets", "offensive_words.json").read_text("utf-8"))
    out = []
    for language, words in data.items():
        for word in words if not language.startswith("_") else ():
            if has_cjk(word):
                out.append((word, re.compile(re.escape(word))))
            else:
                out.append((word, re.compile(rf"(?<!\w){re.escape(word)}(?:s|es|ed|ing|y)?(?!\w)", re.IGNORECASE)))
    return tuple(out)


def offensive_word(text: str) -> str | None:
    """The first offensive word in `text` (small models produce them now and then), or None."""
    for word, pattern in _offensive_patterns():
        if pattern.search(text):
            return word
    return None


def _dedupe_segments(text: str) -> str:
    """Drop comma-separated segments a small model repeated ("100% cotton, 100% cotton, ...")."""
    parts = re.split(r"(?<=[,，、;；])\s*", text)
    if len(parts) < 3:
        return text
    seen: set[str] = set()
    kept = []
    for part in parts:
        key = part.strip(" ,，、;；.。").lower()
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(part)
    return " ".join(k.strip() for k in kept) if len(kept) < len(parts) else text


def _tidy(text: str) -> str:
    text = _dedupe_segments(text)
    text = re.sub(r"\s{2,}", " ", text)
    text = re.sub(r"\s+([,.;:!?，。；：！？])", r"\1", text)
    text = re.sub(r"([,;:，；：])\s*([,;:.，；：。])", r"\2", text)
    return text.strip(_TRAILING + " ")


def _map_fields(fields: CopyFields, fn) -> CopyFields:
    return CopyFields(
        title=fn(fields.title),
        bullets=tuple(b for b in (fn(b) for b in fields.bullets) if b),
        description=fn(fields.description),
        hashtags=tuple(h for h in (fn(h) for h in fields.hashtags) if h),
        tags=tuple(t for t in (fn(t) for t in fields.tags) if t),
    )


def contains_phrase(text: str, phrase: str) -> bool:
    return bool(_word_pattern(phrase).search(text)) if phrase else True


def render_html(fields: CopyFields) -> str:
    """Shopify description: a paragraph and a feature list, escaped."""
    parts = []
    if fields.description:
        parts.append(f"<p>{html.escape(fields.description)}</p>")
    if fields.bullets:
        parts.append("<ul>" + "".join(f"<li>{html.escape(b)}</li>" for b in fields.bullets) + "</ul>")
    return "".join(parts)


def render_post(fields: CopyFields) -> str:
    """A social post: hook/title line, body, hashtags."""
    parts = [p for p in (fields.title, fields.description) if p]
    if fields.hashtags:
        parts.append(" ".join("#" + h for h in fields.hashtags))
    return "\n\n".join(parts)


def render_text(fields: CopyFields, preset: PlatformPreset) -> str:
    """The copy as a person would paste it into the platform."""
    if preset.layout is Layout.POST:
        return render_post(fields)
    lines = [fields.title, ""]
    lines += [f"• {b}" for b in fields.bullets]
    if preset.html_description:
        lines += ["", render_html(replace(fields, bullets=()))]
    elif fields.description:
        lines += ["", fields.description]
    if fields.tags:
        lines += ["", "Tags: " + ", ".join(fields.tags)]
    return "\n".join(lines).strip()


def parse_rendered(text: str, preset: PlatformPreset) -> CopyFields:
    """The fields of copy in `render_text`'s layout, e.g. after a person edited it: the inverse of `render_text`.

    Listings: the first line is the title, "• " lines are bullets, a "Tags: " line the tags, everything else the
    description (HTML descriptions are read back to their text). Posts: the first paragraph is the title, a
    paragraph of only #hashtags the hashtags, the rest the body.
    """
    import re

    if preset.layout is Layout.POST:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
        tags: tuple[str, ...] = ()
        if paragraphs and all(w.startswith("#") for w in paragraphs[-1].split()):
            tags = tuple(w.lstrip("#") for w in paragraphs.pop().split())
        title = paragraphs.pop(0) if paragraphs else ""
        return CopyFields(title=title, description="\n\n".join(paragraphs), hashtags=tags)
    lines = text.strip().splitlines()
    title = lines.pop(0).strip() if lines else ""
    bullets, shop_tags, rest = [], (), []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("• "):
            bullets.append(stripped[2:].strip())
        elif stripped.startswith("Tags: "):
            shop_tags = tuple(t.strip() for t in stripped[6:].split(",") if t.strip())
        else:
            rest.append(line)
    description = "\n".join(rest).strip()
    if preset.html_description and description.startswith("<"):
        found = re.findall(r"<li>(.*?)</li>", description, re.S)
        bullets = bullets or [html.unescape(b) for b in found]
        description = html.unescape(re.sub(r"<ul>.*?</ul>|<[^>]+>", " ", description, flags=re.S))
        description = re.sub(r"\s+", " ", description).strip()
    return CopyFields(title=title, bullets=tuple(bullets), description=description, tags=shop_tags)


def limit_violations(fields: CopyFields, preset: PlatformPreset) -> list[str]:
    """Every platform limit the copy exceeds (empty after `apply_constraints`)."""
    out = []
    if len(fields.title) > preset.title_max:
        out.append(f"title has {len(fields.title)} characters (max {preset.title_max})")
    if preset.bullets and len(fields.bullets) > preset.bullets:
        out.append(f"{len(fields.bullets)} bullets (max {preset.bullets})")
    out += [
        f"bullet {i + 1} has {len(b)} characters (max {preset.bullet_max})"
        for i, b in enumerate(fields.bullets)
        if len(b) > preset.bullet_max
    ]
    desc_len = len(render_html(replace(fields, bullets=()))) if preset.html_description else len(fields.description)
    if desc_len > preset.description_max:
        out.append(f"description has {desc_len} characters (max {preset.description_max})")
    if len(fields.hashtags) > preset.hashtags_max:
        out.append(f"{len(fields.hashtags)} hashtags (max {preset.hashtags_max})")
    if len(fields.tags) > preset.tags_max:
        out.append(f"{len(fields.tags)} tags (max {preset.tags_max})")
    if preset.layout is Layout.POST and len(render_post(fields)) > preset.body_max:
        out.append(f"post has {len(render_post(fields))} characters (max {preset.body_max})")
    return out


def _fit_description(fields: CopyFields, preset: PlatformPreset, keep_tail: str) -> CopyFields:
    """Trim the description (keeping `keep_tail`, the required phrases, at its end) to the limits."""
    body = fields.description[: len(fields.description) - len(keep_tail)] if keep_tail else fields.description

    def with_body(text: str) -> CopyFields:
        joined = " ".join(p for p in (text.strip(), keep_tail) if p)
        return replace(fields, description=joined)

    def too_long(f: CopyFields) -> int:
        over = 0
        if preset.html_description:
            over = max(over, len(render_html(replace(f, bullets=()))) - preset.description_max)
        else:
            over = max(over, len(f.description) - preset.description_max)
        if preset.layout is Layout.POST:
            over = max(over, len(render_post(f)) - preset.body_max)
        return over

    candidate = with_body(body)
    while (over := too_long(candidate)) > 0 and body:
        body = fit_text(body, max(0, len(body) - over - 1))
        candidate = with_body(body)
    return candidate


def apply_constraints(
    fields: CopyFields,
    preset: PlatformPreset,
    brand: BrandKit,
    *,
    banned_policy: BannedWordPolicy = BannedWordPolicy.REMOVE,
) -> ConstraintOutcome:
    """Clean, apply brand rules and platform limits. Returns copy that never exceeds a limit."""
    fixes: list[str] = []
    notes: list[str] = []
    penalty = 0.0
    fields = _map_fields(fields, lambda s: _tidy(clean_text(s)))
    if (word := offensive_word(fields.all_text())) is not None:  # never shown, whatever the brand kit allows
        return ConstraintOutcome(fields, True, f"uses an offensive word ('{word}')", brand_compliance=0.0)

    for word in brand.banned_words:
        pattern = _word_pattern(word)
        if pattern.search(fields.all_text()):
            penalty += 0.25
            if banned_policy is BannedWordPolicy.DROP:
                return ConstraintOutcome(fields, True, f"uses banned word '{word}'", brand_compliance=0.0)
            fields = _map_fields(fields, lambda s, p=pattern: _tidy(p.sub(" ", s)))
            fixes.append(f"removed banned word '{word}'")
    if not fields.title:
        return ConstraintOutcome(fields, True, "no title left", tuple(fixes), brand_compliance=max(0.0, 1 - penalty))

    # Shape: bullets, hashtags and tags only where the platform has them.
    bullets = tuple(dict.fromkeys(fields.bullets))[: preset.bullets]
    if preset.bullets and len(bullets) < preset.bullets:
        notes.append(f"{len(bullets)} of {preset.bullets} bullets")
    hashtags = tuple(split_hashtags(" ".join("#" + h for h in fields.hashtags)))[: preset.hashtags_max]
    tags = fields.tags[: preset.tags_max]
    if preset.tags_max and not tags and fields.hashtags:
        tags = fields.hashtags[: preset.tags_max]
    fields = replace(fields, bullets=bullets, hashtags=hashtags, tags=tags)

    title = fit_text(fields.title, preset.title_max)
    if title != fields.title:
        fixes.append(f"title shortened to {len(title)} characters")
    bullets = tuple(b for b in (fit_text(b, preset.bullet_max) for b in fields.bullets) if b)
    if any(len(b) > preset.bullet_max for b in fields.bullets):
        fixes.append("bullets shortened")
    fields = replace(fields, title=title, bullets=bullets)

    missing = [p for p in brand.required_phrases if not contains_phrase(fields.all_text(), p)]
    tail = " ".join(missing)
    if missing:
        penalty += 0.25 * len(missing)
        fields = replace(fields, description=" ".join(p for p in (fields.description, tail) if p))
        fixes.append("added required phrase(s): " + ", ".join(f"'{p}'" for p in missing))
    if preset.layout is Layout.POST:  # hashtags go before the body is cut
        while fields.hashtags and len(render_post(replace(fields, description=tail))) > preset.body_max:
            fields = replace(fields, hashtags=fields.hashtags[:-1])
    before = fields.description
    fields = _fit_description(fields, preset, tail)
    if fields.description != before:
        fixes.append("description shortened")
    if tail and not contains_phrase(fields.all_text(), missing[0]):
        return ConstraintOutcome(fields, True, "required phrases do not fit the limits", tuple(fixes))
    leftover = limit_violations(fields, preset)
    if leftover:  # cannot happen unless a limit is smaller than a required phrase
        return ConstraintOutcome(fields, True, "; ".join(leftover), tuple(fixes))
    if not fields.description.strip():
        notes.append("no description")
    # Title, bullets and description are what a listing page shows: a candidate missing most of them is
    # not a close second to a complete one, whatever its other scores.
    filled = min(len(fields.bullets), preset.bullets) + (1 if fields.description.strip() else 0)
    completeness = filled / (preset.bullets + 1)
    return ConstraintOutcome(fields, False, "", tuple(fixes), tuple(notes), max(0.0, 1.0 - penalty), completeness)
