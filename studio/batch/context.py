"""What a batch step receives and returns, and the per-batch cache of built pipelines."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.runtime.progress import CancelToken, ProgressFn
from studio.batch.options import NoOptions, StepOptions
from studio.project.store import AttributeValue, Candidate, ImageRole, ImageRow, JobState, NewCandidate, Product, Store

if TYPE_CHECKING:
    from generators.factory import SharedModels
    from generators.runtime.pipeline import Pipeline


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
    options: StepOptions = field(default_factory=NoOptions)  # the step's own typed options (copy: CopyStepOptions)

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
    """The pipelines of one batch (or one product's steps): each built once through `generators.factory`,
    sharing one set of models (the CLIP scorer, with its embedding cache in the project), between threads.

    Args:
        profile: model profile.
        project_dir: the project folder (CLIP embeddings are cached inside it); None: the user cache.
    """

    profile: str = "auto"
    project_dir: Path | None = None
    _shared: SharedModels | None = None
    _items: dict[str, Any] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)  # builders may get() other pipelines

    @property
    def shared(self) -> SharedModels:
        with self._lock:
            if self._shared is None:
                from generators.factory import SharedModels

                self._shared = SharedModels(self.profile, project_dir=self.project_dir)
            return self._shared

    def pipeline(self, name: str) -> Pipeline:
        """Pipeline `name` (a `generators.factory.PIPELINES` key), built on first use."""
        return self.shared.pipeline(name)

    def scorer(self) -> Any:
        """The shared CLIP scorer."""
        return self.shared.scorer()

    def get(self, key: str, build: Callable[[], Any]) -> Any:
        """Anything else a step builds once per batch, under `key`."""
        with self._lock:
            if key not in self._items:
                self._items[key] = build()
            return self._items[key]
