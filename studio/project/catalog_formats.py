"""Reading catalog files into plain records: encoding and delimiter detection, CSV/TSV, JSON, image folders.

Nothing here knows about the project store; `importer.py` validates the records and stores them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from generators.runtime.errors import VitrineError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
DELIMITERS = (",", ";", "\t", "|")
ERROR_KEY = "__error__"  # a record that cannot be a product: reported and not imported
WARNING_KEY = "__warning__"  # a record imported with something worth a look


class CatalogError(VitrineError):
    """The catalog as a whole cannot be read (unknown format or encoding, missing required columns)."""


class CatalogFormat(StrEnum):
    """The kinds of catalog Vitrine reads."""

    CSV = "csv"
    JSON = "json"
    FOLDER = "folder"


@dataclass(frozen=True)
class RawRecord:
    """One catalog record before validation: `row` as a person would count it (the CSV header is row 1)."""

    row: int
    cells: dict[str, str]


@dataclass(frozen=True)
class RawCatalog:
    """A parsed catalog: its records plus what was detected about the file."""

    format: CatalogFormat
    columns: tuple[str, ...]
    records: tuple[RawRecord, ...]
    encoding: str = ""
    delimiter: str = ""


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode catalog bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK).

    Returns (text, encoding name). Raises CatalogError when none fits, rather than guessing and mangling text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    raise CatalogError(
        f"the catalog is neither UTF-8 nor GBK/GB18030 text (byte {utf8_error.start}); save it as UTF-8 and retry"
    )


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def sniff_delimiter(text: str, suffix: str = "") -> str:
    """Pick the delimiter: csv.Sniffer on a sample, checked against the header line; `.tsv` means tab."""
    header = text.split("\n", 1)[0]
    counts = {d: _count_outside_quotes(header, d) for d in DELIMITERS}
    if suffix.lower() == ".tsv" and counts["\t"]:
        return "\t"
    try:
        sniffed = csv.Sniffer().sniff(text[:16384], delimiters="".join(DELIMITERS)).delimiter
        if counts.get(sniffed, 0) > 0:
            return sniffed
    except csv.Error:
        pass
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def normalize_header(name: str) -> str:
    """'Image Paths ' -> 'image_paths'; CJK headers are kept as they are."""
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff")).strip("_").lower()


def unique_columns(names: Iterable[str]) -> tuple[str, ...]:
    """Repeated headers get a suffix (`image`, `image_2`) so no column's cells overwrite another's."""
    out: list[str] = []
    for name in names:
        name = name or f"column_{len(out) + 1}"
        candidate, k = name, 2
        while candidate in out:
            candidate, k = f"{name}_{k}", k + 1
        out.append(candidate)
    return tuple(out)


def read_csv(path: Path) -> RawCatalog:
    """Read a CSV/TSV catalog: detect the encoding and delimiter; quoted newlines are kept inside cells."""
    text, encoding = decode_text(Path(path).read_bytes())
    delimiter = sniff_delimiter(text, Path(path).suffix)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise CatalogError(f"the catalog is not valid CSV near line {reader.line_num}: {exc}") from None
    if not rows:
        raise CatalogError("the catalog is empty")
    columns = unique_columns(normalize_header(h) for h in rows[0])
    records = []
    for i, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines are not products
        record = {columns[j] if j < len(columns) else f"column_{j + 1}": c for j, c in enumerate(cells)}
        if len(cells) > len(columns):  # kept (as column_N), but a shifted row is worth a look
            record[WARNING_KEY] = f"row has {len(cells)} cells but the header has {len(columns)}; extra cells kept"
        records.append(RawRecord(i, record))
    return RawCatalog(CatalogFormat.CSV, columns, tuple(records), encoding, delimiter)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "\n".join(_cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_json(path: Path) -> RawCatalog:
    """Read a JSON catalog: a list of objects, or an object with a `products` list. Record `row` is 1-based."""
    text, encoding = decode_text(Path(path).read_bytes())
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"the catalog is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    if isinstance(data, dict):
        data = data.get("products", data.get("items"))
    if not isinstance(data, list):
        raise CatalogError("a JSON catalog must be a list of products or an object with a 'products' list")
    records, columns = [], {}
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            records.append(RawRecord(i, {ERROR_KEY: f"item {i} is not an object"}))
            continue
        cells = {normalize_header(str(k)): _cell_text(v) for k, v in item.items()}
        columns.update(dict.fromkeys(cells))
        records.append(RawRecord(i, cells))
    return RawCatalog(CatalogFormat.JSON, tuple(columns), tuple(records), encoding)


def sku_from_filename(name: str) -> str:
    """`TS-001.jpg`, `TS-001_back.jpg` and `TS-001_2.png` all belong to SKU `TS-001` (split at the first `_`)."""
    return Path(name).stem.split("_", 1)[0].strip()


def read_image_folder(folder: Path) -> RawCatalog:
    """A folder of images grouped by SKU in their file names; one record per SKU, files in name order.

    Files that are not images are listed as records with an error so nothing is silently skipped.
    """
    groups: dict[str, list[str]] = {}
    others: list[str] = []
    for p in sorted(Path(folder).iterdir()):
        if p.name.startswith(".") or not p.is_file():
            continue
        if p.suffix.lower() in IMAGE_SUFFIXES:
            groups.setdefault(sku_from_filename(p.name), []).append(p.name)
        else:
            others.append(p.name)
    records = [
        RawRecord(i, {"sku": sku, "images": "\n".join(files)}) for i, (sku, files) in enumerate(groups.items(), 1)
    ]
    n = len(records)
    records += [RawRecord(n + i, {ERROR_KEY: f"'{name}' is not an image file"}) for i, name in enumerate(others, 1)]
    return RawCatalog(CatalogFormat.FOLDER, ("sku", "images"), tuple(records))


def read_catalog(path: Path) -> RawCatalog:
    """Read any supported catalog: a folder of images, `.json`, or delimited text (`.csv`, `.tsv`, `.txt`)."""
    path = Path(path)
    if path.is_dir():
        return read_image_folder(path)
    if not path.is_file():
        raise CatalogError(f"catalog '{path}' does not exist")
    if path.suffix.lower() == ".json":
        return read_json(path)
    return read_csv(path)


def split_paths(cell: str) -> Iterator[str]:
    """Several image paths in one cell, separated by newlines, `|`, `;` or `,`."""
    for part in re.split(r"[\n|;,]", cell):
        part = part.strip().strip('"').strip()
        if part:
            yield part
