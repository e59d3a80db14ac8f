"""Job requests for the GUI tests. Module-level frozen dataclasses, so they can be sent to the job worker process."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from generators.runtime.errors import VitrineError
from generators.runtime.progress import CancelToken, ProgressFn, check, report
from studio.jobs.requests import JobLabel, JobRequest


def _label(what: str) -> JobLabel:
    return JobLabel.of("test.job", "Test · {what}", what=what)


@dataclass(frozen=True)
class SlowJob(JobRequest):
    """`steps` steps of `step_s` seconds each, checking the cancel token between them."""

    steps: int = 10_000
    step_s: float = 0.01

    @property
    def label(self) -> JobLabel:
        return _label(f"{self.steps} slow steps")

    def run(self, progress: ProgressFn, cancel: CancelToken) -> str:
        for i in range(self.steps):
            check(cancel)
            report(progress, i, self.steps, f"step {i}")
            threading.Event().wait(self.step_s)
        report(progress, self.steps, self.steps, "finished")
        return "finished"


@dataclass(frozen=True)
class NestedProgressJob(JobRequest):
    """Reports in two units, as the product page's Generate does: 3 steps, and within the last one 10 tokens."""

    @property
    def label(self) -> JobLabel:
        return _label("nested progress")

    def run(self, progress: ProgressFn, cancel: CancelToken) -> str:
        for step in range(3):
            report(progress, step, 3, f"step {step}")
        for token in range(11):
            report(progress, token, 10, "writing")
        report(progress, 3, 3, "done")
        return "done"


@dataclass(frozen=True)
class FailingJob(JobRequest):
    """Reports one step with a preview image, then fails with a message a person can act on."""

    @property
    def label(self) -> JobLabel:
        return _label("broken")

    def run(self, progress: ProgressFn, cancel: CancelToken) -> str:
        from PIL import Image

        report(progress, 1, 2, "first step", preview=Image.new("RGB", (32, 32), (200, 30, 30)))
        raise VitrineError("image 'a.jpg' is truncated")


@dataclass(frozen=True)
class BuggyJob(JobRequest):
    """Fails the way a programming error does (not a VitrineError)."""

    @property
    def label(self) -> JobLabel:
        return _label("buggy")

    def run(self, progress: ProgressFn, cancel: CancelToken) -> float:
        return {}["missing"]


@dataclass(frozen=True)
class MlModulesProbe(JobRequest):
    """Which ML libraries the worker process has imported so far."""

    @property
    def label(self) -> JobLabel:
        return _label("probe")

    def run(self, progress: ProgressFn, cancel: CancelToken) -> list[str]:
        import sys

        return [m for m in ("torch", "transformers", "diffusers", "open_clip") if m in sys.modules]


@dataclass(frozen=True)
class StubbornJob(JobRequest):
    """Never checks its cancel token (like a long native call): only a worker restart stops it."""

    @property
    def label(self) -> JobLabel:
        return _label("stubborn")

    def run(self, progress: ProgressFn, cancel: CancelToken) -> str:
        import time

        report(progress, 1, 2, "busy")
        time.sleep(60)
        return "too late"


@dataclass(frozen=True)
class CrashingJob(JobRequest):
    """Dies the way a native crash would: no exception, the process is simply gone."""

    @property
    def label(self) -> JobLabel:
        return _label("crash")

    def run(self, progress: ProgressFn, cancel: CancelToken) -> None:
        import os

        report(progress, 1, 2, "about to crash")
        os._exit(3)


@dataclass(frozen=True)
class UnpicklableResultJob(JobRequest):
    """Returns something that cannot cross a process boundary."""

    @property
    def label(self) -> JobLabel:
        return _label("unpicklable")

    def run(self, progress: ProgressFn, cancel: CancelToken) -> object:
        return threading.Lock()
