"""Progress reporting and cooperative cancellation, as plain data.

The CLI adapts `ProgressFn` to tqdm, the GUI to a Qt signal; pipelines only ever call the function.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Progress:
    """One progress report: `step` of `total` done, with a short human message."""

    step: int
    total: int
    message: str = ""
    preview: Any | None = None  # e.g. a PIL image of the current diffusion step

    @property
    def fraction(self) -> float:
        return 0.0 if self.total <= 0 else min(1.0, self.step / self.total)


ProgressFn = Callable[[Progress], None]


class Cancelled(Exception):
    """Raised inside a pipeline when its `CancelToken` was cancelled."""


class CancelToken:
    """Thread-safe flag checked by pipelines between steps. Threads are never killed."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")


def report(progress: ProgressFn | None, step: int, total: int, message: str = "", preview: Any = None) -> None:
    """Call `progress` if given; pipelines use this so `None` needs no special-casing."""
    if progress is not None:
        progress(Progress(step, total, message, preview))


def check(cancel: CancelToken | None) -> None:
    """Raise `Cancelled` if `cancel` was cancelled."""
    if cancel is not None:
        cancel.raise_if_cancelled()


def diffusers_step_callback(
    progress: ProgressFn | None, cancel: CancelToken | None, total: int, message: str = "denoising"
) -> Callable[..., dict]:
    """Adapter for diffusers' `callback_on_step_end(pipe, step, timestep, kwargs)`."""

    def _callback(pipe: Any, step: int, timestep: Any, callback_kwargs: dict) -> dict:
        check(cancel)
        report(progress, step + 1, total, message)
        return callback_kwargs

    return _callback


def tqdm_progress(desc: str = "", disable: bool = False) -> tuple[ProgressFn, Callable[[], None]]:
    """Return a `ProgressFn` that drives a tqdm bar, and a function that closes it."""
    from tqdm.auto import tqdm

    bar: dict[str, Any] = {}

    def _fn(p: Progress) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=p.total, desc=desc, disable=disable, leave=False)
        b = bar["bar"]
        if b.total != p.total:
            b.total = p.total
        b.n = p.step
        if p.message:
            b.set_postfix_str(p.message, refresh=False)
        b.refresh()

    def _close() -> None:
        if "bar" in bar:
            bar["bar"].close()

    return _fn, _close


def proglog_logger(progress: ProgressFn | None, cancel: CancelToken | None, message: str = "rendering") -> Any:
    """A proglog logger for moviepy's `write_videofile(logger=...)` that forwards frame progress."""
    import proglog

    class _Logger(proglog.ProgressBarLogger):
        def bars_callback(self, bar: str, attr: str, value: Any, old_value: Any = None) -> None:
            check(cancel)
            if attr == "index":
                total = self.bars[bar].get("total") or 0
                report(progress, int(value), int(total), message)

    return _Logger()
