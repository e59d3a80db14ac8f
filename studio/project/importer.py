"""Catalog import: validate parsed records, copy images and footage into the asset store, upsert products by SKU.

Every problem is reported with its row, column and a message; good rows import, bad rows are listed, and
nothing is silently dropped. Cells are stored exactly as written: formula-looking cells (`=`, `+`, `-`, `@`)
are kept as text and flagged, and every CSV Vitrine writes escapes them (`studio.export.csv_safe`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from studio.project.catalog_formats import ERROR_KEY, WARNING_KEY, RawCatalog, RawRecord, read_catalog, split_paths
from studio.project.catalog_formats import CatalogError as CatalogError
from studio.project.listing_checks import MAIN_IMAGE_PLATFORMS, listing_problems
from studio.project.store import ImageRole, NewImage, Store

SKU_COLUMNS = ("sku", "product_sku", "item_sku", "sku_id", "货号", "商品编码", "款号")
TITLE_COLUMNS = ("title", "name", "product_name", "product_title", "标题", "商品名称", "名称")
DESCRIPTION_COLUMNS = ("description", "desc", "body", "body_html", "描述", "商品描述")
CATEGORY_COLUMNS = ("category", "product_type", "type", "类目", "分类")
IMAGE_COLUMN = re.compile(r"^(images?|photos?|pictures?|image_?(paths?|files?|urls?)|main_image|图片|主图)(_?\d+)?$")
PERSON_COLUMN = re.compile(r"^(person|model|try_?on)_?(images?|photos?|pictures?)(_?\d+)?$")
# Product footage for the video step: paths like the image columns', `|`-separated.
FOOTAGE_COLUMN = re.compile(r"^(videos?|footage|video_?(paths?|files?|clips?)|视频)(_?\d+)?$")
ATTRIBUTE_COLUMNS = {
    "color",
    "colour",
    "material",
    "pattern",
    "style",
    "fit",
    "sleeve",
    "neckline",
    "season",
    "gender",
    "颜色",
    "材质",
    "图案",
    "风格",
}
FORMULA_PREFIXES = ("=", "+", "-", "@")
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?%?$")


class Severity(StrEnum):
    """ERROR: the row (or that image) was not imported. WARNING: imported, but look at it."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ImportProblem:
    """One problem with a catalog row: where it is and what to do about it."""

    row: int
    column: str
    message: str
    severity: Severity = Severity.ERROR
    sku: str = ""

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.severity.value}: {self.message}"


@dataclass
class ImportReport:
    """What an import did: counts, detected encoding/delimiter, and every problem."""

    catalog: str
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    rejected: list[int] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    @property
    def rejected_rows(self) -> list[int]:
        """Rows that were not imported at all (each has an ERROR problem saying why)."""
        return sorted(self.rejected)

    def summary(self) -> str:
        return (
            f"{self.rows} rows: {len(self.created)} new, {len(self.updated)} updated, {len(self.unchanged)} "
            f"unchanged, {len(self.rejected_rows)} rejected, {len(self.problems)} problems"
        )


class ImageRejected(Exception):
    """An image (or footage) cell pointing at something that is not a usable local file."""


def looks_like_formula(value: str) -> bool:
    """A cell a spreadsheet would run as a formula (numbers like -3 are not flagged)."""
    return value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value)


def inspect_image(path: Path) -> tuple[int, int, str]:
    """Decode an image fully (via `generators.runtime.images.open_image`); return (width, height, format) or raise
    ImageRejected saying why: empty, a PDF, not an image, truncated, or a decompression bomb."""
    from generators.runtime.images import ImageLoadError, open_image

    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF"):
        raise ImageRejected(f"'{path.name}' is a PDF, not an image; export its pages as JPEG or PNG")
    try:
        image = open_image(path, name=path.name)
    except ImageLoadError as exc:
        raise ImageRejected(str(exc)) from None
    return image.width, image.height, path.suffix.lower().lstrip(".")


def inspect_footage(path: Path) -> tuple[int, int, str]:
    """Read a video file's stream facts (the bundled ffmpeg); return (width, height, format) as it displays
    (a phone's rotation applied) or raise ImageRejected naming the file: unreadable, truncated, no picture."""
    from generators.video.encoder import probe

    try:
        info = probe(path)
    except (ValueError, OSError) as exc:
        raise ImageRejected(str(exc)) from None
    if info.size is None or not info.duration_s:
        raise ImageRejected(f"{path.name}: has no video stream to use")
    width, height = info.size
    if round(abs(info.rotation)) % 180 == 90:
        width, height = height, width
    return width, height, path.suffix.lower().lstrip(".")


def resolve_image_path(cell: str, base: Path, what: str = "image") -> Path:
    """Resolve a file reference (`what`: image, video) inside the catalog folder; URLs and paths escaping the
    folder are refused."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", cell, re.IGNORECASE) or cell.lower().startswith("www."):
        raise ImageRejected(
            f"'{cell}' is a URL: Vitrine works offline and does not download; put the file "
            "next to the catalog and write its name instead"
        )
    base = base.resolve()
    candidate = (base / cell.replace("\\", "/")).resolve()  # catalogs made on Windows write a\\b.jpg
    if not candidate.is_relative_to(base):
        raise ImageRejected(f"'{cell}' points outside the catalog folder; refused")
    if not candidate.is_file():
        raise ImageRejected(f"{what} '{cell}' not found in the catalog folder")
    return candidate


def _first(cells: dict[str, str], names: tuple[str, ...]) -> tuple[str, str]:
    for n in names:
        if n in cells:
            return n, cells[n]
    return "", ""


@dataclass(frozen=True)
class CatalogRow:
    """One catalog record read by the importer's column rules, before images are resolved or stored.

    Attributes:
        row: the record's row as a person counts it (the CSV header is row 1).
        cells: every cell, stripped, keyed by normalized column name.
        sku: the product's SKU ("" when the row has none); `sku_column` names the column it came from.
        title, description, category: the named columns (each may be empty).
        attributes: attribute columns (`color`, `颜色`, `attr_*` ...), prefixes removed.
        fields: every other non-empty column (price, size, vendor ...).
    """

    row: int
    cells: dict[str, str]
    sku: str
    sku_column: str
    title: str = ""
    description: str = ""
    category: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)

    def image_refs(self, pattern: re.Pattern[str] = IMAGE_COLUMN) -> Iterator[tuple[str, str]]:
        """(column, reference) of every image named in the columns `pattern` matches, in column order."""
        for column, cell in self.cells.items():
            if pattern.match(column) and cell:
                for ref in split_paths(cell):
                    yield column, ref


def parse_row(rec: RawRecord) -> CatalogRow:
    """Apply the catalog's column rules to one record (the record must not carry ERROR_KEY)."""
    cells = {k: v.strip() if isinstance(v, str) else str(v) for k, v in rec.cells.items() if k != WARNING_KEY}
    sku_col, sku = _first(cells, SKU_COLUMNS)
    title_col, title = _first(cells, TITLE_COLUMNS)
    desc_col, description = _first(cells, DESCRIPTION_COLUMNS)
    cat_col, category = _first(cells, CATEGORY_COLUMNS)
    used = {sku_col, title_col, desc_col, cat_col}
    attributes, fields = {}, {}
    for column, value in cells.items():
        if column in used or not value or any(p.match(column) for p in (IMAGE_COLUMN, PERSON_COLUMN, FOOTAGE_COLUMN)):
            continue
        if column.startswith(("attr_", "attr:", "attribute_")) or column in ATTRIBUTE_COLUMNS:
            attributes[re.sub(r"^(attr_|attr:|attribute_)", "", column)] = value
        else:
            fields[column] = value
    return CatalogRow(rec.row, cells, sku, sku_col, title, description, category, attributes, fields)


class _Importer:
    def __init__(self, store: Store, base: Path, report: ImportReport, listing_rows: bool = True) -> None:
        self.store, self.base, self.report = store, base, report
        self.listing_rows = listing_rows  # a folder of photos has no prices to check: only spreadsheets do
        self.seen: dict[str, int] = {}
        self.before = {p.sku for p in store.products()}

    def problem(
        self, rec: RawRecord | CatalogRow, column: str, message: str, severity: Severity = Severity.ERROR, sku: str = ""
    ) -> None:
        self.report.problems.append(ImportProblem(rec.row, column, message, severity, sku))

    def reject(self, rec: RawRecord, column: str, message: str, sku: str = "") -> None:
        self.problem(rec, column, message + "; row not imported", Severity.ERROR, sku)
        self.report.rejected.append(rec.row)

    def images(self, row: CatalogRow, pattern: re.Pattern[str], role: ImageRole) -> list[NewImage]:
        """The files named in `pattern`'s columns, each checked and copied into the asset store; a file that
        cannot be used is reported by name and left out, the others still import."""
        out: list[NewImage] = []
        what, inspect = ("video", inspect_footage) if role is ImageRole.FOOTAGE else ("image", inspect_image)
        for column, ref in row.image_refs(pattern):
            try:
                path = resolve_image_path(ref, self.base, what)
                width, height, fmt = inspect(path)
            except ImageRejected as exc:
                self.problem(row, column, f"{exc}; {what} not imported", Severity.ERROR, row.sku)
                continue
            sha = self.store.assets.put_file(path)
            rel = path.relative_to(self.base.resolve()).as_posix()
            out.append(NewImage(sha, rel, width, height, fmt, role))
        return out

    def record(self, rec: RawRecord, source: str) -> None:
        if ERROR_KEY in rec.cells:
            self.reject(rec, "", rec.cells[ERROR_KEY])
            return
        if WARNING_KEY in rec.cells:
            self.problem(rec, "", rec.cells[WARNING_KEY], Severity.WARNING)
        row = parse_row(rec)
        sku = row.sku
        if not sku:
            self.reject(rec, row.sku_column or "sku", "no SKU in this row")
            return
        if sku in self.seen:
            self.reject(rec, row.sku_column, f"duplicate SKU '{sku}' (first at row {self.seen[sku]})", sku)
            return
        self.seen[sku] = rec.row
        for column, value in row.cells.items():
            if looks_like_formula(value):
                self.problem(
                    rec,
                    column,
                    f"cell starts with '{value[0]}' like a spreadsheet formula; kept as text "
                    "and escaped in every exported CSV",
                    Severity.WARNING,
                    sku,
                )
        images = self.images(row, IMAGE_COLUMN, ImageRole.PRODUCT)
        images += self.images(row, PERSON_COLUMN, ImageRole.PERSON)
        images += self.images(row, FOOTAGE_COLUMN, ImageRole.FOOTAGE)
        if not any(i.role is ImageRole.PRODUCT for i in images):
            self.problem(
                rec,
                "",
                f"no usable product image; text steps still run, image steps will be skipped, and {MAIN_IMAGE_PLATFORMS}"
                " listings need one",
                Severity.WARNING,
                sku,
            )
        if self.listing_rows:
            for found in listing_problems(row.cells, row.title):
                self.problem(rec, found.column, found.message, Severity.WARNING, sku)
        _, changed = self.store.upsert_product(
            sku,
            title=row.title,
            description=row.description,
            category=row.category,
            fields=row.fields,
            images=images,
            attributes=row.attributes,
            source=source,
            source_row=rec.row,
        )
        if not changed:
            self.report.unchanged.append(sku)
        elif sku in self.before:
            self.report.updated.append(sku)
        else:
            self.report.created.append(sku)


def check_columns(raw: RawCatalog) -> None:
    """Raise CatalogError when the catalog lacks a SKU column, or has neither a title nor an image column."""
    if raw.format.value == "folder":
        return
    columns = set(raw.columns)
    if not columns & set(SKU_COLUMNS):
        raise CatalogError(
            f"the catalog has no SKU column (looked for: {', '.join(SKU_COLUMNS[:3])}); "
            f"its columns are: {', '.join(raw.columns) or 'none'}"
        )
    has_images = any(IMAGE_COLUMN.match(c) for c in columns)
    if not columns & set(TITLE_COLUMNS) and not has_images:
        raise CatalogError(
            f"the catalog needs a 'title' column or an 'image' column; its columns are: {', '.join(raw.columns)}"
        )


def import_catalog(store: Store, catalog: Path) -> ImportReport:
    """Import `catalog` (CSV/TSV, JSON, or a folder of images) into `store`; re-import upserts by SKU.

    Raises CatalogError when the file as a whole is unusable (nothing is imported then); row-level problems
    are collected in the returned report.
    """
    catalog = Path(catalog).expanduser()
    raw = read_catalog(catalog)
    check_columns(raw)
    report = ImportReport(str(catalog), rows=len(raw.records), encoding=raw.encoding, delimiter=raw.delimiter)
    base = catalog if catalog.is_dir() else catalog.parent
    imp = _Importer(store, base, report, listing_rows=raw.format.value != "folder")
    for rec in raw.records:
        imp.record(rec, catalog.name)
    return report
