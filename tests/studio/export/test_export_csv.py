"""Shopify's documented header, and formula escaping in every CSV cell Vitrine writes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from studio.export import ExportRequest, Platform, export_packages
from studio.export.csv_safe import FORMULA_PREFIXES, csv_bytes, escape_cell
from studio.export.shopify import SHOPIFY_COLUMNS

# Copied by hand from the header row of Shopify's sample product CSV (product_template.csv, linked from
# help.shopify.com/en/manual/products/import-export/using-csv), less the store-specific market columns.
DOCUMENTED_SHOPIFY_HEADER = (
    "Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,"
    "Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,"
    "Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,"
    "Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,"
    "Image Alt Text,Gift Card,SEO Title,SEO Description,Google Shopping / Google Product Category,"
    "Google Shopping / Gender,Google Shopping / Age Group,Google Shopping / MPN,Google Shopping / Condition,"
    "Google Shopping / Custom Product,Variant Image,Variant Weight Unit,Variant Tax Code,Cost per item,Status"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+41 79", "'+41 79"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("a=b", "a=b"),
        ("Red Tee", "Red Tee"),
        ("", ""),
        (None, ""),
        (19.9, "19.9"),
    ],
)
def test_escape_cell(raw, expected):
    assert escape_cell(raw) == expected


def test_csv_bytes_escapes_header_and_cells_and_checks_width():
    data = csv_bytes(["=h", "ok"], [["=1", "x,y"]]).decode()
    rows = list(csv.reader(io.StringIO(data)))
    assert rows == [["'=h", "ok"], ["'=1", "x,y"]]
    with pytest.raises(ValueError):
        csv_bytes(["a", "b"], [["only one"]])


def test_shopify_header_matches_documented_columns(products, tmp_path: Path):
    assert ",".join(SHOPIFY_COLUMNS) == DOCUMENTED_SHOPIFY_HEADER
    res = export_packages(ExportRequest(products, tmp_path / "out", platforms=(Platform.SHOPIFY,)))
    text = (res.package_dir / "shopify" / "products.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == DOCUMENTED_SHOPIFY_HEADER


def _cells(path: Path, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding=encoding))))


def test_every_csv_cell_is_formula_safe(products, tmp_path: Path):
    res = export_packages(ExportRequest(products, tmp_path / "out"))
    csvs = [
        (res.package_dir / "shopify" / "products.csv", "utf-8"),
        (res.package_dir / "taobao" / "listings.csv", "utf-8-sig"),
    ]
    seen_escaped = 0
    for path, enc in csvs:
        for row in _cells(path, enc):
            for cell in row:
                assert not cell.startswith(FORMULA_PREFIXES), (path.name, cell)
                seen_escaped += cell.startswith("'")
    shopify = _cells(csvs[0][0], "utf-8")
    header, first = shopify[0], shopify[1]
    # The approved copy's title starts with '=': it went out escaped, not dropped.
    assert first[header.index("Title")] == "'=cmd|' /C calc'!A0"
    assert seen_escaped >= 2
