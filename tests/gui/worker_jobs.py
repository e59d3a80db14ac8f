"""Job functions for the GUI tests. Module-level, so they can be sent to the job worker process."""

from __future__ import annotations

import threading

from generators.runtime.errors import VitrineError
from generators.runtime.progress import check, report


def slow_job(progress, cancel):
    """Ten thousand 10 ms steps, checking the cancel token between them."""
    for i in range(10_000):
        check(cancel)
        report(progress, i, 10_000, f"step {i}")
        threading.Event().wait(0.01)
    return "finished"


def failing_job(progress, cancel):
    """Reports one step with a preview image, then fails with a message a person can act on."""
    from PIL import Image

    report(progress, 1, 2, "first step", preview=Image.new("RGB", (32, 32), (200, 30, 30)))
    raise VitrineError("image 'a.jpg' is truncated")


def ml_modules(progress, cancel):
    """Which ML libraries the worker process has imported so far."""
    import sys

    return [m for m in ("torch", "transformers", "diffusers", "open_clip") if m in sys.modules]


def stubborn_job(progress, cancel):
    """Never checks its cancel token (like a long native call): only a worker restart stops it."""
    import time

    report(progress, 1, 2, "busy")
    time.sleep(60)
    return "too late"


def crashing_job(progress, cancel):
    """Dies the way a native crash would: no exception, the process is simply gone."""
    import os

    report(progress, 1, 2, "about to crash")
    os._exit(3)
