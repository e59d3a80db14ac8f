"""The batch's try-on step: the product's garment on its own person photo (the catalog's `person_images`).

For each product with a person photo, the try-on pipeline (`generators.tryon`) draws `CANDIDATES` seeded
candidates through the automatic garment mask, ranked by fidelity to the product photo and CLIPScore. Every
image goes into the project's asset store as a `tryon` candidate with its scores, flags, mask, parameters and
provenance; a candidate whose garment drifted from the photo is kept as rejected with the reason. Images made
by a placeholder inpainting model are labelled by their provenance, and the export's quality gate holds them
back.

A product without a person photo is skipped, and so is one whose category names no garment or whose photo
shows no person (or not the body part the garment covers): the message says why and what to do.
"""

from __future__ import annotations

import io
from typing import Any

from studio.batch.context import StepContext, StepOutput
from studio.project.store import CandidateKind, CandidateState, ImageRole, JobState, NewCandidate

CANDIDATES = 2  # per product: each costs a few seconds on a CPU with real weights
STEPS = 2


def run_tryon(ctx: StepContext) -> StepOutput:
    """Try the product on its first person photo; skipped with the reason when that cannot be done."""
    from generators.person_layout import NoPersonFoundError, UnknownGarmentTypeError, garment_type_for
    from generators.tryon import TryOnRequest
    from studio.batch.words_steps import main_photo
    from studio.project.attribute_sheet import attribute_sheet
    from studio.project.catalog_product import generator_product

    people = [i for i in ctx.images if i.role is ImageRole.PERSON]
    if not people:
        return StepOutput(JobState.SKIPPED, "no person photo in the catalog for a try-on")
    photo = main_photo(ctx)
    if photo is None:
        return StepOutput(JobState.SKIPPED, "no product photo to take the garment from")
    try:
        garment_type = garment_type_for(ctx.product.category)
    except UnknownGarmentTypeError as exc:
        return StepOutput(JobState.SKIPPED, str(exc))
    product = generator_product(ctx.product, attribute_sheet(ctx.store, ctx.product.id), (photo,))
    request = TryOnRequest(
        product,
        ctx.store.assets.path_for(people[0].sha256),
        garment_type=garment_type,
        n=CANDIDATES,
        steps=STEPS,
    )
    try:
        result = ctx.pipelines.pipeline("tryon").run(request, progress=ctx.progress, cancel=ctx.cancel)
    except NoPersonFoundError as exc:
        return StepOutput(JobState.SKIPPED, str(exc))  # says what to do: another photo or a painted mask
    mask_sha = _put_png(ctx, result.mask)
    out = tuple(_candidate(ctx, rank, c, result, mask_sha) for rank, c in enumerate(result.candidates))
    return StepOutput(candidates=out, message="; ".join(result.warnings))


def _put_png(ctx: StepContext, image: Any) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return ctx.store.assets.put_bytes(buf.getvalue(), ".png")


def _candidate(ctx: StepContext, rank: int, c: Any, result: Any, mask_sha: str) -> NewCandidate:
    """One try-on image stored in the project's assets, with its mask and how it was made."""
    drift = [f for f in c.flags if f in c.fidelity.flags]
    params = {
        "seed": c.seed,
        "garment_type": result.garment_type.value,
        "mask_source": result.mask_source,
        "mask_sha": mask_sha,
        "prompt": result.prompt,
        "flags": list(c.flags),
        "caption": f"Try-on: {ctx.product.title or ctx.product.sku}",
        "reason": "; ".join(drift),
    }
    return NewCandidate(
        CandidateKind.TRYON,
        rank=rank,
        file_sha=_put_png(ctx, c.image),
        params=params,
        provenance=result.provenance.to_dict(),
        scores={str(k): v for k, v in c.scores.items()},
        score=c.total,
        state=CandidateState.REJECTED if c.hidden else CandidateState.PROPOSED,
    )
