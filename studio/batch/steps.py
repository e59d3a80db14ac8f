"""The work of each batch step for one product: read inputs from the store, return what to record.

A step function never writes to the database; the runner records its `StepOutput` in one transaction with
the job's state, so a killed batch leaves either all of a step's results or none. Files go to the asset
store (atomic, content-addressed) before that transaction; a kill in between leaves only orphans for gc.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from generators.runtime.progress import check
from studio.batch.context import PipelineCache, StepContext, StepOutput
from studio.batch.recipe import StepName
from studio.batch.words_steps import brand_kit_digest, run_attributes, run_caption, run_copy
from studio.project.store import JobState, NewCandidate

__all__ = [
    "PROJECT_OPTIONS",
    "STEP_FUNCTIONS",
    "PipelineCache",
    "StepContext",
    "StepOutput",
    "normalize_image",
    "run_ingest",
    "with_project_options",
]

LISTING_IMAGE_MAX_SIDE = 1024
LISTING_JPEG_QUALITY = 90


def normalize_image(data: bytes, name: str, max_side: int = LISTING_IMAGE_MAX_SIDE) -> tuple[bytes, int, int]:
    """Upright (EXIF orientation applied), RGB on white, at most `max_side` pixels, JPEG with no EXIF/GPS."""
    from PIL import Image

    from generators.runtime.images import open_image

    im = open_image(data, name=name, draft_size=max_side)
    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=LISTING_JPEG_QUALITY, optimize=True)  # no exif= argument: nothing carried over
    return buf.getvalue(), im.width, im.height


def run_ingest(ctx: StepContext) -> StepOutput:
    """Turn each catalog photo into a listing image candidate (rank = catalog order)."""
    photos = ctx.product_images()
    if not photos:
        return StepOutput(JobState.SKIPPED, "no product photos")
    out = []
    for rank, img in enumerate(photos):
        check(ctx.cancel)
        data, width, height = normalize_image(ctx.store.assets.path_for(img.sha256).read_bytes(), img.source_path)
        sha = ctx.store.assets.put_bytes(data, ".jpg")
        params = {
            "source_sha256": img.sha256,
            "source_path": img.source_path,
            "width": width,
            "height": height,
            "max_side": LISTING_IMAGE_MAX_SIDE,
        }
        out.append(NewCandidate("image", rank=rank, file_sha=sha, params=params, provenance={"placeholder": False}))
    return StepOutput(candidates=tuple(out))


StepFn = Callable[[StepContext], StepOutput]

STEP_FUNCTIONS: dict[StepName, StepFn] = {
    StepName.INGEST: run_ingest,
    StepName.CAPTION: run_caption,
    StepName.ATTRIBUTES: run_attributes,
    StepName.COPY: run_copy,
}

# Step options read from the project folder rather than given by the user. A step that lists one in its spec's
# `options` is redone when it changes: editing the brand kit redoes copy, and nothing else.
PROJECT_OPTIONS: dict[str, Callable[[Path], str]] = {"brand_kit": brand_kit_digest}


def with_project_options(folder: Path, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`options` plus the project-derived ones (e.g. `brand_kit`: a digest of the brand kit copy follows).

    The runner reads them once per run and uses the result both to decide freshness and to record it.
    """
    return {**(options or {}), **{name: read(Path(folder)) for name, read in PROJECT_OPTIONS.items()}}
