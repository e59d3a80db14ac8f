"""What a ranking takes and gives: candidates, criteria, ranked candidates and the result with its provenance.

Plain frozen dataclasses and enums (no numpy, no torch), so callers can build a request or read a result without
loading the ranker in `scoring.ranking`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from generators.runtime.errors import VitrineError
from generators.runtime.provenance import Provenance


class RankingError(VitrineError, ValueError):
    """The ranking request cannot be carried out (e.g. nothing to compare the candidates with)."""


class Criterion(StrEnum):
    TEXT_CONSISTENCY = "text_consistency"
    SOURCE_FIDELITY = "source_fidelity"
    DIVERSITY = "diversity"


class Status(StrEnum):
    """Where a candidate ended up. Only SHOWN candidates are presented by default; none is deleted."""

    SHOWN = "shown"
    BELOW_THRESHOLD = "below_threshold"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True)
class Candidate:
    """One generated candidate: an image (path, bytes or PIL image) or a text. `id` names it in reasons."""

    id: str
    image: Any = None
    text: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def is_text(self) -> bool:
        return self.image is None

    @classmethod
    def from_path(cls, path: str | Path) -> Candidate:
        return cls(id=Path(path).name, image=Path(path))


@dataclass(frozen=True)
class RankCriteria:
    """What candidates are judged on, and how much each criterion weighs.

    Attributes:
        texts: prompt/copy/caption texts image candidates should match.
        source_image: the product image: fidelity reference for image candidates, and the image text
            candidates (captions) are judged against.
        text_weight: weight of text consistency.
        fidelity_weight: weight of source fidelity.
        diversity: MMR trade-off in [0, 1]: 0 ranks by relevance only, higher favours variety.
        duplicate_similarity: cosine at or above which a candidate duplicates one ranked above it (dropped).
        threshold: total score (0–100) below which candidates are hidden.
        verify_fp32: re-check close calls at the top with the fp32 model when a faster dtype is used.
    """

    texts: tuple[str, ...] = ()
    source_image: Any = None
    text_weight: float = 1.0
    fidelity_weight: float = 1.0
    diversity: float = 0.3
    duplicate_similarity: float = 0.98
    threshold: float = 0.0
    verify_fp32: bool = True

    def params(self) -> dict[str, Any]:
        src = self.source_image
        return {
            "texts": list(self.texts),
            "source_image": str(src) if isinstance(src, (str, Path)) else (None if src is None else "<image>"),
            "text_weight": self.text_weight,
            "fidelity_weight": self.fidelity_weight,
            "diversity": self.diversity,
            "duplicate_similarity": self.duplicate_similarity,
            "threshold": self.threshold,
            "verify_fp32": self.verify_fp32,
        }


@dataclass(frozen=True)
class RankedCandidate:
    """A candidate's place, scores (0–100 per criterion and total), raw cosines and a one-line reason."""

    candidate: Candidate
    position: int  # 1-based place in the returned order (shown first)
    status: Status
    total: float | None
    scores: dict[str, float]
    cosines: dict[str, float]
    clip_score: float | None  # Hessel CLIPScore (text consistency), when that criterion applies
    windowed: bool  # a text involved was longer than CLIP's context and scored over windows
    reason: str
    error: str | None = None

    @property
    def visible(self) -> bool:
        return self.status is Status.SHOWN


@dataclass(frozen=True)
class RankRequest:
    candidates: tuple[Candidate, ...]
    criteria: RankCriteria = RankCriteria()


@dataclass(frozen=True)
class RankResult:
    """Candidates in order: shown (best first), then hidden, then failed. Carries provenance."""

    items: tuple[RankedCandidate, ...]
    criteria: RankCriteria
    provenance: Provenance
    warnings: tuple[str, ...] = ()  # e.g. Chinese prompts given to an English-only CLIP

    @property
    def shown(self) -> list[RankedCandidate]:
        return [r for r in self.items if r.visible]

    @property
    def best(self) -> RankedCandidate | None:
        return self.shown[0] if self.shown else None

    @property
    def placeholder(self) -> bool:
        return self.provenance.placeholder
