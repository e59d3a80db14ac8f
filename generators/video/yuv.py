"""Frames in the encoder's colour space: BT.601 limited-range YCbCr, handed to x264 as yuv420p.

Frames are composed as 3-channel images in OpenCV's channel order (Y, Cr, Cb), already in the limited range
x264 stores. Zooms, crossfades and alpha blends are linear, so composing here gives the same picture as
composing in RGB and converting afterwards; it saves a full-frame colour conversion per frame, and the
encoder gets yuv420p with no conversion of its own (ffmpeg's swscale RGB→yuv420p cost about as much CPU as
x264's chroma work here). Chroma is averaged over each 2×2 block, as swscale does, not point-sampled as
OpenCV's own RGB→I420 conversion does (coloured text would get jagged edges).
"""

from __future__ import annotations

import cv2
import numpy as np

# OpenCV's YCrCb is full range (JPEG); the lookup tables squeeze it into video range (Y 16–235, C 16–240).
_LEVELS = np.arange(256, dtype=np.float64)
_TO_LIMITED = np.dstack(
    [16 + _LEVELS * 219 / 255, 128 + (_LEVELS - 128) * 224 / 255, 128 + (_LEVELS - 128) * 224 / 255]
)
_TO_LIMITED = np.clip(np.round(_TO_LIMITED), 0, 255).astype(np.uint8)
_TO_FULL = np.dstack([(_LEVELS - 16) * 255 / 219, 128 + (_LEVELS - 128) * 255 / 224, 128 + (_LEVELS - 128) * 255 / 224])
_TO_FULL = np.clip(np.round(_TO_FULL), 0, 255).astype(np.uint8)


def from_rgb(rgb: np.ndarray) -> np.ndarray:
    """An RGB uint8 image as limited-range YCrCb (uint8, same shape)."""
    return cv2.LUT(cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb), _TO_LIMITED)


def from_bgr(bgr: np.ndarray) -> np.ndarray:
    """A BGR uint8 image (as OpenCV decodes video) as limited-range YCrCb."""
    return cv2.LUT(cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb), _TO_LIMITED)


def to_rgb(ycc: np.ndarray) -> np.ndarray:
    """A limited-range YCrCb image back to RGB uint8 (for the poster)."""
    return cv2.cvtColor(cv2.LUT(ycc, _TO_FULL), cv2.COLOR_YCrCb2RGB)


def i420_size(size: tuple[int, int]) -> int:
    """Bytes of one yuv420p frame of (width, height); both must be even."""
    w, h = size
    return w * h * 3 // 2


def to_i420(ycc: np.ndarray) -> np.ndarray:
    """A YCrCb frame (even sides) as one yuv420p buffer: the Y plane, then Cb and Cr at half size each way."""
    h, w = ycc.shape[:2]
    quarter = (h // 2) * (w // 2)
    out = np.empty(h * w + 2 * quarter, np.uint8)
    half = cv2.resize(ycc, (w // 2, h // 2), interpolation=cv2.INTER_AREA)  # an exact 2×2 mean
    planes = [
        out[: h * w].reshape(h, w),
        out[h * w : h * w + quarter].reshape(h // 2, w // 2),
        out[h * w + quarter :].reshape(h // 2, w // 2),
    ]
    cv2.extractChannel(ycc, 0, dst=planes[0])
    cv2.mixChannels([half], planes[1:], [2, 0, 1, 1])  # Cb first, then Cr
    return out
