"""Shopify's documented header, and formula escaping in every CSV cell Vitrine writes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from studio.export import ExportRequest, Platform, export_packages
from studio.export.csv_safe import FORMULA_PREFIXES, csv_bytes, escape_cell
from studio.export.shopify import SHOPIFY_COLUMNS

# Copied by hand from the header row of Shopify's sample product CSV (product_template.csv, 2024+ format, linked
# from help.shopify.com/en/manual/products/import-export/using-csv), less the store-specific market columns.
DOCUMENTED_SHOPIFY_HEADER = (
    "Title,URL handle,Description,Vendor,Product category,Type,Tags,Published on online store,Status,SKU,"
    "Barcode,Option1 name,Option1 value,Option1 Linked To,Option2 name,Option2 value,Option2 Linked To,"
    "Option3 name,Option3 value,Option3 Linked To,Price,Compare-at price,Cost per item,Charge tax,"
    "Tax code,Unit price total measure,Unit price total measure unit,Unit price base measure,"
    "Unit price base measure unit,Inventory tracker,Inventory quantity,"
    "Continue selling when out of stock,Weight value (grams),Weight unit for display,Requires shipping,"
    "Fulfillment service,Product image URL,Image position,Image alt text,Variant image URL,Gift card,"
    "SEO title,SEO description,Color (product.metafields.shopify.color-pattern),"
    "Google Shopping / Google product category,Google Shopping / Gender,Google Shopping / Age group,"
    "Google Shopping / Manufacturer part number (MPN),Google Shopping / Ad group name,"
    "Google Shopping / Ads labels,Google Shopping / Condition,Google Shopping / Custom product,"
    "Google Shopping / Custom label 0,Google Shopping / Custom label 1,Google Shopping / Custom label 2,"
    "Google Shopping / Custom label 3,Google Shopping / Custom label 4"
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
