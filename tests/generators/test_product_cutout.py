"""Product cut-outs (classical segmentation): checked against the sample renderer's true silhouettes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from generators.product_cutout import CutoutMethod, cut_out, on_white
from studio.samples.render_products import PRODUCTS
from studio.samples.scene import Scene


def _render(sku: str) -> tuple[Image.Image, np.ndarray]:
    p = next(p for p in PRODUCTS if p.sku == sku)
    scene = Scene(seed=p.seed, backdrop=p.backdrop)
    p.recipe(scene, p.rgb)
    return scene.finish(angle=p.angle, out=512), scene.silhouette(p.angle, 512)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def enclosed_by(mask: np.ndarray) -> np.ndarray:
    """Pixels enclosed by `mask` (holes): everything not reachable from the border through non-mask pixels."""
    import cv2

    outside = (~mask).astype(np.uint8)
    flood = np.zeros((mask.shape[0] + 2, mask.shape[1] + 2), np.uint8)
    cv2.floodFill(outside, flood, (0, 0), 2)
    return outside == 1


@pytest.fixture(scope="module")
def bag() -> tuple[Image.Image, np.ndarray]:
    return _render("VT-BAG-BLACK")


@pytest.mark.parametrize("sku", ["VT-TEE-RED", "VT-SWT-CREAM"])  # a red tee on paper; cream knit on grey
def test_cut_out_matches_the_rendered_silhouette(sku: str) -> None:
    photo, truth = _render(sku)
    cut = cut_out(photo)
    assert cut.method is CutoutMethod.SEGMENTED
    assert _iou(cut.mask > 0.5, truth) >= 0.9
    assert not cut.uncertain, cut.warnings


def test_enclosed_backdrop_stays_backdrop_and_the_result_is_reproducible(bag) -> None:
    photo, truth = bag
    first, second = cut_out(photo), cut_out(photo)
    assert _iou(first.mask > 0.5, truth) >= 0.9
    # The handle's loop shows the paper through it: it must not be filled in as product.
    loop = enclosed_by(truth)
    assert loop.sum() > 100 and (first.mask[loop] > 0.5).mean() < 0.2
    assert np.array_equal(first.mask, second.mask)


def test_busy_photo_gets_a_flagged_rounded_crop() -> None:
    from skimage import data

    cut = cut_out(Image.fromarray(data.astronaut()))
    assert cut.method is CutoutMethod.CROP and cut.uncertain
    assert "not a plain backdrop" in cut.warnings[0]
    assert cut.mask[0, 0] == 0 and cut.mask[256, 256] == 1


def test_transparent_png_uses_its_own_alpha() -> None:
    im = Image.new("RGBA", (120, 80), (0, 0, 0, 0))
    im.paste((200, 30, 30, 255), (30, 20, 90, 60))
    cut = cut_out(im)
    assert cut.method is CutoutMethod.TRANSPARENT and not cut.uncertain
    assert cut.box == (30, 20, 90, 60)


def test_exif_rotated_photo_is_cut_upright(bag) -> None:
    photo, _ = bag
    wide = photo.crop((0, 64, 512, 448))  # 512 x 384, landscape as shot
    sideways = wide.transpose(Image.Transpose.ROTATE_90)  # stored portrait, EXIF says "rotate back"
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 CW to display
    buf = io.BytesIO()
    sideways.save(buf, "JPEG", exif=exif)
    cut = cut_out(Image.open(io.BytesIO(buf.getvalue())))
    assert cut.image.size == (512, 384)
    upright = cut_out(wide)
    assert _iou(cut.mask > 0.5, upright.mask > 0.5) >= 0.95


def test_on_white_is_pure_white_with_the_product_filling_the_frame(bag) -> None:
    photo, _ = bag
    out = np.asarray(on_white(cut_out(photo), side=400, fill=0.85))
    assert out.shape == (400, 400, 3)
    assert (out[:5] == 255).all() and (out[:, :5] == 255).all()
    product = (out < 250).any(axis=2)
    ys, xs = np.nonzero(product)
    assert max(ys.max() - ys.min(), xs.max() - xs.min()) + 1 == pytest.approx(340, abs=3)


def test_a_product_that_barely_differs_from_its_backdrop_is_flagged_uncertain():
    paper = Image.new("RGB", (400, 400), (236, 234, 230))
    paper.paste((226, 225, 222), (100, 100, 300, 300))  # an off-white box on off-white paper
    cut = cut_out(paper)
    assert cut.uncertain and any("barely differs" in w for w in cut.warnings)
