"""The contract every pipeline keeps, and the scorer contract generators rank with.

A pipeline is a plain class built from loaded components (see `generators.factory`) with one public call:

    result = pipe.run(request, progress=progress, cancel=cancel)

`request` is a frozen dataclass holding everything needed to reproduce the job; `result` is a frozen
dataclass carrying `provenance` (`generators.runtime.provenance.Provenance`), whose params are the request's
fields (`request_params`), so `request_from_provenance` rebuilds the request. Progress reports plain data;
cancellation is cooperative (the pipeline checks the token between steps and raises `Cancelled`).

These are `typing.Protocol`s: a pipeline does not inherit from anything, it only has the shape. They live in
the runtime, the lowest layer, so `generators` and `scoring` both see them without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from generators.runtime.progress import CancelToken, ProgressFn

if TYPE_CHECKING:
    from generators.runtime.provenance import ModelRef, Provenance

RequestT = TypeVar("RequestT", contravariant=True)
ResultT = TypeVar("ResultT", covariant=True)


@runtime_checkable
class PipelineResult(Protocol):
    """What every result has: the provenance of how it was made."""

    @property
    def provenance(self) -> Provenance: ...


@runtime_checkable
class Pipeline(Protocol[RequestT, ResultT]):
    """One capability's model work: `run(request, *, progress, cancel) -> result` (with provenance)."""

    def run(
        self, request: RequestT, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> ResultT:
        """Run one request; report progress up to its total; raise `Cancelled` when `cancel` is set."""
        ...


class ScoreTable(Protocol):
    """Cosines of every image against every text; images that could not be read are listed in `errors`."""

    @property
    def cos(self) -> Any: ...  # [n_images, n_texts] array-like of float

    @property
    def errors(self) -> Mapping[int, Exception]: ...


@runtime_checkable
class ImageTextScorer(Protocol):
    """What generators need of a CLIP scorer to rank their candidates (`scoring.ClipScorer` has this shape).

    `placeholder` says the model has random weights (its scores must not rank real output); `multilingual`
    says whether its text tower reads more than English.
    """

    @property
    def ref(self) -> ModelRef: ...

    @property
    def placeholder(self) -> bool: ...

    @property
    def multilingual(self) -> bool: ...

    def score(self, images: Sequence[Any], texts: Sequence[str], **kwargs: Any) -> ScoreTable:
        """Every image against every text."""
        ...


@runtime_checkable
class EmbeddingScorer(ImageTextScorer, Protocol):
    """A scorer that also hands out unit vectors (zero-shot attributes, retrieval)."""

    def embed_images(self, images: Sequence[Any], **kwargs: Any) -> Any: ...

    def embed_texts(self, texts: Sequence[str]) -> Any: ...
