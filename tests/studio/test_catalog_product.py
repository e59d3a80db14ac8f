"""One catalog reader for every command: `vitrine copy --catalog` reads what import reads, and the batch's
copy step and the CLI turn a product into the pipelines' record through one conversion."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from studio.cli import main
from studio.project.attribute_sheet import attribute_sheet
from studio.project.catalog_formats import CatalogError
from studio.project.catalog_product import catalog_product, generator_product
from studio.project.importer import import_catalog
from studio.project.store import Store

GBK_ROWS = [
    "货号;标题;描述;颜色;材质;价格",
    "CN-001;红色纯棉T恤;柔软的纯棉针织面料，圆领设计。;红色;纯棉;99",
    "CN-002;藏青牛仔夹克;硬挺牛仔布;藏青;牛仔布;299",
]


def _gbk_catalog(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "catalog.csv"
    path.write_bytes(("\r\n".join(GBK_ROWS) + "\r\n").encode("gbk"))
    return path


def test_copy_reads_a_gbk_semicolon_catalog_like_import(tmp_path, capsys):
    catalog = _gbk_catalog(tmp_path / "cat")
    with pytest.raises(UnicodeDecodeError):
        catalog.read_bytes().decode("utf-8")  # the file really is GBK, not UTF-8
    args = ["copy", "--catalog", str(catalog), "--sku", "CN-001", "--platform", "taobao", "--profile", "tiny"]
    code = main([*args, "--n", "2", "--max-new-tokens", "12", "--json", "--quiet"])
    out = capsys.readouterr()
    assert code in (0, 1), out.err
    data = json.loads(out.out)
    assert data["sku"] == "CN-001" and data["placeholder"] is True
    assert data["attribute_sheet"]["attributes"]["color"][0]["value"] == "红色"  # 颜色 is the color column


def test_copy_names_a_missing_sku_and_an_unreadable_catalog_without_a_traceback(tmp_path, capsys):
    catalog = _gbk_catalog(tmp_path / "cat")
    assert main(["copy", "--catalog", str(catalog), "--sku", "NOPE", "--profile", "tiny"]) == 2
    err = capsys.readouterr().err
    assert "SKU 'NOPE' is not in the catalog" in err and "CN-001, CN-002" in err and "Traceback" not in err

    garbled = tmp_path / "garbled.csv"
    garbled.write_bytes(b"sku,title\nA-1,\xff\xfe\xfd broken\n")
    assert main(["copy", "--catalog", str(garbled), "--sku", "A-1", "--profile", "tiny"]) == 2
    err = capsys.readouterr().err
    assert "neither UTF-8 nor GBK" in err and "Traceback" not in err

    assert main(["copy", "--catalog", str(tmp_path / "missing.csv"), "--sku", "A-1", "--profile", "tiny"]) == 2
    err = capsys.readouterr().err
    assert "missing.csv' does not exist" in err and "Traceback" not in err


def test_sample_catalog_product_has_its_attributes_and_photo():
    path = Path(str(resources.files("assets").joinpath("sample_catalog", "catalog.csv")))
    found = catalog_product(path, "VT-TEE-RED")
    tee = found.product
    assert found.problems == ()
    assert tee.title and tee.category == "tops" and tee.image is not None and tee.image.is_file()
    assert tee.attributes["color"] == "red" and tee.attributes["price"] == "19.90"
    assert "person_images" not in tee.attributes and "images" not in tee.attributes


def test_json_catalog_and_image_folder_read_too(tmp_path):
    from PIL import Image

    (tmp_path / "cat.json").write_text(
        json.dumps({"products": [{"sku": "J-1", "title": "Tee", "colour": "Blue", "attr_fit": "slim"}]}),
        encoding="utf-8",
    )
    product = catalog_product(tmp_path / "cat.json", "J-1").product
    assert product.title == "Tee" and product.attributes == {"color": "Blue", "fit": "slim"}

    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (16, 16), (200, 0, 0)).save(photos / "P-7_front.png")
    product = catalog_product(photos, "P-7").product
    assert product.images == ((photos / "P-7_front.png").resolve(),)


def test_images_import_refuses_are_left_out_and_reported(tmp_path):
    (tmp_path / "c.csv").write_text("sku,title,images\nA-1,Tee,../outside.jpg|http://x.test/a.jpg\n", encoding="utf-8")
    found = catalog_product(tmp_path / "c.csv", "A-1")
    assert found.product.images == ()
    assert len(found.problems) == 2 and "outside the catalog folder" in found.problems[0]
    assert "URL" in found.problems[1]


def test_catalog_without_a_sku_column_is_refused_as_import_refuses_it(tmp_path):
    (tmp_path / "c.csv").write_text("name,price\nTee,3\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="no SKU column"):
        catalog_product(tmp_path / "c.csv", "A-1")


def test_batch_and_cli_build_the_same_product(tmp_path):
    """The copy step (from the store) and `vitrine copy --catalog` (from the file) ground on the same facts."""
    from studio.gui.services import set_attribute
    from studio.project.store import AttributeValue, JobState

    catalog = _gbk_catalog(tmp_path / "cat")
    from_file = catalog_product(catalog, "CN-001").product
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, catalog)
        stored = store.product_by_sku("CN-001")
        from_store = generator_product(stored, attribute_sheet(store, stored.id))
        for field in ("sku", "title", "description", "category", "attributes"):
            assert getattr(from_store, field) == getattr(from_file, field), field
        assert list(from_store.attributes) == ["价格", "color", "material"]
        # A person's correction wins over the catalog's value; a prediction is never a fact.
        set_attribute(store, stored.id, "color", "blue")
        job = store.start_job(stored.id, "attributes", "h")
        store.finish_job(job, JobState.DONE, attributes=[AttributeValue(stored.id, "pattern", "striped", "clip", 0.97)])
        corrected = generator_product(stored, attribute_sheet(store, stored.id))
        assert corrected.attributes["color"] == "blue" and "pattern" not in corrected.attributes


def test_search_reads_the_same_rows_with_the_same_column_rules(tmp_path):
    """`vitrine search` lists a GBK `;` catalog's photos by import's SKU, category and image columns."""
    from PIL import Image

    from studio.project.catalog_images import catalog_photos

    Image.new("RGB", (16, 16), (200, 0, 0)).save(tmp_path / "a.png")
    rows = ["货号;类目;主图", "CN-001;上衣;a.png|missing.png", ";上衣;a.png"]
    (tmp_path / "c.csv").write_bytes("\n".join(rows).encode("gbk"))
    found = catalog_photos(tmp_path / "c.csv")
    assert [(p.sku, p.path.name, p.category) for p in found.photos] == [("CN-001", "a.png", "上衣")]
    assert len(found.problems) == 2 and "missing.png" in found.problems[0] and "no SKU" in found.problems[1]
