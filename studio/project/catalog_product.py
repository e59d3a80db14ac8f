"""From a catalog product (a stored one, or a row read straight from a catalog file) to the record the
words pipelines take (`generators.product.Product`).

One conversion serves the batch's copy step and `vitrine copy --catalog`, so both ground copy on the same
facts: the catalog's extra columns (price, size …) plus the attribute sheet's authoritative values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from generators.product import Product
from studio.project.attribute_sheet import SheetRow, build_sheet, catalog_values, grounding_attributes
from studio.project.catalog_formats import ERROR_KEY, CatalogError, read_catalog
from studio.project.importer import CatalogRow, ImageRejected, check_columns, parse_row, resolve_image_path

SKU_SAMPLE = 8  # how many valid SKUs an unknown-SKU error lists


class ProductText(Protocol):
    """What a catalog product says about itself: a stored `Product` and a `CatalogRow` both fit."""

    sku: str
    title: str
    description: str
    category: str
    fields: dict[str, str]


@dataclass(frozen=True)
class CatalogProduct:
    """A product read straight from a catalog file, ready for a pipeline, and what was left out of it."""

    product: Product
    problems: tuple[str, ...] = ()  # images refused or missing, each with its reason


def generator_product(source: ProductText, sheet: Iterable[SheetRow], images: Sequence[Path] = ()) -> Product:
    """The pipelines' product record: catalog fields first, then the sheet's user and catalog values.

    Predicted attributes are not facts and are left out; pipelines get them separately as evidence.
    """
    attributes = {**source.fields, **grounding_attributes(sheet)}
    return Product(source.sku, source.title, source.description, attributes, tuple(images), source.category)


def find_row(path: Path, sku: str) -> CatalogRow:
    """The row of `sku` in the catalog at `path` (CSV/TSV in any encoding import accepts, JSON, a folder).

    Raises:
        CatalogError: the catalog cannot be read, lacks the columns import needs, or has no such SKU.
    """
    raw = read_catalog(path)
    check_columns(raw)
    skus: list[str] = []
    for rec in raw.records:
        if ERROR_KEY in rec.cells:
            continue
        row = parse_row(rec)
        if row.sku == sku:
            return row
        if row.sku:
            skus.append(row.sku)
    sample = ", ".join(skus[:SKU_SAMPLE]) or "none"
    raise CatalogError(f"SKU '{sku}' is not in the catalog '{path}'; SKUs there include: {sample}")


def row_product(
    row: CatalogRow, images: Sequence[Path] = (), extra_attributes: Mapping[str, str] | None = None
) -> Product:
    """The pipelines' product for one catalog row; `extra_attributes` (e.g. given on the command line) are
    catalog values that win over the row's own."""
    sheet = build_sheet(catalog_values({**row.attributes, **(extra_attributes or {})}))
    return generator_product(row, sheet, images)


def catalog_product(path: str | Path, sku: str, extra_attributes: Mapping[str, str] | None = None) -> CatalogProduct:
    """Read one product from a catalog file, as import would, without a project.

    Images are resolved inside the catalog's folder by import's rules; a refused one is reported, not used.
    """
    path = Path(path).expanduser()
    row = find_row(path, sku)
    base = path if path.is_dir() else path.parent
    images: list[Path] = []
    problems: list[str] = []
    for _column, ref in row.image_refs():
        try:
            images.append(resolve_image_path(ref, base))
        except ImageRejected as exc:
            problems.append(f"row {row.row} ({sku}): {exc}")
    return CatalogProduct(row_product(row, images, extra_attributes), tuple(problems))
