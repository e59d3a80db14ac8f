"""The offline person mask (faces, body layout, GrabCut): measured on scikit-image's astronaut, a real photo."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from generators.person_layout import (
    GarmentType,
    NoPersonFoundError,
    UnknownGarmentTypeError,
    find_person_mask,
    garment_type_for,
)
from tests.conftest import REPO

ASTRONAUT = REPO / "assets" / "sample_catalog" / "people" / "astronaut.jpg"  # skimage.data.astronaut(), 512 px

# Hand-labelled on the 512-px astronaut: the orange suit's trunk below the neck ring, left of the helmet she
# holds and right of her lowered arm (x, y).
TORSO = [(120, 275), (170, 292), (230, 298), (290, 285), (340, 285), (350, 340), (300, 365), (285, 420), (280, 512),
         (130, 512), (120, 450), (115, 350)]  # fmt: skip
FACE = ((225, 115), (48, 70))  # centre and half-axes of the ellipse from hairline to chin


def _polygon(points: list[tuple[int, int]], shape: tuple[int, int]) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.array(points, np.int32)], 1)
    return mask.astype(bool)


def _face(shape: tuple[int, int]) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.ellipse(mask, FACE[0], FACE[1], 0, 0, 360, 1, -1)
    return mask.astype(bool)


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return Image.open(ASTRONAUT).convert("RGB")


@pytest.fixture(scope="module")
def upper(astronaut):
    return find_person_mask(astronaut, GarmentType.UPPER)


def test_upper_body_mask_covers_the_torso_and_none_of_the_face(upper) -> None:
    torso, face = _polygon(TORSO, (512, 512)), _face((512, 512))
    assert upper.mask.shape == (512, 512) and upper.mask.dtype == np.float32
    covered = (upper.region & torso).sum() / torso.sum()
    assert covered >= 0.8, f"the mask covers {covered:.0%} of the hand-labelled torso"
    assert not (upper.mask[face] > 0).any(), "the automatic mask reaches into the face"
    assert upper.protected[face].mean() > 0.95
    assert upper.people == 1
    assert upper.region.mean() < 0.5  # the background (flag, shuttle, helmet) mostly stays out


def test_mask_is_feathered_and_zero_on_protected_pixels(upper) -> None:
    soft = (upper.mask > 0) & (upper.mask < 1)
    assert soft.sum() > 500  # a soft edge, not a cut-out
    assert (upper.mask[upper.protected] == 0).all()
    assert (upper.mask[upper.region] >= 0.5).all()


def test_the_same_photo_gives_the_same_mask(astronaut, upper) -> None:
    again = find_person_mask(astronaut, GarmentType.UPPER)
    assert np.array_equal(again.mask, upper.mask)


def test_lower_body_mask_covers_the_legs_and_a_photo_without_them_is_an_error(astronaut) -> None:
    with pytest.raises(NoPersonFoundError, match="too little of the body for a lower-body garment"):
        find_person_mask(astronaut, GarmentType.LOWER)  # her hips are at the photo's bottom edge
    tall = Image.new("RGB", (256, 700), (200, 200, 205))
    tall.paste(astronaut.resize((256, 256)), (0, 0))
    legs = np.zeros((700, 256), bool)
    legs[256:520, 60:122] = legs[256:520, 134:196] = True  # jeans below the suit, hips to ankles ≈ 4.5 faces
    pixels = np.asarray(tall).copy()
    pixels[legs] = (40, 60, 110)
    lower = find_person_mask(Image.fromarray(pixels), GarmentType.LOWER)
    assert (lower.region & legs)[300:].sum() / legs[300:].sum() > 0.8
    assert not lower.region[: round(lower.layout.shoulders)].any()


def test_no_person_is_a_clear_error_suggesting_a_painted_mask() -> None:
    rng = np.random.default_rng(0)
    landscape = Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8))
    with pytest.raises(NoPersonFoundError, match="--mask"):
        find_person_mask(landscape, GarmentType.UPPER, name="'beach.jpg'")


def test_several_people_dress_the_largest_or_the_chosen_one(astronaut) -> None:
    big = astronaut.resize((400, 400))
    small = astronaut.resize((260, 260))
    group = Image.new("RGB", (700, 420), (200, 200, 200))
    group.paste(big, (0, 20))
    group.paste(small, (430, 160))
    first = find_person_mask(group, GarmentType.UPPER)
    second = find_person_mask(group, GarmentType.UPPER, person_index=1)
    assert first.people == second.people == 2
    assert first.layout.face[0] < 400 < second.layout.face[0]  # 0 is the larger person on the left
    with pytest.raises(NoPersonFoundError, match="person index 2"):
        find_person_mask(group, GarmentType.UPPER, person_index=2)


@pytest.mark.parametrize(
    ("category", "kind"),
    [("tops", GarmentType.UPPER), ("T-Shirts", GarmentType.UPPER), ("Jeans", GarmentType.LOWER),
     ("skirts", GarmentType.LOWER), ("Summer dresses", GarmentType.FULL), ("上衣", GarmentType.UPPER)],
)  # fmt: skip
def test_garment_type_follows_the_category(category, kind) -> None:
    assert garment_type_for(category) is kind


def test_a_category_that_names_no_garment_asks_for_the_type() -> None:
    with pytest.raises(UnknownGarmentTypeError, match="--garment-type"):
        garment_type_for("mugs")


def test_a_bare_hand_at_the_side_stays_out_of_the_mask(astronaut) -> None:
    photo = np.asarray(astronaut).copy()
    skin = np.median(photo[100:140, 200:250].reshape(-1, 3), axis=0)  # her cheeks
    hand = np.zeros((512, 512), np.uint8)
    cv2.ellipse(hand, (70, 430), (22, 34), 0, 0, 360, 1, -1)  # on her lowered arm, at the body's side
    photo[hand.astype(bool)] = skin.astype(np.uint8)
    found = find_person_mask(Image.fromarray(photo), GarmentType.UPPER)
    assert found.protected[hand.astype(bool)].mean() > 0.95
    assert not (found.mask[hand.astype(bool)] > 0).any()
    assert found.region[300:420, 40:100].mean() > 0.5  # the sleeve above the hand is still redrawn


def test_segformer_classes_give_the_garment_outline_and_keep_face_and_hair_out(upper) -> None:
    from generators.person_layout import segformer_garment_mask
    from generators.runtime.models.person_mask import ClothesClass, Segmentation

    labels = np.zeros((512, 512), np.uint8)
    labels[260:512, 60:360] = ClothesClass.UPPER_CLOTHES
    labels[40:190, 170:280] = ClothesClass.FACE
    labels[10:60, 150:300] = ClothesClass.HAIR
    parsed = Segmentation(person=(labels > 0).astype(np.float32), labels=labels)
    mask = segformer_garment_mask(parsed, upper, GarmentType.UPPER)
    assert mask[400, 200] == 1.0 and mask[100, 20] == 0.0  # the parsed shirt, not the flag
    assert not (mask[labels == ClothesClass.FACE] > 0).any() and not (mask[labels == ClothesClass.HAIR] > 0).any()
    assert not (mask[upper.protected] > 0).any()
    trousers_only = segformer_garment_mask(parsed, upper, GarmentType.LOWER)  # no trousers parsed: the layout's
    assert np.array_equal(trousers_only, upper.mask)
