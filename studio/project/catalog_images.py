"""A catalog's listing photos as search items, read straight from the catalog file (no project needed).

Uses the importer's own readers and rules (formats, encodings, SKU/category/image column names, paths kept
inside the catalog folder), so `vitrine search` sees the same products a batch would import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.project.catalog_formats import ERROR_KEY, read_catalog, split_paths
from studio.project.importer import (
    CATEGORY_COLUMNS,
    IMAGE_COLUMN,
    SKU_COLUMNS,
    ImageRejected,
    resolve_image_path,
)


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
        sku = next((rec.cells[c].strip() for c in SKU_COLUMNS if rec.cells.get(c, "").strip()), "")
        if not sku:
            problems.append(f"row {rec.row}: no SKU")
            continue
        category = next((rec.cells[c].strip() for c in CATEGORY_COLUMNS if rec.cells.get(c, "").strip()), None)
        for column, cell in rec.cells.items():
            if not IMAGE_COLUMN.match(column):
                continue
            for ref in split_paths(cell or ""):
                try:
                    photos.append(CatalogPhoto(sku, resolve_image_path(ref, base), category))
                except ImageRejected as exc:
                    problems.append(f"row {rec.row} ({sku}): {exc}")
    return CatalogPhotos(tuple(photos), tuple(problems))
