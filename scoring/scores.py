"""Score scales (pure functions, no torch): CLIPScore and the 0–100 display scale used in the UI and reports."""

from __future__ import annotations

#: Hessel et al. 2021, "CLIPScore: A Reference-free Evaluation Metric for Image Captioning": w = 2.5.
CLIPSCORE_WEIGHT = 2.5


def clip_score(cos: float) -> float:
    """CLIPScore(c, v) = w * max(cos(c, v), 0) with w = 2.5 (Hessel et al. 2021)."""
    return CLIPSCORE_WEIGHT * max(float(cos), 0.0)


def clip_score_display(cos: float) -> float:
    """Text–image match on the 0–100 display scale: 100 × CLIPScore, capped at 100.

    CLIPScore 1.0 (cosine 0.4) is already an excellent match for CLIP, so typical good matches read 70–90.
    """
    return min(100.0, 100.0 * clip_score(cos))


def similarity_display(cos: float) -> float:
    """Image–image (or text–text) similarity on the 0–100 display scale: 100 × max(cos, 0)."""
    return min(100.0, 100.0 * max(float(cos), 0.0))


def distinctness_display(max_cos: float) -> float:
    """How different an item is from those ranked above it, 0–100 (100 = nothing similar above it)."""
    return min(100.0, max(0.0, 100.0 * (1.0 - float(max_cos))))
