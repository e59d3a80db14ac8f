"""Which candidates a package shows and in what order, shared by the platform writers and the report.

Whether a candidate goes out at all is the project's one export rule (`studio.project.review.exported`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from studio.export.bundle import CopyCandidate, ExportProduct, MediaCandidate, _Candidate
from studio.project.review import ExportMode, ExportPolicy, exported, rank_key

C = TypeVar("C", bound=_Candidate)


def ranked(cands: Sequence[C]) -> list[C]:
    """All candidates in rank order, rejected ones last (for the report)."""
    return sorted((c for c in cands if not c.rejected), key=rank_key) + [c for c in cands if c.rejected]


def copy_for(
    product: ExportProduct, platform: str, policy: ExportPolicy | ExportMode, language: str | None = None
) -> CopyCandidate | None:
    """The copy to use on a platform: written for it, else generic copy, else the best copy for another platform.

    `language` keeps only copy in that language ("en", "zh"), so Chinese copy never lands in an English listing.
    """
    out = [c for c in exported(product.copy, policy) if language is None or c.language.lower().startswith(language)]
    for wanted in (platform, "", "generic"):
        pick = [c for c in out if c.platform.lower() == wanted]
        if pick:
            return pick[0]
    return out[0] if out else None


def alt_text(product: ExportProduct, policy: ExportPolicy | ExportMode) -> str:
    """The best caption that goes out (what the image shows) for alt text; the title when there is none."""
    caps = [c for c in exported(product.captions, policy) if c.language.lower().startswith("en")]
    return caps[0].text if caps else product.title


def chosen_media(cands: Sequence[MediaCandidate], policy: ExportPolicy | ExportMode) -> list[MediaCandidate]:
    """Every generated image or video that goes out (photos all belong in a listing), best first."""
    return exported(cands, policy)
