"""The attribute sheet: one value per attribute, chosen by one precedence rule for every surface.

The GUI's sheet, the exported package and the copy step's grounding all read a product's attributes through
`attribute_sheet`, so what a person sees is what is exported and what copy is checked against:

- names are folded to one spelling (`colour`, `颜色` → `color`), so a catalog column and a prediction about
  the same thing meet in one row;
- a person's value wins, then the catalog's, then the most confident real prediction;
- a placeholder prediction (random-weight CLIP) never wins over a real value and never raises a conflict;
  it is kept, flagged, so a view can show it as what it is;
- when sources disagree enough to ask a person (`attribute_conflicts.is_conflict`) the row spells out every
  source's value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.project.attribute_conflicts import AUTHORITATIVE_SOURCES, is_conflict

if TYPE_CHECKING:
    from studio.project.store import Store

USER_SOURCE = "user"  # values a person typed in the sheet
CATALOG_SOURCE = "catalog"  # values read from the catalog file at import
CLIP_SOURCE = "clip"
CLIP_PLACEHOLDER_SOURCE = "clip:placeholder"  # a random-weight CLIP's guess: shown, never trusted
# Catalog columns (English spellings, Chinese headers) and vocabulary group names that mean one attribute.
ATTRIBUTE_ALIASES = {
    "colour": "color",
    "颜色": "color",
    "材质": "material",
    "图案": "pattern",
    "风格": "style",
}
# Lower wins; any other source is a prediction (rank 2), ordered by its confidence.
_RANK = {USER_SOURCE: 0, CATALOG_SOURCE: 1, CLIP_PLACEHOLDER_SOURCE: 3}
_PREDICTED_RANK = 2


@dataclass(frozen=True)
class SheetValue:
    """One source's value for one attribute (a stored `AttributeValue` needs no conversion)."""

    name: str
    value: str
    source: str
    confidence: float | None = None


@dataclass(frozen=True)
class SheetRow:
    """One attribute as the sheet shows it.

    Attributes:
        name: the canonical attribute name (aliases folded).
        value: the winning value.
        source: where the winning value came from (`user`, `catalog`, `clip`, `clip:placeholder`, ...).
        confidence: the winning prediction's probability; None for user and catalog values.
        conflict: empty, or every source's value when they disagree, e.g. "catalog: red · clip: blue".
        values: every source's value for this attribute, winner first.
    """

    name: str
    value: str
    source: str
    confidence: float | None = None
    conflict: str = ""
    values: tuple[SheetValue, ...] = ()

    @property
    def placeholder(self) -> bool:
        """The value shown is a placeholder model's guess, not a real prediction."""
        return self.source == CLIP_PLACEHOLDER_SOURCE

    @property
    def authoritative(self) -> bool:
        """The value comes from a person or the catalog, so copy may be grounded on it."""
        return self.source in AUTHORITATIVE_SOURCES


def canonical_attribute_name(name: str) -> str:
    """The one spelling of an attribute name: lower case, aliases folded (`Colour` → `color`)."""
    key = name.strip().lower()
    return ATTRIBUTE_ALIASES.get(key, key)


def _rank(value: SheetValue) -> tuple[int, float]:
    return _RANK.get(value.source, _PREDICTED_RANK), -(value.confidence or 0.0)


def build_sheet(values: Iterable[SheetValue], *, placeholder_clip: bool = False) -> list[SheetRow]:
    """The sheet of `values` from any sources: one row per canonical name, sorted by name.

    Args:
        values: attribute values (anything with name, value, source and confidence).
        placeholder_clip: the product's CLIP results came from a placeholder model, so values stored under
            the plain `clip` source (projects made before the placeholder source existed) are placeholders.
    """
    by_name: dict[str, list[SheetValue]] = {}
    for v in values:
        source = v.source
        if placeholder_clip and source == CLIP_SOURCE:
            source = CLIP_PLACEHOLDER_SOURCE
        name = canonical_attribute_name(v.name)
        by_name.setdefault(name, []).append(SheetValue(name, v.value, source, v.confidence))
    rows = []
    for name in sorted(by_name):
        ranked = sorted(by_name[name], key=_rank)
        best = ranked[0]
        conflict = " · ".join(f"{v.source}: {v.value}" for v in ranked) if is_conflict(ranked, name=name) else ""
        rows.append(SheetRow(name, best.value, best.source, best.confidence, conflict, tuple(ranked)))
    return rows


def catalog_values(attributes: Mapping[str, str]) -> list[SheetValue]:
    """A catalog row's attribute columns as sheet values (for surfaces that read a catalog file directly)."""
    return [SheetValue(name, value, CATALOG_SOURCE) for name, value in attributes.items() if value]


def placeholder_roles(store: Store, product_id: int) -> set[str]:
    """Model roles that were placeholders (random weights) in any of the product's results."""
    roles = set()
    for c in store.candidates(product_id):
        for m in c.provenance.get("models") or ():
            if m.get("source") == "placeholder":
                roles.add(str(m.get("role")))
    return roles


def attribute_sheet(store: Store, product_id: int) -> list[SheetRow]:
    """The product's attribute sheet from everything stored: user edits, catalog values and predictions."""
    fake_clip = CLIP_SOURCE in placeholder_roles(store, product_id)
    values = [SheetValue(a.name, a.value, a.source, a.confidence) for a in store.attributes(product_id)]
    # The catalog's category is a column of the product, not a stored attribute; without it here a model's
    # category guess ("jeans" for a tee filed under "tops") won the row unchallenged.
    category = store.product(product_id).category
    if category and not any(v.name == "category" and v.source == CATALOG_SOURCE for v in values):
        values.append(SheetValue("category", category, CATALOG_SOURCE))
    return build_sheet(values, placeholder_clip=fake_clip)


def grounding_attributes(rows: Iterable[SheetRow]) -> dict[str, str]:
    """The sheet's authoritative values (a person's or the catalog's), the facts copy is grounded on.

    Predictions are left out: copy receives them separately, as evidence, never as facts.
    """
    return {r.name: r.value for r in rows if r.authoritative}
