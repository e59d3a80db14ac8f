"""Catalog flat-lays: layout, cut-outs, bad photos (tier 1: no torch)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generators.pairing.flatlay import FlatlayError, FlatlayItem, compose_flatlay
from generators.product_cutout import CutoutMethod
from generators.runtime.images import ImageLoadError

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "sample_catalog" / "images"
GROUND = (244, 241, 236)


def _item(name: str) -> FlatlayItem:
    return FlatlayItem(name.upper(), SAMPLES / f"{name}-1.jpg")


def _area(box: tuple[int, int, int, int]) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _product_on_paper(size=(400, 300), colour=(30, 90, 200)) -> Image.Image:
    im = Image.new("RGB", size, (236, 234, 230))
    w, h = size
    im.paste(Image.new("RGB", (w // 2, h // 2), colour), (w // 4, h // 4))
    return im


def test_red_tee_with_jeans_and_sneakers():
    items = [_item("vt-tee-red"), _item("vt-jean-blue"), _item("vt-snkr-white")]
    flat = compose_flatlay(items, size=(600, 600), background=GROUND)
    assert [p.sku for p in flat.placements] == ["VT-TEE-RED", "VT-JEAN-BLUE", "VT-SNKR-WHITE"]
    assert all(p.method is CutoutMethod.SEGMENTED for p in flat.placements)
    areas = [_area(p.box) for p in flat.placements]
    assert areas[0] == max(areas)  # the anchor gets the most room
    px = np.asarray(flat.image).astype(int)
    assert tuple(px[2, 2]) == GROUND and tuple(px[-3, -3]) == GROUND  # margins stay the brand ground
    x0, y0, x1, y1 = flat.anchor_box
    centre = px[(y0 + y1) // 2, (x0 + x1) // 2]
    assert centre[0] > 120 and centre[1] < 80  # the tee's red, not the paper it was shot on
    # Boxes never overlap: every product is whole.
    boxes = [p.box for p in flat.placements]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_same_items_give_the_same_pixels():
    items = [_item("vt-bag-black"), _item("vt-belt-brown")]
    a = compose_flatlay(items, size=(300, 300))
    b = compose_flatlay(items, size=(300, 300))
    assert a.image.tobytes() == b.image.tobytes() and a.placements == b.placements


@pytest.mark.parametrize("n", [1, 6])
def test_item_count_outside_two_to_five_is_refused(n):
    with pytest.raises(FlatlayError, match="2-5 products"):
        compose_flatlay([_item("vt-tee-red")] * n)


def test_bad_and_odd_photos_are_handled_and_reported(tmp_path: Path):
    tiny = _product_on_paper((64, 48))
    transparent = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    transparent.paste((200, 30, 30, 255), (50, 40, 150, 160))
    cmyk = _product_on_paper().convert("CMYK")
    sixteen = Image.fromarray(np.asarray(_product_on_paper().convert("L"), np.uint16) * 257)
    rotated = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways; display rotated 90 degrees clockwise
    _product_on_paper((400, 300)).transpose(Image.Transpose.ROTATE_90).save(rotated, exif=exif)
    busy = Image.fromarray((np.random.default_rng(0).random((240, 320, 3)) * 255).astype(np.uint8))
    flat = compose_flatlay(
        [
            FlatlayItem("TINY", tiny),
            FlatlayItem("PNG", transparent),
            FlatlayItem("CMYK", cmyk),
            FlatlayItem("16BIT", sixteen),
            FlatlayItem("ROT", rotated),
        ],
        size=(500, 500),
    )
    by_sku = {p.sku: p for p in flat.placements}
    assert any("enlarged" in w for w in by_sku["TINY"].warnings)
    assert by_sku["PNG"].method is CutoutMethod.TRANSPARENT
    assert by_sku["CMYK"].method is CutoutMethod.SEGMENTED and by_sku["16BIT"].method is CutoutMethod.SEGMENTED
    x0, y0, x1, y1 = by_sku["ROT"].box
    assert (x1 - x0) > (y1 - y0)  # the landscape product came out upright (wider than tall)
    crop = compose_flatlay([FlatlayItem("A", tiny), FlatlayItem("BUSY", busy)], size=(300, 300))
    assert crop.placements[1].method is CutoutMethod.CROP
    assert any(w.startswith("BUSY: ") and "not a plain backdrop" in w for w in crop.warnings)


def test_unreadable_photo_names_the_file(tmp_path: Path):
    broken = tmp_path / "broken.jpg"
    buf = io.BytesIO()
    _product_on_paper().save(buf, "JPEG")
    broken.write_bytes(buf.getvalue()[:200])
    with pytest.raises(ImageLoadError, match="broken.jpg"):
        compose_flatlay([_item("vt-tee-red"), FlatlayItem("X", broken)])
