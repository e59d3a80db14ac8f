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


def is_conflict(values: Iterable[_Value], threshold: float = CONFLICT_CONFIDENCE) -> bool:
    """True when an authoritative value (catalog/user) and a confident real prediction name different values.

    Placeholder predictions never conflict: random weights say nothing about the product.
    """
    values = list(values)
    truth = {v.value.strip().lower() for v in values if v.source in AUTHORITATIVE_SOURCES}
    sure = {
        v.value.strip().lower()
        for v in values
        if v.source in PREDICTED_SOURCES and (v.confidence is None or v.confidence > threshold)
    }
    return bool(truth and sure and not sure <= truth)
