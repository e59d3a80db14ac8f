"""Flat-lay recipes for bottoms, a dress, shoes, a bag and accessories. Coordinates are working pixels (1200²)."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from studio.samples.paint import (
    Fabric,
    band,
    catmull_rom,
    ellipse_mask,
    fabric,
    mirror,
    polygon_mask,
    random_folds,
    stroke_mask,
)
from studio.samples.scene import Scene, offset_line, transform

CX = 600.0


def trousers(sc: Scene, color, *, denim: bool) -> None:
    """Five-pocket jeans (denim) or chinos (cotton twill): waistband, belt loops, fly, slant pockets."""
    kind = Fabric.DENIM if denim else Fabric.TWILL
    thread = (0.82, 0.56, 0.26) if denim else tuple(c * 0.8 for c in color)
    right = [
        (CX, 470),
        (606, 520),
        (640, 1125),
        (640, 1125),
        (812, 1125),
        (812, 1125),
        (842, 620),
        (828, 232),
        (828, 232),
        (CX, 232),
    ]
    legs = mirror(right[:-1], CX)
    creases = random_folds(sc.rng, (420, 560, 780, 1060), 6, math.pi / 2, 0.25, 240)
    creases += [([(545, 480), (490, 560), (470, 650)], 50, -0.35), ([(655, 480), (710, 560), (730, 650)], 50, -0.35)]
    creases += [([(x, 700), (x + d, 800)], 40, -0.35) for x, d in ((720, 20), (690, 30), (480, -20), (510, -30))]
    sc.part(polygon_mask(sc.wh, legs), kind, color, creases=creases, puff=26)
    sc.seam([(CX, 236), (CX, 470)], depth=0.8)
    sc.stitch([(640, 240), (640, 420), (618, 462), (604, 470)], thread)
    for sgn in (1, -1):
        p = lambda x, y, s=sgn: (CX + s * (x - CX), y)  # noqa: E731
        sc.seam([p(748, 236), p(790, 300), p(834, 390)], depth=1.0)
        sc.stitch([p(738, 240), p(780, 304), p(830, 398)], thread)
        sc.stitch([p(652, 1110), p(808, 1110)], thread)
        sc.seam([p(842, 640), p(815, 1110)], depth=0.5)
        if denim:
            sc.button(*p(836, 396), 6, (0.72, 0.55, 0.32), metal=True)
    wb = [(370, 170), (830, 170), (830, 170), (832, 240), (832, 240), (368, 240), (368, 240), (370, 170)]
    sc.part(polygon_mask(sc.wh, wb, smooth=False), kind, color, puff=10, overlap_shadow=0.25)
    sc.stitch([(376, 182), (824, 182)], thread)
    sc.stitch([(376, 228), (824, 228)], thread)
    for x in (400, 505, 695, 800):
        loop = polygon_mask(sc.wh, [(x - 11, 162), (x + 11, 162), (x + 11, 255), (x - 11, 255)], smooth=False)
        sc.part(loop, kind, color, puff=5, overlap_shadow=0.5)
    sc.button(640, 205, 17, (0.72, 0.55, 0.32) if denim else (0.35, 0.28, 0.2), metal=denim)


def _floral(sc: Scene, base, shape) -> np.ndarray:
    """A scattered flower print on a cotton ground."""
    h, w = shape
    img = Image.new("RGB", (w, h), tuple(int(c * 255) for c in base))
    d = ImageDraw.Draw(img)
    rng = sc.rng
    petals = [(250, 250, 245), (244, 170, 185), (250, 214, 120), (236, 120, 140)]
    for _ in range(420):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(9, 20)
        for k in range(2):  # two leaves
            a = rng.uniform(0, 2 * math.pi) + k * math.pi
            lx, ly = x + math.cos(a) * r * 1.3, y + math.sin(a) * r * 1.3
            d.ellipse((lx - r * 0.55, ly - r * 0.3, lx + r * 0.55, ly + r * 0.3), fill=(86, 140, 96))
        col = petals[int(rng.integers(len(petals)))]
        for k in range(5):
            a = k * 2 * math.pi / 5 + rng.uniform(0, 1)
            px, py = x + math.cos(a) * r * 0.6, y + math.sin(a) * r * 0.6
            d.ellipse((px - r * 0.5, py - r * 0.5, px + r * 0.5, py + r * 0.5), fill=col)
        d.ellipse((x - r * 0.25, y - r * 0.25, x + r * 0.25, y + r * 0.25), fill=(240, 190, 70))
    field = np.asarray(img, dtype=np.float32) / 255.0
    weave = fabric(Fabric.POPLIN, (1.0, 1.0, 1.0), shape, rng)
    return field * weave


def summer_dress(sc: Scene, color) -> None:
    """Sleeveless floral dress: thin straps, fitted bodice, waist seam, flared skirt."""
    right = [
        (CX, 300),
        (652, 262),
        (676, 246),
        (700, 240),
        (730, 300),
        (700, 420),
        (694, 520),
        (760, 700),
        (930, 1075),
        (CX, 1110),
    ]
    field = _floral(sc, color, sc.shape)
    creases = random_folds(sc.rng, (420, 640, 780, 1040), 6, math.pi / 2, 0.3, 300)
    creases += [([(x, 560), (x + (x - CX) * 0.4, 1060)], 60, -0.4) for x in (520, 600, 680)]
    for sgn in (1, -1):
        p = lambda x, y, s=sgn: (CX + s * (x - CX), y)  # noqa: E731
        strap = band([p(690, 246), p(680, 160), p(664, 96)], 16)
        sc.part(polygon_mask(sc.wh, strap), Fabric.POPLIN, color, puff=5, color_field=field)
    sc.part(polygon_mask(sc.wh, mirror(right, CX)), Fabric.POPLIN, color, creases=creases, puff=26, color_field=field)
    sc.seam([(506, 520), (CX, 528), (694, 520)], depth=1.0)
    sc.stitch([(506, 510), (CX, 518), (694, 510)], (0.95, 0.95, 0.92), dash=7, gap=5, width=2)
    sc.seam([(CX, 310), (CX, 515)], depth=0.6)


def handbag(sc: Scene, color) -> None:
    """Structured leather tote: two top handles, flap with a gold clasp, edge stitching."""
    thread = (0.32, 0.30, 0.28)
    gold = (0.86, 0.68, 0.34)
    for dx, shade in ((34, 0.75), (0, 1.0)):
        handle = band([(440 + dx, 540), (455 + dx, 330), (CX + dx, 240), (745 + dx, 330), (760 + dx, 540)], 38)
        sc.part(
            polygon_mask(sc.wh, handle),
            Fabric.LEATHER,
            tuple(c * shade for c in color),
            puff=10,
            sheen=0.35,
            overlap_shadow=0.4,
        )
    body = [(310, 520), (890, 520), (890, 520), (960, 1010), (960, 1010), (240, 1010), (240, 1010), (310, 520)]
    sc.part(
        polygon_mask(sc.wh, body),
        Fabric.LEATHER,
        color,
        puff=40,
        sheen=0.45,
        creases=[([(300, 900), (600, 930), (900, 900)], 60, -0.3)],
    )
    sc.stitch([(320, 540), (880, 540), (938, 990), (262, 990), (320, 540)], thread, dash=9, gap=5)
    for x0, y0, x1, y1 in ((440, 540, 440, 600), (760, 540, 760, 600)):
        tab = polygon_mask(sc.wh, [(x0 - 22, y0 - 30), (x0 + 22, y0 - 30), (x1 + 22, y1), (x1 - 22, y1)], smooth=False)
        sc.part(tab, Fabric.LEATHER, color, puff=6, sheen=0.4, overlap_shadow=0.5)
        sc.button(x1, y1 - 18, 9, gold, metal=True)
    flap = [(300, 516), (900, 516), (900, 516), (880, 690), (CX, 780), (320, 690), (300, 516)]
    sc.part(polygon_mask(sc.wh, flap), Fabric.LEATHER, color, puff=22, sheen=0.45, overlap_shadow=0.6)
    sc.stitch([(326, 540), (874, 540), (860, 676), (CX, 758), (340, 676), (326, 540)], thread, dash=9, gap=5)
    clasp = polygon_mask(
        sc.wh, [(560, 738), (640, 738), (640, 738), (640, 800), (640, 800), (560, 800), (560, 800), (560, 738)]
    )
    sc.part(clasp, Fabric.METAL, gold, puff=8, sheen=0.9, overlap_shadow=0.6)
    sc.tint(ellipse_mask(sc.wh, CX, 769, 14, 14), 0.72)


def _sneaker(sc: Scene, dx: float, dy: float, angle: float, canvas, flip: bool = False) -> None:
    def t(pts):
        pts = [(700 - x, y) for x, y in pts] if flip else pts
        return transform(pts, dx, dy, angle, 1.12, (350, 180))

    sole_line = [(34, 290), (400, 292), (700, 284)]
    upper = [
        (30, 255),
        (28, 120),
        (55, 60),
        (150, 48),
        (212, 88),
        (290, 62),
        (318, 28),
        (372, 42),
        (392, 86),
        (470, 128),
        (560, 160),
        (640, 178),
        (690, 195),
        (718, 222),
        (724, 252),
        (724, 252),
        (30, 255),
        (30, 255),
    ]
    toe = [(560, 165), (650, 180), (700, 200), (722, 235), (724, 258), (724, 258), (540, 258), (540, 258), (515, 215)]
    rubber = (0.96, 0.95, 0.92)
    sc.part(
        polygon_mask(sc.wh, t(upper)),
        Fabric.CANVAS,
        canvas,
        puff=28,
        scale=0.8,
        creases=[(t([(430, 150), (470, 200), (480, 240)]), 26, -0.4)],
    )
    sc.part(polygon_mask(sc.wh, t(toe)), Fabric.RUBBER, rubber, puff=18, sheen=0.3, overlap_shadow=0.3)
    sole_m = stroke_mask(sc.wh, [t(sole_line)], 72 * 1.12)
    sc.part(sole_m, Fabric.RUBBER, rubber, puff=6, sheen=0.2, overlap_shadow=0.5)
    stripe = band([(14, 272), (360, 274), (724, 266)], 12)
    sc.part(polygon_mask(sc.wh, t(stripe)) * sole_m, Fabric.RUBBER, (0.16, 0.24, 0.48), puff=3, overlap_shadow=0.0)
    sc.seam(t([(30, 302), (600, 312), (712, 296)]), depth=0.6)
    sc.stitch(t([(70, 64), (62, 240)]), (0.6, 0.6, 0.58), dash=8, gap=5)
    sc.stitch(t([(212, 98), (300, 76), (400, 106), (480, 146), (560, 174)]), (0.6, 0.6, 0.58), dash=8, gap=5)
    eyelets = [(250 + i * 48, 86 + i * 19) for i in range(5)]
    for ex, ey in eyelets:
        ((cx, cy),) = t([(ex, ey)])
        sc.button(cx, cy, 7, (0.75, 0.75, 0.78), metal=True)
    lace = (0.98, 0.98, 0.97)
    for i, (ex, ey) in enumerate(eyelets[:-1]):
        nx, ny = eyelets[i + 1]
        line = t([(ex, ey - 2), ((ex + nx) / 2 + 6, (ey + ny) / 2 - 24), (nx, ny - 2)])
        sc.part(stroke_mask(sc.wh, [line], 11), Fabric.TWILL, lace, puff=4, overlap_shadow=0.5)
    bow = t([(250, 84), (215, 40), (180, 30)])
    sc.part(stroke_mask(sc.wh, [bow], 11), Fabric.TWILL, lace, puff=4, overlap_shadow=0.5)


def sneakers(sc: Scene, color) -> None:
    """A pair of low-top canvas sneakers, one slightly behind the other."""
    _sneaker(sc, 260, 240, -8, color)
    _sneaker(sc, 170, 560, -3, color)


def scarf(sc: Scene, color) -> None:
    """A wool scarf folded in half, both tails laid side by side, fringed ends and contrast stripes."""
    fringe_col = tuple(c * 0.9 for c in color)
    tails = [
        [(430, 200), (400, 420), (390, 700), (420, 980)],
        [(560, 190), (600, 430), (650, 700), (720, 960)],
    ]
    for k, tail in enumerate(tails):
        end = tail[-1]
        rng = sc.rng
        fr = []
        for i in range(26):
            s = (i / 25 - 0.5) * 200
            ang = math.atan2(tail[-1][1] - tail[-2][1], tail[-1][0] - tail[-2][0])
            bx, by = end[0] - math.sin(ang) * s, end[1] + math.cos(ang) * s
            ln = rng.uniform(55, 75)
            wig = rng.normal(0, 6)
            fr.append(
                [
                    (bx, by),
                    (bx + math.cos(ang) * ln * 0.5 + wig, by + math.sin(ang) * ln * 0.5),
                    (bx + math.cos(ang) * ln + wig * 1.5, by + math.sin(ang) * ln),
                ]
            )
        sc.part(stroke_mask(sc.wh, fr, 7), Fabric.WOOL, fringe_col, puff=3, scale=0.4)
        creases = random_folds(sc.rng, (tail[1][0] - 60, 300, tail[1][0] + 60, 900), 4, math.pi / 2, 0.2, 250)
        sc.part(
            polygon_mask(sc.wh, band(tail, 210)),
            Fabric.WOOL,
            color,
            puff=24,
            scale=0.8,
            creases=creases,
            overlap_shadow=0.45 if k else 0.0,
        )
        a, b = tail[-2], tail[-1]
        for f0, f1 in ((0.70, 0.76), (0.82, 0.86)):
            seg = [
                (a[0] + (b[0] - a[0]) * f0, a[1] + (b[1] - a[1]) * f0),
                (a[0] + (b[0] - a[0]) * f1, a[1] + (b[1] - a[1]) * f1),
            ]
            m = polygon_mask(sc.wh, band(seg, 206)) * polygon_mask(sc.wh, band(tail, 210))
            sc.tint(m, 0.55)
    fold = [(322, 260), (328, 190), (380, 150), (520, 138), (640, 150), (672, 200), (676, 262)]
    sc.part(
        polygon_mask(sc.wh, fold),
        Fabric.WOOL,
        color,
        puff=14,
        scale=0.8,
        overlap_shadow=0.4,
        creases=[([(380, 230), (500, 200), (640, 228)], 50, -0.4)],
    )


def belt(sc: Scene, color) -> None:
    """A leather belt laid in a gentle S with a brass buckle, keeper, holes and edge stitching."""
    line = [(200, 560), (380, 420), (620, 470), (800, 640), (980, 600), (1070, 450)]
    sc.part(
        polygon_mask(sc.wh, band(line, 78)),
        Fabric.LEATHER,
        color,
        puff=10,
        sheen=0.35,
        creases=[([(600, 520), (640, 600)], 30, -0.5)],
    )
    thread = tuple(min(1.0, c * 1.6 + 0.1) for c in color)
    c = catmull_rom(line, closed=False, samples=20)
    sc.stitch(offset_line(c, 28)[8:-6], thread, dash=8, gap=5)
    sc.stitch(offset_line(c, -28)[8:-6], thread, dash=8, gap=5)
    n = len(c)
    for i in range(5):
        x, y = c[int(n * (0.78 + i * 0.035))]
        sc.tint(ellipse_mask(sc.wh, x, y, 6, 6), 0.25)
    brass = (0.83, 0.66, 0.32)
    bx, by = 185, 570
    outer = transform([(-70, -70), (50, -70), (50, 70), (-70, 70)], bx, by, -36)
    inner = transform([(-50, -50), (30, -50), (30, 50), (-50, 50)], bx, by, -36)
    frame = np.clip(
        polygon_mask(sc.wh, [p for q in outer for p in (q, q)])
        - polygon_mask(sc.wh, [p for q in inner for p in (q, q)]),
        0,
        1,
    )
    sc.part(frame, Fabric.METAL, brass, puff=6, sheen=1.0, overlap_shadow=0.6)
    prong = transform([(-55, 0), (20, 0)], bx, by, -36)
    sc.part(stroke_mask(sc.wh, [prong], 10, smooth=False), Fabric.METAL, brass, puff=3, sheen=1.0, overlap_shadow=0.6)
    ((kx, ky),) = [c[int(n * 0.12)]]
    keeper = band(transform([(0, -50), (0, 50)], kx, ky, -30), 22)
    sc.part(
        polygon_mask(sc.wh, keeper),
        Fabric.LEATHER,
        tuple(v * 0.9 for v in color),
        puff=5,
        sheen=0.3,
        overlap_shadow=0.6,
    )
