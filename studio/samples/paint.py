"""Numpy + PIL painting primitives for the sample product shots: blur, noise, shapes, fabrics, lighting.

Everything works on float32 arrays in [0, 1] (masks HxW, colours HxWx3) and takes an explicit
`numpy.random.Generator`, so a render is a pure function of its seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import Enum

import numpy as np
from PIL import Image, ImageDraw

Point = tuple[float, float]
RGB = tuple[float, float, float]


def box_blur(a: np.ndarray, r: int) -> np.ndarray:
    """Separable box blur of radius r (edge-padded) on a 2-D array."""
    if r < 1:
        return a
    k = 2 * r + 1
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (r + 1, r)
        p = np.pad(a, pad, mode="edge").cumsum(axis=axis, dtype=np.float64)
        a = (p[k:] - p[:-k]) / k if axis == 0 else (p[:, k:] - p[:, :-k]) / k
    return a.astype(np.float32)


def blur(a: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian-like blur: three box passes (close to a Gaussian of the given sigma)."""
    if sigma <= 0.3:
        return a.astype(np.float32)
    r = max(1, int(round(math.sqrt(12 * sigma * sigma / 3 + 1) / 2)))
    out = a.astype(np.float32)
    for _ in range(3):
        out = box_blur(out, r)
    return out


def _resize_f(a: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(a.astype(np.float32)).resize(size, Image.Resampling.BICUBIC), dtype=np.float32)


def value_noise(h: int, w: int, cell: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth noise in [0, 1] with features about `cell` pixels wide."""
    gh, gw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
    return np.clip(_resize_f(rng.random((gh, gw), dtype=np.float32), (w, h)), 0.0, 1.0)


def fbm(h: int, w: int, cell: float, rng: np.random.Generator, octaves: int = 4) -> np.ndarray:
    """Fractal noise in roughly [0, 1]."""
    total, amp, norm = np.zeros((h, w), np.float32), 1.0, 0.0
    for i in range(octaves):
        total += amp * value_noise(h, w, max(1.5, cell / 2**i), rng)
        norm += amp
        amp *= 0.5
    return total / norm


def smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def catmull_rom(points: Sequence[Point], closed: bool = True, samples: int = 16) -> list[Point]:
    """A smooth curve through `points`; repeat a point to make a (softened) corner."""
    pts = list(points)
    n = len(pts)
    out: list[Point] = []
    segs = n if closed else n - 1
    for i in range(segs):
        p0 = pts[(i - 1) % n] if closed or i > 0 else pts[0]
        p1, p2 = pts[i], pts[(i + 1) % n]
        p3 = pts[(i + 2) % n] if closed or i + 2 < n else pts[-1]
        if p1 == p2:  # a repeated point is a corner: no curve between the copies (it would loop)
            out.append(p1)
            continue
        for s in range(samples):
            t = s / samples
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(
                    0.5
                    * (
                        2 * p1[k]
                        + (-p0[k] + p2[k]) * t
                        + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                        + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3
                    )
                    for k in (0, 1)
                )
            )
    if not closed:
        out.append(pts[-1])
    return out


def mirror(right_half: Sequence[Point], cx: float) -> list[Point]:
    """A symmetric outline: the right half (top to bottom) followed by its mirror image (bottom to top)."""
    left = [(2 * cx - x, y) for x, y in reversed(right_half)]
    return list(right_half) + left


def polygon_mask(size: tuple[int, int], pts: Sequence[Point], smooth: bool = True) -> np.ndarray:
    """A soft-edged mask of a closed outline (smoothed through its points when `smooth`)."""
    w, h = size
    poly = catmull_rom(pts) if smooth else list(pts)
    img = Image.new("L", (w * 2, h * 2), 0)
    ImageDraw.Draw(img).polygon([(x * 2, y * 2) for x, y in poly], fill=255)
    return np.asarray(img.resize((w, h), Image.Resampling.BOX), dtype=np.float32) / 255.0


def band(centerline: Sequence[Point], width: float | Sequence[float]) -> list[Point]:
    """Outline of a strip of the given width along a smooth centre line (straps, belts, handles, scarves)."""
    c = catmull_rom(centerline, closed=False, samples=20)
    widths = (
        [width] * len(c)
        if isinstance(width, int | float)
        else np.interp(np.linspace(0, 1, len(c)), np.linspace(0, 1, len(width)), width)
    )
    left, right = [], []
    for i, (x, y) in enumerate(c):
        a, b = c[max(0, i - 1)], c[min(len(c) - 1, i + 1)]
        dx, dy = b[0] - a[0], b[1] - a[1]
        n = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / n, dx / n
        hw = float(widths[i]) / 2
        left.append((x + nx * hw, y + ny * hw))
        right.append((x - nx * hw, y - ny * hw))
    return left + list(reversed(right))


def stroke_mask(
    size: tuple[int, int], lines: Sequence[Sequence[Point]], width: float, smooth: bool = True
) -> np.ndarray:
    """Mask of open polylines drawn with round joints."""
    w, h = size
    img = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(img)
    for line in lines:
        pts = catmull_rom(line, closed=False, samples=12) if smooth and len(line) > 2 else list(line)
        d.line(pts, fill=255, width=max(1, int(round(width))), joint="curve")
        r = width / 2
        for x, y in (pts[0], pts[-1]):
            d.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(img, dtype=np.float32) / 255.0


def dashed(size: tuple[int, int], line: Sequence[Point], dash: float, gap: float, width: float) -> np.ndarray:
    """Mask of a stitch line: short dashes along a smooth open curve."""
    w, h = size
    img = Image.new("L", (w * 2, h * 2), 0)
    d = ImageDraw.Draw(img)
    pts = catmull_rom(line, closed=False, samples=24) if len(line) > 2 else list(line)
    run, on, start = 0.0, True, pts[0]
    for a, b in zip(pts, pts[1:], strict=False):
        seg = math.dist(a, b)
        t = 0.0
        while seg > 0 and t < seg:
            left = (dash if on else gap) - run
            step = min(left, seg - t)
            t += step
            run += step
            p = (a[0] + (b[0] - a[0]) * t / seg, a[1] + (b[1] - a[1]) * t / seg)
            if run >= (dash if on else gap) - 1e-6:
                if on:
                    d.line([(start[0] * 2, start[1] * 2), (p[0] * 2, p[1] * 2)], fill=255, width=int(width * 2))
                on, run, start = not on, 0.0, p
    return np.asarray(img.resize((w, h), Image.Resampling.BOX), dtype=np.float32) / 255.0


def ellipse_mask(size: tuple[int, int], cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    w, h = size
    img = Image.new("L", (w * 2, h * 2), 0)
    ImageDraw.Draw(img).ellipse(((cx - rx) * 2, (cy - ry) * 2, (cx + rx) * 2, (cy + ry) * 2), fill=255)
    return np.asarray(img.resize((w, h), Image.Resampling.BOX), dtype=np.float32) / 255.0


class Fabric(Enum):
    """Surface textures the renderer knows."""

    JERSEY = "jersey"
    DENIM = "denim"
    KNIT = "knit"
    CANVAS = "canvas"
    LEATHER = "leather"
    FLEECE = "fleece"
    TWILL = "twill"
    WOOL = "wool"
    POPLIN = "poplin"
    RUBBER = "rubber"
    METAL = "metal"


def fabric(kind: Fabric, base: RGB, shape: tuple[int, int], rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
    """Colour field (HxWx3) of a material: base colour modulated by its weave, knit or grain."""
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    col = np.empty((h, w, 3), np.float32)
    col[:] = base
    lum = np.ones((h, w), np.float32)
    s = scale
    if kind is Fabric.DENIM:
        # Indigo warp over white weft in a 3/1 twill: diagonal ridges, plus vertical slub streaks.
        twill = 0.5 + 0.5 * np.sin((x + y) * 2 * math.pi / (6.0 * s))
        streak = _resize_f(rng.random((max(2, h // 120), w // 3), dtype=np.float32), (w, h))
        weft = np.clip(
            0.18 * twill + 0.22 * (streak - 0.5) + 0.05 * rng.standard_normal((h, w)).astype(np.float32), 0, 1
        )
        col = col * (1 - weft[..., None]) + np.array([0.78, 0.80, 0.86], np.float32) * weft[..., None]
        lum = 0.92 + 0.12 * twill
    elif kind is Fabric.TWILL:
        twill = np.sin((x + 0.6 * y) * 2 * math.pi / (5.0 * s))
        lum = 1 + 0.05 * twill + 0.04 * (fbm(h, w, 40 * s, rng, 3) - 0.5)
    elif kind is Fabric.KNIT or kind is Fabric.WOOL:
        # Columns of V-shaped loops: rib shading across, chevrons down each column.
        p, q = 16.0 * s, 12.0 * s
        u = (x % p) / p - 0.5
        v = y / q + np.abs(u) * 1.2
        loops = 0.5 + 0.5 * np.cos(2 * math.pi * v)
        rib = 0.5 + 0.5 * np.cos(2 * math.pi * u)
        lum = 0.78 + 0.16 * rib + 0.10 * loops * rib
        fuzz = 0.10 if kind is Fabric.WOOL else 0.05
        lum = lum + fuzz * (fbm(h, w, 6 * s, rng, 2) - 0.5) + 0.03 * rng.standard_normal((h, w)).astype(np.float32)
    elif kind is Fabric.CANVAS:
        weave = np.sin(x * 2 * math.pi / (4.0 * s)) * np.sin(y * 2 * math.pi / (4.0 * s))
        slub = fbm(h, w, 20 * s, rng, 3)
        lum = 1 + 0.035 * weave + 0.06 * (slub - 0.5) + 0.02 * rng.standard_normal((h, w)).astype(np.float32)
    elif kind is Fabric.JERSEY:
        wale = np.sin(x * 2 * math.pi / (5.0 * s))
        lum = (
            1
            + 0.03 * wale
            + 0.05 * (fbm(h, w, 30 * s, rng, 3) - 0.5)
            + 0.015 * rng.standard_normal((h, w)).astype(np.float32)
        )
    elif kind is Fabric.FLEECE:
        heather = rng.standard_normal((h, w)).astype(np.float32)
        lum = 1 + 0.06 * blur(heather, 0.8) + 0.05 * (fbm(h, w, 25 * s, rng, 3) - 0.5)
    elif kind is Fabric.POPLIN:
        lum = 1 + 0.02 * np.sin(y * 2 * math.pi / (3.0 * s)) + 0.03 * (fbm(h, w, 30 * s, rng, 3) - 0.5)
    elif kind is Fabric.LEATHER:
        # Pebble grain: ridged noise makes small cells with darker creases between them.
        n = fbm(h, w, 7 * s, rng, 2)
        ridge = 1 - np.abs(n - 0.5) * 2
        lum = 1 - 0.22 * smoothstep(0.75, 0.98, ridge) + 0.05 * (fbm(h, w, 60 * s, rng, 3) - 0.5)
    elif kind is Fabric.RUBBER:
        lum = 1 + 0.02 * (fbm(h, w, 10 * s, rng, 2) - 0.5)
    elif kind is Fabric.METAL:
        lum = 1 + 0.05 * np.sin(x * 0.02 + y * 0.03)
    return np.clip(col * lum[..., None], 0, 1)


def relief_shade(
    height: np.ndarray, light: Point = (-0.6, -0.8), strength: float = 5.0, sheen: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Diffuse shading and a specular term from a height field lit from the upper left."""
    gy, gx = np.gradient(height)
    nx, ny, nz = -gx * strength, -gy * strength, np.ones_like(height)
    norm = np.sqrt(nx * nx + ny * ny + nz * nz)
    lx, ly = light
    lz = 0.9
    ln = math.sqrt(lx * lx + ly * ly + lz * lz)
    diffuse = (nx * lx + ny * ly + nz * lz) / (norm * ln)
    shade = 0.55 + 0.5 * diffuse / (lz / ln)
    spec = np.zeros_like(height)
    if sheen > 0:
        # Blinn half-vector between the light and a viewer straight above.
        hx, hy, hz = lx / ln, ly / ln, lz / ln + 1
        hn = math.sqrt(hx * hx + hy * hy + hz * hz)
        spec = sheen * np.clip((nx * hx + ny * hy + nz * hz) / (norm * hn), 0, 1) ** 40
    return np.clip(shade, 0.2, 1.3).astype(np.float32), spec.astype(np.float32)


def folds(shape: tuple[int, int], strokes: Sequence[tuple[Sequence[Point], float, float]]) -> np.ndarray:
    """Height bumps along strokes: each is (centre line, width, amount); positive ridges, negative creases."""
    h, w = shape
    out = np.zeros((h, w), np.float32)
    for line, width, amount in strokes:
        m = stroke_mask((w, h), [line], max(2.0, width * 0.5))
        out += amount * width * 0.4 * blur(m, width * 0.45)
    return out


def random_folds(
    rng: np.random.Generator, box: tuple[float, float, float, float], n: int, angle: float, spread: float, length: float
) -> list[tuple[list[Point], float, float]]:
    """Gentle creases scattered in a box, mostly along `angle` (radians)."""
    x0, y0, x1, y1 = box
    out = []
    for _ in range(n):
        cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        a = angle + rng.normal(0, spread)
        ln = length * rng.uniform(0.5, 1.2)
        bend = rng.normal(0, ln * 0.12)
        dx, dy = math.cos(a) * ln / 2, math.sin(a) * ln / 2
        mid = (cx - dy / ln * bend * 2, cy + dx / ln * bend * 2)
        out.append(
            (
                [(cx - dx, cy - dy), mid, (cx + dx, cy + dy)],
                rng.uniform(34, 64),
                rng.choice([-1.0, 1.0]) * rng.uniform(0.25, 0.5),
            )
        )
    return out
