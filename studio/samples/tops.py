"""Flat-lay recipes for tops: t-shirt, knit sweater, denim jacket, hoodie. Coordinates are working pixels (1200²)."""

from __future__ import annotations

import math

from studio.samples.paint import Fabric, band, mirror, polygon_mask, random_folds, stroke_mask
from studio.samples.scene import Scene, offset_line

CX = 600.0


def _body_folds(sc: Scene, box: tuple[float, float, float, float], n: int = 7) -> list:
    creases = random_folds(sc.rng, box, n, math.pi / 2, 0.5, 260)
    # Drape from the armpits towards the centre, as a shirt laid flat always shows.
    creases += [([(420, 440), (470, 530), (500, 640)], 56, -0.35), ([(780, 440), (735, 530), (705, 640)], 56, -0.35)]
    return creases


def _rib_band(sc: Scene, line, width: float, color, scale: float = 0.7) -> None:
    m = polygon_mask(sc.wh, band(line, width))
    sc.part(m, Fabric.KNIT, color, puff=width * 0.2, scale=scale, overlap_shadow=0.25)


def tshirt(sc: Scene, color) -> None:
    """Short-sleeved crew-neck tee in cotton jersey."""
    right = [
        (CX, 262),
        (680, 208),
        (690, 206),
        (850, 238),
        (1012, 400),
        (1012, 400),
        (926, 490),
        (926, 490),
        (832, 430),
        (846, 640),
        (862, 944),
        (862, 944),
        (CX, 956),
    ]
    body = mirror(right, CX)
    back_neck = [(690, 206), (CX, 186), (510, 206), (CX, 250)]
    sc.part(polygon_mask(sc.wh, back_neck), Fabric.JERSEY, tuple(c * 0.55 for c in color), puff=10)
    sc.part(polygon_mask(sc.wh, body), Fabric.JERSEY, color, creases=_body_folds(sc, (400, 500, 800, 900)), puff=36)
    _rib_band(sc, [(688, 208), (650, 250), (CX, 266), (550, 250), (512, 208)], 30, color)
    sc.seam([(690, 210), (848, 242)])
    sc.seam([(510, 210), (352, 242)])
    for sgn in (1, -1):
        p = lambda x, y, s=sgn: (CX + s * (x - CX), y)  # noqa: E731
        sc.seam([p(832, 432), p(850, 240)], depth=0.5)
        sc.stitch([p(993, 416), p(914, 476)], (0.55, 0.5, 0.5) if sum(color) > 1.5 else tuple(c * 0.8 for c in color))
        sc.stitch([p(990, 424), p(910, 484)], tuple(c * 0.8 for c in color))
    hem = [(850, 920), (720, 930), (CX, 934), (480, 930), (350, 920)]
    sc.stitch(hem, tuple(c * 0.78 for c in color))
    sc.stitch(offset_line(hem, -8), tuple(c * 0.78 for c in color))


def sweater(sc: Scene, color) -> None:
    """Crew-neck sweater in chunky rib knit with ribbed cuffs and hem."""
    right = [
        (CX, 268),
        (684, 205),
        (860, 238),
        (930, 330),
        (1040, 800),
        (1060, 904),
        (1060, 904),
        (955, 932),
        (955, 932),
        (925, 800),
        (845, 470),
        (840, 900),
        (842, 1040),
        (CX, 1046),
    ]
    body = mirror(right, CX)
    sc.part(
        polygon_mask(sc.wh, [(684, 205), (CX, 182), (516, 205), (CX, 250)]),
        Fabric.KNIT,
        tuple(c * 0.7 for c in color),
        puff=10,
    )
    creases = _body_folds(sc, (420, 520, 780, 940)) + [
        ([(900, 520), (950, 560), (985, 600)], 30, -1.0),
        ([(930, 650), (970, 690)], 26, -0.8),
        ([(300, 520), (250, 560), (215, 600)], 30, -1.0),
        ([(270, 650), (230, 690)], 26, -0.8),
    ]
    sc.part(polygon_mask(sc.wh, body), Fabric.KNIT, color, creases=creases, puff=44, scale=1.0)
    rib = tuple(c * 0.95 for c in color)
    _rib_band(sc, [(690, 206), (655, 252), (CX, 272), (545, 252), (510, 206)], 44, rib)
    for sgn in (1, -1):
        p = lambda x, y, s=sgn: (CX + s * (x - CX), y)  # noqa: E731
        cuff = [p(1048, 820), p(1058, 904), p(957, 930), p(934, 845)]
        sc.part(polygon_mask(sc.wh, cuff), Fabric.KNIT, rib, puff=8, scale=0.6, overlap_shadow=0.15)
        sc.seam([p(845, 470), p(862, 240)], depth=0.5)
    hem = [(842, 955), (842, 1040), (CX, 1046), (358, 1040), (358, 955), (CX, 962)]
    sc.part(polygon_mask(sc.wh, hem), Fabric.KNIT, rib, puff=8, scale=0.6, overlap_shadow=0.15)


def denim_jacket(sc: Scene, color) -> None:
    """Trucker-style denim jacket: point collar, button placket, flap chest pockets, copper stitching."""
    thread = (0.82, 0.56, 0.26)
    right = [
        (CX, 250),
        (690, 200),
        (860, 228),
        (920, 300),
        (1010, 760),
        (1021, 886),
        (1021, 886),
        (928, 900),
        (928, 900),
        (905, 760),
        (848, 470),
        (846, 985),
        (CX, 990),
    ]
    body = mirror(right, CX)
    sc.part(
        polygon_mask(sc.wh, [(690, 200), (CX, 175), (510, 200), (CX, 240)]),
        Fabric.DENIM,
        tuple(c * 0.6 for c in color),
        puff=10,
    )
    creases = _body_folds(sc, (420, 520, 780, 880), 5) + [
        ([(900, 560), (935, 600)], 26, -0.9),
        ([(300, 560), (265, 600)], 26, -0.9),
    ]
    sc.part(polygon_mask(sc.wh, body), Fabric.DENIM, color, creases=creases, puff=30)
    # Front opening and placket.
    sc.seam([(CX, 250), (CX, 985)], depth=1.2, width=8)
    sc.stitch([(630, 262), (630, 905)], thread)
    band_m = polygon_mask(sc.wh, [(350, 905), (850, 905), (848, 988), (352, 988)], smooth=False)
    sc.part(band_m, Fabric.DENIM, color, puff=12, overlap_shadow=0.2)
    sc.stitch([(355, 917), (845, 917)], thread)
    sc.stitch([(355, 976), (845, 976)], thread)
    for sgn in (1, -1):
        p = lambda x, y, s=sgn: (CX + s * (x - CX), y)  # noqa: E731
        pocket = [p(655, 400), p(790, 400), p(790, 560), p(722, 585), p(655, 560)]
        sc.seam([p(650, 372), p(730, 360), p(846, 372)], depth=0.8)
        sc.stitch([p(652, 380), p(844, 380)], thread)
        sc.part(polygon_mask(sc.wh, pocket, smooth=False), Fabric.DENIM, color, puff=10, overlap_shadow=0.15)
        sc.stitch([p(664, 410), p(781, 410), p(781, 552), p(722, 574), p(664, 552), p(664, 410)], thread)
        flap = [p(648, 396), p(797, 396), p(797, 450), p(722, 472), p(648, 450)]
        sc.part(polygon_mask(sc.wh, flap, smooth=False), Fabric.DENIM, color, puff=8, overlap_shadow=0.5)
        sc.stitch([p(656, 404), p(789, 404), p(789, 444), p(722, 463), p(656, 444)], thread)
        sc.button(p(722, 447)[0], 447, 13, (0.62, 0.52, 0.36), metal=True)
        sc.seam([p(848, 470), p(862, 232)], depth=0.6)
        cuff = [p(1008, 800), p(1021, 886), p(928, 900), p(912, 812)]
        sc.part(polygon_mask(sc.wh, cuff, smooth=False), Fabric.DENIM, color, puff=10, overlap_shadow=0.25)
        sc.stitch([p(1009, 812), p(917, 824)], thread)
        collar = [p(604, 248), p(690, 198), p(785, 222), p(730, 340), p(640, 300)]
        sc.part(polygon_mask(sc.wh, collar, smooth=False), Fabric.DENIM, color, puff=14, overlap_shadow=0.55)
        sc.stitch([p(690, 212), p(768, 230), p(726, 322), p(645, 290)], thread)
    for y in (300, 430, 560, 690, 820, 950):
        sc.button(CX + 18, y, 15, (0.62, 0.52, 0.36), metal=True)


def hoodie(sc: Scene, color) -> None:
    """Pullover hoodie in brushed fleece: hood, kangaroo pocket, drawcords, ribbed cuffs and hem."""
    hood = [(720, 240), (790, 150), (760, 70), (CX, 48), (440, 70), (410, 150), (480, 240)]
    sc.part(
        polygon_mask(sc.wh, hood),
        Fabric.FLEECE,
        color,
        puff=34,
        creases=[([(520, 90), (CX, 120), (680, 90)], 50, -0.4)],
    )
    sc.tint(polygon_mask(sc.wh, [(690, 225), (668, 170), (CX, 150), (532, 170), (510, 225), (CX, 272)]), 0.8)
    right = [
        (CX, 272),
        (680, 215),
        (850, 240),
        (930, 330),
        (1030, 800),
        (1050, 904),
        (1050, 904),
        (948, 928),
        (948, 928),
        (918, 800),
        (842, 480),
        (838, 900),
        (840, 1050),
        (CX, 1056),
    ]
    creases = _body_folds(sc, (420, 520, 780, 900), 5) + [
        ([(920, 540), (960, 580)], 28, -1.0),
        ([(280, 540), (240, 580)], 28, -1.0),
    ]
    sc.part(polygon_mask(sc.wh, mirror(right, CX)), Fabric.FLEECE, color, creases=creases, puff=44)
    rib = tuple(c * 0.93 for c in color)
    for sgn in (1, -1):
        p = lambda x, y, s=sgn: (CX + s * (x - CX), y)  # noqa: E731
        cuff = [p(1040, 820), p(1050, 904), p(950, 928), p(928, 845)]
        sc.part(polygon_mask(sc.wh, cuff), Fabric.KNIT, rib, puff=8, scale=0.5, overlap_shadow=0.15)
        sc.seam([p(842, 480), p(855, 242)], depth=0.5)
    hem = [(838, 965), (840, 1050), (CX, 1056), (360, 1050), (362, 965), (CX, 972)]
    sc.part(polygon_mask(sc.wh, hem), Fabric.KNIT, rib, puff=8, scale=0.5, overlap_shadow=0.15)
    pocket = [(460, 690), (740, 690), (790, 790), (800, 930), (400, 930), (410, 790)]
    sc.part(polygon_mask(sc.wh, pocket, smooth=False), Fabric.FLEECE, color, puff=16, overlap_shadow=0.2)
    sc.seam([(742, 694), (792, 792), (800, 925)], depth=1.0)
    sc.seam([(458, 694), (408, 792), (400, 925)], depth=1.0)
    sc.stitch([(468, 700), (732, 700)], tuple(c * 0.8 for c in color), dash=8, gap=5)
    cord = (0.93, 0.93, 0.91)
    for x0, x1 in ((565, 548), (635, 655)):
        line = [(x0, 262), (x0 + (x1 - x0) * 0.4, 400), (x1, 540)]
        sc.part(polygon_mask(sc.wh, band(line, 14)), Fabric.TWILL, cord, puff=5, overlap_shadow=0.5)
        tip = stroke_mask(sc.wh, [[(x1, 540), (x1 + (x1 - x0) * 0.1, 575)]], 11)
        sc.part(tip, Fabric.METAL, (0.7, 0.7, 0.72), puff=4, sheen=0.6, overlap_shadow=0.5)
        sc.tint(stroke_mask(sc.wh, [[(x0 - 1, 262), (x0 + 1, 263)]], 20), 0.5)
