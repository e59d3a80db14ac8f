"""What a copy sampling engine is asked (`SampleSpec`) and what every engine offers (`SamplingEngine`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass
class SampleSpec:
    """What to sample: `n` continuations of `prompt_ids`, with the request's sampling settings."""

    prompt_ids: Sequence[int]
    n: int
    seed: int
    max_new_tokens: int
    min_new_tokens: int
    temperature: float
    top_p: float


class SamplingEngine(Protocol):
    """What the copy sampler needs of an engine: its name (provenance) and batched sampling with a callback."""

    name: str
    #: The weight format it computes in ("int4", "int8"), recorded as the copy's dtype.
    compute: str

    def sample(self, spec: SampleSpec, on_token: Callable[[int, int, int], bool]) -> list[list[int]]:
        """`spec.n` continuations (end token excluded); `on_token(row, step, token)` returning True stops a row."""
        ...
