"""Requests, candidates and results of the copywriter pipeline (`generators.copywriter` re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from generators.product import Product
from generators.runtime.provenance import Provenance
from generators.words.attributes import AttributeSheet
from generators.words.constraints import BannedWordPolicy
from generators.words.copy_style import StyleIssue
from generators.words.grounding import GroundingIssue
from generators.words.parsing import CopyFields
from generators.words.presets import EMPTY_BRAND_KIT, BrandKit, Language, Platform, PlatformPreset


class GroundingPolicy(StrEnum):
    REJECT = "reject"  # a contradiction removes the candidate from the ranking
    FLAG = "flag"  # keep it, flagged and scored down


class CandidateStatus(StrEnum):
    RANKED = "ranked"
    FLAGGED = "flagged"  # ranked, but a person should look at the flags
    REJECTED = "rejected"  # contradicts the product data
    DROPPED = "dropped"  # unusable: banned word under DROP, no title, limits impossible
    DUPLICATE = "duplicate"  # nearly identical to a better candidate

    @property
    def shown(self) -> bool:
        return self in (CandidateStatus.RANKED, CandidateStatus.FLAGGED)


@dataclass(frozen=True)
class CopyRequest:
    """Everything needed to reproduce one copy job."""

    product: Product
    platform: Platform = Platform.AMAZON
    language: Language | None = None  # None: the platform's usual language
    tone: str = "professional"
    brand: BrandKit = EMPTY_BRAND_KIT
    n: int = 4
    seed: int = 0
    temperature: float = 0.7  # SmolLM2 repeats itself when greedy
    top_p: float = 0.9
    max_new_tokens: int = 256
    min_new_tokens: int = 0  # benchmarks force equal work; 0 lets candidates stop at end-of-turn
    max_prompt_tokens: int = 1024  # longer product descriptions are truncated, with a warning
    max_retries: int = 1  # malformed candidates are generated again this many times
    grounding_policy: GroundingPolicy = GroundingPolicy.REJECT
    banned_policy: BannedWordPolicy = BannedWordPolicy.REMOVE
    duplicate_threshold: float = 0.95  # MiniLM cosine above which a lower-ranked candidate is dropped
    clip_attributes: dict[str, dict[str, float]] | None = None  # zero-shot results for the attribute sheet
    captions: tuple[str, ...] = ()


@dataclass(frozen=True)
class CopyCandidate:
    """One generated candidate after constraints, grounding and ranking."""

    index: int  # generation order
    status: CandidateStatus
    fields: CopyFields
    text: str  # rendered for the platform
    raw: str  # what the model wrote
    scores: dict[str, float | None] = field(default_factory=dict)  # keyed by scoring.scores.ScoreKey
    rank: int | None = None  # 1 = best; None when not shown
    reason: str = ""
    flags: tuple[str, ...] = ()  # grounding issues (offending phrase marked [[like this]]) and notes
    fixes: tuple[str, ...] = ()
    issues: tuple[GroundingIssue, ...] = ()
    style: tuple[StyleIssue, ...] = ()  # repetition, filler, a copied catalog description (also in `flags`)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "rank": self.rank,
            "status": self.status.value,
            "scores": self.scores,
            "reason": self.reason,
            "flags": list(self.flags),
            "fixes": list(self.fixes),
            "title": self.fields.title,
            "bullets": list(self.fields.bullets),
            "description": self.fields.description,
            "hashtags": list(self.fields.hashtags),
            "tags": list(self.fields.tags),
            "text": self.text,
        }


@dataclass(frozen=True)
class CopyResult:
    candidates: tuple[CopyCandidate, ...]  # shown ones by rank, then the others
    sheet: AttributeSheet
    preset: PlatformPreset
    language: Language
    warnings: tuple[str, ...]
    provenance: Provenance

    @property
    def ranked(self) -> list[CopyCandidate]:
        return [c for c in self.candidates if c.status.shown]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sheet.sku,
            "platform": self.preset.key,
            "language": self.language.value,
            "warnings": list(self.warnings),
            "candidates": [c.to_dict() for c in self.candidates],
            "attribute_sheet": self.sheet.to_dict(),
            "provenance": self.provenance.to_dict(),
        }
