"""Combine per-candidate scores into a ranking with reasons, dropping near-identical candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scoring.scores import ScoreKey

# Weights of the combined score; CLIP's share goes to the others when there is no image.
WEIGHTS = {ScoreKey.CLIP_SCORE: 0.35, ScoreKey.GROUNDING: 0.3, ScoreKey.BRAND: 0.15, ScoreKey.COMPLETENESS: 0.2}


@dataclass(frozen=True)
class ScoreParts:
    """One candidate's component scores, each 0..1 (clip None when no image or no scorer)."""

    clip: float | None
    grounding: float
    brand: float
    completeness: float = 1.0  # share of the platform's sections filled (bullets, description)


def combined_score(parts: ScoreParts) -> float:
    weights = dict(WEIGHTS)
    values = {
        ScoreKey.CLIP_SCORE: parts.clip,
        ScoreKey.GROUNDING: parts.grounding,
        ScoreKey.BRAND: parts.brand,
        ScoreKey.COMPLETENESS: parts.completeness,
    }
    if parts.clip is None:
        weights.pop(ScoreKey.CLIP_SCORE)
    total = sum(weights.values())
    return sum(w * float(values[k]) for k, w in weights.items()) / total


def near_duplicates(order: Sequence[int], similarity: Sequence[Sequence[float]], threshold: float) -> dict[int, int]:
    """Greedy in `order` (best first): candidate -> the better kept candidate it nearly repeats."""
    kept: list[int] = []
    dupes: dict[int, int] = {}
    for i in order:
        twin = next((k for k in kept if similarity[i][k] >= threshold), None)
        if twin is None:
            kept.append(i)
        else:
            dupes[i] = twin
    return dupes


def reason_for(parts: ScoreParts, best: ScoreParts, issues: int, fixes: Sequence[str], style: str = "") -> str:
    """A short human reason: what this candidate does well or badly relative to the best of each score.

    `style` names the style problems ranking charged for ("repeats itself (2), filler (1)").
    """
    bits = []
    if parts.clip is None:
        bits.append("CLIP not used")
    elif best.clip is not None and parts.clip >= best.clip - 1e-9:
        bits.append(f"best image match ({parts.clip:.3f})")
    else:
        bits.append(f"image match {parts.clip:.3f}")
    bits.append(
        "every fact checked"
        if issues == 0 and parts.grounding >= 1.0
        else f"grounding {parts.grounding:.2f} ({issues} flagged)"
    )
    bits.append("brand rules followed" if parts.brand >= 1.0 else f"brand rules repaired ({parts.brand:.2f})")
    if style:
        bits.append("style: " + style)
    if parts.completeness < 1.0:
        bits.append(f"incomplete ({parts.completeness:.0%} of sections filled)")
    if fixes:
        bits.append("fixed: " + "; ".join(fixes))
    return ", ".join(bits)
