"""Provenance: enough to reproduce a result and to know whether its models were real."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ModelRef:
    """One model that took part in a result."""

    role: str
    model_id: str
    revision: str | None
    file_hash: str | None
    source: str  # Source value: real | packaged | placeholder
    profile: str

    @property
    def placeholder(self) -> bool:
        return self.source == "placeholder"


@dataclass(frozen=True)
class Provenance:
    """Attached to every result: models, seed, every parameter, timings and scores."""

    models: tuple[ModelRef, ...] = ()
    seed: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def placeholder(self) -> bool:
        """True when any model involved had random weights: the output must be labelled."""
        return any(m.placeholder for m in self.models)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["placeholder"] = self.placeholder
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        models = tuple(ModelRef(**m) for m in data.get("models", ()))
        return cls(
            models=models,
            seed=data.get("seed"),
            params=dict(data.get("params", {})),
            timings=dict(data.get("timings", {})),
            scores=dict(data.get("scores", {})),
        )


class Stopwatch:
    """Collects named wall-clock timings: `with sw("encode"): ...`."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
