"""A catalog's listing photos as search items, read straight from the catalog file (no project needed).

Uses the importer's own readers and rules (formats, encodings, SKU/category/image column names, paths kept
inside the catalog folder), so `vitrine search` sees the same products a batch would import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.project.catalog_formats import ERROR_KEY, read_catalog
from studio.project.importer import ImageRejected, parse_row, resolve_image_path


@dataclass(frozen=True)
class CatalogPhoto:
    """One listing photo of one product (a product with three photos gives three)."""

    sku: str
    path: Path
    category: str | None


@dataclass(frozen=True)
class CatalogPhotos:
    photos: tuple[CatalogPhoto, ...]
    problems: tuple[str, ...]  # rows or images left out, each with its row and reason


def catalog_photos(path: str | Path) -> CatalogPhotos:
    """Every readable listing photo of a catalog file (CSV/TSV/JSON) or a folder of photos named by SKU."""
    path = Path(path)
    raw = read_catalog(path)
    base = path if path.is_dir() else path.parent
    photos: list[CatalogPhoto] = []
    problems: list[str] = []
    for rec in raw.records:
        if ERROR_KEY in rec.cells:
            problems.append(f"row {rec.row}: {rec.cells[ERROR_KEY]}")
            continue
        row = parse_row(rec)
        if not row.sku:
            problems.append(f"row {rec.row}: no SKU")
            continue
        for _column, ref in row.image_refs():
            try:
                photos.append(CatalogPhoto(row.sku, resolve_image_path(ref, base), row.category or None))
            except ImageRejected as exc:
                problems.append(f"row {rec.row} ({row.sku}): {exc}")
    return CatalogPhotos(tuple(photos), tuple(problems))
