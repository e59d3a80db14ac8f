"""Catalog footage (the `videos` column): copied into the asset store like photos, a broken clip reported by name,
and used by the batch's video step (its record lists the shots taken from it)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from studio.batch.runner import run_product_steps
from studio.batch.video_step import VideoStepOptions, product_video_inputs
from studio.project.importer import Severity, import_catalog
from studio.project.store import ImageRole, Store
from tests.generators.video.media import product_photo, shot_frames, write_clip


def write_footage_catalog(folder: Path) -> Path:
    """A catalog of a bag with a photo, a two-shot clip and a broken clip, and a product with footage only."""
    (folder / "media").mkdir(parents=True)
    product_photo(folder / "media" / "bag.png", size=(160, 120))
    write_clip(folder / "media" / "clip.mp4", shot_frames([24, 24], size=(64, 64), seed=1))
    (folder / "media" / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 50)
    rows = [
        {
            "sku": "BAG-1",
            "title": "Navy tote bag",
            "images": "media/bag.png",
            "videos": "media/clip.mp4|media/broken.mp4",
        },
        {"sku": "BAG-2", "title": "Footage only", "images": "", "videos": "media/clip.mp4|media/missing.mp4"},
    ]
    path = folder / "catalog.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def footage_catalog(tmp_path):
    return write_footage_catalog(tmp_path / "cat")


def test_footage_is_copied_into_the_store_and_a_broken_clip_is_named(tmp_path, footage_catalog):
    with Store.create(tmp_path / "p") as store:
        report = import_catalog(store, footage_catalog)
        assert sorted(report.created) == ["BAG-1", "BAG-2"]
        errors = [p for p in report.problems if p.severity is Severity.ERROR]
        assert {(p.sku, p.column) for p in errors} == {("BAG-1", "videos"), ("BAG-2", "videos")}
        assert any("broken.mp4" in p.message and "video not imported" in p.message for p in errors)
        assert any("video 'media/missing.mp4' not found" in p.message for p in errors)
        bag = store.product_by_sku("BAG-1")
        (clip,) = store.images(bag.id, ImageRole.FOOTAGE)
        assert clip.source_path == "media/clip.mp4" and (clip.width, clip.height, clip.format) == (64, 64, "mp4")
        stored = store.assets.path_for(clip.sha256)
        assert (
            stored.suffix == ".mp4" and stored.read_bytes() == (footage_catalog.parent / "media/clip.mp4").read_bytes()
        )
        assert "videos" not in bag.fields  # footage is a file of the product now, not a text column
        assert [i.role for i in store.images(bag.id)] == [ImageRole.FOOTAGE, ImageRole.PRODUCT]
        # The same file twice (two products) is one blob; a re-import of the same catalog changes nothing.
        only = store.product_by_sku("BAG-2")
        assert store.images(only.id, ImageRole.FOOTAGE)[0].sha256 == clip.sha256
        again = import_catalog(store, footage_catalog)
        assert sorted(again.unchanged) == ["BAG-1", "BAG-2"]


def test_the_video_step_uses_catalog_footage_beside_the_photos(tmp_path, footage_catalog):
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, footage_catalog)
        pid = store.product_by_sku("BAG-1").id
        inputs = product_video_inputs(store, pid)
        assert [inputs.name(p) for p in inputs.footage] == ["media/clip.mp4"]
        assert [inputs.name(p) for p in inputs.photos] == ["media/bag.png"]
        options = VideoStepOptions(preset="square", duration_s=2.0, width=64, height=64)
        assert run_product_steps(store, pid, ["ingest", "video"], options=options, profile="tiny") == [
            "ingest",
            "video",
        ]
        (video,) = store.candidates(pid, "video")
        params = video.params
        assert params["inputs"] == {"photos": ["media/bag.png"], "footage": ["media/clip.mp4"]}
        shots = params["shots"]
        assert [(s["source"], s["index"]) for s in shots] == [("media/clip.mp4", 0), ("media/clip.mp4", 1)]
        assert all(isinstance(s["clip_score"], float) for s in shots)  # ranked by the (tiny) CLIP scorer
        assert any(s["chosen"] for s in shots)
        used = [slot for slot in params["timeline"] if "footage" in slot]
        assert used and {slot["footage"] for slot in used} == {"media/clip.mp4"}
        assert {slot["photo"] for slot in params["timeline"] if "photo" in slot} == {"media/bag.png"}
        for shot in shots:  # the shot strip's thumbnails are in the store and survive a clean-up
            assert store.assets.path_for(shot["keyframe_sha"]).stat().st_size > 0
        store.gc()
        assert all(store.assets.has(s["keyframe_sha"]) for s in shots)


def test_a_product_with_only_footage_still_gets_a_video(tmp_path, footage_catalog):
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, footage_catalog)
        pid = store.product_by_sku("BAG-2").id
        options = VideoStepOptions(preset="square", duration_s=1.0, width=64, height=64)
        assert run_product_steps(store, pid, ["ingest", "video"], options=options, profile="tiny") == [
            "ingest",
            "video",
        ]
        (video,) = store.candidates(pid, "video")
        assert video.params["inputs"] == {"photos": [], "footage": ["media/clip.mp4"]}
        assert all("footage" in slot for slot in video.params["timeline"])
