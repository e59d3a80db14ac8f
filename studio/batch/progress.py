"""A terminal progress bar with ETA for batches, driven by the runner's `Progress` callbacks."""

from __future__ import annotations

import sys
import threading
from typing import Any

from generators.runtime.progress import Progress


class BatchProgressBar:
    """tqdm bar over (product, step) jobs: `with BatchProgressBar() as bar: run_batch(..., progress=bar)`.

    The runner reports from worker threads, so updates are serialised; tqdm computes the ETA from the rate.
    """

    def __init__(self, desc: str = "batch", disable: bool = False) -> None:
        self.desc, self.disable = desc, disable
        self._bar: Any = None
        self._lock = threading.Lock()

    def __call__(self, p: Progress) -> None:
        from tqdm import tqdm

        with self._lock:
            if self._bar is None:
                self._bar = tqdm(
                    total=p.total,
                    desc=self.desc,
                    unit="job",
                    file=sys.stderr,
                    disable=self.disable,
                    dynamic_ncols=True,
                    smoothing=0.1,
                )
            if self._bar.total != p.total:
                self._bar.total = p.total
            self._bar.update(max(0, p.step - self._bar.n))
            if p.message:
                self._bar.set_postfix_str(p.message[:40], refresh=False)

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None

    def __enter__(self) -> BatchProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
