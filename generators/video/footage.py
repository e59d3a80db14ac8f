"""Footage: shots found with PySceneDetect, keyframes read upright, shots chosen by CLIP score to fill a length.

OpenCV decodes with the container's display rotation applied (phone videos filmed upright come out upright)
and frames are picked by their timestamps, so variable-frame-rate phone video plays at its real speed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

MIN_SHOT_S = 1.0  # shorter shots flash by; they are used only when nothing longer is left
MAX_SHOT_S = 4.0  # a chosen shot is trimmed around its middle to at most this long
CUT_THRESHOLD = 27.0  # PySceneDetect ContentDetector's default


@dataclass(frozen=True)
class Shot:
    """One shot of a footage file, in seconds of the source; `score` is its keyframe's CLIP cosine."""

    source: Path
    index: int
    start_s: float
    end_s: float
    score: float | None = None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def middle_s(self) -> float:
        return (self.start_s + self.end_s) / 2


def open_capture(path: Path) -> cv2.VideoCapture:
    """An OpenCV capture of `path` with the display rotation applied.

    Raises:
        ValueError: the file cannot be decoded (the message names it).
    """
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        raise ValueError(f"{Path(path).name}: cannot be opened as a video")
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    return cap


def detect_shots(path: Path, threshold: float = CUT_THRESHOLD) -> list[Shot]:
    """The shots of a video file, cut where PySceneDetect's content detector sees a change.

    Raises:
        ValueError: the file cannot be read, or has no frame.
    """
    from scenedetect import ContentDetector, SceneManager, open_video
    from scenedetect.video_stream import VideoOpenFailure

    path = Path(path)
    try:
        video = open_video(str(path), backend="opencv")
    except (VideoOpenFailure, OSError, RuntimeError) as exc:
        raise ValueError(f"{path.name}: cannot be opened as a video ({exc})") from exc
    manager = SceneManager()
    manager.add_detector(ContentDetector(threshold=threshold, min_scene_len=8))
    manager.detect_scenes(video, show_progress=False)
    scenes = manager.get_scene_list(start_in_scene=True)
    if not scenes:
        end = video.position.seconds
        if end <= 0:
            raise ValueError(f"{path.name}: no frame could be decoded")
        return [Shot(path, 0, 0.0, end)]
    return [Shot(path, i, s.seconds, e.seconds) for i, (s, e) in enumerate(scenes)]


def cover(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`frame` scaled to cover `size` (width, height) and centre-cropped to it."""
    w, h = size
    fh, fw = frame.shape[:2]
    scale = max(w / fw, h / fh)
    nw, nh = max(round(fw * scale), w), max(round(fh * scale), h)
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(frame, (nw, nh), interpolation=interp)
    x, y = (nw - w) // 2, (nh - h) // 2
    return resized[y : y + h, x : x + w]


class ShotReader:
    """Frames of one shot at output times, decoded sequentially (one seek at the start).

    Args:
        shot: the shot to read.
        start_s: where in the source reading starts (a trimmed shot starts after the shot's own start).
        size: output (width, height).
    """

    def __init__(self, shot: Shot, start_s: float, size: tuple[int, int]) -> None:
        self.size = size
        self._cap = open_capture(shot.source)
        self._cap.set(cv2.CAP_PROP_POS_MSEC, start_s * 1000.0)
        self._start_s = start_s
        self._current: np.ndarray | None = None
        self._next: np.ndarray | None = None
        self._next_t = -1.0
        self._done = False
        self._advance()

    def _advance(self) -> None:
        ok, frame = self._cap.read()
        if not ok:
            self._done = True
            return
        self._next_t = self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
        self._next = frame

    def frame_at(self, t_s: float) -> np.ndarray:
        """The RGB frame showing at `t_s` seconds after the reading start (the last one past the end)."""
        target = self._start_s + t_s + 1e-6
        while not self._done and (self._current is None or self._next_t <= target):
            self._current = self._next
            self._advance()
        if self._current is None:
            return np.zeros((self.size[1], self.size[0], 3), np.uint8)
        return cv2.cvtColor(cover(self._current, self.size), cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        self._cap.release()


def keyframe(shot: Shot, side: int = 336) -> np.ndarray:
    """The shot's middle frame (RGB, upright), at most `side` pixels on its longer side."""
    cap = open_capture(shot.source)
    try:
        cap.set(cv2.CAP_PROP_POS_MSEC, shot.middle_s * 1000.0)
        ok, frame = cap.read()
        if not ok:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = cap.read()
        if not ok:
            raise ValueError(f"{shot.source.name}: no frame could be decoded at {shot.middle_s:.2f} s")
    finally:
        cap.release()
    scale = min(1.0, side / max(frame.shape[:2]))
    if scale < 1.0:
        frame = cv2.resize(frame, (round(frame.shape[1] * scale), round(frame.shape[0] * scale)), cv2.INTER_AREA)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


@dataclass(frozen=True)
class ShotCut:
    """A chosen shot and the part of it used: `frames` output frames from `start_s` of the source."""

    shot: Shot
    start_s: float
    frames: int


def choose_shots(shots: Sequence[Shot], frames: int, fps: int, *, hold: bool = True) -> list[ShotCut]:
    """The best-scoring shots (unscored ones last, in order), trimmed around their middles, filling `frames`.

    The cut is in source order. When the footage is shorter than `frames`, every shot is used and, with
    `hold`, the last one is held to fill the rest (without, the cut is shorter and photos fill the rest).
    """
    ranked = sorted(shots, key=lambda s: (s.score is None, -(s.score or 0.0), s.source.name, s.start_s))
    long_enough = [s for s in ranked if s.duration_s >= MIN_SHOT_S] or ranked
    chosen: list[tuple[Shot, int]] = []
    remaining = frames
    for shot in long_enough:
        if remaining <= 0:
            break
        take = min(int(min(shot.duration_s, MAX_SHOT_S) * fps), remaining)
        if take <= 0:
            continue
        chosen.append((shot, take))
        remaining -= take
    if remaining > 0 and chosen and hold:  # not enough footage: hold the last shot's final frame
        shot, take = chosen[-1]
        chosen[-1] = (shot, take + remaining)
    chosen.sort(key=lambda c: (str(c[0].source), c[0].start_s))
    cuts = []
    for shot, take in chosen:
        used_s = min(take / fps, shot.duration_s)
        cuts.append(ShotCut(shot, max(shot.start_s, shot.middle_s - used_s / 2), take))
    return cuts
