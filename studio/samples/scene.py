"""A flat-lay studio scene: seamless backdrop, layered product parts with relief shading, soft drop shadow."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image

from studio.samples.paint import (
    RGB,
    Fabric,
    Point,
    blur,
    dashed,
    ellipse_mask,
    fabric,
    fbm,
    folds,
    relief_shade,
    smoothstep,
)


def transform(
    pts: Sequence[Point],
    dx: float = 0.0,
    dy: float = 0.0,
    angle_deg: float = 0.0,
    scale: float = 1.0,
    origin: Point = (0.0, 0.0),
) -> list[Point]:
    """Rotate and scale points about `origin`, then move them."""
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    ox, oy = origin
    out = []
    for x, y in pts:
        x, y = (x - ox) * scale, (y - oy) * scale
        out.append((ox + x * ca - y * sa + dx, oy + x * sa + y * ca + dy))
    return out


def offset_line(line: Sequence[Point], d: float) -> list[Point]:
    """A polyline moved sideways by d (left of the direction of travel when d > 0)."""
    out = []
    for i, (x, y) in enumerate(line):
        a, b = line[max(0, i - 1)], line[min(len(line) - 1, i + 1)]
        dx, dy = b[0] - a[0], b[1] - a[1]
        n = math.hypot(dx, dy) or 1.0
        out.append((x - dy / n * d, y + dx / n * d))
    return out


class Scene:
    """Paints one product shot at `size` pixels; `finish()` returns the downscaled photo.

    Args:
        size: working resolution (square).
        seed: seeds every random choice (noise, folds), so a render is reproducible.
        backdrop: colour of the seamless paper.
    """

    def __init__(self, size: int = 1200, seed: int = 0, backdrop: RGB = (0.93, 0.92, 0.90)) -> None:
        self.size = size
        self.rng = np.random.default_rng(seed)
        self.backdrop = backdrop
        self.rgb = np.zeros((size, size, 3), np.float32)
        self.alpha = np.zeros((size, size), np.float32)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.size, self.size)

    @property
    def wh(self) -> tuple[int, int]:
        return (self.size, self.size)

    def part(
        self,
        mask: np.ndarray,
        kind: Fabric,
        color: RGB,
        *,
        puff: float = 30.0,
        creases: Sequence[tuple[Sequence[Point], float, float]] = (),
        sheen: float = 0.0,
        scale: float = 1.0,
        relief: float = 1.0,
        color_field: np.ndarray | None = None,
        overlap_shadow: float = 0.35,
    ) -> None:
        """Paint one piece of the product over what is already there, with its own puffy relief."""
        field = color_field if color_field is not None else fabric(kind, color, self.shape, self.rng, scale)
        height = blur(mask, puff) * puff * 0.6 + folds(self.shape, creases)
        shade, spec = relief_shade(height * relief, sheen=sheen)
        lit = np.clip(field * shade[..., None] + spec[..., None], 0, 1)
        if overlap_shadow > 0:
            # The piece sits on top of what is below it: a thin soft shadow where it overlaps.
            under = np.roll(blur(mask, 5), (5, 3), axis=(0, 1)) * self.alpha * (1 - mask)
            self.rgb *= (1 - overlap_shadow * np.clip(under * 1.5, 0, 1))[..., None]
        self.rgb = self.rgb * (1 - mask[..., None]) + lit * mask[..., None]
        self.alpha = np.maximum(self.alpha, mask)

    def tint(self, mask: np.ndarray, factor: float) -> None:
        """Darken (< 1) or lighten (> 1) an area already painted, e.g. the inside of a neckline."""
        self.rgb *= (1 + (factor - 1) * mask)[..., None]
        np.clip(self.rgb, 0, 1, out=self.rgb)

    def stitch(
        self, line: Sequence[Point], color: RGB, *, dash: float = 10, gap: float = 6, width: float = 2.4
    ) -> None:
        """A row of thread stitches with a faint shadow on the fabric."""
        m = dashed(self.wh, line, dash, gap, width) * self.alpha
        self.tint(np.roll(blur(m, 1.2), (1, 1), axis=(0, 1)) * 0.6, 0.75)
        self.rgb = self.rgb * (1 - m[..., None]) + np.array(color, np.float32) * m[..., None]

    def seam(self, line: Sequence[Point], depth: float = 0.8, width: float = 10) -> None:
        """A sewn seam: a narrow crease with the fabric slightly raised either side."""
        h = folds(self.shape, [(line, width, -depth)])
        shade, _ = relief_shade(h)
        self.rgb *= (1 + (shade - 1) * self.alpha)[..., None]
        np.clip(self.rgb, 0, 1, out=self.rgb)

    def button(self, cx: float, cy: float, r: float, color: RGB, *, holes: int = 4, metal: bool = False) -> None:
        """A round button: domed, with thread holes or (metal) a stamped centre."""
        m = ellipse_mask(self.wh, cx, cy, r, r)
        self.part(
            m,
            Fabric.METAL if metal else Fabric.RUBBER,
            color,
            puff=r * 0.5,
            sheen=0.8 if metal else 0.3,
            overlap_shadow=0.6,
        )
        if holes and not metal:
            for k in range(holes):
                a = math.pi / 4 + k * 2 * math.pi / holes
                self.tint(
                    ellipse_mask(self.wh, cx + math.cos(a) * r * 0.32, cy + math.sin(a) * r * 0.32, r * 0.11, r * 0.11),
                    0.45,
                )
        elif metal:
            ring = ellipse_mask(self.wh, cx, cy, r * 0.72, r * 0.72) - ellipse_mask(self.wh, cx, cy, r * 0.6, r * 0.6)
            self.tint(np.clip(ring, 0, 1), 0.7)

    def silhouette(self, angle: float = 0.0, out: int = 800) -> np.ndarray:
        """The product's true outline in the photo `finish(angle, out)` makes: a bool mask of out × out.

        Segmentation is tested against it: the renderer is the only source of ground truth for a cut-out.
        """
        img = Image.fromarray((self.alpha * 255 + 0.5).astype(np.uint8))
        if angle:
            img = img.rotate(angle, resample=Image.Resampling.BICUBIC, center=(self.size / 2, self.size / 2))
        return np.asarray(img.resize((out, out), Image.Resampling.LANCZOS)) >= 128

    def _backdrop(self) -> np.ndarray:
        s = self.size
        y, x = np.mgrid[0:s, 0:s].astype(np.float32) / s
        sweep = 1.035 - 0.07 * y  # paper curving away from the key light
        r = np.sqrt((x - 0.48) ** 2 + (y - 0.44) ** 2)
        vignette = 1 - 0.16 * smoothstep(0.3, 0.85, r)
        paper = (
            1
            + 0.012 * (fbm(s, s, 140, self.rng, 3) - 0.5)
            + 0.006 * self.rng.standard_normal((s, s)).astype(np.float32)
        )
        return np.clip(np.array(self.backdrop, np.float32) * (sweep * vignette * paper)[..., None], 0, 1)

    def finish(self, angle: float = 0.0, out: int = 800, crop: tuple[float, float, float] | None = None) -> Image.Image:
        """Rotate the product a little, lay it on the backdrop with a soft shadow, and downscale.

        Args:
            angle: rotation of the product in degrees (counter-clockwise).
            out: output edge in pixels.
            crop: (cx, cy, half) in working pixels for a detail close-up instead of the full frame.
        """
        rgba = np.dstack([self.rgb, self.alpha])
        img = Image.fromarray((rgba * 255 + 0.5).astype(np.uint8))  # 4 channels: RGBA
        if angle:
            img = img.rotate(angle, resample=Image.Resampling.BICUBIC, center=(self.size / 2, self.size / 2))
        arr = np.asarray(img, dtype=np.float32) / 255.0
        item, a = arr[..., :3], arr[..., 3]
        bg = self._backdrop()
        # Key light from the upper left: a wide soft shadow down-right plus a tight contact shadow.
        far = blur(np.roll(a, (22, 14), axis=(0, 1)), 26) * 0.30
        near = blur(np.roll(a, (4, 3), axis=(0, 1)), 5) * 0.28
        bg *= (1 - np.clip(far + near, 0, 0.6))[..., None]
        comp = bg * (1 - a[..., None]) + item * a[..., None]
        # A touch of grain over everything, as a camera sensor would add.
        comp += 0.008 * self.rng.standard_normal(comp.shape[:2]).astype(np.float32)[..., None]
        photo = Image.fromarray((np.clip(comp, 0, 1) * 255 + 0.5).astype(np.uint8))  # 3 channels: RGB
        if crop:
            cx, cy, half = crop
            photo = photo.crop((int(cx - half), int(cy - half), int(cx + half), int(cy + half)))
        return photo.resize((out, out), Image.Resampling.LANCZOS)
