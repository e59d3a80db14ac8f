"""The job worker process (Qt-free): runs one request at a time and answers with typed events.

Why a process and not a thread: importing torch runs its C extension's initialisation with the GIL held
(measured: 0.6-0.9 s at a stretch), and Python-heavy model code holds it in shorter bursts; a worker
*thread* would freeze the window for that long. A separate process never touches the GUI's interpreter,
keeps the ML stack and the loaded models out of the GUI process, and a crash in native code cannot take the
window down. The studio's `JobRunner` starts it with `worker_main` and sends `(job_id, pickled request)`.
"""

from __future__ import annotations

import math
import pickle
import time
import traceback
from collections.abc import Callable
from typing import Any

from generators.runtime.errors import describe_error
from generators.runtime.progress import Cancelled, CancelToken, Progress
from studio.jobs.events import JobCancelled, JobEvent, JobFailed, JobFinished, JobProgress, JobStarted

# Progress from a token loop can arrive thousands of times a second; the GUI needs ~20 updates a second.
PROGRESS_INTERVAL_S = 0.05
PREVIEW_EDGE = 160  # a preview, not the result: keep the pipe light


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


class CardProgress:
    """A job's `ProgressFn`: turns its reports into `JobProgress` events in one unit per job card.

    The first report with a total fixes the card's unit (the steps of a Generate button, the (product, step)
    jobs of a batch). A nested report in another unit (a step's own candidates or tokens) moves the card by
    the same fraction, rounded down, and its count joins the message ("sales copy · writing (3/8)"). The count
    never goes back, and the total is reached only when the work is. Reports closer than `interval` apart are
    dropped, except the final one and those carrying a preview.
    """

    def __init__(
        self,
        job_id: int,
        send: Callable[[JobEvent], None],
        *,
        interval: float = PROGRESS_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id, self._send, self._interval, self._clock = job_id, send, interval, clock
        self.step, self.total = 0, 0
        self._unit_message = ""  # what the card's own unit is doing now ("sales copy"), kept for nested reports
        self._last_sent: float | None = None

    def __call__(self, p: Progress) -> None:
        message = str(p.message)
        if self.total <= 0 and p.total > 0:
            self.total = int(p.total)
        if p.total == self.total:
            step = int(p.step)
            self._unit_message = message.rstrip("…. ")
        elif p.total > 0:  # another unit: the same fraction of this card's total
            step = math.floor(self.total * min(1.0, p.step / p.total))
            inner = f"{message} ({int(p.step)}/{int(p.total)})".strip()
            message = f"{self._unit_message} · {inner}" if self._unit_message else inner
        else:
            step = self.step
        self.step = max(self.step, min(step, self.total))
        now = self._clock()
        final = self.total > 0 and self.step >= self.total
        if p.preview is None and not final and self._last_sent is not None and now - self._last_sent < self._interval:
            return
        self._last_sent = now
        self._send(JobProgress(self.job_id, self.step, self.total, message, _small(p.preview)))


def _small(preview: Any) -> Any:
    # Only PIL images cross to the studio, shrunk: a preview, not the result.
    if preview is None or not hasattr(preview, "thumbnail"):
        return None
    small = preview.copy()
    small.thumbnail((PREVIEW_EDGE, PREVIEW_EDGE))
    return small


def run_one(job_id: int, request: Any, events: Any, shared_cancel: Any) -> None:
    """Run `request` (a `JobRequest`) as job `job_id`, putting its typed events on `events`."""
    token = SharedCancelToken(shared_cancel, job_id)
    if token.cancelled:
        events.put(JobCancelled(job_id))
        return
    events.put(JobStarted(job_id))
    try:
        result = request.run(CardProgress(job_id, events.put), token)
    except Cancelled:
        events.put(JobCancelled(job_id))
    except BaseException as exc:
        events.put(JobFailed(job_id, describe_error(exc), traceback.format_exc()))
    else:
        if token.cancelled:
            events.put(JobCancelled(job_id))
            return
        finished = JobFinished(job_id, result)
        try:
            # The queue pickles in a background thread, where a failure would be lost: find out here.
            pickle.dumps(finished)
        except Exception as exc:
            message = f"the job's result cannot be sent back: {describe_error(exc)}"
            events.put(JobFailed(job_id, message, traceback.format_exc()))
        else:
            events.put(finished)


def worker_main(tasks: Any, events: Any, shared_cancel: Any) -> None:
    """Entry point of the worker process: run `(job_id, pickled request)` items from `tasks` until None."""
    from generators.runtime.environment import prepare_environment

    prepare_environment()  # before any job imports torch
    from generators.runtime.settings import reload_settings

    while True:
        item = tasks.get()
        if item is None:
            return
        job_id, payload = item
        try:
            request = pickle.loads(payload)
            reload_settings()  # the Settings page may have saved new values since the last job
        except Exception as exc:
            events.put(JobFailed(job_id, describe_error(exc), traceback.format_exc()))
            continue
        run_one(job_id, request, events, shared_cancel)
