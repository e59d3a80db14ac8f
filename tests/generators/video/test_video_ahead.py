"""Frames made ahead on a lower-priority thread: order, failures, stopping early, and a cancelled render."""

from __future__ import annotations

import os
import sys
import threading

import numpy as np
import pytest

from generators.runtime.progress import Cancelled, CancelToken
from generators.video import VideoPipeline, VideoRequest, ahead
from tests.generators.video.media import product_photo


def test_frames_come_in_order_from_a_thread_of_lower_priority():
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) if sys.platform.startswith("linux") else 0
    made_on: dict[int, int] = {}

    def make(f):
        tid = threading.get_native_id()
        made_on[tid] = os.getpriority(os.PRIO_PROCESS, tid) if sys.platform.startswith("linux") else 0
        return np.full(4, f, np.uint8)

    frames = ahead.FramesAhead(make, 20)
    try:
        assert [int(frame[0]) for frame in frames] == list(range(20))
    finally:
        frames.close()
    assert len(made_on) == 1 and threading.get_native_id() not in made_on  # one thread, not the caller's
    if sys.platform.startswith("linux"):  # Linux lowers that thread alone; the caller keeps its priority
        assert list(made_on.values()) == [min(mine + ahead.FRAME_NICE, 19)]
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine


def test_a_failure_while_making_a_frame_reaches_the_consumer():
    def make(f):
        if f == 3:
            raise ValueError("frame 3 broke")
        return np.zeros(4, np.uint8)

    frames = ahead.FramesAhead(make, 10)
    try:
        with pytest.raises(ValueError, match="frame 3 broke"):
            list(frames)
    finally:
        frames.close()


def test_closing_early_stops_making_frames():
    made: list[int] = []
    frames = ahead.FramesAhead(lambda f: made.append(f) or np.zeros(4, np.uint8), 1000)
    first = next(iter(frames))
    frames.close()
    assert first is not None and len(made) <= 2 + ahead.AHEAD  # never the whole 1000
    assert not any(t.name == "video-frames" for t in threading.enumerate())


def test_a_cancelled_render_stops_and_leaves_no_file(tmp_path):
    photos = tuple(product_photo(tmp_path / f"p{i}.jpg", box=(60, 60, 200, 220)) for i in range(2))
    token = CancelToken()

    def progress(p):
        if p.step >= 10:
            token.cancel()

    out = tmp_path / "out" / "v.mp4"
    with pytest.raises(Cancelled):
        VideoPipeline().run(
            VideoRequest(out, photos=photos, duration_s=3, frame_size=(96, 170)), progress=progress, cancel=token
        )
    assert not out.exists() and not list(out.parent.glob("*"))
    assert not any(t.name in ("video-frames", "ffmpeg-stdin") for t in threading.enumerate())
