"""The batch's try-on step: the product's garment on its own person photo (the catalog's `person_images`).

For each product with a person photo, the try-on pipeline (`generators.tryon`) draws `CANDIDATES` seeded
candidates through the automatic garment mask, ranked by fidelity to the product photo and CLIPScore. Every
image goes into the project's asset store as a `tryon` candidate with its scores, flags, mask, parameters and
provenance; a candidate whose garment drifted from the photo is kept as rejected with the reason. Images made
by a placeholder inpainting model are labelled by their provenance, and the export's quality gate holds them
back.

A product without a person photo is skipped, and so is one whose category names no garment or whose photo
shows no person (or not the body part the garment covers): the message says why and what to do.

The studio's Try-on tab runs this step with `TryOnStepOptions`: another person photo or a painted mask (both
already copied into the project's asset store, named by sha), the garment type, how many candidates and the
seed. A painted mask reaches the pipeline as `TryOnRequest.mask`, the path `vitrine tryon --mask` gives it, so
both are read by the same `generators.tryon_inputs.load_painted_mask`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generators.runtime.errors import VitrineError
from studio.batch.context import StepContext, StepOutput
from studio.batch.options import StepOptions
from studio.project.store import CandidateKind, CandidateState, ImageRole, JobState, NewCandidate

CANDIDATES = 2  # per product: each costs a few seconds on a CPU with real weights
STEPS = 2
MAX_CANDIDATES = 16
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class TryOnStepOptions(StepOptions):
    """What the try-on step makes, and from which photo and mask.

    Attributes:
        person_sha: the person photo, an asset of the project ("": the product's first person photo).
        person_index: which person when the photo shows several (0: the largest).
        mask_sha: a painted mask PNG in the project's assets, white = redraw, at the photo's size
            ("": the automatic garment region).
        garment_type: "upper", "lower" or "full" ("": from the product's category).
        n: how many seeded candidates.
        seed: the first candidate's seed (the others follow).
    """

    person_sha: str = ""
    person_index: int = 0
    mask_sha: str = ""
    garment_type: str = ""
    n: int = CANDIDATES
    seed: int = 0


def _asset(ctx: StepContext, sha: str, what: str) -> Path:
    """The stored file of a sha named in the options; only a sha of this project's asset store is accepted."""
    if not _SHA.fullmatch(sha):
        raise VitrineError(f"the {what} is not an asset of this project ('{sha[:20]}' is not a sha256)")
    try:
        return ctx.store.assets.path_for(sha)
    except FileNotFoundError:
        raise VitrineError(f"the {what} ({sha[:12]}…) is no longer in the project's assets; choose it again") from None


def run_tryon(ctx: StepContext) -> StepOutput:
    """Try the product on the chosen person photo (default: its first); skipped with the reason when that cannot
    be done."""
    from generators.person_layout import GarmentType, NoPersonFoundError, UnknownGarmentTypeError, garment_type_for
    from generators.tryon import TryOnRequest
    from studio.batch.words_steps import main_photo
    from studio.project.attribute_sheet import attribute_sheet
    from studio.project.catalog_product import generator_product

    options = ctx.options if isinstance(ctx.options, TryOnStepOptions) else TryOnStepOptions()
    if not 1 <= options.n <= MAX_CANDIDATES:
        raise VitrineError(f"ask for 1 to {MAX_CANDIDATES} try-on images (got {options.n})")
    if options.person_index < 0:
        raise VitrineError("the person index counts from 0 (the largest person)")
    people = [i for i in ctx.images if i.role is ImageRole.PERSON]
    if options.person_sha:
        person = _asset(ctx, options.person_sha, "person photo")
    elif people:
        person = ctx.store.assets.path_for(people[0].sha256)
    else:
        return StepOutput(JobState.SKIPPED, "no person photo in the catalog for a try-on")
    mask = _asset(ctx, options.mask_sha, "painted mask") if options.mask_sha else None
    photo = main_photo(ctx)
    if photo is None:
        return StepOutput(JobState.SKIPPED, "no product photo to take the garment from")
    try:
        garment_type = GarmentType(options.garment_type or garment_type_for(ctx.product.category))
    except UnknownGarmentTypeError as exc:
        return StepOutput(JobState.SKIPPED, str(exc))
    except ValueError:
        raise VitrineError(f"unknown garment type '{options.garment_type}'; choose upper, lower or full") from None
    product = generator_product(ctx.product, attribute_sheet(ctx.store, ctx.product.id), (photo,))
    request = TryOnRequest(
        product,
        person,
        garment_type=garment_type,
        mask=mask,
        person_index=options.person_index,
        n=options.n,
        seed=options.seed,
        steps=STEPS,
    )
    try:
        result = ctx.pipelines.pipeline("tryon").run(request, progress=ctx.progress, cancel=ctx.cancel)
    except NoPersonFoundError as exc:
        return StepOutput(JobState.SKIPPED, str(exc))  # says what to do: another photo or a painted mask
    mask_sha = _put_png(ctx, result.mask)
    person_sha = options.person_sha or people[0].sha256
    out = tuple(
        _candidate(ctx, rank, c, result, mask_sha, person_sha, options.mask_sha)
        for rank, c in enumerate(result.candidates)
    )
    return StepOutput(candidates=out, message="; ".join(result.warnings))


def _put_png(ctx: StepContext, image: Any) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return ctx.store.assets.put_bytes(buf.getvalue(), ".png")


def _candidate(
    ctx: StepContext, rank: int, c: Any, result: Any, mask_sha: str, person_sha: str, painted: str
) -> NewCandidate:
    """One try-on image stored in the project's assets, with its mask, its photo and how it was made."""
    drift = [f for f in c.flags if f in c.fidelity.flags]
    params = {
        "seed": c.seed,
        "garment_type": result.garment_type.value,
        "mask_source": result.mask_source,
        "mask_sha": mask_sha,  # the mask as the pipeline used it (a painted one: after its soft edge)
        "person_sha": person_sha,
        "painted_mask_sha": painted,
        # Kept by the store's gc: a picked photo and a painted mask are no catalog images.
        "assets": [s for s in (mask_sha, person_sha, painted) if s],
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
