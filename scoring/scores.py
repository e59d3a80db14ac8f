"""Score names and scales (pure, no torch): the keys candidates store their scores under, CLIPScore, and the
0–100 display scale used in the UI and reports."""

from __future__ import annotations

from enum import StrEnum


class ScoreKey(StrEnum):
    """The names a candidate's scores are stored and read under, by every pipeline, the project and the studio.

    Writers use these members as dict keys and readers look them up the same way, so one spelling exists.
    """

    CLIP_SCORE = "clip_score"  # CLIPScore (Hessel et al. 2021, w = 2.5) of a text and its photo; copy caps it at 1
    GROUNDING = "grounding"  # 0..1: share of the copy's claims the catalog supports
    BRAND = "brand"  # 0..1: brand-kit rules followed (1) or repaired (less)
    COMPLETENESS = "completeness"  # 0..1: share of the platform's sections filled
    TOTAL = "total"  # 0..1: the combined ranking score of a candidate (copy, pairing images)
    FIDELITY = "fidelity"  # 0..1: a generated image keeps the product's colours and look (generators.fidelity)
    DISTINCTNESS = "distinctness"  # 0..1: how unlike the candidates ranked above it (1 = nothing similar)


#: Spellings older projects stored; the project schema migration rewrites them to the `ScoreKey` on the right.
LEGACY_SCORE_KEYS: dict[str, ScoreKey] = {"clip": ScoreKey.CLIP_SCORE, "clipscore": ScoreKey.CLIP_SCORE}

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
