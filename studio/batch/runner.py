"""The batch runner: a job per (product, step) whose state lives in the project database.

pending → running → done | failed | unavailable | skipped. On start, jobs a killed run left `running` are
reset and leftover temp files removed; finished jobs whose inputs did not change are never redone. A
product's steps run in order on one worker; products run in parallel within a memory budget. One product's
error is recorded and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generators.runtime.errors import VitrineError, describe_error
from generators.runtime.progress import Cancelled, CancelToken, ProgressFn, check, report
from studio.batch.executor import ExecutorChoice, StepExecutor, open_executor
from studio.batch.options import StepOptionSet, StepOptionsInput, option_set
from studio.batch.recipe import Recipe, StepName, step_availability, step_spec, unavailable_message
from studio.batch.steps import STEP_FUNCTIONS, PipelineCache, StepContext, StepOutput, with_project_options
from studio.project.store import JobState, Product, Store


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch. `memory_budget_mb` caps the process RSS before another product is started."""

    recipe: Recipe = Recipe.FULL
    workers: int = 0  # products side by side; 0: `resolved_workers` decides
    profile: str = "auto"
    memory_budget_mb: int = 8192
    # Typed options of the steps (e.g. CopyStepOptions); each step gets those of its declared type.
    step_options: StepOptionSet = field(default_factory=StepOptionSet)
    step_functions: dict[StepName, Callable[[StepContext], StepOutput]] | None = None  # tests may add steps
    executor: ExecutorChoice = field(default_factory=ExecutorChoice)  # local threads (default) or Ray

    def __post_init__(self) -> None:
        # One CopyStepOptions, a list of options or a set are all accepted; kept as a set.
        object.__setattr__(self, "step_options", option_set(self.step_options))


@dataclass(frozen=True)
class StepFailure:
    """A (product, step) that failed, with the message shown at the end of the batch."""

    sku: str
    step: str
    message: str


@dataclass
class BatchResult:
    """What a batch run did; counts are of (product, step) jobs."""

    products: int = 0
    ran: int = 0
    resumed_done: int = 0
    reset_interrupted: int = 0
    failures: list[StepFailure] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)
    skipped: int = 0
    elapsed_s: float = 0.0
    cancelled: bool = False
    # Each worker process's loaded models (the Ray executor's; a model loads once per worker and role).
    worker_models: list[tuple[str, ...]] = field(default_factory=list)


def resolved_workers(options: BatchOptions) -> int:
    """How many products run side by side: `options.workers`, or when it is 0 (auto) four per core (at least
    8) for the copy recipe and 1 for the others.

    Products generating copy at the same time share the copy engine's decode lanes (`generators.runtime.
    llm_lanes`: one per core; a step of 16 rows costs ~3x one of 4), and their captions, checks and prompts
    overlap the decoding. Measured on 2 cores (bench/batch.py --recipe copy, 24 products): 4 workers 11.7-13.2
    products/min, 8 workers 14.7-15.1 for ~0.6 GB more memory (each request's KV caches). The other recipes'
    torch steps already use every core, and their models' memory grows with each worker.
    """
    if options.workers > 0:
        return options.workers
    if options.recipe is Recipe.COPY:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return max(8, 4 * cores)
    return 1


def current_rss_mb() -> float:
    """Resident memory of this process now (not the peak), in MiB; 0 where it cannot be read."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        try:
            import psutil

            return psutil.Process().memory_info().rss / 2**20
        except Exception:
            return 0.0


def input_hash(product: Product, step: StepName, options: StepOptionsInput = None) -> str:
    """A finished job is fresh while its product content, the step version and the options it reads
    (the fields of its declared options type: e.g. the platforms copy is written for, the brand kit it
    follows) are unchanged.

    `options` are the step options with the project inputs filled in (`steps.with_project_options`).
    """
    spec = step_spec(step)
    used = option_set(options).get(spec.options_type()).freshness()
    suffix = ""
    if any(v for v in used.values()):
        suffix = ":" + hashlib.sha256(json.dumps(used, sort_keys=True, default=list).encode()).hexdigest()[:8]
    return f"{product.content_hash}:{spec.version}{suffix}"


def run_step(
    store: Store,
    product: Product,
    step: StepName,
    fn: Callable[[StepContext], StepOutput],
    pipelines: PipelineCache,
    *,
    options: StepOptionsInput = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    executor: StepExecutor | None = None,
) -> StepOutput:
    """Run one (product, step) job and record it: running, then done/skipped with its results in one commit.

    A failure is recorded as failed and re-raised; a cancel puts the job back to pending and re-raises.
    `executor` runs `fn` elsewhere (a Ray worker); None runs it here. Recording stays here either way.
    """
    job = store.start_job(product.id, step.value, input_hash(product, step, options))
    earlier: dict[str, list] = {}
    for c in store.candidates(product.id):
        if not c.superseded:  # an older generation's drafts are history, not input
            earlier.setdefault(c.kind, []).append(c)
    ctx = StepContext(
        store,
        product,
        tuple(store.images(product.id)),
        {k: tuple(v) for k, v in earlier.items()},
        pipelines,
        pipelines.profile,
        progress=progress,
        cancel=cancel,
        options=option_set(options).get(step_spec(step).options_type()),
    )
    try:
        out = executor.execute(step, fn, ctx) if executor is not None else fn(ctx)
    except Cancelled:
        store.finish_job(job, JobState.PENDING, "cancelled; will be redone")
        raise
    except Exception as exc:
        store.finish_job(job, JobState.FAILED, describe_error(exc))
        raise
    store.finish_job(job, out.state, out.message, candidates=out.candidates, attributes=out.attributes)
    return out


def run_product_steps(
    store: Store,
    product_id: int,
    steps: Sequence[StepName | str],
    *,
    options: StepOptionsInput | Mapping[str, Any] = None,
    force: Sequence[StepName | str] = (),
    profile: str = "auto",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[str]:
    """Run `steps` for one product in order (the GUI's "generate" buttons); returns the steps that ran.

    Steps already done for unchanged inputs are skipped unless listed in `force`. An unavailable step
    raises VitrineError with the reason; a failing step records the failure and raises. `options` are typed
    (e.g. `CopyStepOptions`); a mapping is parsed once into them (`options.options_from_mapping`).
    """
    product = store.product(product_id)
    options = with_project_options(store.folder, options)
    wanted = [StepName(s) for s in steps]
    forced = {StepName(s) for s in force}
    pipelines = PipelineCache(profile, store.folder)
    ran: list[str] = []
    for i, step in enumerate(wanted):
        check(cancel)
        report(progress, i, len(wanted), f"{step_spec(step).label}…")
        job = store.job(product_id, step.value)
        if (
            step not in forced
            and job is not None
            and job.state.finished
            and job.input_hash == input_hash(product, step, options)
        ):
            continue
        if not step_availability(step).available or step not in STEP_FUNCTIONS:
            raise VitrineError(unavailable_message(step) or f"{step_spec(step).label}: not available yet")
        run_step(
            store,
            product,
            step,
            STEP_FUNCTIONS[step],
            pipelines,
            options=options,
            cancel=cancel,
            progress=progress if step is wanted[-1] else None,
        )
        ran.append(step.value)
    report(progress, len(wanted), len(wanted), "done")
    return ran


class BatchRunner:
    """Runs a recipe over every product of a store. Build one per batch run; call `run()` once."""

    def __init__(
        self,
        store: Store,
        options: BatchOptions,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        self.store, self.options, self.progress = store, options, progress
        self.cancel = cancel or CancelToken()
        self.functions = {**STEP_FUNCTIONS, **(options.step_functions or {})}
        # Read once per run (the brand kit's digest…): an edit during the batch is caught by the next run.
        self.step_options = with_project_options(store.folder, options.step_options)
        self.pipelines = PipelineCache(options.profile, store.folder)
        self.result = BatchResult()
        self._done_units = 0
        self._total_units = 0
        self._lock = threading.Lock()
        self._executor: StepExecutor | None = None  # opened by run() when there is work to do

    def _availability(self, step: StepName) -> tuple[bool, str]:
        if step in (self.options.step_functions or {}):
            return True, ""  # a test's own step function
        if not step_availability(step).available:
            return False, unavailable_message(step)  # worded for people: it is what the job row shows
        return True, ""

    def _pending(self, product: Product, steps: list[StepName]) -> list[StepName]:
        todo = []
        for step in steps:
            job = self.store.job(product.id, step.value)
            fresh = input_hash(product, step, self.step_options)
            if job is not None and job.state.finished and job.input_hash == fresh:
                self.result.resumed_done += 1
                continue
            todo.append(step)
        return todo

    def _tick(self, message: str) -> None:
        with self._lock:
            self._done_units += 1
            done = self._done_units
        report(self.progress, done, self._total_units, message)

    def _run_product(self, product: Product, steps: list[StepName]) -> None:
        for step in steps:
            if self.cancel.cancelled:
                return
            try:
                out = run_step(
                    self.store,
                    product,
                    step,
                    self.functions[step],
                    self.pipelines,
                    options=self.step_options,
                    cancel=self.cancel,
                    executor=self._executor,
                )
            except Cancelled:
                return
            except Exception as exc:  # one product's failure must not stop the batch
                with self._lock:
                    self.result.failures.append(StepFailure(product.sku, step.value, describe_error(exc)))
                self._tick(f"{product.sku}: {step.value} failed")
                continue
            with self._lock:
                self.result.ran += 1
                self.result.skipped += out.state is JobState.SKIPPED
            self._tick(f"{product.sku}: {step.value}")

    def _mark_unavailable(self, step: StepName, reason: str) -> None:
        for product in self.store.iter_products():
            job = self.store.job(product.id, step.value)
            if job is None or job.state is not JobState.UNAVAILABLE or job.message != reason:
                self.store.finish_job(self.store.start_job(product.id, step.value, ""), JobState.UNAVAILABLE, reason)

    def run(self) -> BatchResult:
        """Run (or resume) the batch; returns counts, failures and the steps that were unavailable."""
        start = time.perf_counter()
        self.result.reset_interrupted = self.store.reset_interrupted_jobs()
        self.store.assets.remove_temp_files()  # a killed writer's temp files never had a final name
        # Products are streamed page by page (twice: count, then run) so memory does not grow with the catalog.
        self.result.products = self.store.count_products()
        runnable: list[StepName] = []
        for step in self.options.recipe.steps:
            ok, reason = self._availability(step)
            if ok:
                runnable.append(step)
            else:
                self.result.unavailable[step.value] = reason
                self._mark_unavailable(step, reason)
        self._total_units = sum(len(self._pending(p, runnable)) for p in self.store.iter_products())
        self.result.resumed_done = 0  # counted again below, for real
        report(self.progress, 0, self._total_units, "starting")
        if self._total_units:  # a run with nothing to redo starts no workers (no Ray cluster either)
            self._executor = open_executor(
                self.options.executor,
                self.store,
                workers=self.options.workers,
                local_workers=resolved_workers(self.options),
                profile=self.options.profile,
                cancel=self.cancel,
                memory_mb=self.options.memory_budget_mb,
            )
        try:
            self._run_pending(runnable)
            if self._executor is not None and not self.cancel.cancelled:
                self.result.worker_models = self._executor.worker_models()
        finally:
            if self._executor is not None:
                self._executor.close()
        self.result.cancelled = self.cancel.cancelled
        self.result.elapsed_s = time.perf_counter() - start
        return self.result

    def _run_pending(self, runnable: list[StepName]) -> None:
        workers = self._executor.workers() if self._executor is not None else 1
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vitrine-batch") as pool:
            in_flight: set[Future] = set()
            for product in self.store.iter_products():
                if self.cancel.cancelled:
                    break
                steps = self._pending(product, runnable)
                if not steps:
                    continue
                # Start another product only when there is a free worker and memory to spare.
                while in_flight and (len(in_flight) >= workers or current_rss_mb() > self.options.memory_budget_mb):
                    finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    for f in finished:
                        f.result()
                in_flight.add(pool.submit(self._run_product, product, steps))
            for f in in_flight:
                f.result()


def run_batch(
    store: Store, options: BatchOptions, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> BatchResult:
    """Run or resume `options.recipe` over every product in `store` (see BatchRunner)."""
    return BatchRunner(store, options, progress=progress, cancel=cancel).run()


def temp_files_under(folder: Path) -> list[Path]:
    """Leftover temp files under a folder (none must remain after a batch)."""
    from studio.project.assets import TEMP_PREFIX

    return sorted(p for p in Path(folder).rglob(f"{TEMP_PREFIX}*") if p.is_file())
