"""The work of each batch step for one product: read inputs from the store, return what to record.

A step function never writes to the database; the runner records its `StepOutput` in one transaction with
the job's state, so a killed batch leaves either all of a step's results or none. Files go to the asset
store (atomic, content-addressed) before that transaction; a kill in between leaves only orphans for gc.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from generators.factory import target_availability
from generators.runtime.progress import check
from studio.batch.context import PipelineCache, StepContext, StepOutput
from studio.batch.options import StepOptionSet, StepOptionsInput, option_set
from studio.batch.recipe import StepName, step_spec
from studio.capabilities import CAPABILITIES
from studio.project.store import JobState, NewCandidate

__all__ = [
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


class _StepFunctions(Mapping[StepName, StepFn]):
    """step -> its function, for the steps whose declared function exists (found through the registry)."""

    def _present(self, step: StepName) -> bool:
        return target_availability(step_spec(step).step, "batch step").available

    def __getitem__(self, step: StepName | str) -> StepFn:
        try:
            name = StepName(step)
        except ValueError:
            raise KeyError(step) from None
        if not self._present(name):
            raise KeyError(step)
        return step_spec(name).step_function()

    def __iter__(self) -> Iterator[StepName]:
        return (s for s in StepName if self._present(s))

    def __len__(self) -> int:
        return sum(1 for _ in self)


STEP_FUNCTIONS: Mapping[StepName, StepFn] = _StepFunctions()


def with_project_options(folder: Path, options: StepOptionsInput | Mapping[str, Any] = None) -> StepOptionSet:
    """`options` with every step's project inputs filled in (e.g. `brand_kit`: a digest of the brand kit copy
    follows), as the capabilities declare them.

    The runner reads them once per run and uses the result both to decide freshness and to record it; a step
    whose options list a project input is redone when it changes (editing the brand kit redoes copy only).
    """
    given = option_set(options)
    filled = given
    for cap in CAPABILITIES:
        readers = cap.project_input_readers()
        if readers:
            current = filled.get(cap.options_type())
            filled = filled.with_options(replace(current, **{k: read(Path(folder)) for k, read in readers.items()}))
    return filled
