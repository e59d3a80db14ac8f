"""When stored attribute values disagree enough to ask a person (shared by the GUI and the export report)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

AUTHORITATIVE_SOURCES = frozenset({"catalog", "user"})
PREDICTED_SOURCES = frozenset({"clip", "caption"})  # "clip:placeholder" is deliberately not here
CONFLICT_CONFIDENCE = 0.8  # a prediction must be this sure to contradict the catalog (issue: p > 0.8)


class _Value(Protocol):
    value: str
    source: str
    confidence: float | None


def _category_truth(value: str) -> set[str]:
    """The vocabulary categories a catalog's category allows: a broad department ("tops", "上衣") holds several
    (t-shirt, shirt, sweater…), a plain category ("T-Shirts") is itself, spelled as the vocabulary spells it."""
    from scoring.retrieval import load_broad_categories, normalize_category

    key = value.strip().lower()
    allowed = {key, *load_broad_categories().get(key, ())}
    if (label := normalize_category(value)) is not None:
        allowed.add(label)
    return allowed


def is_conflict(values: Iterable[_Value], threshold: float = CONFLICT_CONFIDENCE, *, name: str = "") -> bool:
    """True when an authoritative value (catalog/user) and a confident real prediction name different values.

    Placeholder predictions never conflict: random weights say nothing about the product. For `name`
    "category", a prediction inside the catalog's department agrees with it (a t-shirt filed under "tops").
    """
    values = list(values)
    truth = {v.value.strip().lower() for v in values if v.source in AUTHORITATIVE_SOURCES}
    if name == "category":
        truth = {allowed for t in set(truth) for allowed in _category_truth(t)}
    sure = {
        v.value.strip().lower()
        for v in values
        if v.source in PREDICTED_SOURCES and (v.confidence is None or v.confidence > threshold)
    }
    return bool(truth and sure and not sure <= truth)
