"""The committed sample catalog: rows point at real files, the Chinese copy is GB18030, assets stay small."""

from __future__ import annotations

import csv
import io

from PIL import Image

from assets import ASSETS_DIR
from studio.samples.render_products import CATALOG_COLUMNS, PRODUCTS, catalog_rows

ROOT = ASSETS_DIR / "sample_catalog"


def _rows(name: str, encoding: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((ROOT / name).read_bytes().decode(encoding))))


def test_catalog_rows_point_at_committed_images():
    rows = _rows("catalog.csv", "utf-8")
    assert tuple(rows[0]) == CATALOG_COLUMNS
    assert 10 <= len(rows) <= 14 and len({r["sku"] for r in rows}) == len(rows)
    for r in rows:
        for rel in r["images"].split("|") + ([r["person_images"]] if r["person_images"] else []):
            with Image.open(ROOT / rel) as im:
                assert im.format == "JPEG" and max(im.size) <= 800
                assert not im.getexif()
    assert {r["category"] for r in rows} >= {"tops", "bottoms", "shoes", "bags"}
    assert any(r["person_images"] for r in rows)
    # The committed file is what the generator writes (no hand edits drift from the code).
    assert rows == catalog_rows()


def test_chinese_catalog_is_gb18030_with_the_same_skus():
    raw = (ROOT / "catalog_zh.csv").read_bytes()
    try:
        raw.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    assert not utf8  # really GB18030-encoded, not UTF-8
    zh = _rows("catalog_zh.csv", "gb18030")
    en = _rows("catalog.csv", "utf-8")
    assert [r["sku"] for r in zh] == [r["sku"] for r in en]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r["title"]) for r in zh)


def test_assets_are_small():
    files = [p for p in ROOT.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 4_000_000


def test_footage_clip_is_made_from_the_committed_shots(tmp_path):
    import shutil

    from studio.samples.__main__ import write_footage

    shutil.copytree(ROOT / "images", tmp_path / "images")
    clip = write_footage(tmp_path)
    assert 10_000 < clip.stat().st_size < 1_000_000
    assert clip.read_bytes()[4:8] == b"ftyp"
    assert len(PRODUCTS) == len(_rows("catalog.csv", "utf-8"))
