"""The work of each batch step for one product: read inputs from the store, return what to record.

A step function never writes to the database; the runner records its `StepOutput` in one transaction with
the job's state, so a killed batch leaves either all of a step's results or none. Files go to the asset
store (atomic, content-addressed) before that transaction; a kill in between leaves only orphans for gc.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generators.runtime.progress import CancelToken, ProgressFn, check
from studio.batch.recipe import StepName
from studio.project.store import AttributeValue, Candidate, ImageRole, ImageRow, JobState, NewCandidate, Product, Store

LISTING_IMAGE_MAX_SIDE = 1024
LISTING_JPEG_QUALITY = 90


@dataclass(frozen=True)
class StepContext:
    """Everything a step may read: the product, its images, earlier steps' candidates, shared pipelines."""

    store: Store
    product: Product
    images: tuple[ImageRow, ...]
    earlier: dict[str, tuple[Candidate, ...]]
    pipelines: PipelineCache
    profile: str = "auto"
    progress: ProgressFn | None = None
    cancel: CancelToken | None = None
    options: Mapping[str, Any] = field(default_factory=dict)  # e.g. platforms, tone, language for copy

    def product_images(self) -> list[ImageRow]:
        return [i for i in self.images if i.role is ImageRole.PRODUCT]


@dataclass(frozen=True)
class StepOutput:
    """What a step produced; DONE or SKIPPED (with the reason in `message`)."""

    state: JobState = JobState.DONE
    message: str = ""
    candidates: tuple[NewCandidate, ...] = ()
    attributes: tuple[AttributeValue, ...] = ()


@dataclass
class PipelineCache:
    """Builds each pipeline once per batch and shares it between worker threads."""

    profile: str = "auto"
    _items: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._items:
                self._items[key] = build()
            return self._items[key]


def normalize_image(data: bytes, name: str, max_side: int = LISTING_IMAGE_MAX_SIDE) -> tuple[bytes, int, int]:
    """Upright (EXIF orientation applied), RGB on white, at most `max_side` pixels, JPEG with no EXIF/GPS."""
    from PIL import Image

    from scoring.images import open_image

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

STEP_FUNCTIONS: dict[StepName, StepFn] = {StepName.INGEST: run_ingest}
