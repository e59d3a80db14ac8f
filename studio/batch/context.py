"""What a batch step receives and returns, and the per-batch cache of built pipelines."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generators.runtime.progress import CancelToken, ProgressFn
from studio.project.store import AttributeValue, Candidate, ImageRole, ImageRow, JobState, NewCandidate, Product, Store


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
    _lock: threading.RLock = field(default_factory=threading.RLock)  # builders may get() other pipelines

    def get(self, key: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._items:
                self._items[key] = build()
            return self._items[key]
