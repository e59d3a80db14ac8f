"""Run the studio's jobs in a worker process; typed events cross back through queued signals.

A job is a frozen request dataclass (`studio.jobs.requests.JobRequest`): the worker process calls its
`run(progress, cancel)`, which reports `Progress` and checks the `CancelToken` between steps, and answers
with `studio.jobs.events`. The GUI process never runs a job and never imports torch; see `studio.jobs.worker`
for why the worker is a process. Jobs run one at a time, in order; the worker keeps loaded models between jobs.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import pickle
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, is_dataclass, replace
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from generators.runtime.errors import describe_error
from studio.jobs.events import JobCancelled, JobEvent, JobFailed, JobFinished, JobProgress, JobStarted
from studio.jobs.requests import JobLabel, JobRequest
from studio.jobs.worker import worker_main

NO_JOB = 0  # value of the shared cancel flag when nothing is being cancelled
# A job that has not reached a cancel check this long after Cancel is stopped by restarting the worker
# (its database job goes back to pending on the next run; nothing half-written is ever renamed into place).
FORCE_STOP_S = 5.0


class JobState(StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


@dataclass
class Job:
    """One unit of work and everything the jobs dock shows about it. Only touched on the GUI thread."""

    id: int
    request: JobRequest
    payload: bytes
    state: JobState = JobState.QUEUED
    step: int = 0
    total: int = 0
    message: str = ""
    preview: QImage | None = None
    result: Any = None
    error: str = ""
    error_details: str = ""
    cancel_requested: bool = False
    started_at: float | None = None
    finished_at: float | None = None
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[str], None] | None = None

    @property
    def label(self) -> JobLabel:
        return self.request.label

    @property
    def title(self) -> str:
        """The job card's title in English (the dock shows it in the UI language)."""
        return self.label.text

    @property
    def fraction(self) -> float:
        return 0.0 if self.total <= 0 else min(1.0, self.step / self.total)


@dataclass(frozen=True)
class WorkerDied:
    """The worker process `pid` ended without being asked to (a crash in native code, or killed)."""

    pid: int | None
    exitcode: int | None


def to_qimage(image: Any) -> QImage | None:
    """A PIL image (or QImage) as a detached QImage; safe to build off the GUI thread."""
    if image is None:
        return None
    if isinstance(image, QImage):
        return image.copy()
    try:
        rgba = image.convert("RGBA")
    except AttributeError:
        return None
    data = rgba.tobytes("raw", "RGBA")
    return QImage(data, rgba.width, rgba.height, rgba.width * 4, QImage.Format.Format_RGBA8888).copy()


class _Bridge(QObject):
    # Lives on the GUI thread; the reader thread emits, JobRunner's slots receive (queued).
    event = Signal(object)


class JobRunner(QObject):
    """Queues jobs for one worker process, started on the first job (so the window paints first)."""

    job_added = Signal(int)
    job_changed = Signal(int)  # state, progress or preview changed
    job_finished = Signal(int)  # done, failed or cancelled

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: dict[int, Job] = {}
        self._waiting: deque[int] = deque()
        self._running: int | None = None
        self._ids = itertools.count(1)
        self._bridge = _Bridge(self)
        self._bridge.event.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        self._ctx = mp.get_context("spawn")  # never fork a process that runs Qt threads
        self._process: Any = None
        self._tasks: Any = None
        self._events: Any = None
        self._cancel: Any = None
        self._reader: threading.Thread | None = None
        self._stop_reader = threading.Event()

    # ---- public API -------------------------------------------------------------------------------
    def submit(
        self,
        request: JobRequest,
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> Job:
        """Queue `request`; `on_done(result)` / `on_error(message)` run on the GUI thread.

        Raises:
            TypeError: `request` is not a frozen `JobRequest` dataclass.
            pickle.PicklingError: it cannot be sent to the worker (raised here, in the caller).
        """
        if not (
            isinstance(request, JobRequest) and is_dataclass(request) and type(request).__dataclass_params__.frozen
        ):
            raise TypeError(f"a job is a frozen JobRequest dataclass, not {type(request).__name__}")
        payload = pickle.dumps(request)
        job = Job(id=next(self._ids), request=request, payload=payload, on_done=on_done, on_error=on_error)
        self._jobs[job.id] = job
        self._waiting.append(job.id)
        self.job_added.emit(job.id)
        self._dispatch()
        return job

    def cancel(self, job_id: int) -> None:
        """Ask a job to stop at its next check; a queued job never starts."""
        job = self._jobs.get(job_id)
        if job is None or job.state.finished:
            return
        job.cancel_requested = True
        if job_id in self._waiting:
            self._waiting.remove(job_id)
            self._finish(job, JobState.CANCELLED)
            return
        job.message = "cancelling…"
        if self._cancel is not None:
            self._cancel.value = job_id
        self.job_changed.emit(job_id)
        QTimer.singleShot(int(FORCE_STOP_S * 1000), self, lambda: self._force_stop(job_id))

    def _force_stop(self, job_id: int) -> None:
        job = self._jobs.get(job_id)
        if job is None or job.state.finished or self._running != job_id or self._process is None:
            return
        self._process.terminate()
        self._process.join(2)
        self._stop_reader.set()
        self._process = None
        job.message = "stopped: the worker was restarted because the job did not reach a cancel check"
        self._finish(job, JobState.CANCELLED)

    def cancel_all(self) -> None:
        for job_id in list(self._jobs):
            self.cancel(job_id)

    def job(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def active(self) -> list[Job]:
        return [j for j in self._jobs.values() if not j.state.finished]

    def clear_finished(self) -> list[int]:
        gone = [i for i, j in self._jobs.items() if j.state.finished]
        for i in gone:
            del self._jobs[i]
        return gone

    def worker_pid(self) -> int | None:
        return self._process.pid if self._process is not None and self._process.is_alive() else None

    def shutdown(self, wait_ms: int = 5000) -> bool:
        """Cancel everything and stop the worker; True if it stopped by itself in time."""
        self.cancel_all()
        clean = True
        if self._process is not None:
            self._tasks.put(None)
            self._process.join(wait_ms / 1000)
            if self._process.is_alive():  # a job ignored its cancel token: stop our own child
                clean = False
                self._process.terminate()
                self._process.join(2)
        self._stop_reader.set()
        if self._reader is not None:
            self._reader.join(2)
        self._process = None
        return clean

    # ---- the worker process -----------------------------------------------------------------------
    def _ensure_worker(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        self._tasks, self._events = self._ctx.Queue(), self._ctx.Queue()
        self._cancel = self._ctx.Value("q", NO_JOB, lock=False)
        self._process = self._ctx.Process(
            target=worker_main, args=(self._tasks, self._events, self._cancel), name="vitrine-jobs", daemon=True
        )
        self._process.start()
        self._stop_reader = threading.Event()
        self._reader = threading.Thread(
            target=self._read, args=(self._process, self._events, self._stop_reader), daemon=True
        )
        self._reader.start()

    def _read(self, process: Any, events: Any, stop: threading.Event) -> None:
        # Reader thread: turns the worker's plain-data events into queued signals for the GUI thread.
        while not stop.is_set():
            try:
                event = events.get(timeout=0.25)
            except queue.Empty:
                if not process.is_alive():
                    if not stop.is_set():
                        self._bridge.event.emit(WorkerDied(process.pid, process.exitcode))
                    return
                continue
            except (EOFError, OSError):
                return
            if isinstance(event, JobProgress) and event.preview is not None:
                event = replace(event, preview=to_qimage(event.preview))
            try:
                self._bridge.event.emit(event)
            except RuntimeError:  # the runner is gone (window closed)
                return

    def _dispatch(self) -> None:
        if self._running is not None or not self._waiting:
            return
        self._ensure_worker()
        job_id = self._waiting.popleft()
        self._running = job_id
        self._cancel.value = NO_JOB
        self._tasks.put((job_id, self._jobs[job_id].payload))

    # ---- worker events (GUI thread) ---------------------------------------------------------------
    @Slot(object)
    def _on_event(self, event: JobEvent | WorkerDied) -> None:
        if isinstance(event, WorkerDied):
            if self._process is not None and self._process.pid == event.pid:  # not a worker we replaced
                self._worker_died(event.exitcode)
            return
        job = self._jobs.get(event.job_id)
        if job is None:  # cleared from the dock while it ran
            if isinstance(event, (JobFinished, JobFailed, JobCancelled)):
                self._job_over(event.job_id)
            return
        match event:
            case JobStarted():
                job.state, job.started_at = JobState.RUNNING, time.monotonic()
                self.job_changed.emit(job.id)
            case JobProgress() if not job.state.finished:
                job.step, job.total = event.step, event.total
                if event.message and not job.cancel_requested:
                    job.message = event.message
                if event.preview is not None:
                    job.preview = event.preview
                self.job_changed.emit(job.id)
            case JobFinished():
                job.result, job.message = event.result, ""
                self._finish(job, JobState.DONE)
            case JobFailed():
                job.error, job.error_details, job.message = event.message, event.details, event.message
                self._finish(job, JobState.FAILED)
            case JobCancelled():
                job.message = ""
                self._finish(job, JobState.CANCELLED)

    def _job_over(self, job_id: int) -> None:
        if self._running == job_id:
            self._running = None
        self._dispatch()

    def _worker_died(self, exitcode: int | None) -> None:
        job = self._jobs.get(self._running) if self._running is not None else None
        self._process = None
        if job is not None and not job.state.finished:
            job.error = f"the job worker stopped unexpectedly (exit code {exitcode}); it restarts with the next job"
            job.message = job.error
            self._finish(job, JobState.FAILED)
        else:
            self._running = None
            self._dispatch()

    def _finish(self, job: Job, state: JobState) -> None:
        job.state, job.finished_at = state, time.monotonic()
        if state is JobState.DONE and job.total:
            job.step = job.total
        try:  # pages update before anyone waiting on job_finished looks at them
            if state is JobState.DONE and job.on_done is not None:
                job.on_done(job.result)
            elif state is JobState.FAILED and job.on_error is not None:
                job.on_error(job.error)
        except Exception as exc:
            import traceback

            job.state, job.error, job.error_details = JobState.FAILED, describe_error(exc), traceback.format_exc()
        self.job_changed.emit(job.id)
        self.job_finished.emit(job.id)
        self._job_over(job.id)
