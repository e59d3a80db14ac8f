"""Review and the export rule: candidates start as proposed; people approve or reject them, or a batch
auto-approves the top one; `export_decisions` says, for each candidate, whether an export takes it and why not.

The rule is one function on purpose: the project, the batch export and the export package (which sees plain
dataclasses, not store rows) all call it, so what the studio shows as exported is what the package holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from studio.project.rows import Candidate, CandidateKind, CandidateState, ExportSet

if TYPE_CHECKING:
    from studio.project.store import Store


class AutoApprove(StrEnum):
    """Unattended approval policies."""

    TOP1 = "top1"  # approve the best-ranked candidate of each export set that has no approval yet


class ExportMode(StrEnum):
    """Which candidates an export takes."""

    REVIEW = "review"  # only candidates a person (or auto-approval) approved
    BEST = "best"  # the best-ranked candidate that was not rejected (a draft export before review)


class HoldReason(StrEnum):
    """Why an export leaves a candidate out."""

    REJECTED = "rejected"  # a person rejected it
    NOT_APPROVED = "not approved"  # review mode exports approved candidates only
    OUTRANKED = "outranked"  # its place in the listing (a title, an alt text) goes to a better candidate


class Reviewable(Protocol):
    """What the rule reads from a candidate: store rows and the export's dataclasses both provide it."""

    @property
    def approved(self) -> bool: ...

    @property
    def rejected(self) -> bool: ...

    @property
    def rank(self) -> int | None: ...

    @property
    def scores(self) -> Mapping[str, float]: ...

    @property
    def export_set(self) -> ExportSet: ...


R = TypeVar("R", bound=Reviewable)


@dataclass(frozen=True)
class ExportDecision(Generic[R]):
    """One candidate and the rule's verdict: `held` is None when it goes out, else the reason it does not."""

    candidate: R
    held: HoldReason | None = None

    @property
    def goes_out(self) -> bool:
        return self.held is None


def rank_key(c: Reviewable) -> tuple[bool, int, float]:
    """Best first: by rank (unranked last), then by the highest score."""
    return (c.rank is None, c.rank or 0, -max(c.scores.values(), default=0.0))


def _held_alone(c: Reviewable, mode: ExportMode) -> HoldReason | None:
    """The reasons that concern the candidate by itself, whatever else its set holds."""
    if c.rejected:
        return HoldReason.REJECTED
    if mode is ExportMode.REVIEW and not c.approved:
        return HoldReason.NOT_APPROVED
    return None


def export_decisions(candidates: Iterable[R], mode: ExportMode) -> list[ExportDecision[R]]:
    """The export rule: for every candidate, whether it goes out and, if not, why.

    A candidate goes out unless it was rejected, or (in review mode) nobody approved it. Of the kinds a listing
    holds one of per set (`CandidateKind.one_per_listing`: copy per platform and language, captions per
    language) only the best such candidate goes out; photos and videos all do.

    Returns:
        One decision per candidate, grouped by export set (in order of first appearance), best first in each.
    """
    sets: dict[ExportSet, list[R]] = {}
    for c in candidates:
        sets.setdefault(c.export_set, []).append(c)
    decisions: list[ExportDecision[R]] = []
    for key, group in sets.items():
        filled = False
        for c in sorted(group, key=rank_key):
            held = _held_alone(c, mode)
            if held is None and filled and key.one_per_listing:
                held = HoldReason.OUTRANKED
            filled = filled or held is None
            decisions.append(ExportDecision(c, held))
    return decisions


def exported(candidates: Iterable[R], mode: ExportMode) -> list[R]:
    """The candidates that go out (`export_decisions`), best first across sets."""
    return sorted((d.candidate for d in export_decisions(candidates, mode) if d.goes_out), key=rank_key)


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
    """Approve the top-ranked proposed candidate of every export set where nobody approved anything yet.

    For kinds a listing holds all of (photos) every proposed candidate is approved. Returns the approved ids.
    """
    sets: dict[tuple[int, ExportSet], list[Candidate]] = {}
    for c in store.candidates():
        sets.setdefault((c.product_id, c.export_set), []).append(c)
    approved: list[int] = []
    for (_pid, key), group in sets.items():
        if any(c.approved for c in group):
            continue
        proposed = sorted((c for c in group if c.state is CandidateState.PROPOSED), key=rank_key)
        chosen = proposed[:1] if key.one_per_listing else proposed
        approve(store, (c.id for c in chosen), actor)
        approved += [c.id for c in chosen]
    return approved


def exportable(
    store: Store, product_id: int, mode: ExportMode = ExportMode.REVIEW
) -> dict[CandidateKind, list[Candidate]]:
    """Candidates of one product that an export takes (`export_decisions`), by kind, best first."""
    out: dict[CandidateKind, list[Candidate]] = {}
    for c in exported(store.candidates(product_id), mode):
        out.setdefault(c.kind, []).append(c)
    return out
