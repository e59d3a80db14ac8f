"""`vitrine video`: every product of a catalog, per-product errors, resume, footage with broken files, presets."""

from __future__ import annotations

import json

from generators.video.encoder import contract_problems, probe
from studio.cli import main
from tests.generators.video.media import product_photo, shot_frames, write_clip


def _catalog(folder):
    (folder / "img").mkdir()
    product_photo(folder / "img" / "bag-1.jpg")
    product_photo(folder / "img" / "bag-2.jpg", box=(200, 100, 330, 260))
    product_photo(folder / "img" / "cup.jpg")
    write_clip(folder / "bag.mp4", shot_frames([40, 40], seed=4), audio=True)
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 truncated")
    rows = [
        "sku,title,description,price,currency,images,videos",
        'BAG-1,Canvas Tote,"Waxed cotton canvas. Brass rivets. Fits a laptop.",39.00,USD,img/bag-1.jpg|img/bag-2.jpg,bag.mp4|broken.mp4',
        "CUP-1,,,,,img/cup.jpg,",
        "GHOST-1,Ghost,No photo at all,5,USD,,",
        "ZH-1,经典圆领纯棉T恤 红色,100%纯棉。柔软亲肤。,19.90,CNY,img/cup.jpg,",
    ]
    catalog = folder / "catalog.csv"
    catalog.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return catalog


def test_every_product_is_rendered_errors_reported_and_a_rerun_resumes(tmp_path, capsys):
    catalog = _catalog(tmp_path)
    out = tmp_path / "out"
    args = [
        "video",
        "--catalog",
        str(catalog),
        "--preset",
        "douyin",
        "--out",
        str(out),
        "--size",
        "90x160",
        "--duration",
        "1",
        "--demo-music",
        "--profile",
        "tiny",
        "--json",
        "--x264-preset",
        "ultrafast",
    ]
    code = main(args)
    summary = json.loads(capsys.readouterr().out)
    status = {p["sku"]: p["status"] for p in summary["products"]}
    assert code == 1 and status == {"BAG-1": "rendered", "CUP-1": "rendered", "GHOST-1": "failed", "ZH-1": "rendered"}
    ghost = next(p for p in summary["products"] if p["sku"] == "GHOST-1")
    assert "no photo or footage" in ghost["error"]

    bag = out / "BAG-1"
    assert contract_problems(bag / "douyin.mp4", (90, 160), 30, 30) == []
    assert (bag / "douyin.jpg").is_file() and "Canvas Tote" in (bag / "douyin.srt").read_text(encoding="utf-8")
    record = json.loads((bag / "video.json").read_text(encoding="utf-8"))
    assert (
        record["inputs"]["copy"]["price"] == "$39.00"
        and record["inputs"]["copy"]["bullets"][0] == "Waxed cotton canvas"
    )
    assert len(record["shots"]) >= 1 and all(s["clip_score"] is not None for s in record["shots"])
    assert (
        any("broken.mp4" in w for w in record["warnings"]) and any("looped" in w for w in record["warnings"]) is False
    )
    assert record["provenance"]["placeholder"] is True  # the tiny CLIP ranked the shots
    cup = json.loads((out / "CUP-1" / "video.json").read_text(encoding="utf-8"))
    assert any("no text" in w for w in cup["warnings"])
    zh = json.loads((out / "ZH-1" / "video.json").read_text(encoding="utf-8"))
    assert zh["inputs"]["copy"]["call_to_action"] == "立即购买" and zh["inputs"]["copy"]["price"] == "¥19.90"

    before = (bag / "douyin.mp4").stat().st_mtime_ns
    code = main(args)
    again = {p["sku"]: p["status"] for p in json.loads(capsys.readouterr().out)["products"]}
    assert again == {"BAG-1": "skipped", "CUP-1": "skipped", "GHOST-1": "failed", "ZH-1": "skipped"}
    assert (bag / "douyin.mp4").stat().st_mtime_ns == before

    (bag / "douyin.mp4").write_bytes((bag / "douyin.mp4").read_bytes()[:2000])  # a damaged output is redone
    main([*args, "--sku", "BAG-1"])
    assert json.loads(capsys.readouterr().out)["products"][0]["status"] == "rendered"
    assert probe(bag / "douyin.mp4").video_codec == "h264"


def test_unknown_preset_is_refused_with_the_valid_ones(tmp_path, capsys):
    code = main(["video", "--catalog", str(_catalog(tmp_path)), "--preset", "vine", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "vine" in err and "douyin" in err and "youtube" in err


def test_products_render_in_parallel_processes(tmp_path, capsys):
    (tmp_path / "img").mkdir()
    rows = ["sku,title,price,currency,images"]
    for i in range(2):
        product_photo(tmp_path / "img" / f"p{i}.jpg")
        rows.append(f"P-{i},Product {i},{i + 5},EUR,img/p{i}.jpg")
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(
        [
            "video",
            "--catalog",
            str(tmp_path / "c.csv"),
            "--preset",
            "square",
            "--out",
            str(out),
            "--size",
            "96x96",
            "--duration",
            "1",
            "--jobs",
            "2",
            "--json",
            "--quiet",
        ]
    )
    products = json.loads(capsys.readouterr().out)["products"]
    assert code == 0 and sorted(p["status"] for p in products) == ["rendered", "rendered"], products
    for i in range(2):
        assert contract_problems(out / f"P-{i}" / "square.mp4", (96, 96), 30, 30) == []
        assert json.loads((out / f"P-{i}" / "video.json").read_text())["inputs"]["copy"]["price"] == f"€{i + 5}"
