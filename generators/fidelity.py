"""Fidelity guard: does a generated image still show *this* product? Colour (ΔE 2000) and CLIP likeness.

Shoppers return what does not look like its photo, and image generators drift: a red tee comes back coral,
navy denim comes back royal blue. Pairing and try-on compare the product's own photo (its cut-out) with the
region of the generated image where the product should be:

- **Colour**: the product's dominant colours (k-means in CIE Lab over the product's pixels, with their shares)
  are matched to the region's; the drift is the share-weighted CIEDE2000 distance. ΔE ≈ 2 is barely visible,
  ≈ 10 is a different shade that a shopper notices; past `MAX_DELTA_E` the candidate is flagged.
- **Likeness**: cosine similarity of the two CLIP image embeddings (optional: needs a scorer); a placeholder
  CLIP's number is meaningless, so it is recorded but never flags.

A flag lowers a candidate's rank and is shown on it; nothing is hidden silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

MAX_DELTA_E = 10.0  # share-weighted CIEDE2000 above which colours have drifted
MIN_CLIP_SIMILARITY = 0.75  # CLIP image-image cosine below which the product no longer looks like itself
DOMINANT_COLOURS = 3
SAMPLE_PIXELS = 4096  # pixels k-means looks at: enough for stable shares, fast at any image size


@dataclass(frozen=True)
class DominantColour:
    """One of a product's main colours: CIE Lab and the share of the product's pixels it covers."""

    lab: tuple[float, float, float]
    share: float

    @property
    def rgb(self) -> tuple[int, int, int]:
        from skimage.color import lab2rgb

        rgb = lab2rgb(np.array([[self.lab]], np.float64))[0, 0]
        return tuple(int(round(v * 255)) for v in np.clip(rgb, 0, 1))  # type: ignore[return-value]


@dataclass(frozen=True)
class FidelityReport:
    """How close a generated region is to the product photo, and the flags that follow."""

    delta_e: float
    clip_similarity: float | None
    reference: tuple[DominantColour, ...]
    observed: tuple[DominantColour, ...]
    flags: tuple[str, ...]
    clip_placeholder: bool = False

    @property
    def ok(self) -> bool:
        return not self.flags

    @property
    def score(self) -> float:
        """0..1 for ranking: 1 at ΔE 0, 0 at twice the threshold; CLIP likeness multiplies in when real."""
        colour = float(np.clip(1.0 - self.delta_e / (2 * MAX_DELTA_E), 0.0, 1.0))
        if self.clip_similarity is None or self.clip_placeholder:
            return colour
        return colour * float(np.clip(self.clip_similarity, 0.0, 1.0))

    def to_dict(self) -> dict:
        return {
            "delta_e": round(self.delta_e, 2),
            "clip_similarity": None if self.clip_similarity is None else round(self.clip_similarity, 4),
            "clip_placeholder": self.clip_placeholder,
            "reference_colours": [{"rgb": c.rgb, "share": round(c.share, 3)} for c in self.reference],
            "observed_colours": [{"rgb": c.rgb, "share": round(c.share, 3)} for c in self.observed],
            "flags": list(self.flags),
        }


def dominant_colours(image: Image.Image, mask: np.ndarray | None = None, k: int = DOMINANT_COLOURS) -> tuple:
    """The `k` main colours of `image` where `mask` > 0.5 (all pixels without a mask), largest share first."""
    import cv2
    from skimage.color import rgb2lab

    rgb = np.asarray(image.convert("RGB"), np.float64) / 255.0
    pixels = rgb.reshape(-1, 3)
    if mask is not None:
        keep = np.asarray(mask, np.float32).reshape(-1) > 0.5
        if keep.sum() >= k:
            pixels = pixels[keep]
    if len(pixels) > SAMPLE_PIXELS:  # evenly spread, not random: the same image gives the same colours
        pixels = pixels[np.linspace(0, len(pixels) - 1, SAMPLE_PIXELS).round().astype(int)]
    lab = rgb2lab(pixels.reshape(1, -1, 3)).reshape(-1, 3).astype(np.float32)
    k = max(1, min(k, len(np.unique(lab.round(1), axis=0))))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.2)
    cv2.setRNGSeed(0)
    _, labels, centres = cv2.kmeans(lab, k, None, criteria, 3, cv2.KMEANS_PP_CENTERS)
    shares = np.bincount(labels.ravel(), minlength=k) / len(labels)
    order = np.argsort(-shares)
    return tuple(DominantColour(tuple(float(v) for v in centres[i]), float(shares[i])) for i in order)


def colour_drift(reference: Sequence[DominantColour], observed: Sequence[DominantColour]) -> float:
    """Share-weighted CIEDE2000 from each reference colour to its closest observed colour."""
    from skimage.color import deltaE_ciede2000

    if not reference or not observed:
        return float("inf")
    ref = np.array([c.lab for c in reference], np.float64)
    obs = np.array([c.lab for c in observed], np.float64)
    distances = deltaE_ciede2000(ref[:, None, :], obs[None, :, :])  # [n_ref, n_obs]
    weights = np.array([c.share for c in reference])
    return float((distances.min(axis=1) * weights).sum() / weights.sum())


def check_fidelity(
    product: Image.Image,
    product_mask: np.ndarray | None,
    generated: Image.Image,
    region_mask: np.ndarray | None = None,
    *,
    scorer: object | None = None,
) -> FidelityReport:
    """Compare the product (its photo and cut-out mask) with the generated image's product region.

    Args:
        product: the product's photo.
        product_mask: the product's pixels in `product` (e.g. `Cutout.mask`); None uses the whole photo.
        generated: the generated image.
        region_mask: where the product should be in `generated` (the flat-lay's anchor box, the try-on mask);
            None uses the whole image.
        scorer: an `EmbeddingScorer` (CLIP) for image likeness; None skips it.
    """
    reference = dominant_colours(product, product_mask)
    observed = dominant_colours(generated, region_mask)
    delta_e = colour_drift(reference, observed)
    flags: list[str] = []
    if delta_e > MAX_DELTA_E:
        flags.append(f"colour drift: ΔE {delta_e:.1f} from the product photo (over {MAX_DELTA_E:g})")
    similarity, placeholder = None, False
    if scorer is not None:
        placeholder = bool(getattr(scorer, "placeholder", False))
        vectors = scorer.embed_images([_masked_crop(product, product_mask), _masked_crop(generated, region_mask)])
        similarity = float((vectors[0] * vectors[1]).sum())
        if not placeholder and similarity < MIN_CLIP_SIMILARITY:
            flags.append(f"looks unlike the product: CLIP likeness {similarity:.2f} (under {MIN_CLIP_SIMILARITY:g})")
    return FidelityReport(delta_e, similarity, reference, observed, tuple(flags), placeholder)


def _masked_crop(image: Image.Image, mask: np.ndarray | None) -> Image.Image:
    """The mask's bounding box of `image`, outside the mask filled with white (what CLIP should look at)."""
    rgb = image.convert("RGB")
    if mask is None:
        return rgb
    m = np.asarray(mask, np.float32) > 0.5
    ys, xs = np.nonzero(m)
    if not xs.size:
        return rgb
    arr = np.asarray(rgb).copy()
    arr[~m] = 255
    return Image.fromarray(arr).crop((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))


def box_mask(size: tuple[int, int], box: tuple[int, int, int, int]) -> np.ndarray:
    """A bool mask of `size` (width, height) that is True inside `box` (left, top, right, bottom)."""
    mask = np.zeros((size[1], size[0]), bool)
    left, top, right, bottom = box
    mask[top:bottom, left:right] = True
    return mask
