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

from scoring.scores import ScoreKey
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

    REJECTED = "rejected"  # a person (or its own pipeline, with the reason logged) rejected it
    SUPERSEDED = "superseded"  # an older generation's draft nobody touched
    PLACEHOLDER = "placeholder"  # written by a random-weight model: labelled everywhere, never published
    CONTRADICTS = "contradicts the catalog"  # grounding found a statement the catalog contradicts
    UNSUPPORTED_TITLE = "its title states what the catalog does not"  # the line shoppers read first
    WEAK = "below the quality bar"  # its overall score is under `QUALITY_BAR` for its kind
    NOT_APPROVED = "not approved"  # review mode exports approved candidates only
    OUTRANKED = "outranked"  # its place in the listing (a title, an alt text) goes to a better candidate


# The lowest overall score (ScoreKey.TOTAL, 0..1) a candidate of a kind may have to go out by default. Copy's total
# weighs grounding, brand rules, completeness and (with a real CLIP) image match: under 0.5 it is missing
# sections or carries several unsupported claims. Kinds without a bar are not judged by score.
QUALITY_BAR: dict[CandidateKind, float] = {CandidateKind.COPY: 0.5}
CONTRADICTION_MARK = "contradicts the product's"  # how grounding words a contradiction in a candidate's flags
UNSUPPORTED_MARK = "is not supported by the product data"  # how it words a figure or name the catalog never states


@dataclass(frozen=True)
class ExportPolicy:
    """Which candidates an export takes: the review mode, and whether weak ones may go out anyway.

    `include_weak` (`--include-weak`) lets out what the quality gate holds back: weak, contradicting and
    placeholder-written candidates. Without it a person's approval lets out weak and contradicting ones (they
    chose to keep it), never a placeholder's.
    """

    mode: ExportMode = ExportMode.BEST
    include_weak: bool = False

    @classmethod
    def of(cls, policy: ExportPolicy | ExportMode | str) -> ExportPolicy:
        return policy if isinstance(policy, ExportPolicy) else cls(ExportMode(policy))


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

    @property
    def superseded(self) -> bool: ...

    @property
    def written_by_placeholder(self) -> bool: ...

    @property
    def flags(self) -> tuple[str, ...]: ...


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


def _held_alone(c: Reviewable, policy: ExportPolicy) -> HoldReason | None:
    """The reasons that concern the candidate by itself, whatever else its set holds."""
    if c.rejected:
        return HoldReason.REJECTED
    if c.superseded:
        return HoldReason.SUPERSEDED
    if not policy.include_weak:
        if c.written_by_placeholder:
            return HoldReason.PLACEHOLDER
        if not c.approved:  # a person's approval keeps a weak or contradicting draft: they chose it
            if any(CONTRADICTION_MARK in f for f in c.flags):
                return HoldReason.CONTRADICTS
            if any(f.startswith("title:") and UNSUPPORTED_MARK in f for f in c.flags):
                return HoldReason.UNSUPPORTED_TITLE
            bar = QUALITY_BAR.get(c.export_set.kind)
            total = c.scores.get(ScoreKey.TOTAL)
            if bar is not None and total is not None and total < bar:
                return HoldReason.WEAK
    if policy.mode is ExportMode.REVIEW and not c.approved:
        return HoldReason.NOT_APPROVED
    return None


def export_decisions(candidates: Iterable[R], policy: ExportPolicy | ExportMode) -> list[ExportDecision[R]]:
    """The export rule: for every candidate, whether it goes out and, if not, why.

    A candidate goes out unless it was rejected or superseded, the quality gate holds it back (written by a
    placeholder model, contradicting the catalog, or under its kind's `QUALITY_BAR`; `include_weak` lets
    these out), or (in review mode) nobody approved it. Of the kinds a listing holds one of per set
    (`CandidateKind.one_per_listing`: copy per platform and language, captions per language) only the best
    such candidate goes out; photos and videos all do.

    Returns:
        One decision per candidate, grouped by export set (in order of first appearance), best first in each.
    """
    policy = ExportPolicy.of(policy)
    sets: dict[ExportSet, list[R]] = {}
    for c in candidates:
        sets.setdefault(c.export_set, []).append(c)
    decisions: list[ExportDecision[R]] = []
    for key, group in sets.items():
        filled = False
        for c in sorted(group, key=rank_key):
            held = _held_alone(c, policy)
            if held is None and filled and key.one_per_listing:
                held = HoldReason.OUTRANKED
            filled = filled or held is None
            decisions.append(ExportDecision(c, held))
    return decisions


def exported(candidates: Iterable[R], policy: ExportPolicy | ExportMode) -> list[R]:
    """The candidates that go out (`export_decisions`), best first across sets."""
    return sorted((d.candidate for d in export_decisions(candidates, policy) if d.goes_out), key=rank_key)


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
    store: Store, product_id: int, policy: ExportPolicy | ExportMode = ExportMode.REVIEW
) -> dict[CandidateKind, list[Candidate]]:
    """Candidates of one product that an export takes (`export_decisions`), by kind, best first."""
    out: dict[CandidateKind, list[Candidate]] = {}
    for c in exported(store.candidates(product_id), policy):
        out.setdefault(c.kind, []).append(c)
    return out
