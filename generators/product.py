"""A Qt-free product record shared by the words pipelines and the studio's catalog import.

Only the standard library is used here, so importing it is cheap everywhere.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generators.runtime.errors import VitrineError

# Catalog columns that are not attributes; every other non-empty column becomes an attribute.
_CORE_COLUMNS = {"sku", "id", "title", "name", "description", "images", "image", "image_paths", "url", "person_images"}
_IMAGE_SPLIT = re.compile(r"[;|,]\s*")


class CatalogError(VitrineError):
    """A catalog file cannot be read, or the SKU asked for is not in it."""


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
        return {
            "sku": self.sku,
            "title": self.title,
            "description": self.description,
            "category": self.category,
            "attributes": dict(self.attributes),
            "images": [str(p) for p in self.images],
        }


def product_from_row(row: Mapping[str, str | None], base_dir: Path | None = None) -> Product:
    """Build a Product from one catalog row (column names are case-insensitive)."""
    clean = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
    sku = clean.get("sku") or clean.get("id") or ""
    raw_images = clean.get("images") or clean.get("image") or clean.get("image_paths") or ""
    images = []
    for part in _IMAGE_SPLIT.split(raw_images):
        if part:
            path = Path(part).expanduser()
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            images.append(path)
    attributes = {k: v for k, v in clean.items() if k not in _CORE_COLUMNS and k != "category" and v}
    return Product(
        sku=sku,
        title=clean.get("title") or clean.get("name") or "",
        description=clean.get("description", ""),
        attributes=attributes,
        images=tuple(images),
        category=clean.get("category", ""),
    )


def read_catalog(path: Path) -> list[Product]:
    """Read a catalog CSV (columns like sku,title,description,category,color,material,price,images)."""
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"catalog file '{path}' does not exist")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return [product_from_row(row, path.parent) for row in csv.DictReader(fh)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CatalogError(f"catalog file '{path}' is not a readable UTF-8 CSV ({exc})") from None


def find_product(products: list[Product], sku: str) -> Product:
    """The product with `sku`, or a CatalogError listing a few valid SKUs."""
    for product in products:
        if product.sku == sku:
            return product
    sample = ", ".join(p.sku for p in products[:8]) or "none"
    raise CatalogError(f"SKU '{sku}' is not in the catalog; SKUs there include: {sample}")
