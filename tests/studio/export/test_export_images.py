"""Platform image specs: sizes, white-background check, upscaling flag, EXIF/GPS stripped, sRGB."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from conftest import make_photo
from PIL import ExifTags, Image, ImageCms

from studio.export.images import AMAZON_MAIN, GENERIC, SHOPIFY, TAOBAO, prepare, white_border_fraction


def test_white_border_fraction(tmp_path: Path):
    white = Image.open(make_photo(tmp_path / "w.jpg"))
    paper = Image.open(make_photo(tmp_path / "p.jpg", bg=(236, 234, 230)))
    assert white_border_fraction(white) > 0.99
    assert white_border_fraction(paper) < 0.01


def test_amazon_main_is_padded_upscaled_and_checked(tmp_path: Path):
    data, info = prepare(make_photo(tmp_path / "small.jpg", (320, 240)), AMAZON_MAIN)
    out = Image.open(io.BytesIO(data))
    assert out.size == (1000, 1000) and info.upscaled
    assert any("upscaled" in f for f in info.flags)
    assert not any("not white" in f for f in info.flags)
    data, grey = prepare(make_photo(tmp_path / "grey.jpg", (1200, 900), bg=(230, 230, 232)), AMAZON_MAIN)
    assert not grey.upscaled
    assert Image.open(io.BytesIO(data)).size == (1200, 1200)  # padded to a square, not enlarged


def test_amazon_main_on_grey_is_cut_out_onto_white(tmp_path: Path):
    data, grey = prepare(make_photo(tmp_path / "grey.jpg", (1200, 900), bg=(230, 230, 232)), AMAZON_MAIN)
    assert grey.cut_out and grey.white_fraction >= 0.95
    assert any("cut out" in f for f in grey.flags) and not any("not white" in f for f in grey.flags)
    out = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)
    assert (out[:20] >= 250).all()  # the grey paper is gone from the frame
    red = (out[..., 0] > 150) & (out[..., 1] < 90)
    ys, xs = np.nonzero(red)
    # The product keeps its colour and fills about 85 % of the square, centred.
    assert (xs.max() - xs.min()) / out.shape[1] == pytest.approx(0.85, abs=0.03)
    assert abs((xs.max() + xs.min()) / 2 - out.shape[1] / 2) < 10


def test_amazon_main_on_a_busy_photo_is_flagged_not_cut(tmp_path: Path):
    from skimage import data as samples

    src = tmp_path / "busy.jpg"
    Image.fromarray(samples.astronaut()).save(src)
    _, busy = prepare(src, AMAZON_MAIN)
    assert not busy.cut_out
    assert any("not white" in f and "cut-out was uncertain" in f for f in busy.flags)


def test_large_enough_photo_is_not_flagged_and_contain_never_enlarges(tmp_path: Path):
    big = make_photo(tmp_path / "big.jpg", (1200, 900))
    _, info = prepare(big, AMAZON_MAIN)
    assert info.flags == ()
    data, info = prepare(big, SHOPIFY)
    assert Image.open(io.BytesIO(data)).size == (1200, 900) and not info.upscaled


def test_taobao_is_a_centre_cropped_800_square(tmp_path: Path):
    data, info = prepare(make_photo(tmp_path / "wide.jpg", (1600, 900)), TAOBAO)
    assert Image.open(io.BytesIO(data)).size == (800, 800)
    assert info.flags == ()


def test_exif_and_gps_are_stripped_and_orientation_applied(tmp_path: Path):
    src = tmp_path / "gps.jpg"
    img = Image.new("RGB", (320, 240), (250, 250, 250))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # camera held sideways: display rotated 90°
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (47.0, 22.0, 1.0)
    img.save(src, "JPEG", exif=exif)
    assert Image.open(src).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the source really carries GPS

    data, _ = prepare(src, GENERIC)
    out = Image.open(io.BytesIO(data))
    assert out.size == (240, 320)  # orientation baked into the pixels
    assert len(out.getexif()) == 0
    assert b"Exif" not in data and b"SpyCam" not in data
    assert "icc_profile" not in out.info


def test_embedded_colour_profile_is_converted_then_dropped(tmp_path: Path):
    src = tmp_path / "icc.jpg"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (64, 64), (10, 120, 200)).save(src, "JPEG", icc_profile=srgb)
    data, _ = prepare(src, GENERIC)
    out = Image.open(io.BytesIO(data))
    assert "icc_profile" not in out.info
    r, g, b = out.getpixel((32, 32))
    assert abs(r - 10) < 8 and abs(g - 120) < 8 and abs(b - 200) < 8
