"""Catalog import: every malformed case gives a reported row or a clear message, and loses nothing."""

from __future__ import annotations

import csv
import json
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from studio.batch.recipe import Recipe
from studio.batch.session import BatchRequest, run_catalog_batch
from studio.project.importer import CatalogError, Severity, import_catalog
from studio.project.store import ImageRole, Store


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store.create(tmp_path / "project")
    yield s
    s.close()


def png(path: Path, color=(200, 30, 30), size=(16, 16)) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path)
    return path.name


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(text.encode(encoding))
    return p


def problems_at(report, row: int) -> list[str]:
    return [p.message for p in report.problems if p.row == row]


def test_utf8_bom_semicolons_and_quoted_newlines(tmp_path, store):
    cat = tmp_path / "cat"
    png(cat / "a.png")
    text = 'sku;title;description;images\nA1;Red tee;"line one\nline two; with semicolon";a.png\nA2;Blue tee;x;\n'
    report = import_catalog(store, write(cat, "c.csv", "\ufeff" + text))
    assert report.encoding == "utf-8-sig" and report.delimiter == ";"
    assert report.created == ["A1", "A2"]
    a1 = store.product_by_sku("A1")
    assert a1.title == "Red tee"  # the BOM did not end up in the first header
    assert a1.description == "line one\nline two; with semicolon"
    assert [i.source_path for i in store.images(a1.id)] == ["a.png"]
    assert problems_at(report, 3) and "no usable product image" in problems_at(report, 3)[0]


def test_gbk_text_detected(tmp_path, store):
    cat = tmp_path / "cat"
    report = import_catalog(store, write(cat, "c.csv", "货号,标题,颜色\nB1,红色连衣裙,红色\n", encoding="gbk"))
    assert report.encoding == "gb18030"
    p = store.product_by_sku("B1")
    assert p.title == "红色连衣裙"
    assert [(a.name, a.value) for a in store.attributes(p.id)] == [("颜色", "红色")]


def test_tsv_and_json(tmp_path, store):
    cat = tmp_path / "cat"
    png(cat / "img" / "x.png")
    r1 = import_catalog(store, write(cat, "c.tsv", "sku\ttitle\timage\nT1\tTab tee\timg/x.png\n"))
    assert r1.delimiter == "\t" and r1.created == ["T1"]
    data = [{"sku": "J1", "title": "Json tee", "images": ["img/x.png"], "price": 9.5}, "oops", {"title": "no sku"}]
    r2 = import_catalog(store, write(cat, "c.json", json.dumps(data)))
    assert r2.created == ["J1"] and r2.rejected_rows == [2, 3]
    assert store.product_by_sku("J1").fields == {"price": "9.5"}


def test_duplicate_skus_reported_first_kept(tmp_path, store):
    report = import_catalog(store, write(tmp_path, "c.csv", "sku,title\nD1,first\nD1,second\nD2,other\n"))
    assert report.created == ["D1", "D2"]
    assert report.rejected_rows == [3]
    assert "duplicate SKU 'D1' (first at row 2)" in problems_at(report, 3)[0]
    assert store.product_by_sku("D1").title == "first"


def test_missing_required_columns_is_a_clear_message(tmp_path, store):
    with pytest.raises(CatalogError, match="no SKU column.*its columns are: name, price"):
        import_catalog(store, write(tmp_path, "c.csv", "name,price\nTee,3\n"))
    with pytest.raises(CatalogError, match="'title' column or an 'image' column"):
        import_catalog(store, write(tmp_path, "d.csv", "sku,price\nX,3\n"))
    assert store.count_products() == 0


def test_missing_sku_cell_rejected(tmp_path, store):
    report = import_catalog(store, write(tmp_path, "c.csv", "sku,title\n,nameless\nOK,fine\n"))
    assert report.rejected_rows == [2] and report.created == ["OK"]


def test_bad_image_references(tmp_path, store):
    cat = tmp_path / "cat"
    png(cat / "good.png")
    (tmp_path / "secret.png").write_bytes((cat / "good.png").read_bytes())
    (cat / "empty.jpg").write_bytes(b"")
    (cat / "doc.jpg").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    Image.new("RGB", (64, 64), (10, 200, 10)).save(cat / "full.jpg", quality=95)
    data = (cat / "full.jpg").read_bytes()
    (cat / "cut.jpg").write_bytes(data[: len(data) // 2])
    (cat / "bomb.png").write_bytes(_png_header_only(40000, 40000))
    rows = [
        ("P1", "../../etc/passwd"),
        ("P2", "../secret.png"),
        ("P3", "https://example.com/a.jpg"),
        ("P4", "empty.jpg"),
        ("P5", "cut.jpg"),
        ("P6", "bomb.png"),
        ("P7", "doc.jpg"),
        ("P8", "missing.png"),
        ("P9", "good.png|../../etc/passwd"),
    ]
    text = "sku,title,images\n" + "".join(f"{s},Tee {s},{p}\n" for s, p in rows)
    report = import_catalog(store, write(cat, "c.csv", text))
    assert report.imported == 9 and not report.rejected_rows  # the rows themselves import
    expect = {
        2: "outside the catalog folder",
        3: "outside the catalog folder",
        4: "URL: Vitrine works offline",
        5: "empty (0 bytes)",
        6: "truncated",
        7: "decompression bomb",
        8: "is a PDF",
        9: "not found",
        10: "outside the catalog folder",
    }
    for row, text in expect.items():
        msgs = [p for p in report.problems if p.row == row and p.column == "images"]
        assert msgs and text.lower() in msgs[0].message.lower() and msgs[0].severity is Severity.ERROR, (
            row,
            report.problems,
        )
    assert [i.source_path for i in store.images(store.product_by_sku("P9").id)] == ["good.png"]
    assert not store.images(store.product_by_sku("P1").id)
    assert all(len(i.sha256) == 64 for i in store.images(store.product_by_sku("P9").id))


def test_formula_cells_flagged_kept_and_escaped_on_export(tmp_path, store):
    text = 'sku,title,brand,price\nF1,=HYPERLINK("x"),@evil,-3\nF2,+1+2,-cmd,10\n'
    catalog = write(tmp_path / "cat", "c.csv", text)
    report = import_catalog(store, catalog)
    assert report.created == ["F1", "F2"]
    flagged = {(p.row, p.column) for p in report.problems if "formula" in p.message}
    assert flagged == {(2, "title"), (2, "brand"), (3, "title"), (3, "brand")}  # -3 is a number, not a formula
    assert store.product_by_sku("F1").title == '=HYPERLINK("x")'  # lose nothing
    out = tmp_path / "out"
    run_catalog_batch(BatchRequest(catalog, out, Recipe.IMAGES, platforms=("shopify",)))
    with (out / "shopify" / "products.csv").open(newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert '\'=HYPERLINK("x")' in cells and "'@evil" in cells and "'+1+2" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]


def test_reimport_upserts_by_sku(tmp_path, store):
    cat = tmp_path / "cat"
    png(cat / "a.png")
    png(cat / "b.png", color=(0, 0, 200))
    import_catalog(store, write(cat, "c.csv", "sku,title,images\nU1,Old,a.png\nU2,Same,a.png\n"))
    report = import_catalog(store, write(cat, "c.csv", "sku,title,images\nU1,New,b.png\nU2,Same,a.png\nU3,Added,\n"))
    assert (report.created, report.updated, report.unchanged) == (["U3"], ["U1"], ["U2"])
    assert store.count_products() == 3
    u1 = store.product_by_sku("U1")
    assert u1.title == "New" and [i.source_path for i in store.images(u1.id)] == ["b.png"]


def test_image_folder_grouped_by_sku(tmp_path, store):
    cat = tmp_path / "photos"
    png(cat / "TS-001.jpg")
    png(cat / "TS-001_back.jpg", color=(1, 2, 3))
    png(cat / "TS-002_1.png")
    (cat / "notes.txt").write_text("hello")
    report = import_catalog(store, cat)
    assert report.created == ["TS-001", "TS-002"]
    assert len(store.images(store.product_by_sku("TS-001").id)) == 2
    assert any("notes.txt" in p.message for p in report.problems)


def test_person_photos_column(tmp_path, store):
    cat = tmp_path / "cat"
    png(cat / "p.png")
    png(cat / "person.png", color=(5, 5, 5))
    import_catalog(store, write(cat, "c.csv", "sku,title,images,person_images\nQ1,Tee,p.png,person.png\n"))
    pid = store.product_by_sku("Q1").id
    assert [i.source_path for i in store.images(pid, ImageRole.PERSON)] == ["person.png"]


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge canvas: opening it must be refused before decoding."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_repeated_headers_extra_cells_and_windows_paths(tmp_path, store):
    cat = tmp_path / "cat"
    png(cat / "img" / "a.png")
    png(cat / "img" / "b.png", color=(0, 90, 0))
    text = "sku,title,image,image\nW1,Tee,img\\a.png,img/b.png\nW2,Top,,,surplus\n"
    report = import_catalog(store, write(cat, "c.csv", text))
    assert report.created == ["W1", "W2"]
    w1 = store.product_by_sku("W1")
    assert [i.source_path for i in store.images(w1.id)] == ["img/a.png", "img/b.png"]  # neither column lost
    assert store.product_by_sku("W2").fields == {"column_5": "surplus"}
    assert any(p.row == 3 and "5 cells but the header has 4" in p.message for p in report.problems)
