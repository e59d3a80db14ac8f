"""Frames in the encoder's own form: yuv420p (BT.601 limited range), made plane by plane.

A frame is one flat uint8 buffer: the Y plane at full size, then Cb and Cr at half size each way, exactly as
x264 takes it, so ffmpeg converts nothing and the pipe carries half the bytes of RGB. A photo's canvas is
converted once (`Canvas`); each frame then scales its three planes with `cv2.resize` (Y at full size, chroma at
a quarter of the pixels): less than half the CPU of `cv2.warpAffine` on the same pixels, a third of warping RGB
and converting. Zooms, crossfades and alpha blends are linear, so doing them on the planes gives the picture
RGB compositing would. Chroma is the mean of each 2×2 block (as ffmpeg's swscale makes it), not one sample of
it as OpenCV's own RGB→I420 conversion takes (coloured text would get jagged edges).

`cv2.resize` scales exactly but starts its grid on whole pixels. The fraction is taken from a copy of the plane
shifted by a quarter pixel (an eighth of a pixel off at most: an eighth-pixel judder is invisible, the
whole-pixel crops of ffmpeg's zoompan are not). The shifted copies are made with a 4-tap cubic filter when a
clip's motion first reaches them (about 1 ms each, at most 16 per plane) and go with the clip.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# OpenCV's YCrCb is full range (JPEG); the lookup tables squeeze it into video range (Y 16–235, C 16–240).
_LEVELS = np.arange(256, dtype=np.float64)
_TO_LIMITED = np.dstack(
    [16 + _LEVELS * 219 / 255, 128 + (_LEVELS - 128) * 224 / 255, 128 + (_LEVELS - 128) * 224 / 255]
)
_TO_LIMITED = np.clip(np.round(_TO_LIMITED), 0, 255).astype(np.uint8)


def from_rgb(rgb: np.ndarray) -> np.ndarray:
    """An RGB uint8 image as limited-range YCrCb (uint8, same shape, OpenCV's channel order Y, Cr, Cb)."""
    return cv2.LUT(cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb), _TO_LIMITED)


def i420_size(size: tuple[int, int]) -> int:
    """Bytes of one yuv420p frame of (width, height); both must be even."""
    w, h = size
    return w * h * 3 // 2


def plane_views(frame: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Y, Cb and Cr planes of a flat yuv420p buffer, as 2-D views (writing to them writes the frame)."""
    w, h = size
    quarter = (w // 2) * (h // 2)
    flat = frame.reshape(-1)
    return (
        flat[: w * h].reshape(h, w),
        flat[w * h : w * h + quarter].reshape(h // 2, w // 2),
        flat[w * h + quarter :].reshape(h // 2, w // 2),
    )


def _chroma_means(ycc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h, w = ycc.shape[:2]
    half = cv2.resize(ycc, (w // 2, h // 2), interpolation=cv2.INTER_AREA)  # an exact 2×2 mean
    return np.ascontiguousarray(half[..., 2]), np.ascontiguousarray(half[..., 1])


def to_i420(ycc: np.ndarray) -> np.ndarray:
    """A YCrCb image (even sides) as one flat yuv420p buffer."""
    h, w = ycc.shape[:2]
    out = np.empty(i420_size((w, h)), np.uint8)
    y, cb, cr = plane_views(out, (w, h))
    cv2.extractChannel(ycc, 0, dst=y)
    cb[:], cr[:] = _chroma_means(ycc)
    return out


def rgb_to_i420(rgb: np.ndarray) -> np.ndarray:
    """An RGB uint8 image (even sides) as one flat yuv420p buffer."""
    return to_i420(from_rgb(rgb))


def i420_to_rgb(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A flat yuv420p buffer back to RGB uint8 (for the poster)."""
    w, h = size
    return cv2.cvtColor(frame.reshape(h * 3 // 2, w), cv2.COLOR_YUV2RGB_I420)


@dataclass(frozen=True)
class Planes:
    """An image as yuv420p planes: `y` at full size, `cb` and `cr` at half size each way."""

    y: np.ndarray
    cb: np.ndarray
    cr: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        return self.y.shape[1], self.y.shape[0]

    @classmethod
    def from_rgb(cls, rgb: np.ndarray) -> Planes:
        """`rgb` (uint8) as planes; an odd side gets its last row or column repeated."""
        h, w = rgb.shape[:2]
        if h % 2 or w % 2:
            rgb = cv2.copyMakeBorder(rgb, 0, h % 2, 0, w % 2, cv2.BORDER_REPLICATE)
        ycc = from_rgb(rgb)
        cb, cr = _chroma_means(ycc)
        return cls(np.ascontiguousarray(ycc[..., 0]), cb, cr)


SUBPIXEL_STEPS = 4  # shifted copies per axis: a quarter of a pixel (of a chroma sample on the chroma planes)
_PAD = 3  # replicated border around shifted planes: a view's grid may start a pixel or two outside


def _cubic_taps(f: float) -> np.ndarray:
    """Catmull-Rom weights of the samples at -1, 0, 1, 2 for the point `f` (0..1) past sample 0."""
    d = np.array([1 + f, f, 1 - f, 2 - f])
    near = 1.5 * d**3 - 2.5 * d**2 + 1
    far = -0.5 * d**3 + 2.5 * d**2 - 4 * d + 2
    return np.where(d <= 1, near, far).astype(np.float32)


class _ShiftedPlane:
    """One plane, padded, and its copies shifted by k/steps of a pixel along each axis (made on first use)."""

    def __init__(self, plane: np.ndarray, steps: int) -> None:
        self.steps = steps
        padded = cv2.copyMakeBorder(plane, _PAD, _PAD, _PAD, _PAD, cv2.BORDER_REPLICATE)
        self._along_x: dict[int, np.ndarray] = {0: padded}
        self._copies: dict[tuple[int, int], np.ndarray] = {(0, 0): padded}

    def copy(self, jx: int, jy: int) -> np.ndarray:
        """The plane whose pixel (x, y) shows the original at (x + jx/steps, y + jy/steps), padded by _PAD."""
        if (jx, jy) not in self._copies:
            if jx not in self._along_x:
                taps = _cubic_taps(jx / self.steps)[None, :]
                self._along_x[jx] = cv2.filter2D(
                    self._along_x[0], -1, taps, anchor=(1, 0), borderType=cv2.BORDER_REPLICATE
                )
            if jy == 0:  # the taps are (0, 1, 0, 0): the copy shifted along x is already this one
                self._copies[jx, jy] = self._along_x[jx]
            else:
                taps = _cubic_taps(jy / self.steps)[:, None]
                self._copies[jx, jy] = cv2.filter2D(
                    self._along_x[jx], -1, np.ascontiguousarray(taps), anchor=(0, 1), borderType=cv2.BORDER_REPLICATE
                )
        return self._copies[jx, jy]

    def scaled_into(self, dst: np.ndarray, scale: float, tx: float, ty: float) -> None:
        """Fill `dst` with this plane scaled by `scale` and moved by (tx, ty): dst(x, y) shows the plane at
        ((x - tx) / scale, (y - ty) / scale), as `cv2.warpAffine` would."""
        h, w = dst.shape
        # cv2.resize samples the output pixel x at x0 + (x + 0.5) / scale - 0.5 of its input: solve for x0.
        origin = []
        for t in (tx, ty):
            start = -t / scale - 0.5 / scale + 0.5
            whole = int(np.floor(start))
            step = round((start - whole) * self.steps)
            if step == self.steps:
                whole, step = whole + 1, 0
            origin.append((whole, step))
        (x0, jx), (y0, jy) = origin
        source = self.copy(jx, jy)
        # The input's size sets the output's: round(rw * scale) == w, so the plane is scaled straight into the
        # frame. Its last column and row then blend with a repeat of their own edge rather than the next pixel
        # (a fraction of one step, at the frame's edge): the price of not scaling a larger image and copying.
        rw, rh = int((w + 0.5) / scale), int((h + 0.5) / scale)
        if (round(rw * scale), round(rh * scale)) != (w, h):  # a rounding tie: scale a larger image and copy
            rw, rh = rw + 2, rh + 2
        x0, y0 = x0 + _PAD, y0 + _PAD
        roi = source[max(y0, 0) : y0 + rh, max(x0, 0) : x0 + rw]
        if roi.shape != (rh, rw):  # a view past the padding (never a photo clip's): repeat the edge, as warps do
            top, left = max(-y0, 0), max(-x0, 0)
            bottom, right = rh - top - roi.shape[0], rw - left - roi.shape[1]
            roi = cv2.copyMakeBorder(roi, top, bottom, left, right, cv2.BORDER_REPLICATE)
        scaled = cv2.resize(roi, None, dst=dst, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        if scaled is not dst:  # OpenCV made a new image (another size): copy what the frame shows
            dst[:] = scaled[:h, :w]


class Canvas:
    """A photo's canvas as yuv420p planes, ready to be zoomed into frames (see the module's note)."""

    def __init__(self, planes: Planes) -> None:
        self.planes = planes
        self._y = _ShiftedPlane(planes.y, SUBPIXEL_STEPS)
        self._cb = _ShiftedPlane(planes.cb, SUBPIXEL_STEPS)
        self._cr = _ShiftedPlane(planes.cr, SUBPIXEL_STEPS)

    @classmethod
    def from_rgb(cls, rgb: np.ndarray) -> Canvas:
        return cls(Planes.from_rgb(rgb))

    @property
    def size(self) -> tuple[int, int]:
        return self.planes.size

    def zoomed(
        self,
        scale: float,
        tx: float,
        ty: float,
        size: tuple[int, int],
        *,
        out: np.ndarray | None = None,
        columns: tuple[int, int] | None = None,
    ) -> np.ndarray:
        """A yuv420p frame of `size` showing the canvas scaled by `scale` and moved by (tx, ty) pixels.

        Chroma samples sit at the centre of their 2×2 luma block, so on the half-size planes the same
        mapping moves by (t + (scale - 1) / 2) / 2.

        Args:
            scale, tx, ty: frame pixel (x, y) shows the canvas at ((x - tx) / scale, (y - ty) / scale).
            size: the frame's (width, height).
            out: the yuv420p buffer to draw into (None: a new one).
            columns: (first, stop), both even: only these columns of the frame are drawn (a slide's part);
                None: all of them.
        """
        if out is None:
            out = np.empty(i420_size(size), np.uint8)
        first, stop = columns or (0, size[0])
        if first >= stop:
            return out
        y, cb, cr = plane_views(out, size)
        # The drawn columns are a frame of their own whose pixel 0 is the frame's column `first`.
        self._y.scaled_into(y[:, first:stop], scale, tx - first, ty)
        tcx, tcy = (tx + (scale - 1) / 2) / 2 - first // 2, (ty + (scale - 1) / 2) / 2
        self._cb.scaled_into(cb[:, first // 2 : stop // 2], scale, tcx, tcy)
        self._cr.scaled_into(cr[:, first // 2 : stop // 2], scale, tcx, tcy)
        return out


def crossfade(a: np.ndarray, b: np.ndarray, p: float) -> np.ndarray:
    """`a` fading into `b` (yuv420p buffers of one size) at progress `p` in 0..1: a new buffer."""
    return cv2.addWeighted(a, 1.0 - p, b, p, 0.0).reshape(-1)


def slide_offset(offset: int, width: int) -> int:
    """A slide's offset taken to even pixels within the frame, so the chroma planes move by whole samples."""
    return min(max(offset - offset % 2, 0), width)


def copy_columns(dst: np.ndarray, src: np.ndarray, size: tuple[int, int], to: int, start: int, width: int) -> None:
    """Copy `width` columns of yuv420p `src` from column `start` into `dst` at column `to` (all even)."""
    for plane_dst, plane_src, k in zip(plane_views(dst, size), plane_views(src, size), (1, 2, 2), strict=True):
        plane_dst[:, to // k : (to + width) // k] = plane_src[:, start // k : (start + width) // k]


def slide(a: np.ndarray, b: np.ndarray, offset: int, size: tuple[int, int]) -> np.ndarray:
    """`a` pushed `offset` pixels to the left by `b` coming in from the right (yuv420p buffers): a new buffer.

    The offset is taken to even pixels (`slide_offset`).
    """
    w = size[0]
    off = slide_offset(offset, w)
    out = np.empty_like(a)
    copy_columns(out, a, size, 0, off, w - off)
    copy_columns(out, b, size, w - off, 0, off)
    return out
