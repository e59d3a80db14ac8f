"""What platforms would reject, found at import (prices, currencies, titles, main images) and at export (brand)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from studio.project.importer import import_catalog
from studio.project.listing_checks import listing_problems, parse_price
from studio.project.store import Store


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("19.90", (19.9, "")), ("$19.90", (19.9, "USD")), ("19,90 EUR", (19.9, "EUR")), ("99元", (99.0, "CNY"))],
)
def test_prices_a_platform_reads(text, parsed):
    assert parse_price(text) == parsed


@pytest.mark.parametrize("text", ["19.9O", "about 20", "12-15", ""])
def test_prices_a_platform_refuses(text):
    assert parse_price(text) is None


def _messages(cells: dict[str, str], title: str = "Tee") -> list[str]:
    return [p.message for p in listing_problems(cells, title)]


def test_listing_problems_per_row():
    assert _messages({"price": "19.90", "currency": "USD"}) == []
    assert _messages({"price": "¥99"}, "经典T恤") == []
    assert any("not a number" in m for m in _messages({"price": "19.9O", "currency": "USD"}))
    assert any("'XYZ' is not a known ISO 4217" in m for m in _messages({"price": "19.90", "currency": "XYZ"}))
    assert any("no currency" in m for m in _messages({"price": "19.90"}))
    assert any("no price" in m for m in _messages({}))
    long_en = "Tee " * 60
    assert any("Amazon allows 200" in m for m in _messages({"price": "$1"}, long_en))
    long_zh = "纯棉圆领短袖T恤男女同款宽松百搭夏季新款休闲上衣打底衫红色经典款式"
    found = _messages({"price": "¥1"}, long_zh)
    assert any("Taobao" in m for m in found) and not any("Amazon" in m for m in found)


def test_import_reports_them_as_warnings_and_still_imports(tmp_path: Path):
    Image.new("RGB", (32, 32), (200, 30, 30)).save(tmp_path / "a.png")
    (tmp_path / "catalog.csv").write_text(
        "sku,title,price,currency,images\n"
        "A,Red tee,19.9O,USD,a.png\n"
        "B,Blue tee,12.00,XYZ,\n"
        "C,Green tee,15.00,USD,a.png\n",
        encoding="utf-8",
    )
    with Store.create(tmp_path / "proj") as store:
        report = import_catalog(store, tmp_path / "catalog.csv")
        assert report.imported == 3 and not report.rejected
        by_row = {}
        for p in report.problems:
            by_row.setdefault(p.row, []).append(p.message)
        assert any("not a number" in m for m in by_row[2])
        assert any("ISO 4217" in m for m in by_row[3]) and any("no usable product image" in m for m in by_row[3])
        assert 4 not in by_row


def test_amazon_brand_comes_from_the_catalog_or_the_brand_kit_never_generic(tmp_path: Path):
    from studio.batch.export_bridge import export_batch

    Image.new("RGB", (32, 32), (255, 255, 255)).save(tmp_path / "a.png")
    (tmp_path / "catalog.csv").write_text(
        "sku,title,price,currency,brand,images\nA,Red tee,19.90,USD,Acme,a.png\nB,Blue tee,12.00,USD,,a.png\n",
        encoding="utf-8",
    )
    with Store.create(tmp_path / "proj") as store:
        import_catalog(store, tmp_path / "catalog.csv")
        out = export_batch(store, tmp_path / "out1", platforms=("amazon",))
        listings = {x["sku"]: x for x in json.loads((tmp_path / "out1/amazon/listings.json").read_text())["listings"]}
        assert listings["A"]["attributes"]["brand"][0]["value"] == "Acme"
        assert "brand" not in listings["B"]["attributes"] and any("no brand" in f for f in listings["B"]["flags"])
        assert "Generic" not in (tmp_path / "out1/amazon/listings.json").read_text()
        assert any(w.startswith("B: no brand") for w in out.warnings)
        (store.folder / "brand_kit.json").write_text(json.dumps({"name": "Shop kit", "brand": "Vitrine Co"}))
        export_batch(store, tmp_path / "out2", platforms=("amazon",))
        listings = {x["sku"]: x for x in json.loads((tmp_path / "out2/amazon/listings.json").read_text())["listings"]}
        assert listings["B"]["attributes"]["brand"][0]["value"] == "Vitrine Co"
        assert listings["A"]["attributes"]["brand"][0]["value"] == "Acme"  # the catalog's own brand wins


def test_vitrine_batch_image_base_url_is_checked_remembered_and_used(tmp_path: Path, capsys):
    from studio.batch.synthetic import write_synthetic_catalog
    from studio.cli import main
    from studio.project.store import ProjectSetting

    catalog = write_synthetic_catalog(tmp_path / "cat", 2, image_size=32)
    out, project = tmp_path / "out", tmp_path / "out.project"
    args = ["batch", str(catalog), "--out", str(out), "--recipe", "images", "--platform", "shopify", "--quiet"]
    assert main([*args, "--image-base-url", "cdn.example.com/shop"]) == 2
    assert "must be a web address" in capsys.readouterr().err and not project.exists()  # nothing made

    assert main([*args, "--image-base-url", "https://cdn.example.com/shop", "--include-weak"]) == 0
    with Store.open(project) as store:
        assert store.setting(ProjectSetting.IMAGE_BASE_URL) == "https://cdn.example.com/shop"
    csv_text = (out / "shopify/products.csv").read_text(encoding="utf-8")
    assert "https://cdn.example.com/shop/" in csv_text
    assert main(args) == 0  # a later run without the flag keeps the project's URL
    assert "https://cdn.example.com/shop/" in (out / "shopify/products.csv").read_text(encoding="utf-8")


def test_a_person_s_edit_to_copy_is_what_gets_exported(tmp_path: Path):
    from studio.batch.export_bridge import export_batch
    from studio.project.review import approve
    from studio.project.store import JobState, NewCandidate

    Image.new("RGB", (32, 32), (255, 255, 255)).save(tmp_path / "a.png")
    (tmp_path / "catalog.csv").write_text(
        "sku,title,price,currency,brand,images\nA,Red tee,19.90,USD,Acme,a.png\n", encoding="utf-8"
    )
    with Store.create(tmp_path / "proj") as store:
        import_catalog(store, tmp_path / "catalog.csv")
        pid = store.product_by_sku("A").id
        job = store.start_job(pid, "copy", "h")
        params = {"platform": "amazon", "language": "en", "title": "Model title", "bullets": ["model bullet"]}
        [draft] = store.finish_job(
            job, JobState.DONE, candidates=[NewCandidate("copy", text="Model title\n\n• model bullet", params=params)]
        )
        store.set_candidate_text(draft.id, "Hand-written title\n\n• Soft cotton\n• Crew neck\n\nA classic tee.")
        approve(store, [draft.id])
        export_batch(store, tmp_path / "out", platforms=("amazon",))
        listing = json.loads((tmp_path / "out/amazon/listings.json").read_text())["listings"][0]["attributes"]
        assert listing["item_name"][0]["value"] == "Hand-written title"
        assert [b["value"] for b in listing["bullet_point"]] == ["Soft cotton", "Crew neck"]
        assert listing["product_description"][0]["value"] == "A classic tee."
