"""Where a batch's step functions run: in this process (the default) or on a Ray cluster.

The runner owns everything around a step: it picks the pending jobs, marks them running, builds the step's
context from the store, and records the `StepOutput` (or the failure, or the cancel) in one transaction.
An executor only turns that context into the output. So resume, freshness, failure accounting and progress
are one code path whichever executor runs the steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from generators.runtime.errors import VitrineError
from generators.runtime.names import NamedChoice
from generators.runtime.progress import CancelToken
from studio.batch.context import StepContext, StepOutput
from studio.batch.recipe import StepName

if TYPE_CHECKING:
    from studio.project.store import Store

StepFn = Callable[[StepContext], StepOutput]


class ExecutorKind(NamedChoice):
    """Which executor runs the steps: `local` (threads in this process) or `ray` (actors on a Ray cluster)."""

    LOCAL = "local"
    RAY = "ray"


@dataclass(frozen=True)
class ExecutorChoice:
    """The executor a batch runs on, as the CLI or the studio chose it.

    Attributes:
        kind: local (default) or ray.
        address: the Ray cluster to join (`auto`, `ray://HOST:PORT`); None starts a Ray instance on this
            machine for the run. Ignored by the local executor.
        max_retries: how many times a step is retried on a fresh worker after its worker died (Ray only).
        reads_through_driver: every Ray worker reads the project through the driver's machine, as workers on
            other machines always do (to run that path on one machine).
    """

    kind: ExecutorKind = ExecutorKind.LOCAL
    address: str | None = None
    max_retries: int = 2
    reads_through_driver: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ExecutorKind.parse(self.kind))
        if self.address is not None and self.kind is not ExecutorKind.RAY:
            raise VitrineError("--address joins a Ray cluster: use it with --executor ray")
        if self.max_retries < 0:
            raise VitrineError(f"worker retries must be 0 or more (got {self.max_retries})")


class StepExecutor(Protocol):
    """Runs step functions for the runner, which closes it after the batch to release the workers."""

    def workers(self) -> int:
        """How many products the runner keeps in flight."""
        ...

    def execute(self, step: StepName, fn: StepFn, ctx: StepContext) -> StepOutput:
        """Run `fn(ctx)` for `step` and return its output; raises what the step raised (or `Cancelled`)."""
        ...

    def worker_models(self) -> list[tuple[str, ...]]:
        """For each worker process, the models it loaded for this batch (none listed for the local one)."""
        ...

    def close(self) -> None:
        """Release the workers; called once, after the last `execute`."""
        ...


class LocalExecutor:
    """Steps run on the runner's own threads, sharing the batch's pipelines: no extra processes."""

    def __init__(self, workers: int) -> None:
        self._workers = workers

    def workers(self) -> int:
        return self._workers

    def execute(self, step: StepName, fn: StepFn, ctx: StepContext) -> StepOutput:
        return fn(ctx)

    def worker_models(self) -> list[tuple[str, ...]]:
        return []

    def close(self) -> None:
        pass


def open_executor(
    choice: ExecutorChoice,
    store: Store,
    *,
    workers: int,
    local_workers: int,
    profile: str,
    cancel: CancelToken,
    memory_mb: int,
) -> StepExecutor:
    """The executor `choice` names, ready to run steps of the project in `store`.

    Args:
        choice: which executor, and for Ray the cluster's address and the retries of a dying worker.
        store: the open project; Ray workers read it where it lies (see docs/scale-out.md).
        workers: the workers asked for (0: auto; Ray: one per GPU, else one per node).
        local_workers: the local executor's thread count (`runner.resolved_workers`).
        profile: model profile.
        cancel: the batch's cancel token; the Ray executor also sets it on Ctrl-C.
        memory_mb: the memory a worker may use (Ray: declared per actor).

    The Ray executor's module (the only one that imports Ray) is loaded only when asked for: the local executor
    needs no Ray installed.
    """
    if choice.kind is ExecutorKind.LOCAL:
        return LocalExecutor(local_workers)
    from studio.batch.ray_executor import RayExecutor

    return RayExecutor(
        store,
        address=choice.address,
        workers=workers,
        profile=profile,
        max_retries=choice.max_retries,
        cancel=cancel,
        memory_mb=memory_mb,
        reads_through_driver=choice.reads_through_driver,
    )
