"""Tier 2: the tiny person_mask model segments any image size reproducibly, with the clothes classes."""

from __future__ import annotations

from importlib.util import find_spec

import numpy as np
import pytest
from PIL import Image, ImageDraw

from generators.runtime.errors import ModelNotAvailableError
from generators.runtime.loading import load_model
from generators.runtime.models.person_mask import ADAPTER, ClothesClass, MaskBackend, Segmentation


@pytest.fixture(scope="module")
def masker():
    loaded = load_model("person_mask", "tiny")
    assert loaded.ref().placeholder and loaded.ref().source == "placeholder"
    return loaded.components


def _photo(width: int = 80, height: int = 48) -> Image.Image:
    image = Image.new("RGB", (width, height), (240, 240, 235))
    ImageDraw.Draw(image).ellipse((width // 3, 2, 2 * width // 3, height - 2), fill=(40, 60, 120))
    return image


def test_segment_shape_range_and_determinism(masker) -> None:
    mask = masker.segment(_photo())
    assert mask.shape == (48, 80) and mask.dtype == np.float32
    assert 0.0 <= float(mask.min()) <= float(mask.max()) <= 1.0
    assert np.array_equal(mask, masker.segment(_photo()))


def test_labels_follow_the_clothes_model(masker) -> None:
    assert masker.backend is MaskBackend.SEGFORMER and masker.has_labels
    assert masker.id2label == {c.value: c.label for c in ClothesClass}
    seg = masker.parse(_photo())
    assert seg.labels is not None and seg.labels.shape == (48, 80)
    assert int(seg.labels.max()) < len(ClothesClass)
    upper = seg.region(ClothesClass.UPPER_CLOTHES, ClothesClass.DRESS)
    assert np.array_equal(upper, np.isin(seg.labels, [4, 7]).astype(np.float32))


def test_region_without_classes_says_what_to_do() -> None:
    seg = Segmentation(person=np.ones((2, 2), np.float32), labels=None)
    with pytest.raises(ModelNotAvailableError, match="pull person_mask"):
        seg.region(ClothesClass.UPPER_CLOTHES)


def test_packaged_only_with_mediapipe(settings) -> None:
    folder = ADAPTER.packaged_folder(settings)
    assert (folder is not None) == (find_spec("mediapipe") is not None and folder.name == "mediapipe")


def test_smoke(masker) -> None:
    assert ADAPTER.smoke(masker).startswith("mask 64x96 (segformer)")
