"""What a job worker reports about a job: small frozen dataclasses, sent through a process queue.

Every event names its job by `job_id`; a job sends `JobStarted`, any number of `JobProgress`, then exactly
one of `JobFinished`, `JobFailed` or `JobCancelled` (a job cancelled before it started sends only that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JobStarted:
    """The worker began running the job."""

    job_id: int


@dataclass(frozen=True)
class JobProgress:
    """`step` of `total` units done (one unit per job: see `worker.CardProgress`), with a short message.

    `preview` is a small PIL image (e.g. the current diffusion step) or None.
    """

    job_id: int
    step: int
    total: int
    message: str = ""
    preview: Any = None


@dataclass(frozen=True)
class JobFinished:
    """The job returned `result` (any picklable value: an ImportReport, a BatchResult, …)."""

    job_id: int
    result: Any = None


@dataclass(frozen=True)
class JobFailed:
    """The job raised. `message` is one line a person can act on; `details` holds the traceback."""

    job_id: int
    message: str
    details: str = ""


@dataclass(frozen=True)
class JobCancelled:
    """The job stopped at a cancel check (or never started) after the user cancelled it."""

    job_id: int


JobEvent = JobStarted | JobProgress | JobFinished | JobFailed | JobCancelled
#: The events after which a job sends nothing more.
FINAL_EVENTS = (JobFinished, JobFailed, JobCancelled)
