"""Fidelity guard: colour drift (CIEDE2000) and CLIP likeness between a product photo and a generated region."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generators.fidelity import MAX_DELTA_E, box_mask, check_fidelity, colour_drift, dominant_colours
from generators.pairing.flatlay import FlatlayItem, compose_flatlay
from generators.product_cutout import cut_out

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "sample_catalog" / "images"


@pytest.fixture(scope="module")
def tee_and_flatlay():
    photo = Image.open(SAMPLES / "vt-tee-red-1.jpg")
    flat = compose_flatlay(
        [FlatlayItem("TEE", SAMPLES / "vt-tee-red-1.jpg"), FlatlayItem("JEAN", SAMPLES / "vt-jean-blue-1.jpg")],
        size=(480, 480),
    )
    return photo, cut_out(photo).mask, flat


def _recolour(image: Image.Image, box) -> Image.Image:
    """The same image with the region's red and blue channels swapped: a red tee turned blue-violet."""
    arr = np.asarray(image.convert("RGB")).copy()
    left, top, right, bottom = box
    region = arr[top:bottom, left:right]
    arr[top:bottom, left:right] = region[..., ::-1]
    return Image.fromarray(arr)


def test_untouched_anchor_passes_and_a_recoloured_one_is_flagged(tee_and_flatlay):
    photo, mask, flat = tee_and_flatlay
    region = box_mask(flat.image.size, flat.anchor_box)
    same = check_fidelity(photo, mask, flat.image, region)
    assert same.ok and same.delta_e < MAX_DELTA_E / 2, same.to_dict()
    drifted = check_fidelity(photo, mask, _recolour(flat.image, flat.anchor_box), region)
    assert not drifted.ok and drifted.delta_e > MAX_DELTA_E
    assert "colour drift" in drifted.flags[0]
    assert drifted.score < same.score


def test_dominant_colours_are_shares_of_the_masked_pixels():
    im = Image.new("RGB", (100, 100), (255, 255, 255))
    im.paste((200, 20, 20), (0, 0, 100, 75))  # 75 % red, 25 % white
    colours = dominant_colours(im, k=2)
    assert [round(c.share, 2) for c in colours] == [0.75, 0.25]
    assert colours[0].rgb[0] > 180 and colours[0].rgb[1] < 60
    only_white = dominant_colours(im, box_mask(im.size, (0, 80, 100, 100)), k=2)
    assert only_white[0].rgb == (255, 255, 255) and only_white[0].share == 1.0
    assert colour_drift(colours, colours) == pytest.approx(0.0, abs=1e-6)


def test_a_placeholder_clip_is_recorded_but_never_flags(tee_and_flatlay):
    from scoring.api import get_scorer

    photo, mask, flat = tee_and_flatlay
    scorer = get_scorer("tiny")
    report = check_fidelity(photo, mask, flat.image, box_mask(flat.image.size, flat.anchor_box), scorer=scorer)
    assert report.clip_placeholder and -1.0 <= report.clip_similarity <= 1.0
    assert report.ok  # random weights say nothing about likeness
