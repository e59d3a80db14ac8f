"""Caption, attribute and copy steps: the words and scoring pipelines wired to the project store.

Each builds its pipeline once per batch (shared by the workers through `PipelineCache`), runs it on the
product's main listing photo, and returns ranked candidates carrying scores and provenance. Heavy imports
happen inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scoring.scores import ScoreKey
from studio.batch.context import StepContext, StepOutput
from studio.batch.options import CopyStepOptions
from studio.project.attribute_sheet import (
    CLIP_PLACEHOLDER_SOURCE,
    CLIP_SOURCE,
    attribute_sheet,
    canonical_attribute_name,
)
from studio.project.brand_kit import brand_kit_digest as brand_kit_digest  # copy's project input
from studio.project.brand_kit import load_brand_kit
from studio.project.catalog_product import generator_product
from studio.project.store import AttributeValue, CandidateKind, CandidateState, JobState, NewCandidate

CAPTIONS_PER_IMAGE = 3
COPY_CANDIDATES = 4
# Copy is written per publishing platform; an export platform may need several (Taobao + its Douyin post).
COPY_PLATFORMS_FOR_EXPORT = {
    "shopify": ("shopify",),
    "amazon": ("amazon",),
    "taobao": ("taobao", "douyin"),
    "generic": (),
}
DEFAULT_COPY_PLATFORMS = ("amazon", "shopify", "taobao", "douyin")
LISTING_TOKENS = 256  # English title + up to 5 bullets + description (Chinese: x1.5, see copy_token_budget)
POST_TOKENS = 160  # English short title + body + hashtags (Instagram; Douyin/Xiaohongshu in Chinese: x1.5)


def _scorer(ctx: StepContext) -> Any:
    """The batch's one CLIP scorer (built through `generators.factory`, shared by every step)."""
    return ctx.pipelines.scorer()


def main_photo(ctx: StepContext) -> Path | None:
    """The product's main listing photo: the best ingested one, else the first catalog photo."""
    listing = sorted(ctx.earlier.get(CandidateKind.IMAGE, ()), key=lambda c: (c.rejected, c.rank))
    if listing and listing[0].file_sha:
        return ctx.store.assets.path_for(listing[0].file_sha)
    photos = ctx.product_images()
    return ctx.store.assets.path_for(photos[0].sha256) if photos else None


def run_caption(ctx: StepContext) -> StepOutput:
    """BLIP captions of the main photo, ranked by CLIPScore against it."""
    from generators.caption import CaptionRequest

    photo = main_photo(ctx)
    if photo is None:
        return StepOutput(JobState.SKIPPED, "no product photo to caption")

    pipe = ctx.pipelines.pipeline("caption")
    result = pipe.run(CaptionRequest((photo,), n=CAPTIONS_PER_IMAGE), progress=ctx.progress, cancel=ctx.cancel)
    item = result.items[0]
    if item.error:
        raise RuntimeError(item.error)
    provenance = result.provenance.to_dict()
    out = tuple(
        NewCandidate(
            "caption",
            rank=c.rank - 1,
            text=c.text,
            params={"language": "en", "image": photo.name},
            provenance=provenance,
            scores={ScoreKey.CLIP_SCORE: c.clip_score} if c.clip_score is not None else {},
            score=c.clip_score,
        )
        for c in item.captions
    )
    return StepOutput(candidates=out, message="; ".join(result.warnings))


def run_attributes(ctx: StepContext) -> StepOutput:
    """Zero-shot attributes of the main photo (top value of each group, with its probability)."""
    from scoring.attributes import AttributeRequest

    photo = main_photo(ctx)
    if photo is None:
        return StepOutput(JobState.SKIPPED, "no product photo to tag")
    scorer = _scorer(ctx)
    classifier = ctx.pipelines.pipeline("attributes")
    result = classifier.run(AttributeRequest(image=photo), progress=ctx.progress, cancel=ctx.cancel)
    # A random-weight CLIP's guesses are stored for transparency but under their own source, so they never
    # feed grounding or raise conflicts, and every view can badge them as placeholder output.
    source = CLIP_PLACEHOLDER_SOURCE if scorer.placeholder else CLIP_SOURCE
    values = tuple(
        AttributeValue(
            ctx.product.id, canonical_attribute_name(g.group), g.top[0].value, source, round(g.confidence, 4)
        )
        for g in result.groups.values()
    )
    return StepOutput(attributes=values)


def copy_platforms(options: CopyStepOptions) -> tuple[str, ...]:
    """Copy platforms for the batch's export platforms (all when none were named)."""
    export = options.platforms
    if not export:
        return DEFAULT_COPY_PLATFORMS
    return tuple(dict.fromkeys(p for e in export for p in COPY_PLATFORMS_FOR_EXPORT.get(e, (e,))))


def _generator_product(ctx: StepContext, photo: Path | None) -> Any:
    """The copy pipeline's product: the catalog's fields and the attribute sheet's user and catalog values."""
    sheet = attribute_sheet(ctx.store, ctx.product.id)
    return generator_product(ctx.product, sheet, (photo,) if photo else ())


def copy_token_budget(platform: str, language: str | None = None) -> int:
    """New tokens a platform's copy may take: a listing (title, bullets, description) more than a short post,
    and Chinese more than English (SmolLM2's tokenizer spends ~1.8 tokens per Chinese character, ~0.3 per
    English one: a 107-character Xiaohongshu post is 194 tokens).

    Generation stops as soon as every section is written; this only caps a candidate that rambles, which
    otherwise keeps its whole batch decoding, and must leave room for complete copy.
    """
    from generators.words.presets import Language, Layout, preset_for

    preset = preset_for(platform)
    budget = POST_TOKENS if preset.layout is Layout.POST else LISTING_TOKENS
    lang = Language.parse(language) if language else preset.language
    return budget * 3 // 2 if lang is Language.ZH else budget


def run_copy(ctx: StepContext) -> StepOutput:
    """Sales copy for each platform, grounded on the attribute sheet and ranked; shown candidates are kept.

    Step options (`CopyStepOptions`): `platforms`, `copy_n` (candidates per platform), `tone` and `language`
    (the preset's defaults when absent), `max_new_tokens` (else the platform's budget).
    """
    from generators.copywriter import CopyRequest
    from generators.words.copy_types import CandidateStatus
    from generators.words.model_fit import SMALL_MODEL_LABEL
    from generators.words.presets import Language, Platform

    # Read first: a broken brand_kit.json fails the step with its BrandKitError before any model loads.
    brand = load_brand_kit(ctx.store.folder)
    pipe = ctx.pipelines.pipeline("copy")
    photo = main_photo(ctx)
    product = _generator_product(ctx, photo)
    clip: dict[str, dict[str, float]] = {}
    for a in ctx.store.attributes(ctx.product.id, CLIP_SOURCE):
        clip[a.name] = {a.value: float(a.confidence or 0.0)}
    captions = tuple(
        c.text for c in sorted(ctx.earlier.get(CandidateKind.CAPTION, ()), key=lambda c: c.rank)[:3] if c.text
    )
    options = ctx.options
    if not isinstance(options, CopyStepOptions):
        raise TypeError(f"the copy step reads CopyStepOptions, not {type(options).__name__}")
    tone = options.tone or CopyRequest.tone
    language = Language.parse(options.language) if options.language else None
    out: list[NewCandidate] = []
    notes: list[str] = []
    for platform in copy_platforms(options):
        request = CopyRequest(
            product,
            Platform.parse(platform),
            language=language,
            tone=tone,
            brand=brand,
            n=options.copy_n or COPY_CANDIDATES,
            max_new_tokens=options.max_new_tokens or copy_token_budget(platform, language),
            clip_attributes=clip or None,
            captions=captions,
        )
        result = pipe.run(request, progress=ctx.progress, cancel=ctx.cancel)
        provenance = result.provenance.to_dict()
        note = rejection_note(platform, result.candidates)
        if note:
            notes.append(note)
        # "draft quality: small model" and how to switch: the Copy tab and the job list show the job's message.
        notes += [w for w in result.warnings if w.startswith(SMALL_MODEL_LABEL) and w not in notes]
        shown = result.ranked
        # Every draft is kept: shown ones ranked, the pipeline's rejected ones with their reasons (a person may
        # keep one anyway). Near-duplicates and unusable ones (no title) are not drafts anyone would keep.
        kept = shown + [c for c in result.candidates if c.status is CandidateStatus.REJECTED]
        for c in kept:
            f = c.fields
            params = {
                "platform": platform,
                "language": result.language.value,
                "tone": tone,
                "title": f.title,
                "bullets": list(f.bullets),
                "description": f.description,
                "hashtags": list(f.hashtags),
                "tags": list(f.tags),
                "flags": list(c.flags),
                "reason": c.reason,
                "status": c.status.value,
            }
            scores = {k: float(v) for k, v in c.scores.items() if v is not None}
            rejected = c.status is CandidateStatus.REJECTED
            out.append(
                NewCandidate(
                    "copy",
                    rank=(c.rank or len(shown) + 1) - 1,  # rejected drafts rank after every shown one
                    text=c.text,
                    params=params,
                    provenance=provenance,
                    scores=scores,
                    score=scores.get(ScoreKey.TOTAL),
                    state=CandidateState.REJECTED if rejected else CandidateState.PROPOSED,
                )
            )
    return StepOutput(candidates=tuple(out), message="; ".join(notes))


_CONTRADICTS = re.compile(r"contradicts the product's (\w+)")


def _why_rejected(candidate: Any) -> str:
    """ "contradict the catalog's material" from the first contradiction flag, else the pipeline's reason."""
    for flag in candidate.flags:
        m = _CONTRADICTS.search(flag)
        if m:
            return f"contradict the catalog's {m.group(1)}"
    return candidate.reason or "rejected"


def rejection_note(platform: str, candidates: Sequence[Any]) -> str:
    """What happened to the drafts a person will not see ranked, in words: "amazon: 3 of 4 drafts rejected
    (2 contradict the product data, 1 makes claims the product data never makes); 1 dropped as a near-duplicate".
    """
    from collections import Counter

    from generators.words.copy_types import CandidateStatus

    rejected = Counter(_why_rejected(c) for c in candidates if c.status is CandidateStatus.REJECTED)
    dropped = Counter(c.status for c in candidates if c.status in (CandidateStatus.DROPPED, CandidateStatus.DUPLICATE))
    parts = []
    if rejected:
        why = ", ".join(f"{n} {reason}" for reason, n in rejected.most_common())
        parts.append(f"{sum(rejected.values())} of {len(candidates)} drafts rejected ({why})")
    if dropped[CandidateStatus.DUPLICATE]:
        parts.append(f"{dropped[CandidateStatus.DUPLICATE]} dropped as near-duplicates")
    if dropped[CandidateStatus.DROPPED]:
        parts.append(f"{dropped[CandidateStatus.DROPPED]} unusable (no title or over the platform's limits)")
    return f"{platform}: " + "; ".join(parts) if parts else ""
