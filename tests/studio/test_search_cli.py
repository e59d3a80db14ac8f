"""Tier 3: `vitrine search` and `vitrine look` over a catalog file, with the tiny CLIP."""

from __future__ import annotations

import json

from studio.cli import main
from studio.project.catalog_images import catalog_photos
from tests.scoring.conftest import make_image


def _catalog(folder):
    """Four products with known categories; one row's photo is missing and one points at a URL."""
    (folder / "img").mkdir()
    for i, name in enumerate(["tee", "tee-back", "jeans", "sneakers", "cap"]):
        make_image(folder / "img" / f"{name}.png", seed=40 + i, size=(64, 64))
    (folder / "catalog.csv").write_text(
        "sku,title,category,images\n"
        "TEE,Red tee,t-shirt,img/tee.png|img/tee-back.png\n"
        "JEAN,Blue jeans,jeans,img/jeans.png\n"
        "SNKR,White sneakers,sneakers,img/sneakers.png\n"
        "HAT,Cap,hat,img/cap.png\n"
        "GONE,Lost,shorts,img/missing.png\n"
        "WEB,Web,belt,https://example.com/a.jpg\n",
        encoding="utf-8",
    )
    return folder / "catalog.csv"


def test_catalog_photos_follow_the_importer_rules(tmp_path):
    found = catalog_photos(_catalog(tmp_path))
    assert [p.sku for p in found.photos] == ["TEE", "TEE", "JEAN", "SNKR", "HAT"]
    assert found.photos[0].category == "t-shirt"
    assert any("row 6" in p and "missing.png" in p for p in found.problems)
    assert any("row 7" in p and "URL" in p for p in found.problems)


def test_search_by_text_and_by_photo_lists_each_product_once(tmp_path, capsys):
    catalog = _catalog(tmp_path)
    assert main(["search", str(catalog), "--text", "a red t-shirt", "--profile", "tiny", "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["placeholder"] is True and data["notice"].startswith("PLACEHOLDER")
    skus = [h["sku"] for h in data["hits"]]
    assert sorted(skus) == ["HAT", "JEAN", "SNKR", "TEE"]  # TEE's two photos give one hit
    assert [h["rank"] for h in data["hits"]] == [1, 2, 3, 4]
    scores = [h["cos"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert "missing.png" in err and "URL" in err  # skipped rows are named, the rest is searched

    query = tmp_path / "img" / "jeans.png"
    assert main(["search", str(catalog), "--image", str(query), "-k", "2", "--profile", "tiny", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert len(hits) == 2 and all(h["image"] != str(query) for h in hits)  # the query photo itself is left out

    assert main(["search", str(catalog), "--text", "a red t-shirt", "--profile", "tiny"]) == 0
    assert "Search" in capsys.readouterr().out


def test_look_suggests_complementary_categories(tmp_path, capsys):
    catalog = _catalog(tmp_path)
    assert main(["look", str(catalog), "--sku", "TEE", "--profile", "tiny", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["anchor"] == "TEE" and data["anchor_category"] == "t-shirt"
    found = {cat: [h["sku"] for h in hits] for cat, hits in data["by_category"].items()}
    assert found == {"jeans": ["JEAN"], "sneakers": ["SNKR"], "hat": ["HAT"]}


def test_search_and_look_refuse_bad_requests(tmp_path, capsys):
    catalog = _catalog(tmp_path)
    assert main(["look", str(catalog), "--sku", "NOPE", "--profile", "tiny"]) == 2
    assert "'NOPE' is not in the catalog" in capsys.readouterr().err
    assert main(["search", str(catalog), "--text", "  ", "--profile", "tiny"]) == 2
    assert "--text is empty" in capsys.readouterr().err
    assert main(["search", str(tmp_path / "nothing.csv"), "--text", "x", "--profile", "tiny"]) == 2
    assert "does not exist" in capsys.readouterr().err
