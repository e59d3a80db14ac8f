"""Frames in the encoder's own form: yuv420p (BT.601 limited range), made plane by plane.

A frame is one flat uint8 buffer: the Y plane at full size, then Cb and Cr at half size each way, exactly as
x264 takes it, so ffmpeg converts nothing and the pipe carries half the bytes of RGB. A photo's canvas is
converted once (`Planes`); each frame is then three `cv2.warpAffine` calls, Y at full size and the two chroma
planes at a quarter of the pixels: a quarter cheaper than warping RGB and converting every frame. Zooms,
crossfades and alpha blends are linear, so doing them on the planes gives the picture RGB compositing would.
Chroma is the mean of each 2×2 block (as ffmpeg's swscale makes it), not one sample of it as OpenCV's own
RGB→I420 conversion takes (coloured text would get jagged edges).
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
_WARP = {"flags": cv2.INTER_LINEAR, "borderMode": cv2.BORDER_REPLICATE}


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

    def zoomed(self, scale: float, tx: float, ty: float, size: tuple[int, int]) -> np.ndarray:
        """A yuv420p frame of `size` showing these planes scaled by `scale` and moved by (tx, ty) pixels.

        Chroma samples sit at the centre of their 2×2 luma block, so on the half-size planes the same
        mapping moves by (t + (scale - 1) / 2) / 2.
        """
        w, h = size
        out = np.empty(i420_size(size), np.uint8)
        y, cb, cr = plane_views(out, size)
        luma = np.float32([[scale, 0, tx], [0, scale, ty]])
        chroma = np.float32([[scale, 0, (tx + (scale - 1) / 2) / 2], [0, scale, (ty + (scale - 1) / 2) / 2]])
        cv2.warpAffine(self.y, luma, (w, h), dst=y, **_WARP)
        cv2.warpAffine(self.cb, chroma, (w // 2, h // 2), dst=cb, **_WARP)
        cv2.warpAffine(self.cr, chroma, (w // 2, h // 2), dst=cr, **_WARP)
        return out


def crossfade(a: np.ndarray, b: np.ndarray, p: float) -> np.ndarray:
    """`a` fading into `b` (yuv420p buffers of one size) at progress `p` in 0..1: a new buffer."""
    return cv2.addWeighted(a, 1.0 - p, b, p, 0.0).reshape(-1)


def slide(a: np.ndarray, b: np.ndarray, offset: int, size: tuple[int, int]) -> np.ndarray:
    """`a` pushed `offset` pixels to the left by `b` coming in from the right (yuv420p buffers): a new buffer.

    The offset is taken to even pixels, so the chroma planes move by whole samples with the luma.
    """
    w = size[0]
    off = min(max(offset - offset % 2, 0), w)
    out = np.empty_like(a)
    for plane_out, plane_a, plane_b, o in zip(
        plane_views(out, size), plane_views(a, size), plane_views(b, size), (off, off // 2, off // 2), strict=True
    ):
        width = plane_out.shape[1]
        plane_out[:, : width - o] = plane_a[:, o:]
        plane_out[:, width - o :] = plane_b[:, :o]
    return out
