"""The job worker process (Qt-free): runs one job at a time and reports progress and results as plain data.

Why a process and not a thread: importing torch runs its C extension's initialisation with the GIL held
(measured here: 0.6-0.9 s at a stretch), and Python-heavy model code holds it in shorter bursts; a worker
*thread* would freeze the window for that long. A separate process never touches the GUI's interpreter,
keeps the ML stack and the loaded models out of the GUI process, and a crash in native code cannot take the
window down. Jobs are picklable callables `fn(progress, cancel) -> result` (module-level functions or
`functools.partial` of them); results must be picklable too.
"""

from __future__ import annotations

import pickle
import time
import traceback
from typing import Any

from generators.runtime.progress import Cancelled, CancelToken, Progress

# Progress from a token loop can arrive thousands of times a second; the GUI needs ~20 updates a second.
PROGRESS_INTERVAL_S = 0.05


class SharedCancelToken(CancelToken):
    """A CancelToken whose flag lives in shared memory: the GUI process sets it to this job's id."""

    def __init__(self, shared: Any, job_id: int) -> None:
        super().__init__()
        self._shared, self._job_id = shared, job_id

    def cancel(self) -> None:
        self._shared.value = self._job_id

    @property
    def cancelled(self) -> bool:
        return self._shared.value == self._job_id

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled("cancelled by the user")


def _describe(exc: BaseException) -> str:
    from generators.runtime.errors import VitrineError

    if isinstance(exc, VitrineError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def run_one(job_id: int, fn: Any, events: Any, shared_cancel: Any) -> None:
    """Run one job, putting ("started"|"progress"|"done"|"failed"|"cancelled", job_id, ...) on `events`."""
    token = SharedCancelToken(shared_cancel, job_id)
    last = [0.0]

    def progress(p: Progress) -> None:
        now = time.monotonic()
        final = p.total > 0 and p.step >= p.total
        if p.preview is None and not final and now - last[0] < PROGRESS_INTERVAL_S:
            return
        last[0] = now
        preview = p.preview
        if preview is not None and hasattr(preview, "copy"):
            preview = preview.copy()
            preview.thumbnail((160, 160))  # a preview, not the result: keep the pipe light
        events.put(("progress", job_id, int(p.step), int(p.total), str(p.message), preview))

    if token.cancelled:
        events.put(("cancelled", job_id))
        return
    events.put(("started", job_id))
    try:
        result = fn(progress, token)
    except Cancelled:
        events.put(("cancelled", job_id))
    except BaseException as exc:
        events.put(("failed", job_id, _describe(exc), traceback.format_exc()))
    else:
        if token.cancelled:
            events.put(("cancelled", job_id))
            return
        try:
            events.put(("done", job_id, result))
        except Exception as exc:
            events.put(("failed", job_id, f"the job's result cannot be sent back: {exc}", traceback.format_exc()))


def worker_main(tasks: Any, events: Any, shared_cancel: Any) -> None:
    """Entry point of the worker process: run jobs from `tasks` until it receives None."""
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    while True:
        item = tasks.get()
        if item is None:
            return
        job_id, payload = item
        from generators.runtime.settings import reload_settings

        try:
            fn = pickle.loads(payload)
            reload_settings()  # the Settings page may have saved new values since the last job
        except Exception as exc:
            events.put(("failed", job_id, _describe(exc), traceback.format_exc()))
            continue
        run_one(job_id, fn, events, shared_cancel)
