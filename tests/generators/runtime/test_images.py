"""Tier 1: robust image loading (no torch)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from generators.runtime.images import ImageLoadError, list_images, open_image


def _save(img: Image.Image, path, **kw):
    img.save(path, **kw)
    return path


def test_grayscale_and_1bit_become_rgb(tmp_path):
    for mode in ("L", "1"):
        p = _save(Image.new(mode, (5, 4), 1 if mode == "1" else 128), tmp_path / f"{mode}.png")
        out = open_image(p)
        assert out.mode == "RGB" and out.size == (5, 4)
    assert open_image(tmp_path / "L.png").getpixel((0, 0)) == (128, 128, 128)


def test_alpha_is_composited_on_white(tmp_path):
    img = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    img.putpixel((0, 0), (255, 0, 0, 255))
    out = open_image(_save(img, tmp_path / "a.png"))
    assert out.mode == "RGB"
    assert out.getpixel((0, 0)) == (255, 0, 0)
    assert out.getpixel((3, 3)) == (255, 255, 255)  # fully transparent -> white, not black


def test_palette_with_transparency(tmp_path):
    img = Image.new("P", (3, 3), 0)
    img.putpalette([0, 0, 0, 0, 255, 0] + [0] * 762)
    img.putpixel((1, 1), 1)
    img.info["transparency"] = 0
    out = open_image(_save(img, tmp_path / "p.png", transparency=0))
    assert out.getpixel((0, 0)) == (255, 255, 255) and out.getpixel((1, 1)) == (0, 255, 0)


def test_cmyk_jpeg(tmp_path):
    img = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # pure red in CMYK
    out = open_image(_save(img, tmp_path / "c.jpg", quality=95))
    r, g, b = out.getpixel((4, 4))
    assert out.mode == "RGB" and r > 200 and g < 60 and b < 60


def test_16bit_grayscale(tmp_path):
    arr = np.full((4, 4), 65535, dtype=np.uint16)
    arr[0, 0] = 0
    img = Image.fromarray(arr)
    assert img.mode.startswith("I;16")
    out = open_image(_save(img, tmp_path / "g16.png"))
    assert out.getpixel((1, 1)) == (255, 255, 255) and out.getpixel((0, 0)) == (0, 0, 0)


def test_one_pixel_image(tmp_path):
    out = open_image(_save(Image.new("RGB", (1, 1), (1, 2, 3)), tmp_path / "one.png"))
    assert out.size == (1, 1) and out.getpixel((0, 0)) == (1, 2, 3)


def test_exif_rotation_is_applied(tmp_path):
    img = Image.new("RGB", (30, 10), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    out = open_image(_save(img, tmp_path / "rot.jpg", exif=exif.tobytes()))
    assert out.size == (10, 30)


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"hello, not an image", "is not an image"), (b"", "is empty")],
)
def test_bad_bytes_name_the_file(tmp_path, content, needle):
    p = tmp_path / "bad.jpg"
    p.write_bytes(content)
    with pytest.raises(ImageLoadError, match=needle) as exc:
        open_image(p)
    assert "bad.jpg" in str(exc.value)


def test_truncated_jpeg_names_the_file(tmp_path):
    buf = io.BytesIO()
    Image.fromarray((np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)).save(buf, "JPEG")
    p = tmp_path / "cut.jpg"
    p.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(ImageLoadError, match="cut.jpg' is truncated"):
        open_image(p)


def test_missing_file_and_bomb(tmp_path):
    with pytest.raises(ImageLoadError, match="does not exist"):
        open_image(tmp_path / "nope.png")
    p = _save(Image.new("RGB", (100, 100)), tmp_path / "big.png")
    with pytest.raises(ImageLoadError, match="too large"):
        open_image(p, max_pixels=100 * 99)


def test_draft_mode_never_goes_below_the_requested_size(tmp_path):
    p = _save(Image.new("RGB", (800, 600), (9, 9, 9)), tmp_path / "big.jpg")
    out = open_image(p, draft_size=224)
    assert min(out.size) >= 224 and out.size[0] < 800  # decoded at a reduced scale, still large enough


def test_list_images(tmp_path):
    _save(Image.new("RGB", (2, 2)), tmp_path / "b.png")
    _save(Image.new("RGB", (2, 2)), tmp_path / "a.JPG", format="JPEG")
    (tmp_path / "notes.txt").write_text("x")
    assert [p.name for p in list_images(tmp_path)] == ["a.JPG", "b.png"]
    with pytest.raises(ImageLoadError, match="not a folder"):
        list_images(tmp_path / "b.png")
