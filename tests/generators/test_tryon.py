"""Virtual try-on with tiny models: the pipeline contract, untouched pixels, fidelity flags, bad photos and masks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generators.factory import SharedModels, build_pipeline
from generators.person_layout import GarmentType
from generators.product import Product
from generators.product_cutout import cut_out
from generators.tryon import PLACEHOLDER_FLAG, TryOnRequest, rank_candidates
from generators.tryon_inputs import MaskError
from tests.conftest import REPO
from tests.pipeline_contract import PipelineContract

ASTRONAUT = REPO / "assets" / "sample_catalog" / "people" / "astronaut.jpg"
TEE_PHOTO = REPO / "assets" / "sample_catalog" / "images" / "vt-tee-red-1.jpg"
TEE = Product("VT-TEE-RED", "Classic Crew-Neck T-Shirt, Red", "", {"color": "red", "material": "cotton"},
              (TEE_PHOTO,), "tops")  # fmt: skip


@pytest.fixture(scope="module")
def pipe(tiny_models):
    return build_pipeline("tryon", shared=SharedModels("tiny"))


def _person(folder: Path, side: int = 128, name: str = "person.png") -> Path:
    path = folder / name
    Image.open(ASTRONAUT).convert("RGB").resize((side, side)).save(path)
    return path


def _painted(folder: Path, size: tuple[int, int], box: tuple[float, float, float, float], name="mask.png") -> Path:
    """White over `box` (fractions of the photo: left, top, right, bottom), black elsewhere."""
    w, h = size
    mask = np.zeros((h, w), np.uint8)
    mask[round(box[1] * h) : round(box[3] * h), round(box[0] * w) : round(box[2] * w)] = 255
    path = folder / name
    Image.fromarray(mask).save(path)
    return path


def _request(folder: Path, seed: int = 0, **changes) -> TryOnRequest:
    person = _person(folder)
    mask = _painted(folder, (128, 128), (0.1, 0.6, 0.7, 1.0))
    base = dict(product=TEE, person=person, mask=mask, n=2, seed=seed, steps=2, resolution=64)
    return TryOnRequest(**{**base, **changes})


class TestTryOnPipelineContract(PipelineContract):
    """The shared pipeline contract on tiny SD inpainting + tiny CLIP."""

    def get_dummy_request(self, folder, seed=0):
        return _request(folder, seed)

    def signature(self, result):
        return [(c.seed, c.image.tobytes(), c.scores, c.flags) for c in result.candidates]


@pytest.fixture(scope="module")
def automatic(pipe):
    request = TryOnRequest(TEE, ASTRONAUT, n=1, seed=5, steps=1, resolution=64)
    return request, pipe.run(request)


def test_automatic_try_on_leaves_every_pixel_outside_the_mask_untouched(automatic) -> None:
    request, result = automatic
    photo = np.asarray(Image.open(ASTRONAUT).convert("RGB")).astype(int)
    mask = np.asarray(result.mask)
    assert result.mask_source == "layout" and result.garment_type is GarmentType.UPPER  # "tops"
    assert result.mask.size == (512, 512) and mask[300, 200] == 255  # the suit's chest is redrawn
    out = np.asarray(result.candidates[0].image).astype(int)
    assert out.shape == photo.shape
    assert np.abs(out - photo)[mask == 0].max() <= 1  # ≤ 1/255 outside the mask (exactly 0 in fact)
    assert np.abs(out - photo)[mask > 127].mean() > 5  # and the garment region did change
    assert np.array_equal(out[80:170, 190:260], photo[80:170, 190:260])  # her face


def test_placeholder_inpainting_is_flagged_on_every_candidate(automatic) -> None:
    _, result = automatic
    assert result.placeholder and result.provenance.to_dict()["placeholder"] is True
    assert all(PLACEHOLDER_FLAG in c.flags for c in result.candidates)
    assert {m.role for m in result.provenance.models} == {"inpaint", "clip"}
    assert result.prompt.startswith("a photo of a person wearing a red cotton Classic Crew-Neck T-Shirt, Red, tops")


def test_another_seed_draws_another_image(pipe, tmp_path) -> None:
    a = pipe.run(_request(tmp_path, seed=1, n=1))
    b = pipe.run(_request(tmp_path, seed=2, n=1))
    assert a.candidates[0].image.tobytes() != b.candidates[0].image.tobytes()


def test_a_recoloured_garment_is_flagged_and_ranked_last() -> None:
    garment = cut_out(Image.open(TEE_PHOTO))
    reference = np.asarray(garment.image.convert("RGB"))[garment.mask > 0.5].mean(axis=0)
    person = np.asarray(Image.open(ASTRONAUT).convert("RGB")).copy()
    mask = np.zeros(person.shape[:2], np.float32)
    mask[280:500, 120:300] = 1.0
    faithful, recoloured = person.copy(), person.copy()
    faithful[mask > 0] = reference.round().astype(np.uint8)
    recoloured[mask > 0] = reference[[2, 1, 0]].round().astype(np.uint8)  # red and blue swapped: a blue tee
    drawn = [(1, Image.fromarray(recoloured)), (2, Image.fromarray(faithful))]
    ranked = rank_candidates(drawn, garment, mask, TEE)
    assert [c.seed for c in ranked] == [2, 1]
    assert not ranked[0].flags and ranked[0].scores["delta_e"] < 10
    assert any("colour drift" in f for f in ranked[1].flags) and ranked[1].hidden
    assert ranked[1].total < 0 <= ranked[0].total


@pytest.mark.parametrize(
    ("box", "size", "message"),
    [((0, 0, 0, 0), (128, 128), "empty"), ((0, 0, 1, 1), (128, 128), "covers 100%"),
     ((0.1, 0.5, 0.7, 1.0), (100, 80), "100x80 but the person photo is 128x128")],
)  # fmt: skip
def test_unusable_painted_masks_are_clear_errors(pipe, tmp_path, box, size, message) -> None:
    request = _request(tmp_path, mask=_painted(tmp_path, size, box, "painted.png"))
    with pytest.raises(MaskError, match=message):
        pipe.run(request)


def _photo_request(folder: Path, image: Image.Image, name: str, **save) -> TryOnRequest:
    path = folder / name
    image.save(path, **save)
    return TryOnRequest(TEE, path, n=1, steps=1, resolution=64)


def test_exif_rotated_photo_comes_out_upright(pipe, tmp_path) -> None:
    upright = Image.open(ASTRONAUT).convert("RGB").resize((256, 320))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # as the camera stored it: 320 wide, 256 high
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    result = pipe.run(_photo_request(tmp_path, stored, "rotated.jpg", exif=exif, quality=95))
    assert result.candidates[0].image.size == (256, 320) and result.mask.size == (256, 320)


@pytest.mark.parametrize("kind", ["cmyk", "16-bit"])
def test_cmyk_and_16_bit_photos(pipe, tmp_path, kind) -> None:
    rgb = Image.open(ASTRONAUT).convert("RGB").resize((256, 256))
    if kind == "cmyk":
        request = _photo_request(tmp_path, rgb.convert("CMYK"), "cmyk.jpg", quality=95)
    else:
        grey16 = Image.fromarray(np.asarray(rgb.convert("L")).astype(np.uint16) * 257)
        request = _photo_request(tmp_path, grey16, "grey16.png")
    result = pipe.run(request)
    assert result.candidates[0].image.size == (256, 256) and result.candidates[0].image.mode == "RGB"


def test_tiny_photo_is_enlarged_to_work_and_scaled_back(pipe, tmp_path) -> None:
    request = _photo_request(tmp_path, Image.open(ASTRONAUT).convert("RGB").resize((64, 64)), "tiny.png")
    result = pipe.run(request)
    assert result.candidates[0].image.size == (64, 64)
    assert any("only 64x64" in w for w in result.warnings)


def test_huge_photo_keeps_its_size_and_untouched_pixels(pipe, tmp_path) -> None:
    canvas = Image.new("RGB", (12_000, 2_400), (190, 190, 195))
    canvas.paste(Image.open(ASTRONAUT).convert("RGB").resize((2_400, 2_400)), (4_800, 0))
    request = _photo_request(tmp_path, canvas, "huge.png", compress_level=1)
    result = pipe.run(request)
    out = result.candidates[0].image
    assert out.size == (12_000, 2_400) and any("12000x2400" in w for w in result.warnings)
    mask = np.asarray(result.mask)
    changed = np.asarray(out) != np.asarray(canvas)
    assert not changed[mask == 0].any()


def test_request_fields_are_all_recorded(automatic) -> None:
    request, result = automatic
    params = result.provenance.params
    assert all(f.name in params for f in dataclasses.fields(request))
    assert params["mask_source"] == "layout" and len(params["crop_box"]) == 4


def test_a_transparent_garment_photo_is_cut_out_by_its_alpha(tmp_path) -> None:
    from generators.product_cutout import CutoutMethod
    from generators.tryon_inputs import garment_cutout

    rgba = Image.new("RGBA", (200, 240), (0, 0, 0, 0))
    rgba.paste(Image.new("RGBA", (120, 150), (200, 20, 30, 255)), (40, 40))
    rgba.save(tmp_path / "tee.png")
    cut = garment_cutout(tmp_path / "tee.png")
    assert cut.method is CutoutMethod.TRANSPARENT and cut.box == (40, 40, 160, 190)
    Image.fromarray(np.asarray(Image.open(TEE_PHOTO).convert("L")).astype(np.uint16) * 257).save(tmp_path / "g16.png")
    assert garment_cutout(tmp_path / "g16.png").mask.mean() > 0.05  # a 16-bit photo is read as such, not as white
