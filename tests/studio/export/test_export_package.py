"""export_packages end to end: platform folders, review mode, Amazon/Taobao rules, atomic replacement."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest
from conftest import make_photo
from PIL import Image

from studio.export import ExportMode, ExportProduct, ExportRequest, Platform, export_packages
from studio.export.taobao import title_width


def test_full_package_layout_and_result(products, tmp_path: Path):
    seen = []
    res = export_packages(ExportRequest(products, tmp_path / "out", vendor="Demo"), progress=seen.append)
    root = res.package_dir
    assert root == tmp_path / "out" / "vitrine-export"
    for rel in (
        "report.html",
        "shopify/products.csv",
        "amazon/listings.json",
        "taobao/listings.json",
        "taobao/listings.csv",
        "taobao/douyin.json",
        "generic/products.json",
        "generic/products.md",
    ):
        assert (root / rel).is_file(), rel
    assert res.files and all(f.is_file() and root in f.parents for f in res.files)
    assert [p.step for p in seen] == sorted(p.step for p in seen) and seen[-1].step == seen[-1].total
    # Nothing half-written is left next to the package.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["vitrine-export"]


def test_shopify_rows_variants_and_images(products, tmp_path: Path):
    res = export_packages(
        ExportRequest(
            products, tmp_path / "o", platforms=(Platform.SHOPIFY,), image_base_url="https://cdn.example.com/files/"
        )
    )
    rows = list(csv.DictReader(io.StringIO((res.package_dir / "shopify/products.csv").read_text("utf-8"))))
    tee = [r for r in rows if r["URL handle"].startswith("tee-1")]
    assert [r["Option1 value"] for r in tee[:3]] == ["S", "M", "L"]
    assert tee[0]["Title"] and not tee[1]["Title"]
    images = [r["Product image URL"] for r in tee if r["Product image URL"]]
    assert len(images) == 3  # two catalog photos + the generated image that was not rejected (BEST mode)
    assert all(u.startswith("https://cdn.example.com/files/") for u in images)
    assert tee[0]["Image alt text"] == "a red t-shirt on white"  # the best caption
    mug = [r for r in rows if not r["URL handle"].startswith("tee-1")]
    assert mug[0]["Option1 name"] == "Title" and mug[0]["Option1 value"] == "Default Title"
    assert "<script>" not in mug[0]["Description"]


def test_review_mode_exports_only_approved(products, tmp_path: Path):
    best = export_packages(ExportRequest(products, tmp_path / "a", platforms=(Platform.GENERIC, Platform.AMAZON)))
    review = export_packages(
        ExportRequest(
            products, tmp_path / "b", platforms=(Platform.GENERIC, Platform.AMAZON), review_mode=ExportMode.REVIEW
        )
    )
    gb = json.loads((best.package_dir / "generic/products.json").read_text())["products"][0]
    gr = json.loads((review.package_dir / "generic/products.json").read_text())["products"][0]
    assert [i["source"] for i in gb["images"]].count("generated") == 1  # the rejected one never goes out
    assert [i["source"] for i in gr["images"]].count("generated") == 0  # nothing approved
    assert {c["platform"] for c in gr["copy"]} == {"shopify", "taobao"}  # only the approved copy
    assert all(c["approved"] for c in gr["copy"])
    assert len(gr["videos"]) == 1
    amazon = json.loads((review.package_dir / "amazon/listings.json").read_text())["listings"][0]
    # The Amazon copy was not approved: the approved Shopify copy (any platform, English) stands in.
    assert amazon["attributes"]["item_name"][0]["value"].startswith("=cmd")
    assert not any("Amazon copy" in w for w in review.warnings if w.startswith("TEE-1"))


def test_amazon_listing_rules(products, tmp_path: Path):
    # include_weak: the tee's Amazon copy was written by a placeholder model, which the default export holds back.
    res = export_packages(ExportRequest(products, tmp_path / "o", platforms=(Platform.AMAZON,), include_weak=True))
    listings = json.loads((res.package_dir / "amazon/listings.json").read_text())["listings"]
    tee, mug = listings
    assert len(tee["attributes"]["bullet_point"]) == 5
    assert tee["placeholder"] is True
    main = tee["images"][0]
    assert main["role"] == "MAIN" and main["white_background"] is True and main["upscaled"] is True
    assert Image.open(res.package_dir / "amazon" / main["path"]).size == (1000, 1000)
    assert tee["images"][1]["role"] == "PT01"
    assert mug["images"][0]["upscaled"] is False
    assert any("upscaled" in w for w in res.warnings)


def test_taobao_and_douyin_in_chinese(products, tmp_path: Path):
    res = export_packages(ExportRequest(products, tmp_path / "o", platforms=(Platform.TAOBAO,)))
    tb = json.loads((res.package_dir / "taobao/listings.json").read_text("utf-8"))["商品"]
    dy = json.loads((res.package_dir / "taobao/douyin.json").read_text("utf-8"))["作品"]
    assert title_width(tb[0]["宝贝标题"]) <= 30 and tb[0]["宝贝标题"].startswith("经典圆领")
    assert any("shortened" in f for f in tb[0]["标记"])
    assert tb[0]["卖点"] == ["纯棉", "透气"]
    assert dy[0]["话题"] == ["#穿搭", "#夏日"]
    for rel in tb[0]["主图"]:
        assert Image.open(res.package_dir / "taobao" / rel).size == (800, 800)
    assert "no-chinese-copy" in tb[1]["标记"]
    raw = (res.package_dir / "taobao/listings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "宝贝标题".encode() in raw


def test_failed_export_keeps_the_previous_package(products, tmp_path: Path):
    first = export_packages(ExportRequest(products, tmp_path / "out", platforms=(Platform.GENERIC,)))
    before = sorted(p.relative_to(first.package_dir) for p in first.package_dir.rglob("*"))
    broken = dataclasses.replace(products[1], images=(tmp_path / "missing.jpg",))
    with pytest.raises(Exception, match="missing.jpg"):
        export_packages(ExportRequest((products[0], broken), tmp_path / "out", platforms=(Platform.GENERIC,)))
    after = sorted(p.relative_to(first.package_dir) for p in first.package_dir.rglob("*"))
    assert after == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["vitrine-export"]


def test_second_export_replaces_the_first(products, tmp_path: Path):
    export_packages(ExportRequest(products, tmp_path / "out"))
    res = export_packages(ExportRequest(products[:1], tmp_path / "out", platforms=(Platform.GENERIC,)))
    assert not (res.package_dir / "shopify").exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["vitrine-export"]


def test_manifest_lists_every_file(products, tmp_path: Path):
    res = export_packages(ExportRequest(products, tmp_path / "o", platforms=(Platform.GENERIC, Platform.TAOBAO)))
    manifest = json.loads((res.package_dir / "manifest.json").read_text("utf-8"))
    on_disk = sorted(p.relative_to(res.package_dir).as_posix() for p in res.package_dir.rglob("*") if p.is_file())
    assert sorted(manifest["files"]) == on_disk
    assert manifest["products"] == [p.sku for p in products]
    assert manifest["warnings"] == list(res.warnings)


def test_video_metadata_is_stripped(products, tmp_path: Path):
    import subprocess

    import imageio_ffmpeg

    clip = tmp_path / "gps.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x64:rate=10",
            "-t",
            "0.3",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-metadata",
            "title=SpyCam",
            "-metadata",
            "location=+47.3769+008.5417/",
            str(clip),
        ],
        check=True,
    )
    assert b"SpyCam" in clip.read_bytes()
    tee = dataclasses.replace(
        products[0], video_candidates=(dataclasses.replace(products[0].video_candidates[0], path=clip),)
    )
    res = export_packages(ExportRequest((tee,), tmp_path / "o", platforms=(Platform.GENERIC,)))
    (out,) = (res.package_dir / "generic" / "videos").iterdir()
    data = out.read_bytes()
    assert data[4:8] == b"ftyp" and b"SpyCam" not in data and b"47.3769" not in data
    assert not any("copied as is" in w for w in res.warnings)


def test_unreadable_video_is_copied_and_flagged(products, tmp_path: Path):
    res = export_packages(ExportRequest(products, tmp_path / "o", platforms=(Platform.GENERIC,)))
    assert any("copied as is" in w for w in res.warnings)


def test_generator_of_products_streams_to_the_same_package(products, tmp_path: Path):
    """A generator is read once, product by product; the package equals the one from a tuple, byte for byte."""
    import re
    import stat

    from studio.atomic_files import current_umask

    read = []

    def gen():
        for p in products:
            read.append(p.sku)
            yield p

    seen = []
    a = export_packages(ExportRequest(products, tmp_path / "a", vendor="Demo"))
    b = export_packages(ExportRequest(gen(), tmp_path / "b", vendor="Demo"), progress=seen.append)
    assert read == [p.sku for p in products]
    assert seen[-1].step == seen[-1].total == len(products) + 1
    files_a = sorted(f.relative_to(a.package_dir) for f in a.files)
    assert files_a == sorted(f.relative_to(b.package_dir) for f in b.files) and a.warnings == b.warnings
    stamp = re.compile(rb'"created": "[^"]*"|\d{4}-\d\d-\d\d \d\d:\d\d UTC')
    for rel in files_a:
        assert stamp.sub(b"", (a.package_dir / rel).read_bytes()) == stamp.sub(b"", (b.package_dir / rel).read_bytes())
    # Exported files get the user's normal mode, not the private 0600 of a temp file.
    umask = current_umask()
    for f in (b.report_html, b.package_dir / "shopify" / "products.csv", b.package_dir / "manifest.json"):
        assert stat.S_IMODE(f.stat().st_mode) == 0o666 & ~umask, f
    assert stat.S_IMODE(b.package_dir.stat().st_mode) == 0o777 & ~umask
    assert not [p for p in b.package_dir.rglob(".*")]  # no temp or section files left inside


def test_amazon_main_cut_out_onto_white_keeps_the_photo_as_shot(tmp_path: Path):
    paper = make_photo(tmp_path / "src/paper.jpg", (1200, 1200), bg=(236, 234, 230))
    product = ExportProduct(sku="BAG-1", title="Black Bag", images=(paper,))
    res = export_packages(ExportRequest((product,), tmp_path / "o", platforms=(Platform.AMAZON,)))
    listing = json.loads((res.package_dir / "amazon/listings.json").read_text())["listings"][0]
    main, shot = listing["images"][:2]
    assert main["role"] == "MAIN" and main["cut_out"] is True and main["white_background"] is True
    assert shot["role"] == "PT01" and shot["cut_out"] is False
    corner = Image.open(res.package_dir / "amazon" / shot["path"]).convert("RGB").getpixel((5, 5))
    assert corner != (255, 255, 255)  # PT01 is the photo as shot, paper and all
    assert listing["attributes"]["other_product_image_locator_1"][0]["media_location"] == shot["url"]
    assert any("cut out" in w for w in res.warnings)


def test_default_export_holds_back_placeholder_copy_and_says_so(products, tmp_path: Path):
    res = export_packages(ExportRequest(products, tmp_path / "o", platforms=(Platform.AMAZON,)))
    tee = json.loads((res.package_dir / "amazon/listings.json").read_text())["listings"][0]
    assert tee["placeholder"] is False
    assert tee["attributes"]["item_name"][0]["value"] != "Red Tee for Amazon"  # the placeholder's title
    held = [w for w in res.warnings if w.startswith("TEE-1: copy for amazon (en)")]
    assert held and "held back: placeholder" in held[0] and "--include-weak" in held[0]


def test_image_base_url_makes_platform_image_urls_and_upload_md_says_what_goes_where(products, tmp_path: Path):
    platforms = (Platform.SHOPIFY, Platform.AMAZON)
    base = "https://cdn.example.com/shop"
    res = export_packages(ExportRequest(products, tmp_path / "o", platforms=platforms, image_base_url=base + "/"))
    with (res.package_dir / "shopify/products.csv").open(encoding="utf-8") as fh:
        urls = [r["Product image URL"] for r in csv.DictReader(fh) if r["Product image URL"]]
    assert urls and all(u.startswith(base + "/") and u.endswith(".jpg") and "//" not in u[8:] for u in urls)
    listing = json.loads((res.package_dir / "amazon/listings.json").read_text())["listings"][0]
    main = listing["attributes"]["main_product_image_locator"][0]["media_location"]
    assert main == f"{base}/{Path(listing['images'][0]['path']).name}"
    guide = (res.package_dir / "UPLOAD.md").read_text()
    assert "`shopify/images/`" in guide and "`amazon/images/`" in guide and base in guide
    assert not any("no image base URL" in w for w in res.warnings)

    bare = export_packages(ExportRequest(products, tmp_path / "p", platforms=platforms))
    listing = json.loads((bare.package_dir / "amazon/listings.json").read_text())["listings"][0]
    assert listing["attributes"]["main_product_image_locator"][0]["media_location"].startswith("amazon/images/")
    assert "--image-base-url" in (bare.package_dir / "UPLOAD.md").read_text()
    assert any("no image base URL is set" in w for w in bare.warnings)
