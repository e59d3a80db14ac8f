"""Text and logo overlays: rendered once into RGBA sprites with PIL, alpha-blended into frames with OpenCV.

Rendering text per frame would cost far more than the encoder's time per frame; a sprite is drawn once per
overlay, turned once into a yuv420p `Layer`, and only its box in each plane is touched when it is shown.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from generators.video import yuv

# The CJK font ships in a registry package (Noto Sans CJK, SIL OFL 1.1); located by its files only, so the
# package's own module (a rinohtype plug-in) is never imported.
CJK_PACKAGE = "rinoh_typeface_notosanscjk"
CJK_PACKAGE_FILES = ("notosanscjkjp-bold.otf", "notosanscjkjp-regular.otf")
SYSTEM_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
LATIN_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def _package_font(package: str, names: tuple[str, ...]) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for name in names:
            if (Path(folder) / name).is_file():
                return Path(folder) / name
    return None


@cache
def font_path(cjk: bool) -> Path | None:
    """The font file for text that needs CJK glyphs (`cjk`) or only Latin ones; None: PIL's own default."""
    candidates: list[Path | None] = []
    if cjk:
        candidates.append(_package_font(CJK_PACKAGE, CJK_PACKAGE_FILES))
        candidates.extend(Path(p) for p in SYSTEM_CJK_FONTS)
    candidates.extend(Path(p) for p in LATIN_FONTS)
    if not cjk:  # a CJK font covers Latin too
        candidates.append(_package_font(CJK_PACKAGE, CJK_PACKAGE_FILES))
    return next((p for p in candidates if p is not None and p.is_file()), None)


def needs_cjk(text: str) -> bool:
    """Whether `text` has characters outside Latin fonts' reach (CJK ideographs, kana, hangul, full-width)."""
    return any(ord(ch) >= 0x2E80 for ch in text)


@cache
def load_font(size: int, cjk: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_path(cjk)
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


@dataclass(frozen=True)
class Sprite:
    """A premultiplied RGBA picture placed at (x, y) of the frame."""

    x: int
    y: int
    rgb: np.ndarray  # float32 [h, w, 3], premultiplied by alpha
    alpha: np.ndarray  # float32 [h, w, 1] in 0..1

    @property
    def height(self) -> int:
        return self.alpha.shape[0]

    @property
    def width(self) -> int:
        return self.alpha.shape[1]

    @classmethod
    def from_image(cls, image: Image.Image, x: int, y: int) -> Sprite:
        arr = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
        alpha = arr[..., 3:4]
        return cls(x, y, arr[..., :3] * alpha * 255.0, alpha)


def blend(frame: np.ndarray, sprite: Sprite, opacity: float = 1.0) -> None:
    """Draw `sprite` over `frame` (uint8 RGB, in place), clipped to the frame."""
    fh, fw = frame.shape[:2]
    x0, y0 = max(sprite.x, 0), max(sprite.y, 0)
    x1, y1 = min(sprite.x + sprite.width, fw), min(sprite.y + sprite.height, fh)
    if x0 >= x1 or y0 >= y1 or opacity <= 0:
        return
    sx, sy = x0 - sprite.x, y0 - sprite.y
    a = sprite.alpha[sy : sy + y1 - y0, sx : sx + x1 - x0]
    rgb = sprite.rgb[sy : sy + y1 - y0, sx : sx + x1 - x0]
    roi = frame[y0:y1, x0:x1]
    if opacity < 1.0:
        a, rgb = a * opacity, rgb * opacity
    roi[:] = (roi * (1.0 - a) + rgb + 0.5).astype(np.uint8)


@dataclass(frozen=True)
class _PlaneLayer:
    """One plane's part of a layer: premultiplied values and alpha as uint8, at (x, y) of that plane."""

    x: int
    y: int
    value: np.ndarray
    alpha: np.ndarray
    inverse: np.ndarray  # 255 - alpha: what is left of the frame under full opacity

    @classmethod
    def of(cls, x: int, y: int, value: np.ndarray, alpha: np.ndarray) -> _PlaneLayer:
        """From straight `value` and `alpha` in 0..1 (float arrays of one shape)."""
        a8 = np.clip(alpha * 255 + 0.5, 0, 255).astype(np.uint8)
        return cls(x, y, np.clip(value * alpha + 0.5, 0, 255).astype(np.uint8), a8, 255 - a8)

    def draw(self, plane: np.ndarray, opacity: float) -> None:
        ph, pw = plane.shape
        h, w = self.alpha.shape
        x0, y0, x1, y1 = max(self.x, 0), max(self.y, 0), min(self.x + w, pw), min(self.y + h, ph)
        if x0 >= x1 or y0 >= y1:
            return
        part = np.s_[y0 - self.y : y1 - self.y, x0 - self.x : x1 - self.x]
        value, inverse = self.value[part], self.inverse[part]
        if opacity < 1.0:  # fading: the premultiplied value and the alpha scale together
            value = cv2.convertScaleAbs(value, alpha=opacity)
            inverse = cv2.convertScaleAbs(self.alpha[part], alpha=-opacity, beta=255)
        roi = plane[y0:y1, x0:x1]
        cv2.add(cv2.multiply(roi, inverse, scale=1 / 255), value, dst=roi)


@dataclass(frozen=True)
class Layer:
    """A sprite ready to draw into yuv420p frames every frame: per plane, premultiplied uint8 values and
    alpha, so a draw is two OpenCV passes over the sprite's box in each plane (no float arrays per frame).

    The sprite is placed on even pixels (a transparent row or column added where needed) so its chroma lines
    up with the frame's 2×2 chroma blocks; its chroma and alpha are the means of those blocks.
    """

    x: int
    y: int
    planes: tuple[_PlaneLayer, _PlaneLayer, _PlaneLayer]  # Y, Cb, Cr

    @classmethod
    def from_sprite(cls, sprite: Sprite) -> Layer:
        """`sprite` as a layer for yuv420p frames."""
        left, top = sprite.x % 2, sprite.y % 2
        h, w = sprite.height + top, sprite.width + left
        pad = ((top, h % 2), (left, w % 2), (0, 0))
        alpha = np.pad(sprite.alpha, pad).astype(np.float32)
        straight = np.where(alpha > 0, np.pad(sprite.rgb, pad) / np.maximum(alpha, 1e-6), 0.0)
        ycc = yuv.from_rgb(np.clip(straight + 0.5, 0, 255).astype(np.uint8)).astype(np.float32)
        x, y = sprite.x - left, sprite.y - top
        small = (alpha.shape[1] // 2, alpha.shape[0] // 2)
        alpha_c = cv2.resize(alpha, small, interpolation=cv2.INTER_AREA)  # 2×2 means
        premultiplied_c = cv2.resize(ycc * alpha, small, interpolation=cv2.INTER_AREA)
        chroma = np.where(alpha_c[..., None] > 0, premultiplied_c / np.maximum(alpha_c[..., None], 1e-6), 128.0)
        return cls(
            x,
            y,
            (
                _PlaneLayer.of(x, y, ycc[..., 0], alpha[..., 0]),
                _PlaneLayer.of(x // 2, y // 2, chroma[..., 2], alpha_c),
                _PlaneLayer.of(x // 2, y // 2, chroma[..., 1], alpha_c),
            ),
        )

    def draw(self, frame: np.ndarray, size: tuple[int, int], opacity: float = 1.0) -> None:
        """Blend the layer over a yuv420p `frame` of `size` (in place) at `opacity`, clipped to the frame."""
        if opacity <= 0:
            return
        for part, plane in zip(self.planes, yuv.plane_views(frame, size), strict=True):
            part.draw(plane, opacity)


def wrap(text: str, font: ImageFont.ImageFont, width: int) -> list[str]:
    """Lines of `text` that fit `width` pixels: by words, or by characters for CJK (no spaces to break at)."""
    units = list(text) if needs_cjk(text) else text.split()
    joiner = "" if needs_cjk(text) else " "
    lines: list[str] = []
    line = ""
    for unit in units:
        trial = f"{line}{joiner}{unit}" if line else unit
        if line and font.getlength(trial) > width:
            lines.append(line)
            line = unit.lstrip() if joiner == "" else unit
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def text_card(
    text: str,
    *,
    width: int,
    font_px: int,
    color: tuple[int, int, int] = (255, 255, 255),
    box: tuple[int, int, int, int] | None = (0, 0, 0, 150),
    max_lines: int = 3,
) -> Image.Image:
    """`text` wrapped to at most `width` pixels (ellipsis past `max_lines`) on a rounded translucent card."""
    font = load_font(max(font_px, 6), needs_cjk(text))
    pad = max(font_px // 2, 2)
    lines = wrap(text, font, max(width - 2 * pad, font_px))
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1].rstrip() + "…"]
    line_h = round(font_px * 1.3)
    text_w = max((font.getlength(line) for line in lines), default=0)
    card = Image.new("RGBA", (min(int(text_w) + 2 * pad, width), line_h * len(lines) + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(card)
    if box is not None:
        draw.rounded_rectangle((0, 0, card.width - 1, card.height - 1), radius=pad, fill=box)
    for i, line in enumerate(lines):
        draw.text((pad, pad + i * line_h), line, font=font, fill=(*color, 255))
    return card


def logo_sprite(path: Path, frame_size: tuple[int, int], safe: tuple[int, int, int, int]) -> Sprite:
    """The brand logo as a watermark in the safe area's top-right corner, about a sixth of the frame wide."""
    with Image.open(path) as im:
        logo = im.convert("RGBA")
    target_w = max(frame_size[0] // 6, 8)
    logo = logo.resize((target_w, max(round(logo.height * target_w / logo.width), 1)), Image.Resampling.LANCZOS)
    return Sprite.from_image(logo, safe[2] - logo.width, safe[1])
