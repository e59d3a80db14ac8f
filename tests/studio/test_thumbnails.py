"""Thumbnails (Qt-free): upright, shrunk to fit, and cached on disk by file version."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from studio.project.thumbnails import ImageLoadError, ThumbnailDiskCache, fit_thumbnail, project_thumbnail_cache


def test_fit_thumbnail_applies_exif_rotation_and_fits_the_edge(tmp_path):
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; the stored pixels are landscape
    Image.new("RGB", (4000, 3000), (200, 30, 30)).save(path, exif=exif, quality=90)
    thumb = fit_thumbnail(path, 132)
    assert thumb.mode == "RGB"
    assert thumb.size == (99, 132)  # shown upright (portrait), long side = edge


def test_fit_thumbnail_keeps_small_images_and_names_broken_ones(tmp_path):
    small = tmp_path / "small.png"
    Image.new("RGBA", (40, 20), (0, 0, 0, 0)).save(small)
    assert fit_thumbnail(small, 132).size == (40, 20)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not really a jpeg")
    with pytest.raises(ImageLoadError, match="broken.jpg"):
        fit_thumbnail(broken, 132)


def test_disk_cache_follows_the_file_version(tmp_path):
    photo = tmp_path / "photo.png"
    Image.new("RGB", (300, 200), (10, 120, 200)).save(photo)
    cache = project_thumbnail_cache(tmp_path / "project")
    assert cache.folder == tmp_path / "project" / "cache" / "thumbs"
    assert cache.load(photo, 132) is None
    cache.save(photo, 132, fit_thumbnail(photo, 132))
    hit = cache.load(photo, 132)
    assert hit is not None and hit.size == (132, 88)
    assert cache.load(photo, 96) is None  # another edge is another entry

    Image.new("RGB", (300, 300), (10, 120, 200)).save(photo)  # the file changes: the old entry is not used
    os.utime(photo, ns=(1, 1))
    assert cache.load(photo, 132) is None
    assert cache.entry_path(tmp_path / "missing.jpg", 132) is None


def test_damaged_entries_and_unwritable_folders_are_misses(tmp_path):
    photo = tmp_path / "photo.png"
    Image.new("RGB", (300, 200), (10, 120, 200)).save(photo)
    cache = ThumbnailDiskCache(tmp_path / "cache")
    cache.save(photo, 132, fit_thumbnail(photo, 132))
    entry = cache.entry_path(photo, 132)
    entry.write_bytes(b"half a jpeg")
    assert cache.load(photo, 132) is None

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    ThumbnailDiskCache(blocked).save(photo, 132, fit_thumbnail(photo, 132))  # ignored, no exception
    assert not list(tmp_path.glob(".tmp-*"))
