"""The timeline: clips (photos with a pan and zoom toward the product, footage shots) joined by transitions,
laid out in whole frames so the video's length is exact, and the frames they make.

A photo becomes a canvas once (the frame's aspect, a little larger than the frame, as yuv420p planes); each of
its frames is then a scaling of each plane at sub-pixel precision (ffmpeg's zoompan crops at whole pixels and
jitters) in a few milliseconds. Frames are yuv420p buffers (`generators.video.yuv`). Canvases are made on a worker thread shortly before their clip shows
(finding the product in a photo takes a few hundred milliseconds), so the encoder starts at once and at most
a few canvases are held at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from generators.video import yuv
from generators.video.ahead import lower_thread_priority
from generators.video.footage import ShotCut, ShotReader

CANVAS_ZOOM = 1.15  # the canvas is this much larger than the frame: the closest zoom still has ~1:1 pixels
TRANSITION_S = 0.5
PREPARED_AHEAD = 2
PREPARED_AHEAD_T = 2  # photo clips made ahead of time: the next one is ready when its transition starts


class Transition(StrEnum):
    CROSSFADE = "crossfade"
    SLIDE = "slide"


@dataclass(frozen=True)
class PhotoClip:
    """A photo as a canvas of the frame's aspect; `focus` is the product's centre on the canvas (pixels).

    The canvas is a yuv420p `yuv.Canvas` (what the pipeline renders) or a uint8 image (RGB, for previews and tests).
    """

    name: str
    canvas: yuv.Canvas | np.ndarray
    focus: tuple[float, float]
    zoom_in: bool


@dataclass(frozen=True)
class PendingPhoto:
    """A photo clip still to be made: `make` finds the product and draws the canvas (FrameSource calls it on
    its worker thread shortly before the clip shows)."""

    name: str
    zoom_in: bool
    make: Callable[[], PhotoClip]


@dataclass(frozen=True)
class ClipSlot:
    """A clip on the timeline: its first output frame, its length in frames, and the transition into it."""

    clip: PhotoClip | PendingPhoto | ShotCut
    start: int
    frames: int
    transition: Transition | None

    @property
    def end(self) -> int:
        return self.start + self.frames

    def describe(self) -> dict[str, object]:
        if isinstance(self.clip, PhotoClip | PendingPhoto):
            what: dict[str, object] = {"photo": self.clip.name, "zoom": "in" if self.clip.zoom_in else "out"}
        else:
            what = {"footage": self.clip.shot.source.name, "shot": self.clip.shot.index, "from_s": self.clip.start_s}
        return {
            **what,
            "start": self.start,
            "frames": self.frames,
            "transition": self.transition and str(self.transition),
        }


def photo_canvas(
    photo: np.ndarray, box: tuple[int, int, int, int], size: tuple[int, int]
) -> tuple[np.ndarray, tuple[float, float]]:
    """A canvas of `size`'s aspect (CANVAS_ZOOM times larger) showing `photo`, and the product's centre on it.

    The photo covers the canvas, cropped around the product, unless that crop would cut the product (a square
    photo in a landscape frame): then the whole photo sits over a blurred copy of itself.
    """
    cw, ch = 2 * round(size[0] * CANVAS_ZOOM / 2), 2 * round(size[1] * CANVAS_ZOOM / 2)  # even: yuv420p planes
    ph, pw = photo.shape[:2]
    px, py = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    scale = max(cw / pw, ch / ph)
    view_w, view_h = cw / scale, ch / scale  # the photo's part a cover crop shows
    if (box[2] - box[0]) <= view_w * 1.02 and (box[3] - box[1]) <= view_h * 1.02:
        x0 = min(max(px - view_w / 2, 0.0), pw - view_w)
        y0 = min(max(py - view_h / 2, 0.0), ph - view_h)
        m = np.float32([[scale, 0, -x0 * scale], [0, scale, -y0 * scale]])
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        canvas = cv2.warpAffine(photo, m, (cw, ch), flags=interp, borderMode=cv2.BORDER_REPLICATE)
        return canvas, ((px - x0) * scale, (py - y0) * scale)
    small = cv2.resize(photo, (max(cw // 8, 1), max(ch // 8, 1)), interpolation=cv2.INTER_AREA)
    canvas = cv2.resize(cv2.GaussianBlur(small, (0, 0), 4), (cw, ch), interpolation=cv2.INTER_LINEAR)
    canvas = cv2.convertScaleAbs(canvas, alpha=0.6)  # darkened, so the photo and the text stand out
    fit = min(cw / pw, ch / ph)
    nw, nh = max(round(pw * fit), 1), max(round(ph * fit), 1)
    x0, y0 = (cw - nw) // 2, (ch - nh) // 2
    canvas[y0 : y0 + nh, x0 : x0 + nw] = cv2.resize(photo, (nw, nh), interpolation=cv2.INTER_AREA)
    return canvas, (x0 + px * fit, y0 + py * fit)


def _ease(p: float) -> float:
    return p * p * (3 - 2 * p)


def _view(canvas_size: tuple[int, int], clip: PhotoClip, i: int, n: int, size: tuple[int, int]) -> tuple[float, ...]:
    """(scale, tx, ty) mapping canvas pixels to frame `i` of `n`: a zoom from the whole canvas toward the
    product (or back out)."""
    w, h = size
    cw, ch = canvas_size
    p = _ease(i / max(n - 1, 1))
    if not clip.zoom_in:
        p = 1.0 - p
    scale = (w / cw) * (1.0 + (CANVAS_ZOOM - 1.0) * p)  # frame pixels per canvas pixel
    view_w, view_h = w / scale, h / scale
    cx = cw / 2 + (clip.focus[0] - cw / 2) * p
    cy = ch / 2 + (clip.focus[1] - ch / 2) * p
    cx = min(max(cx, view_w / 2), cw - view_w / 2)
    cy = min(max(cy, view_h / 2), ch - view_h / 2)
    return scale, w / 2 - cx * scale, h / 2 - cy * scale


def photo_frame(clip: PhotoClip, i: int, n: int, size: tuple[int, int]) -> np.ndarray:
    """Frame `i` of `n` of a photo clip: a zoom from the whole canvas toward the product (or back out).

    Returns a yuv420p buffer for a `yuv.Canvas`, else an image like the canvas.
    """
    if isinstance(clip.canvas, yuv.Canvas):
        return clip.canvas.zoomed(*_view(clip.canvas.size, clip, i, n, size), size)
    ch, cw = clip.canvas.shape[:2]
    scale, tx, ty = _view((cw, ch), clip, i, n, size)
    m = np.float32([[scale, 0, tx], [0, scale, ty]])
    return cv2.warpAffine(clip.canvas, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def lay_out(clips: list[PhotoClip | PendingPhoto | ShotCut], lengths: list[int], fps: int, seed: int) -> list[ClipSlot]:
    """Slots for `clips` of `lengths` frames, each overlapping the previous by one transition."""
    slots: list[ClipSlot] = []
    start = 0
    kinds = (Transition.CROSSFADE, Transition.SLIDE)
    for i, (clip, n) in enumerate(zip(clips, lengths, strict=True)):
        transition = None if i == 0 else kinds[(i + seed) % 2]
        slots.append(ClipSlot(clip, start, n, transition))
        start += n - transition_frames(fps, lengths, i + 1)
    return slots


def transition_frames(fps: int, lengths: list[int], next_index: int) -> int:
    """Frames of the transition into clip `next_index` (0 after the last clip); never over a third of a clip."""
    if next_index <= 0 or next_index >= len(lengths):
        return 0
    return min(round(TRANSITION_S * fps), lengths[next_index - 1] // 3, lengths[next_index] // 3)


def fit_lengths(lengths: list[int], total: int, fps: int) -> list[int]:
    """`lengths` with the longest clip stretched or shortened so that, less the overlaps, exactly `total` remain."""
    out = list(lengths)
    for _ in range(16):  # an overlap depends on the lengths it joins; settles in a round or two
        overlap = sum(transition_frames(fps, out, i) for i in range(1, len(out)))
        diff = total - (sum(out) - overlap)
        if diff == 0:
            return out
        longest = max(range(len(out)), key=lambda i: out[i])
        out[longest] = max(out[longest] + diff, 1)
    raise ValueError(f"clip lengths {lengths} cannot make {total} frames")


def split_frames(total: int, weights: list[float], fps: int) -> list[int]:
    """Clip lengths (frames) in proportion to `weights` whose overlaps leave exactly `total` frames."""
    guess = [max(int(total * w / sum(weights)), 3) for w in weights]
    overlap = sum(transition_frames(fps, guess, i) for i in range(1, len(guess)))
    guess = [max(int((total + overlap) * w / sum(weights)), 3) for w in weights]
    return fit_lengths(guess, total, fps)


def _make_clip(clip: PendingPhoto, first: bool) -> PhotoClip:
    """Make a pending clip on the worker: the first at the caller's priority (the first frame waits for it),
    the later ones, made while frames are encoded, at the frame threads' lower priority (`ahead`)."""
    if not first:
        lower_thread_priority()
    return clip.make()


class FrameSource:
    """Makes the timeline's frames in order, as yuv420p buffers.

    Pending photo clips are made on a worker thread, the next `PREPARED_AHEAD` of them at a time, and dropped
    when they end; footage readers are open only while their shot shows.

    Args:
        slots: the timeline; photo clips' canvases are `yuv.Canvas`.
        size: (width, height) of the frames, both even.
        fps: frame rate.
    """

    def __init__(self, slots: list[ClipSlot], size: tuple[int, int], fps: int) -> None:
        self.slots, self.size, self.fps = slots, size, fps
        self._readers: dict[int, ShotReader] = {}
        self._made: dict[int, Future[PhotoClip]] = {}
        self._pending = [k for k, s in enumerate(slots) if isinstance(s.clip, PendingPhoto)]
        self._submitted: set[int] = set()
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="video-clips") if self._pending else None
        self._prepare(0)

    def _prepare(self, f: int) -> None:
        """Have the next few pending clips showing from frame `f` on made; forget those that have ended."""
        for k in [k for k in self._made if self.slots[k].end <= f]:
            del self._made[k]
        if self._worker is None:
            return
        for k in [k for k in self._pending if self.slots[k].end > f][:PREPARED_AHEAD]:
            if k not in self._submitted:
                clip = self.slots[k].clip
                assert isinstance(clip, PendingPhoto)
                self._made[k] = self._worker.submit(_make_clip, clip, first=k == self._pending[0])
                self._submitted.add(k)

    def _photo(self, k: int) -> PhotoClip | None:
        """Slot `k`'s photo clip (waiting for it when it is still being made); None for footage."""
        clip = self.slots[k].clip
        if isinstance(clip, PendingPhoto):
            return self._made[k].result()
        return clip if isinstance(clip, PhotoClip) else None

    def _clip_frame(self, k: int, i: int) -> np.ndarray:
        slot = self.slots[k]
        photo = self._photo(k)
        if photo is not None:
            return photo_frame(photo, i, slot.frames, self.size)
        reader = self._readers.get(k)
        if reader is None:
            reader = self._readers[k] = ShotReader(slot.clip.shot, slot.clip.start_s, self.size)
        return yuv.rgb_to_i420(reader.frame_at(i / self.fps))

    def frame(self, f: int) -> np.ndarray:
        """Output frame `f`: a fresh yuv420p buffer the caller may draw on."""
        self._prepare(f)
        active = [k for k, s in enumerate(self.slots) if s.start <= f < s.end]
        for k in [k for k in self._readers if self.slots[k].end <= f]:
            self._readers.pop(k).close()
        if len(active) == 1:
            k = active[0]
            return self._clip_frame(k, f - self.slots[k].start)
        a, b = active[0], active[-1]
        overlap = self.slots[a].end - self.slots[b].start
        p = _ease((f - self.slots[b].start + 1) / (overlap + 1))
        if self.slots[b].transition is Transition.SLIDE:
            return self._slide(a, b, f, yuv.slide_offset(round(self.size[0] * p), self.size[0]))
        out_frame = self._clip_frame(a, f - self.slots[a].start)
        in_frame = self._clip_frame(b, f - self.slots[b].start)
        return yuv.crossfade(out_frame, in_frame, p)

    def _slide(self, a: int, b: int, f: int, off: int) -> np.ndarray:
        """Frame `f` of clip `a` pushed `off` (even) pixels left by clip `b`: each clip draws only the columns
        that show (a photo's zoom straight into them), so a slide costs one frame's zoom, not two."""
        w = self.size[0]
        out = np.empty(yuv.i420_size(self.size), np.uint8)
        # (slot, its frame's columns that show, where they go)
        for k, start, to, width in ((a, off, 0, w - off), (b, 0, w - off, off)):
            if width == 0:
                continue
            i, photo = f - self.slots[k].start, self._photo(k)
            if photo is not None and isinstance(photo.canvas, yuv.Canvas):
                scale, tx, ty = _view(photo.canvas.size, photo, i, self.slots[k].frames, self.size)
                photo.canvas.zoomed(scale, tx + to - start, ty, self.size, out=out, columns=(to, to + width))
            else:
                yuv.copy_columns(out, self._clip_frame(k, i), self.size, to, start, width)
        return out

    def close(self) -> None:
        """Close footage readers and stop making clips (one being made is finished first)."""
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
        self._made.clear()
