"""Conflicts ask a person only when a confident, real prediction contradicts the catalog."""

from __future__ import annotations

from dataclasses import dataclass

from studio.project.attribute_conflicts import is_conflict


@dataclass
class V:
    value: str
    source: str
    confidence: float | None = None


def test_confident_real_prediction_against_catalog_is_a_conflict():
    assert is_conflict([V("red", "catalog"), V("blue", "clip", 0.91)])


def test_unsure_or_placeholder_predictions_are_not_conflicts():
    assert not is_conflict([V("red", "catalog"), V("blue", "clip", 0.61)])
    assert not is_conflict([V("red", "catalog"), V("blue", "clip:placeholder", 0.99)])


def test_agreement_and_missing_catalog_value_are_not_conflicts():
    assert not is_conflict([V("Red", "catalog"), V("red ", "clip", 0.95)])
    assert not is_conflict([V("blue", "clip", 0.95)])
    assert not is_conflict([V("red", "catalog"), V("blue", "user"), V("blue", "clip", 0.9)])


def test_category_inside_the_catalogs_department_agrees_outside_conflicts():
    # A tee filed under the broad department "tops": "t-shirt" agrees, a confident "jeans" is a conflict.
    assert not is_conflict([V("tops", "catalog"), V("t-shirt", "clip", 0.93)], name="category")
    assert is_conflict([V("tops", "catalog"), V("jeans", "clip", 0.93)], name="category")
    assert not is_conflict([V("T-Shirts", "catalog"), V("t-shirt", "clip", 0.93)], name="category")
    assert not is_conflict([V("tops", "catalog"), V("jeans", "clip:placeholder", 0.99)], name="category")
