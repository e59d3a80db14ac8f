"""`vitrine tryon`: images at the person photo's size, mask.png and tryon.json best first; bad input exits 2
with a message and writes nothing (tiny models)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "assets" / "sample_catalog"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    """The red tee with the astronaut (at 256 px) as its person photo, a mug with none, a tee whose person
    photo shows nobody."""
    folder = tmp_path_factory.mktemp("catalog")
    (folder / "tee.jpg").write_bytes((SAMPLE / "images" / "vt-tee-red-1.jpg").read_bytes())
    (folder / "mug.jpg").write_bytes((SAMPLE / "images" / "vt-cup-red-1.jpg").read_bytes())
    Image.open(SAMPLE / "people" / "astronaut.jpg").convert("RGB").resize((256, 256)).save(folder / "person.jpg")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (200, 200, 3), np.uint8)).save(folder / "nobody.png")
    lines = [
        "sku,title,category,color,material,images,person_images",
        "TEE,Crew Tee,tops,red,cotton,tee.jpg,person.jpg",
        "TEE-NOBODY,Crew Tee,tops,red,cotton,tee.jpg,nobody.png",
        "MUG,Red Mug,home,red,,mug.jpg,person.jpg",
        "TEE-ALONE,Crew Tee,tops,red,cotton,tee.jpg,",
    ]
    (folder / "catalog.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "catalog.csv"


def _tryon(catalog: Path, out: Path, sku: str, *extra: str) -> int:
    args = ["tryon", "--catalog", str(catalog), "--sku", sku, "--out", str(out), "--profile", "tiny", "--quiet"]
    return main([*args, "--n", "2", "--steps", "1", "--resolution", "64", *extra])


def test_writes_images_at_the_photo_size_the_mask_and_tryon_json_best_first(catalog, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert _tryon(catalog, out, "TEE") == 0
    summary = json.loads((out / "tryon.json").read_text(encoding="utf-8"))
    candidates = summary["candidates"]
    assert len(candidates) == 2 and {c["seed"] for c in candidates} == {0, 1}
    assert [c["scores"]["total"] for c in candidates] == sorted(
        (c["scores"]["total"] for c in candidates), reverse=True
    )
    for c in candidates:
        assert set(c) >= {"file", "mask", "scores", "flags", "seed", "placeholder"}
        assert c["placeholder"] is True and Image.open(out / c["file"]).size == (256, 256)
        assert Image.open(out / c["mask"]).size == (256, 256)
    assert summary["garment_type"] == "upper" and summary["mask_source"] == "layout"
    assert "PLACEHOLDER" in capsys.readouterr().err


def test_a_painted_mask_and_a_given_person_photo(catalog, tmp_path) -> None:
    person = catalog.parent / "person.jpg"
    mask = np.zeros((256, 256), np.uint8)
    mask[150:256, 40:200] = 255
    Image.fromarray(mask).save(tmp_path / "painted.png")
    out = tmp_path / "out"
    code = _tryon(catalog, out, "TEE-ALONE", "--person", str(person), "--mask", str(tmp_path / "painted.png"))
    assert code == 0
    summary = json.loads((out / "tryon.json").read_text(encoding="utf-8"))
    assert summary["mask_source"] == "painted"
    written = np.asarray(Image.open(out / "mask.png"))
    assert written[200, 100] == 255 and written[50, 50] == 0


@pytest.mark.parametrize(
    ("sku", "extra", "message"),
    [
        ("TEE-NOBODY", (), "no person found"),
        ("TEE-ALONE", (), "no person photo"),
        ("MUG", (), "--garment-type"),
        ("TEE", ("--n", "0"), "--n must be"),
        ("NOPE", (), "SKU 'NOPE' is not in the catalog"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_writes_nothing(catalog, tmp_path, capsys, sku, extra, message) -> None:
    out = tmp_path / "out"
    assert _tryon(catalog, out, sku, *extra) == 2
    assert message in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_painted_mask_of_another_size_is_refused(catalog, tmp_path, capsys) -> None:
    Image.new("L", (100, 80), 255).save(tmp_path / "small.png")
    out = tmp_path / "out"
    assert _tryon(catalog, out, "TEE", "--mask", str(tmp_path / "small.png")) == 2
    assert "100x80 but the person photo is 256x256" in capsys.readouterr().err
    assert not out.exists()
