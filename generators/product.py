"""The product record the words pipelines take.

Catalogs are read by the studio (`studio.project.catalog_product` builds this record from a catalog row or a
stored product); only the standard library is used here, so importing it is cheap everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Product:
    """One catalog product as the generators see it.

    Attributes:
        sku: the catalog's identifier.
        title: product title (may be empty).
        description: free text (may be long, hold HTML or emoji; pipelines sanitize and truncate it).
        attributes: the catalog's own attributes, e.g. {"color": "red", "material": "cotton", "size": "M"};
            they are authoritative for grounding.
        images: paths to product images (absolute, or relative to the catalog file's folder).
        category: catalog category, if any.
    """

    sku: str
    title: str = ""
    description: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)
    images: tuple[Path, ...] = ()
    category: str = ""

    @property
    def image(self) -> Path | None:
        """The main image, or None for products without one."""
        return self.images[0] if self.images else None

    def to_dict(self) -> dict:
        """The product as plain JSON-ready data (paths as strings)."""
        return {
            "sku": self.sku,
            "title": self.title,
            "description": self.description,
            "category": self.category,
            "attributes": dict(self.attributes),
            "images": [str(p) for p in self.images],
        }
