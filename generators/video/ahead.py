"""Frame making that yields the cores to the encoder: a background thread of lower priority, a few frames ahead.

x264 does not keep two cores busy all the time: its frame threads wait on each other and on the lookahead,
so cores sit idle for a fraction of every frame (x264 alone on the bench timeline: ~1.5-1.75 of 2 cores).
Making the frames at the same priority as x264 takes turns with it and delays it; at a lower priority the frames
are made mostly in those idle moments, and a small queue of finished frames rides out the busy ones. When
the encoder starves, its threads go idle and the frame thread gets the cores, so it never falls far behind.

Only the threads made here are lowered (Linux sets a nice value per thread); the caller's thread, ffmpeg and the
writer thread feeding it keep theirs. A thread's priority cannot be raised again without privileges, which is
why the work runs on threads that end with the render.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator

import numpy as np

FRAME_NICE = 10  # Linux nice value added to frame-making threads: ~1/10 of a core's share beside a busy x264
AHEAD = 4  # finished frames waiting for the encoder: ~13 MB at 1080x1920


_lowered = threading.local()


def lower_thread_priority() -> None:
    """Lower the calling thread's scheduling priority by `FRAME_NICE`, once (Linux only; elsewhere nothing).

    Linux applies `setpriority(PRIO_PROCESS, tid)` to that one thread; other systems would take the thread id
    for a process id, so they are left alone.
    """
    if getattr(_lowered, "done", False) or not sys.platform.startswith("linux"):
        return
    _lowered.done = True
    with contextlib.suppress(OSError):  # a sandbox may refuse: frames are then made at normal priority
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + FRAME_NICE)


class FramesAhead:
    """Frames 0..total-1 made by `make` on a lower-priority thread, at most `AHEAD` of the consumer.

    Iterate to get them in order (an exception `make` raised is raised there); `close` stops the thread and
    waits for it (a frame being made is finished first).

    Args:
        make: frame number → frame (called on the background thread, in order).
        total: how many frames.
    """

    def __init__(self, make: Callable[[int], np.ndarray], total: int) -> None:
        self._make, self._total = make, total
        self._queue: queue.Queue[tuple[np.ndarray | None, BaseException | None]] = queue.Queue(maxsize=AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="video-frames", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        lower_thread_priority()
        for f in range(self._total):
            if self._stop.is_set():
                return
            try:
                item: tuple[np.ndarray | None, BaseException | None] = (self._make(f), None)
            except BaseException as exc:  # handed to the consumer, which raises it
                item = (None, exc)
            while not self._stop.is_set():
                try:
                    self._queue.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if item[1] is not None:
                return

    def __iter__(self) -> Iterator[np.ndarray]:
        for _ in range(self._total):
            frame, failure = self._queue.get()
            if failure is not None:
                raise failure
            assert frame is not None
            yield frame

    def close(self) -> None:
        """Stop making frames and wait for the thread."""
        self._stop.set()
        with contextlib.suppress(queue.Empty):
            while True:  # a put waiting for room sees the stop within its timeout
                self._queue.get_nowait()
        self._thread.join()
