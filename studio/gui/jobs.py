"""Run Qt-free jobs on a worker thread; progress and results cross back to the GUI through queued signals.

A job is any callable `fn(progress, cancel) -> result` using `generators.runtime.progress`: it reports
`Progress` and checks the `CancelToken` between steps. The GUI thread never runs it, so it never imports or
runs torch; the worker imports the ML stack the first time a job needs it.
"""

from __future__ import annotations

import itertools
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage

from generators.runtime.progress import Cancelled, CancelToken, Progress, ProgressFn

JobFn = Callable[[ProgressFn, CancelToken], Any]

# Progress from a token loop can arrive thousands of times a second; the GUI needs ~20 updates a second.
PROGRESS_INTERVAL_S = 0.05


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
    title: str
    fn: JobFn
    cancel_token: CancelToken = field(default_factory=CancelToken)
    state: JobState = JobState.QUEUED
    step: int = 0
    total: int = 0
    message: str = ""
    preview: QImage | None = None
    result: Any = None
    error: str = ""
    error_details: str = ""
    started_at: float | None = None
    finished_at: float | None = None
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[str], None] | None = None

    @property
    def fraction(self) -> float:
        return 0.0 if self.total <= 0 else min(1.0, self.step / self.total)


def to_qimage(image: Any) -> QImage | None:
    """A PIL image (or QImage) as a detached QImage; safe to build on a worker thread."""
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


class _WorkerSignals(QObject):
    # Lives on the GUI thread; emitted from the worker, delivered queued to JobRunner's slots.
    started = Signal(int)
    progress = Signal(int, int, int, str, object)  # job id, step, total, message, QImage | None
    succeeded = Signal(int, object)
    failed = Signal(int, str, str)
    cancelled = Signal(int)


class _JobRunnable(QRunnable):
    def __init__(self, job_id: int, fn: JobFn, token: CancelToken, signals: _WorkerSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._id, self._fn, self._token, self._signals = job_id, fn, token, signals
        self._last_emit = 0.0

    def _progress(self, p: Progress) -> None:
        now = time.monotonic()
        final = p.total > 0 and p.step >= p.total
        if p.preview is None and not final and now - self._last_emit < PROGRESS_INTERVAL_S:
            return
        self._last_emit = now
        self._signals.progress.emit(self._id, int(p.step), int(p.total), str(p.message), to_qimage(p.preview))

    def run(self) -> None:
        if self._token.cancelled:  # cancelled while queued
            self._signals.cancelled.emit(self._id)
            return
        self._signals.started.emit(self._id)
        try:
            result = self._fn(self._progress, self._token)
        except Cancelled:
            self._signals.cancelled.emit(self._id)
        except Exception as exc:
            self._signals.failed.emit(self._id, _friendly(exc), traceback.format_exc())
        else:
            if self._token.cancelled:
                self._signals.cancelled.emit(self._id)
            else:
                self._signals.succeeded.emit(self._id, result)


def _friendly(exc: BaseException) -> str:
    from generators.runtime.errors import VitrineError

    if isinstance(exc, VitrineError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class JobRunner(QObject):
    """Queues jobs on one worker thread (the ML stack is happiest one job at a time on few cores)."""

    job_added = Signal(int)
    job_changed = Signal(int)  # state, progress or preview changed
    job_finished = Signal(int)  # done, failed or cancelled

    def __init__(self, parent: QObject | None = None, max_threads: int = 1) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._signals = _WorkerSignals(self)
        queued = Qt.ConnectionType.QueuedConnection
        self._signals.started.connect(self._on_started, queued)
        self._signals.progress.connect(self._on_progress, queued)
        self._signals.succeeded.connect(self._on_succeeded, queued)
        self._signals.failed.connect(self._on_failed, queued)
        self._signals.cancelled.connect(self._on_cancelled, queued)

    # ---- public API -------------------------------------------------------------------------------
    def submit(
        self,
        title: str,
        fn: JobFn,
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> Job:
        """Queue `fn(progress, cancel)`; `on_done(result)` / `on_error(message)` run on the GUI thread."""
        job = Job(id=next(self._ids), title=title, fn=fn, on_done=on_done, on_error=on_error)
        self._jobs[job.id] = job
        self.job_added.emit(job.id)
        self._pool.start(_JobRunnable(job.id, fn, job.cancel_token, self._signals))
        return job

    def cancel(self, job_id: int) -> None:
        """Ask a job to stop at its next check; a queued job never starts."""
        job = self._jobs.get(job_id)
        if job is not None and not job.state.finished:
            job.cancel_token.cancel()
            job.message = "cancelling…"
            self.job_changed.emit(job_id)

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

    def shutdown(self, wait_ms: int = 5000) -> bool:
        """Cancel everything and wait for the worker; True if it stopped in time."""
        self.cancel_all()
        return self._pool.waitForDone(wait_ms)

    # ---- worker callbacks (GUI thread) ------------------------------------------------------------
    @Slot(int)
    def _on_started(self, job_id: int) -> None:
        job = self._jobs.get(job_id)
        if job:
            job.state, job.started_at = JobState.RUNNING, time.monotonic()
            self.job_changed.emit(job_id)

    @Slot(int, int, int, str, object)
    def _on_progress(self, job_id: int, step: int, total: int, message: str, preview: object) -> None:
        job = self._jobs.get(job_id)
        if job is None or job.state.finished:
            return
        job.step, job.total = step, total
        if message and not job.cancel_token.cancelled:
            job.message = message
        if isinstance(preview, QImage):
            job.preview = preview
        self.job_changed.emit(job_id)

    def _finish(self, job_id: int, state: JobState) -> Job | None:
        job = self._jobs.get(job_id)
        if job is None:
            return None
        job.state, job.finished_at = state, time.monotonic()
        if state is JobState.DONE and job.total:
            job.step = job.total
        self.job_changed.emit(job_id)
        self.job_finished.emit(job_id)
        return job

    @Slot(int, object)
    def _on_succeeded(self, job_id: int, result: object) -> None:
        job = self._jobs.get(job_id)
        if job is None:
            return
        job.result, job.message = result, ""
        self._finish(job_id, JobState.DONE)
        if job.on_done is not None:
            try:
                job.on_done(result)
            except Exception as exc:
                job.state, job.error, job.error_details = JobState.FAILED, _friendly(exc), traceback.format_exc()
                self.job_changed.emit(job_id)

    @Slot(int, str, str)
    def _on_failed(self, job_id: int, message: str, details: str) -> None:
        job = self._jobs.get(job_id)
        if job is None:
            return
        job.error, job.error_details, job.message = message, details, message
        self._finish(job_id, JobState.FAILED)
        if job.on_error is not None:
            job.on_error(message)

    @Slot(int)
    def _on_cancelled(self, job_id: int) -> None:
        job = self._jobs.get(job_id)
        if job is not None:
            job.message = ""
            self._finish(job_id, JobState.CANCELLED)
