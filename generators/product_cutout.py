"""Cut a product out of its photo: studio shots get a real segmentation, busy photos a clean rounded crop.

One implementation for every surface that needs a product on its own: the Amazon white-background main image
(export) and the flat-lays of outfit pairing. It is classical computer vision (OpenCV), so it needs no model
weights and works on a fresh install:

1. The backdrop is modelled from the photo's border as a smooth colour surface (a quadratic per Lab channel,
   fitted robustly so a product touching the edge does not bend it): the paper's light fall-off is in it.
2. Each pixel's distance from that surface, with darkening discounted (a drop shadow is the backdrop, only
   darker), is thresholded (Otsu, floored): the regions far from the backdrop are the product, and enclosed
   regions that match it (a bag's handle loop) stay backdrop. A flood fill from the border was tried first and
   leaked through products' lit edges, which shade towards the paper's colour.
3. GrabCut refines a band around that boundary with colour models of product and backdrop, which settles the
   anti-aliased edge; far inside stays product, far outside stays backdrop (a white sneaker on off-white
   paper would otherwise be eaten by the backdrop's colour model).

Every cut-out says how sure it is and why not (border not a backdrop, product touching the frame, a faint
edge, fill and GrabCut disagreeing): an uncertain cut-out is flagged, never presented as clean.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PIL import Image, ImageOps

WORK_SIDE = 512  # segmentation runs at this size; the mask is scaled back to the photo's size
UNCERTAIN_BELOW = 0.6  # confidence under which a cut-out is flagged uncertain
MIN_AREA, MAX_AREA = 0.02, 0.92  # plausible share of the frame for a product shot
BUSY_RESIDUAL = 5.0  # median Lab distance of the border from its own smooth fit above which it is not a backdrop
SHADOW_DISCOUNT = 0.3  # weight of "darker than the backdrop" in the distance: shadows are darker paper
MIN_THRESHOLD = 7.0  # Lab distance under which a pixel is always backdrop (camera grain, paper texture)
BAND = 6  # pixels (at WORK_SIDE) either side of the fill's boundary that GrabCut may relabel
MIN_EDGE_CONTRAST = 8.0  # mean Lab distance across the product's edge below which the edge is faint


class CutoutMethod(StrEnum):
    """How the product was separated from its photo."""

    SEGMENTED = "segmented"  # backdrop fill + GrabCut
    TRANSPARENT = "transparent"  # the photo's own alpha channel
    CROP = "crop"  # busy background: a rounded crop of the photo, flagged


@dataclass(frozen=True)
class Cutout:
    """A product separated from its photo.

    Attributes:
        image: RGBA at the photo's own (upright) size; alpha is the product.
        mask: float32 alpha in [0, 1], same size as `image`.
        box: the product's bounding box (left, top, right, bottom) in `image` pixels.
        confidence: 0..1; below `UNCERTAIN_BELOW` the cut-out is uncertain.
        method: how it was made.
        warnings: why it is uncertain, in words a marketer can act on.
    """

    image: Image.Image
    mask: np.ndarray
    box: tuple[int, int, int, int]
    confidence: float
    method: CutoutMethod
    warnings: tuple[str, ...] = ()

    @property
    def uncertain(self) -> bool:
        return self.confidence < UNCERTAIN_BELOW or self.method is CutoutMethod.CROP


def cut_out(photo: Image.Image, *, refine: bool = True) -> Cutout:
    """Separate the product from `photo` (any mode; EXIF orientation applied).

    Args:
        photo: a product photo: a studio shot on a plain backdrop, a transparent PNG, or anything else.
        refine: settle the outline with GrabCut. Callers that need only where the product is (its box) may
            skip it: the box usually moves by a few pixels, and the cut-out costs about a quarter.

    Returns:
        The cut-out with its confidence; a busy photo gives a rounded crop flagged as uncertain.
    """
    import cv2

    im = ImageOps.exif_transpose(photo)
    if _has_transparency(im):
        rgba = im.convert("RGBA")
        mask = np.asarray(rgba, np.float32)[..., 3] / 255.0
        return _finish(rgba.convert("RGB"), mask, 1.0, CutoutMethod.TRANSPARENT, [])
    rgb = im.convert("RGB")
    full = np.asarray(rgb)
    h, w = full.shape[:2]
    scale = WORK_SIDE / max(h, w)
    small = cv2.resize(full, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (3, 3), 0).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    model, residual = _backdrop_model(lab)
    if residual > BUSY_RESIDUAL:
        return _rounded_crop(rgb, "the background is not a plain backdrop; used a rounded crop of the photo")
    distance = _backdrop_distance(lab, model)
    product = _close_small_holes(distance > _threshold(distance))
    border_bg = 1.0 - _border(product).mean()
    refined, agreement = _grabcut(small, product) if refine else (product, 1.0)
    refined = _largest_parts(refined)
    warnings: list[str] = []
    confidence = 1.0
    area = refined.mean()
    if not MIN_AREA <= area <= MAX_AREA:
        warnings.append(f"the product fills {area:.0%} of the photo; the cut-out may have missed it")
        confidence = min(confidence, 0.3)
    if border_bg < 0.9:
        warnings.append("the product touches the photo's edge; part of it may be cut off")
        confidence = min(confidence, 0.5)
    contrast = _edge_contrast(lab, refined)
    if contrast < MIN_EDGE_CONTRAST:
        warnings.append("the product's edge barely differs from the backdrop; check the outline")
        confidence = min(confidence, 0.4 + 0.02 * contrast)
    if agreement < 0.8:  # GrabCut moved a fifth of the outline: the backdrop fit and the colours disagree
        warnings.append("the outline was hard to settle; check the cut-out")
        confidence = min(confidence, agreement - 0.3)
    alpha = cv2.GaussianBlur(refined.astype(np.float32), (3, 3), 0)  # a soft 1-px edge instead of stairs
    mask = np.clip(cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR), 0.0, 1.0)
    return _finish(rgb, mask, round(float(confidence), 3), CutoutMethod.SEGMENTED, warnings)


def on_white(cutout: Cutout, side: int = 2000, fill: float = 0.85) -> Image.Image:
    """The product centred on pure white (RGB 255) in a square of `side` pixels, filling `fill` of it.

    Amazon's main-image rule: a pure white background with the product filling about 85 % of the frame.
    """
    left, top, right, bottom = cutout.box
    item = cutout.image.crop((left, top, right, bottom))
    target = max(1, round(side * fill))
    factor = target / max(item.width, item.height)
    item = item.resize(
        (max(1, round(item.width * factor)), max(1, round(item.height * factor))), Image.Resampling.LANCZOS
    )
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(item, ((side - item.width) // 2, (side - item.height) // 2), item)
    return canvas


def _has_transparency(im: Image.Image) -> bool:
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        alpha = np.asarray(im.convert("RGBA"))[..., 3]
        return bool((alpha < 250).mean() > 0.01)
    return False


def _border(a: np.ndarray, width: int = 2) -> np.ndarray:
    return np.concatenate([a[:width].ravel(), a[-width:].ravel(), a[:, :width].ravel(), a[:, -width:].ravel()])


def _backdrop_model(lab: np.ndarray, strip: float = 0.04) -> tuple[np.ndarray, float]:
    """A quadratic colour surface fitted to the border strip, and the border's median distance from it."""
    h, w = lab.shape[:2]
    k = max(2, round(strip * min(h, w)))
    on_border = np.zeros((h, w), bool)
    on_border[:k], on_border[-k:], on_border[:, :k], on_border[:, -k:] = True, True, True, True
    ys, xs = np.nonzero(on_border)
    basis = _quadratic_basis(xs / w, ys / h)
    values = lab[ys, xs]
    keep = np.ones(len(xs), bool)
    for _ in range(3):  # refit without the worst fifth: a product touching the edge must not bend the paper
        coef = _least_squares(basis[keep], values[keep])
        err = np.linalg.norm(basis @ coef - values, axis=1)
        keep = err <= np.quantile(err, 0.8)
    # The surface term by term over the grid: a BLAS product of the whole grid's basis left OpenBLAS's worker
    # thread spinning for ~0.1 s after each cut-out (CPU that a video render's encoder needs).
    x, y = (np.arange(w) / w)[None, :, None], (np.arange(h) / h)[:, None, None]
    model = coef[0] + coef[1] * x + coef[2] * y + coef[3] * x * x + coef[4] * x * y + coef[5] * y * y
    return model.astype(np.float32), float(np.median(err))


def _least_squares(basis: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Coefficients minimising |basis @ coef - values|, from the 6x6 normal equations.

    np.linalg.lstsq (LAPACK's SVD solver) left OpenBLAS's worker thread spinning for ~0.1 s after each call,
    three calls a cut-out: CPU a video render's encoder needs. The quadratic basis on [0, 1] is well
    conditioned (cond ~40), so the normal equations agree with it to ~1e-10 Lab units.
    """
    gram = np.einsum("ni,nj->ij", basis, basis)  # einsum's own loops: no BLAS threads woken
    return np.linalg.solve(gram, np.einsum("ni,nc->ic", basis, values))


def _quadratic_basis(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1).astype(np.float64)


def _backdrop_distance(lab: np.ndarray, model: np.ndarray) -> np.ndarray:
    """Lab distance from the backdrop surface; getting darker counts for little (shadows)."""
    d = lab - model
    light = np.where(d[..., 0] < 0, d[..., 0] * SHADOW_DISCOUNT, d[..., 0])
    return np.sqrt(light**2 + d[..., 1] ** 2 + d[..., 2] ** 2)


def _threshold(distance: np.ndarray) -> float:
    """Otsu's threshold on the distance map, never below `MIN_THRESHOLD`."""
    import cv2

    scaled = np.clip(distance * 4.0, 0, 255).astype(np.uint8)  # 0.25 Lab units per level, up to 64
    otsu, _ = cv2.threshold(scaled, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return max(MIN_THRESHOLD, float(otsu) / 4.0)


def _close_small_holes(product: np.ndarray) -> np.ndarray:
    """Fill specks inside the product that match the backdrop (a white print); keep real openings."""
    import cv2

    m = cv2.morphologyEx(product.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    holes = (1 - m).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=4)
    h, w = m.shape
    fill = np.zeros(count, bool)
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        touches = x == 0 or y == 0 or x + bw == w or y + bh == h
        fill[i] = not touches and area < 0.002 * m.size
    return m.astype(bool) | fill[labels]


def _grabcut(small: np.ndarray, product: np.ndarray) -> tuple[np.ndarray, float]:
    """GrabCut in a band around the boundary; returns the refined mask and its IoU with the input."""
    import cv2

    if not product.any():
        return product, 0.0
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * BAND + 1, 2 * BAND + 1))
    inner = cv2.erode(product.astype(np.uint8), kernel).astype(bool)
    outer = cv2.dilate(product.astype(np.uint8), kernel).astype(bool)
    gc = np.full(product.shape, cv2.GC_BGD, np.uint8)
    gc[outer] = cv2.GC_PR_BGD
    gc[product] = cv2.GC_PR_FGD
    gc[inner] = cv2.GC_FGD
    if (gc == cv2.GC_FGD).sum() < 16 or (gc == cv2.GC_BGD).sum() < 16:
        return product, 1.0
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut's GMM initialisation is random: the same photo gives the same cut-out
    cv2.grabCut(small, gc, None, bgd, fgd, 3, cv2.GC_INIT_WITH_MASK)
    refined = (gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD)
    union = (refined | product).sum()
    return refined, float((refined & product).sum() / union) if union else 1.0


def _largest_parts(mask: np.ndarray) -> np.ndarray:
    """Drop specks: keep connected parts of at least a tenth of the largest (a pair of shoes stays two)."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(count, bool)
    keep[1:] = areas >= 0.1 * areas.max()
    return keep[labels]


def _edge_contrast(lab: np.ndarray, mask: np.ndarray) -> float:
    """Mean Lab distance between the colours just inside and just outside the product's edge."""
    import cv2

    m = mask.astype(np.uint8)
    kernel = np.ones((5, 5), np.uint8)
    inside = m.astype(bool) & ~cv2.erode(m, kernel).astype(bool)
    outside = cv2.dilate(m, kernel).astype(bool) & ~m.astype(bool)
    if not inside.any() or not outside.any():
        return 0.0
    return float(np.linalg.norm(lab[inside].mean(axis=0) - lab[outside].mean(axis=0)))


def _rounded_crop(rgb: Image.Image, reason: str) -> Cutout:
    """The photo inset by 3 % with rounded corners: a tidy tile for a flat-lay, never a clean cut-out."""
    from PIL import ImageDraw

    w, h = rgb.size
    inset, radius = round(0.03 * min(w, h)), round(0.08 * min(w, h))
    shape = Image.new("L", (w, h), 0)
    ImageDraw.Draw(shape).rounded_rectangle((inset, inset, w - inset - 1, h - inset - 1), radius, fill=255)
    mask = np.asarray(shape, np.float32) / 255.0
    return _finish(rgb, mask, 0.2, CutoutMethod.CROP, [reason])


def _finish(rgb: Image.Image, mask: np.ndarray, confidence: float, method: CutoutMethod, warnings: list) -> Cutout:
    alpha = Image.fromarray((mask * 255 + 0.5).astype(np.uint8))
    rgba = rgb.convert("RGBA")
    rgba.putalpha(alpha)
    ys, xs = np.nonzero(mask > 0.5)
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1) if xs.size else (0, 0, *rgb.size)
    return Cutout(rgba, mask.astype(np.float32), box, confidence, method, tuple(warnings))
