"""Review: candidates start as proposed; people approve or reject them, or a batch auto-approves the top one.

In review mode only approved candidates are exported (`exportable`); without review, each set's best.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from studio.project.store import Candidate, CandidateState, Store


class AutoApprove(StrEnum):
    """Unattended approval policies."""

    TOP1 = "top1"  # approve the best-ranked candidate of each (product, kind) set that has no approval yet


class ExportMode(StrEnum):
    """Which candidates an export takes."""

    REVIEW = "review"  # only approved candidates
    BEST = "best"  # the best-ranked non-rejected candidate of each set (a draft export before review)


# Kinds where every candidate belongs in a listing (all photos), not one winner per set.
MULTI_KINDS = frozenset({"image"})


def _sets(candidates: Iterable[Candidate]) -> dict[tuple[int, str], list[Candidate]]:
    """Candidate sets: one per (product, kind), and per platform for copy written for several platforms."""
    groups: dict[tuple[int, str], list[Candidate]] = {}
    for c in candidates:
        platform = c.params.get("platform")
        groups.setdefault((c.product_id, f"{c.kind}:{platform}" if platform else c.kind), []).append(c)
    for group in groups.values():
        group.sort(key=lambda c: (c.rank, c.id))
    return groups


def approve(store: Store, candidate_ids: Iterable[int], actor: str = "", note: str = "") -> int:
    """Approve candidates by id; returns how many."""
    n = 0
    for cid in candidate_ids:
        store.set_candidate_state(cid, CandidateState.APPROVED, actor, note)
        n += 1
    return n


def reject(store: Store, candidate_ids: Iterable[int], actor: str = "", note: str = "") -> int:
    """Reject candidates by id; returns how many."""
    n = 0
    for cid in candidate_ids:
        store.set_candidate_state(cid, CandidateState.REJECTED, actor, note)
        n += 1
    return n


def auto_approve(store: Store, policy: AutoApprove = AutoApprove.TOP1, actor: str = "auto:top1") -> list[int]:
    """Approve the top-ranked proposed candidate of every set where nobody approved anything yet.

    For multi kinds (listing photos) every proposed candidate is approved. Returns the approved ids.
    """
    approved: list[int] = []
    for (_pid, key), group in _sets(store.candidates()).items():
        kind = key.split(":", 1)[0]
        if any(c.state is CandidateState.APPROVED for c in group):
            continue
        proposed = [c for c in group if c.state is CandidateState.PROPOSED]
        chosen = proposed if kind in MULTI_KINDS else proposed[:1]
        approve(store, (c.id for c in chosen), actor)
        approved += [c.id for c in chosen]
    return approved


def exportable(store: Store, product_id: int, mode: ExportMode = ExportMode.REVIEW) -> dict[str, list[Candidate]]:
    """Candidates to export for one product, by kind, best first."""
    out: dict[str, list[Candidate]] = {}
    for (_pid, key), group in _sets(store.candidates(product_id)).items():
        kind = key.split(":", 1)[0]
        if mode is ExportMode.REVIEW:
            chosen = [c for c in group if c.state is CandidateState.APPROVED]
        else:
            alive = [c for c in group if c.state is not CandidateState.REJECTED]
            chosen = alive if kind in MULTI_KINDS else alive[:1]
        if chosen:
            out.setdefault(kind, []).extend(chosen)
    return out
