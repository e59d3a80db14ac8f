"""Attribute sheet: one record per product merging catalog attributes, CLIP zero-shot and caption mentions.

The catalog is authoritative. Every value carries its source and confidence; a confident CLIP or caption
value that disagrees with the catalog (catalog says red, CLIP says blue with p > 0.8) is flagged as a
conflict for a person to review. Grounding checks generated copy against the values this sheet supports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from generators.product import Product
from generators.runtime.lexicon import Lexicon, MentionKind, default_lexicon

CHECKED_KINDS = (MentionKind.COLOR, MentionKind.MATERIAL, MentionKind.FIT, MentionKind.DESIGN)


class AttributeSource(StrEnum):
    CATALOG = "catalog"  # a catalog column, or the catalog's own title
    CLIP = "clip"  # zero-shot classification of the product image
    CAPTION = "caption"  # mentioned in generated captions


@dataclass(frozen=True)
class AttributeValue:
    """One value of one attribute, with where it came from and how sure we are (0..1)."""

    value: str
    source: AttributeSource
    confidence: float
    canonical: str | None = None  # lexicon value ("red" for "crimson"), when the lexicon knows it


@dataclass(frozen=True)
class AttributeConflict:
    """A confident non-catalog value that contradicts the catalog."""

    attribute: str
    catalog_values: tuple[str, ...]
    other: AttributeValue

    @property
    def message(self) -> str:
        return (
            f"{self.attribute}: catalog says {'/'.join(self.catalog_values)}, {self.other.source.value} says "
            f"{self.other.value} (p={self.other.confidence:.2f}); please review"
        )


@dataclass(frozen=True)
class AttributeSheet:
    """Structured attributes of one product; `values[name]` is sorted catalog first, then by confidence."""

    sku: str
    values: Mapping[str, tuple[AttributeValue, ...]]
    conflicts: tuple[AttributeConflict, ...] = ()
    claims: frozenset[str] = field(default_factory=frozenset)  # claims the catalog text itself makes
    text: str = ""  # the catalog's own text (title, description, attribute values), lower-cased

    def best(self, name: str) -> AttributeValue | None:
        found = self.values.get(name)
        return found[0] if found else None

    def supported(self, kind: MentionKind, min_confidence: float = 0.5) -> frozenset[str]:
        """Canonical values that count as true: the catalog's if it has any, else confident other sources."""
        found = self.values.get(kind.value, ())
        catalog = {v.canonical for v in found if v.source is AttributeSource.CATALOG and v.canonical}
        if catalog:
            return frozenset(catalog)
        return frozenset(v.canonical for v in found if v.canonical and v.confidence >= min_confidence)

    def has_catalog(self, name: str) -> bool:
        return any(v.source is AttributeSource.CATALOG for v in self.values.get(name, ()))

    def raw_values(self, name: str) -> tuple[str, ...]:
        return tuple(v.value for v in self.values.get(name, ()) if v.source is AttributeSource.CATALOG)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "attributes": {
                name: [
                    {
                        "value": v.value,
                        "source": v.source.value,
                        "confidence": round(v.confidence, 3),
                        "canonical": v.canonical,
                    }
                    for v in vals
                ]
                for name, vals in self.values.items()
            },
            "conflicts": [c.message for c in self.conflicts],
            "claims": sorted(self.claims),
        }


_SPLIT = re.compile(r"\s*[,/;|&+]\s*|\s+and\s+|、")


def build_attribute_sheet(
    product: Product,
    clip_attributes: Mapping[str, Mapping[str, float]] | None = None,
    captions: Sequence[str] = (),
    *,
    conflict_threshold: float = 0.8,
    lexicon: Lexicon | None = None,
) -> AttributeSheet:
    """Merge a product's catalog attributes with CLIP zero-shot results and caption mentions.

    Args:
        product: the catalog product (its attributes are authoritative).
        clip_attributes: zero-shot probabilities per attribute, e.g. {"color": {"red": 0.1, "blue": 0.85}}.
        captions: captions of the product image(s).
        conflict_threshold: a non-catalog value above this confidence that disagrees with the catalog is flagged.
        lexicon: synonym tables (default: assets/presets/lexicon.json).
    """
    lex = lexicon or default_lexicon()
    values: dict[str, list[AttributeValue]] = {}

    def add(name: str, value: AttributeValue) -> None:
        bucket = values.setdefault(name, [])
        same = next(
            (
                i
                for i, v in enumerate(bucket)
                if v.source is value.source
                and (v.canonical or v.value.lower()) == (value.canonical or value.value.lower())
            ),
            None,
        )
        if same is None:
            bucket.append(value)
        elif bucket[same].confidence < value.confidence:
            bucket[same] = value

    for raw_name, raw_value in product.attributes.items():
        name = lex.attribute_key(raw_name)
        kind = next((k for k in CHECKED_KINDS if k.value == name), None)
        parts = [p for p in _SPLIT.split(str(raw_value)) if p] if kind else [str(raw_value)]
        for part in parts:
            canon = lex.canonical_values(kind, part) if kind else frozenset()
            if len(canon) > 1:  # "red white" in one cell: keep each colour separately
                for c in sorted(canon):
                    add(name, AttributeValue(c, AttributeSource.CATALOG, 1.0, c))
            else:
                add(name, AttributeValue(part.strip(), AttributeSource.CATALOG, 1.0, next(iter(canon), None)))
    # The catalog's own title names attributes too ("Red Cotton Tee") when no column does.
    for m in lex.find(product.title, CHECKED_KINDS):
        if not m.negated and not any(v.source is AttributeSource.CATALOG for v in values.get(m.kind.value, [])):
            add(m.kind.value, AttributeValue(m.phrase, AttributeSource.CATALOG, 0.9, m.canonical))
    # So does a description's fit sentence ("… Regular fit."). Only fit and design details: descriptions also
    # name what goes with the product ("wear it with blue jeans"), which would make wrong colours and materials
    # authoritative, while a detail ("ribbed crew neck", "drawcords") describes the product itself.
    described = [m for m in lex.find(product.description, (MentionKind.FIT,)) if not m.negated]
    if not any(v.source is AttributeSource.CATALOG for v in values.get(MentionKind.FIT.value, [])):
        for m in described:
            add(MentionKind.FIT.value, AttributeValue(m.phrase, AttributeSource.CATALOG, 0.8, m.canonical))
    # Design details sit on separate axes (a crew neck says nothing about sleeves), so the title's and the
    # description's details are all kept, beside any design column.
    for m in lex.find(f"{product.title}\n{product.description}", (MentionKind.DESIGN,)):
        if not m.negated:
            add(MentionKind.DESIGN.value, AttributeValue(m.canonical, AttributeSource.CATALOG, 0.85, m.canonical))

    for name, probs in (clip_attributes or {}).items():
        key = lex.attribute_key(name)
        kind = next((k for k in CHECKED_KINDS if k.value == key), None)
        for label, p in sorted(probs.items(), key=lambda kv: -kv[1])[:3]:  # the top 3 are enough to review
            canon = lex.canonical_values(kind, label) if kind else frozenset()
            add(key, AttributeValue(label, AttributeSource.CLIP, float(p), next(iter(canon), None)))

    if captions:
        counts: dict[tuple[str, str], int] = {}
        for caption in captions:
            for c in {(m.kind.value, m.canonical) for m in lex.find(caption, CHECKED_KINDS) if not m.negated}:
                counts[c] = counts.get(c, 0) + 1
        for (name, canonical), n in counts.items():
            add(name, AttributeValue(canonical, AttributeSource.CAPTION, n / len(captions), canonical))

    conflicts = []
    for kind in CHECKED_KINDS:
        found = values.get(kind.value, [])
        catalog = {v.canonical for v in found if v.source is AttributeSource.CATALOG and v.canonical}
        for v in found:
            if v.source is AttributeSource.CATALOG or not v.canonical or v.confidence <= conflict_threshold:
                continue
            peers = lex.same_axis(kind, catalog, v.canonical)  # "cropped" does not dispute a catalog "slim fit"
            if peers and v.canonical not in peers:
                conflicts.append(AttributeConflict(kind.value, tuple(sorted(peers)), v))

    ordered = {
        name: tuple(sorted(vals, key=lambda v: (v.source is not AttributeSource.CATALOG, -v.confidence)))
        for name, vals in values.items()
    }
    catalog_text = " ".join([product.title, product.description, *map(str, product.attributes.values())])
    claims = frozenset(m.canonical for m in lex.find(catalog_text, (MentionKind.CLAIM,)) if not m.negated)
    return AttributeSheet(product.sku, ordered, tuple(conflicts), claims, catalog_text.lower())
