"""`vitrine pair`: pairing.json and images best first, and bad input refused cleanly (tiny models)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "sample_catalog" / "images"
TEE = SAMPLES / "vt-tee-red-1.jpg"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    """A catalog whose t-shirts come in every awkward photo format, with jeans, sneakers and a mug."""
    folder = tmp_path_factory.mktemp("catalog")
    tee = Image.open(TEE).convert("RGB")
    tee.convert("CMYK").save(folder / "cmyk.jpg")
    grey16 = (np.asarray(tee.convert("L"), np.uint16) * 257).astype(np.uint16)
    Image.fromarray(grey16).save(folder / "grey16.png")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side: viewers turn it 90° clockwise
    tee.rotate(90, expand=True).save(folder / "rotated.jpg", exif=exif.tobytes())
    tee.resize((64, 64)).save(folder / "thumb.jpg")
    # 12,000 px wide, 60 MP: under the image loader's 64 MP safety limit (larger photos are refused, by name)
    tee.resize((12_000, 5_000), Image.Resampling.NEAREST).save(folder / "huge.jpg")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (300, 300, 3), np.uint8)).save(folder / "busy.png")
    rgba = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    rgba.paste(Image.new("RGBA", (150, 180), (200, 20, 30, 255)), (75, 60))
    rgba.save(folder / "cutout.png")
    for name in ("vt-jean-blue-1.jpg", "vt-snkr-white-1.jpg", "vt-cup-red-1.jpg"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    rows = [
        ("TEE-CMYK", "Crew Tee", "cmyk.jpg"),
        ("TEE-16", "Crew Tee", "grey16.png"),
        ("TEE-ROT", "Crew Tee", "rotated.jpg"),
        ("TEE-THUMB", "Crew Tee", "thumb.jpg"),
        ("TEE-HUGE", "Crew Tee", "huge.jpg"),
        ("TEE-BUSY", "Crew Tee", "busy.png"),
        ("TEE-PNG", "Crew Tee", "cutout.png"),
    ]
    lines = ["sku,title,category,color,images"]
    lines += [f"{sku},{title},t-shirt,red,{img}" for sku, title, img in rows]
    lines += [
        "JEANS,Blue Jeans,jeans,blue,vt-jean-blue-1.jpg",
        "SNKR,White Sneakers,sneakers,white,vt-snkr-white-1.jpg",
    ]
    lines += ["MUG,Red Mug,home,red,vt-cup-red-1.jpg"]
    (folder / "catalog.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "catalog.csv"


def _pair(catalog: Path, out: Path, sku: str, *extra: str) -> int:
    args = ["pair", "--catalog", str(catalog), "--sku", sku, "--out", str(out), "--profile", "tiny", "--quiet"]
    return main([*args, "--project", str(catalog.parent / "project"), *extra])


def test_both_writes_images_and_pairing_json_best_first(catalog, tmp_path, capsys):
    out = tmp_path / "pair"
    assert _pair(catalog, out, "TEE-CMYK", "--n", "2", "--size", "64", "--steps", "1") == 0
    data = json.loads((out / "pairing.json").read_text(encoding="utf-8"))
    candidates = data["candidates"]
    assert [c["kind"] for c in candidates].count("flatlay") == 1 and len(candidates) == 3
    for c in candidates:
        assert (out / c["file"]).is_file() and not Path(c["file"]).is_absolute()
        assert c["items"][0] == "TEE-CMYK" and {"clip_score", "fidelity", "total"} <= set(c["scores"])
        assert c["placeholder"] is (c["kind"] == "generated")
    flat = next(c for c in candidates if c["kind"] == "flatlay")
    assert flat["items"] == ["TEE-CMYK", "JEANS", "SNKR"] and flat["seed"] is None
    assert sorted(c["seed"] for c in candidates if c["kind"] == "generated") == [0, 1]
    shown = [c["scores"]["total"] for c in candidates if not c["hidden"]]
    assert shown == sorted(shown, reverse=True)
    assert "PLACEHOLDER" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["pair"]  # no staging folder left beside it


@pytest.mark.parametrize(
    ("sku", "warning"),
    [
        ("TEE-16", None),
        ("TEE-ROT", None),
        ("TEE-THUMB", "only 64 px; enlarged"),
        ("TEE-HUGE", None),
        ("TEE-BUSY", "not a plain backdrop"),
        ("TEE-PNG", None),
    ],
)
def test_awkward_photos_make_a_flatlay_with_clear_warnings(catalog, tmp_path, capsys, sku, warning):
    out = tmp_path / "pair"
    assert _pair(catalog, out, sku, "--mode", "flatlay") == 0
    data = json.loads((out / "pairing.json").read_text(encoding="utf-8"))
    (flat,) = data["candidates"]
    assert flat["kind"] == "flatlay" and flat["items"] == [sku, "JEANS", "SNKR"] and not flat["placeholder"]
    with Image.open(out / flat["file"]) as im:
        assert im.size == (1200, 1200) and im.mode == "RGB"  # a 12,000-px photo gives an output-size flat-lay
    err = capsys.readouterr().err
    if warning:
        assert warning in err and any(warning in f for f in flat["flags"])
    assert "Traceback" not in err


def test_no_complements(catalog, tmp_path, capsys):
    out = tmp_path / "pair"
    assert _pair(catalog, out, "MUG", "--mode", "flatlay") == 2
    assert "no complementary items" in capsys.readouterr().err and not out.exists()
    assert _pair(catalog, out, "MUG", "--n", "1", "--size", "64", "--steps", "1") == 0
    data = json.loads((out / "pairing.json").read_text(encoding="utf-8"))
    assert [c["kind"] for c in data["candidates"]] == ["generated"]
    assert any("generated looks only" in w for w in data["warnings"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--style", "gothic"), "unknown style 'gothic'; valid styles: casual, office, street, evening, minimalist"),
        (("--n", "-1"), "--n must be between 0 and 16"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(catalog, tmp_path, capsys, extra, message):
    out = tmp_path / "pair"
    assert _pair(catalog, out, "TEE-CMYK", *extra) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and not out.exists()


def test_unknown_sku_and_foreign_out_folder(catalog, tmp_path, capsys):
    assert _pair(catalog, tmp_path / "a", "NOPE") == 2
    assert "SKU 'NOPE' is not in the catalog" in capsys.readouterr().err
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    assert _pair(catalog, foreign, "TEE-CMYK", "--mode", "flatlay") == 2
    assert "not empty" in capsys.readouterr().err and (foreign / "notes.txt").read_text() == "keep me"
