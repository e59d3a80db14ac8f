"""The Ray executor: a batch's steps run on model-holding actors of a Ray cluster; the driver records them.

One actor per worker and device (one per GPU on a cluster with GPUs, else one per node, or `--workers N`),
each declared with the CPUs, GPU and memory it needs so Ray places it on a machine that has them. An actor
holds a `remote_steps.StepWorker` for the whole batch, so its models load once, however many products it
runs. The runner sends each (product, step) job to an idle actor and records the output in the project
database itself: workers only read the project, and their assets come back as bytes (see `remote_steps`).

A worker that dies mid-step (killed, out of memory, a crash in native code) is restarted by Ray and the step
retried up to `max_retries` times; then the step is recorded as that product's failure and the batch goes on.
Ctrl-C cancels the batch: running jobs go back to pending, the actors are stopped, and a rerun resumes.

This is the only module that imports Ray (`pip install 'vitrine[ray]'`).
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from generators.runtime.errors import VitrineError
from generators.runtime.progress import Cancelled, CancelToken
from studio.batch.context import StepContext, StepOutput
from studio.batch.recipe import StepName
from studio.batch.remote_steps import (
    MirroredProject,
    ProjectReader,
    StepJob,
    StepJobResult,
    StepWorker,
    land_result,
    step_job,
)
from studio.project.store import Store

_POLL_S = 0.2  # how often a waiting job looks at the cancel token
START_TIMEOUT_S = 600  # workers start within this (process start, imports); longer means the cluster has no room


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise VitrineError("--executor ray needs Ray: pip install 'vitrine[ray]'") from None
    return ray


def _last_line(exc: BaseException) -> str:
    """The last line of an error Ray wrapped (its cause's message), without Ray's traceback around it."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


class StepWorkerActor:
    """The actor around a `StepWorker`: lives for one batch on one worker and device."""

    def __init__(self, project_dir: str, profile: str, threads: int, reader_name: str, mirror: bool) -> None:
        """`reader_name`: the driver machine's ProjectReader actor (by name: a handle among the arguments would
        keep Ray from restarting this actor cleanly); `mirror`: read through it even on the driver's machine."""
        import ray

        from generators.runtime.environment import prepare_environment

        # Set here, not through a Ray runtime_env: an actor then starts in one of Ray's idle worker processes
        # instead of a new one. Read when the first model loads (settings), before torch is imported.
        os.environ["VITRINE_THREADS"] = str(threads)
        prepare_environment()  # thread and offline defaults, before torch is imported
        here = ray.get_runtime_context().get_node_id()
        reader = ray.get_actor(reader_name)
        mirror = mirror or here != ray.get(reader.node.remote())

        def mirrored(folder: Path, staging: Path) -> MirroredProject:
            return MirroredProject(
                lambda name, args, kwargs: ray.get(reader.call.remote(name, args, kwargs)),
                lambda sha: ray.get(reader.asset.remote(sha)),
                ray.get(reader.project_files.remote()),
                folder,
                staging,
            )

        self.worker = StepWorker(project_dir, profile, mirror=mirrored if mirror else None)

    def ready(self) -> bool:
        return True

    def run(self, job: StepJob) -> StepJobResult:
        return self.worker.run(job)

    def loaded_models(self) -> tuple[int, list[str]]:
        """(process id, the models that process has loaded)."""
        return os.getpid(), self.worker.loaded_models()


class ProjectReaderActor(ProjectReader):
    """A `ProjectReader` as an actor pinned to the driver's machine."""

    def node(self) -> str:
        import ray

        return ray.get_runtime_context().get_node_id()


class RayExecutor:
    """Runs steps on Ray actors; see the module docstring.

    Args:
        store: the open project (the driver's; workers open it read-only at the same path).
        address: the cluster to join (`auto`, `ray://HOST:PORT`); None: the running Ray instance of this
            process, else a new local one for this batch.
        workers: actors to start (0: one per GPU, else one per node).
        profile: model profile.
        max_retries: retries of a step whose worker died, each on a restarted worker.
        cancel: the batch's cancel token; Ctrl-C sets it.
        memory_mb: memory declared per actor (capped at the cluster's share per actor).
        reads_through_driver: every worker reads the project through the driver's machine, as workers on other
            machines always do (tests use it to run that path on one machine).
    """

    def __init__(
        self,
        store: Store,
        *,
        address: str | None,
        workers: int,
        profile: str,
        max_retries: int = 2,
        cancel: CancelToken,
        memory_mb: int = 8192,
        reads_through_driver: bool = False,
    ) -> None:
        ray = _ray()
        self.store, self.cancel, self.max_retries = store, cancel, max_retries
        self._previous_sigint: Any = None
        self._started_ray = not ray.is_initialized()
        if self._started_ray:
            # No dashboard: nothing listens beyond what the cluster itself needs.
            ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
        if threading.current_thread() is threading.main_thread():
            self._previous_sigint = signal.signal(signal.SIGINT, self._on_sigint)
        self._actors: list[Any] = []
        self._reader: Any = None
        try:
            self._reader = self._start_reader(ray)
            self._actors, self._placement = self._start_actors(ray, workers, profile, memory_mb, reads_through_driver)
            self._wait_until_ready(ray)
        except BaseException:
            self.close()
            raise
        self._busy = [False] * len(self._actors)  # an actor runs one job at a time, and holds no queue
        self._free = threading.Condition()

    def _wait_until_ready(self, ray: Any) -> None:
        """Wait for every actor to start: one that cannot open the project says why now, not as a dead worker
        at every job; actors the cluster has no room for are reported instead of waited for forever."""
        pending = [actor.ready.remote() for actor in self._actors]
        deadline = time.monotonic() + START_TIMEOUT_S
        while pending and not self.cancel.cancelled:  # a Ctrl-C here: the jobs see it and go back to pending
            ready, pending = ray.wait(pending, num_returns=len(pending), timeout=_POLL_S)
            try:
                ray.get(ready)
            except ray.exceptions.RayActorError as exc:
                raise VitrineError(f"the Ray workers could not start: {_last_line(exc)}") from exc
            if pending and time.monotonic() > deadline:
                raise VitrineError(
                    f"Ray could not place {len(pending)} of {len(self._actors)} workers ({self._placement}) within "
                    f"{START_TIMEOUT_S} s: `ray status` shows what the cluster has; ask for fewer with --workers"
                )

    def _start_reader(self, ray: Any) -> Any:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        here = ray.get_runtime_context().get_node_id()
        self._reader_name = f"vitrine-project-reader-{uuid.uuid4().hex}"
        return (
            ray.remote(ProjectReaderActor)
            .options(
                name=self._reader_name,
                num_cpus=0,  # it waits on SQLite and files; the CPUs are the workers'
                max_concurrency=8,
                scheduling_strategy=NodeAffinitySchedulingStrategy(here, soft=False),
            )
            .remote(str(Path(self.store.folder).resolve()))
        )

    def _start_actors(
        self, ray: Any, workers: int, profile: str, memory_mb: int, mirror: bool
    ) -> tuple[list[Any], str]:
        resources = ray.cluster_resources()
        cpus, gpus = float(resources.get("CPU", 1)), int(resources.get("GPU", 0))
        nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
        n = workers if workers > 0 else (gpus or max(1, nodes))
        # Each actor gets its share of the cluster's CPUs (whole ones where there are enough), and a GPU of its
        # own while there are as many GPUs as actors: Ray then places a model step only where a GPU is free.
        num_cpus: float = max(1, int(cpus // n)) if cpus >= n else cpus / n
        num_gpus: float = (1 if gpus >= n else gpus / n) if gpus else 0
        memory = min(memory_mb * 2**20, int(resources.get("memory", 0) / n)) or None
        actor_class = ray.remote(StepWorkerActor).options(
            num_cpus=num_cpus,
            num_gpus=num_gpus,
            memory=memory,
            max_restarts=-1,  # a dead worker comes back (and reloads its models) for the next job
            max_task_retries=self.max_retries,
            max_concurrency=1,
        )
        project = str(Path(self.store.folder).resolve())
        placement = f"{num_cpus:g} CPUs, {num_gpus:g} GPUs, {(memory or 0) / 2**30:.1f} GiB each"
        threads = max(1, int(num_cpus))
        actors = [actor_class.remote(project, profile, threads, self._reader_name, mirror) for _ in range(n)]
        return actors, placement

    def workers(self) -> int:
        # Twice the actors: while the driver records one product's step, the next job is already on its way.
        return 2 * len(self._actors)

    def _take_actor(self) -> int:
        # Only idle actors get a job. A job queued at an actor would die with it when the job before it kills
        # the worker, and each such death would count against the innocent job's retries.
        with self._free:
            while all(self._busy):
                if self.cancel.cancelled:
                    raise Cancelled("cancelled by the user")
                self._free.wait(_POLL_S)
            index = self._busy.index(False)
            self._busy[index] = True
            return index

    def _release_actor(self, index: int) -> None:
        with self._free:
            self._busy[index] = False
            self._free.notify()

    def execute(self, step: StepName, fn: Any, ctx: StepContext) -> StepOutput:
        ray = _ray()
        job = step_job(step, fn, ctx)
        index = self._take_actor()
        try:
            ref = self._actors[index].run.remote(job)
            while not ray.wait([ref], timeout=_POLL_S)[0]:
                if self.cancel.cancelled:
                    raise Cancelled("cancelled by the user")  # close() stops the actor and its job
            try:
                result = ray.get(ref)
            except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as exc:
                raise VitrineError(
                    f"the worker running {step.value} for {ctx.product.sku} died {self.max_retries + 1} times "
                    "(killed, out of memory, or a crash in native code)"
                ) from exc
            except ray.exceptions.RayTaskError as exc:  # the step's own errors come back as values: this is Ray's
                raise VitrineError(f"a Ray worker could not run {step.value}: {exc.cause or exc}") from exc
        finally:
            self._release_actor(index)
        return land_result(self.store, result)

    def worker_models(self) -> list[tuple[str, ...]]:
        """For each live worker process, the models it loaded during this batch."""
        ray = _ray()
        seen: dict[int, tuple[str, ...]] = {}
        for pid, models in ray.get([a.loaded_models.remote() for a in self._actors]):
            seen[pid] = tuple(models)
        return list(seen.values())

    def _on_sigint(self, signum: int, frame: Any) -> None:
        if self.cancel.cancelled:  # a second Ctrl-C: stop waiting for anything
            raise KeyboardInterrupt
        self.cancel.cancel()

    def close(self) -> None:
        if self._previous_sigint is not None:
            signal.signal(signal.SIGINT, self._previous_sigint)
            self._previous_sigint = None
        ray = _ray()
        for actor in [*self._actors, *([self._reader] if self._reader is not None else [])]:
            ray.kill(actor, no_restart=True)
        self._actors, self._reader = [], None
        if self._started_ray:
            ray.shutdown()
