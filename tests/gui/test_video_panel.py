"""The Video tab: the photo timeline, presets by their names with size and limits, a draft render of photos and
footage whose poster lands in the gallery (approve and undo) with the shots' CLIP scores in the strip, and a
render cancelled mid-way while the window keeps answering."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from studio.batch.synthetic import write_synthetic_catalog
from studio.gui.jobs import JobState
from studio.gui.panels.video import VideoPanel, shot_score_100
from studio.gui.widgets.thumbnail_tiles import ThumbState
from studio.project.importer import import_catalog
from studio.project.rows import CandidateKind, CandidateState, ImageRole
from tests.studio.test_footage_import import write_footage_catalog


def _open(window, catalog, sku: str | None = None):
    store = window.state.store
    import_catalog(store, catalog)
    window.state.project_changed.emit()
    product = store.product_by_sku(sku) if sku else store.products()[0]
    window.state.open_product(product.sku)
    page = window.pages["product"]
    panel = next(p for p in page.panels if isinstance(p, VideoPanel))
    page.tabs.setCurrentWidget(panel)
    return store, product, panel


def _pick(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(value))
    assert combo.currentData() == value


def test_the_timeline_shows_the_products_photos_in_order_and_presets_their_limits(qtbot, window, tmp_path):
    catalog = write_synthetic_catalog(tmp_path / "cat", 1, image_size=48, images_per_product=3)
    store, product, panel = _open(window, catalog)
    photos = store.images(product.id, ImageRole.PRODUCT)
    tiles = panel.timeline.tiles
    assert [t.tile.tooltip for t in tiles] == [p.source_path for p in photos]
    assert [t.tile.image for t in tiles] == [str(store.assets.path_for(p.sha256)) for p in photos]
    assert [t.tile.caption for t in tiles] == ["1", "2", "3"]
    assert panel.timeline_title.text() == "Photo timeline, in order (3)"
    qtbot.waitUntil(lambda: all(t.image.state() is ThumbState.READY for t in tiles), timeout=10_000)
    assert not panel.shots_title.isVisible()  # no footage: no shot strip
    _pick(panel.preset, "youtube")
    assert panel.preset.currentText() == "YouTube 16:9 · 1920×1080"
    assert "600 s" in panel.limits.text() and "draft 320×180" in panel.limits.text()
    assert [panel.length.itemData(i) for i in range(panel.length.count())] == [15.0, 6.0, 30.0]
    window.set_language("zh")
    assert panel.preset.itemText(panel.preset.findData("douyin")) == "抖音 9:16 · 1080×1920"
    assert panel.preset.currentData() == "youtube" and "平台上限 600 秒" in panel.limits.text()
    window.set_language("en")


def test_a_draft_render_of_photo_and_footage_lands_in_the_gallery_and_approval_undoes(qtbot, window, tmp_path):
    store, product, panel = _open(window, write_footage_catalog(tmp_path / "cat"), "BAG-1")
    assert "1 clip" in panel.shots_title.text() and panel.shots.tiles == []  # scored when it renders
    _pick(panel.preset, "square")
    _pick(panel.length, 6.0)
    options = panel.options()
    assert (options.preset, options.duration_s, options.width, options.height) == ("square", 6.0, 180, 180)
    job = panel.render()
    assert not panel.render_button.isEnabled() and panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: job.state.finished, timeout=180_000)
    assert job.state is JobState.DONE, job.error
    (video,) = store.candidates(product.id, CandidateKind.VIDEO)
    qtbot.waitUntil(lambda: len(panel.gallery.cards) == 1, timeout=5_000)
    card = panel.gallery.cards[0]
    poster = store.assets.path_for(video.params["poster_sha"])
    assert card.view.image == str(poster) and card.caption.text() == "Square 1:1 · 6 s"
    qtbot.waitUntil(lambda: card.image.state() is ThumbState.READY, timeout=10_000)
    assert panel.preview.video == store.assets.path_for(video.file_sha)
    preview = panel.preview
    if preview.can_play:  # QtMultimedia in this Qt build: Play shows the player, Stop the poster again
        preview.play_button.click()
        assert preview.playing and preview.stack.currentWidget() is preview.video_widget
        qtbot.waitUntil(lambda: preview.player.position() > 0 or not preview.playing, timeout=10_000)
        preview.play_button.click()
        assert not preview.playing and preview.stack.currentWidget() is preview.poster
    else:  # the poster frame stays, and the note says why Play is off
        assert (
            not preview.play_button.isEnabled()
            and preview.note.text() == "Playback is not available here (no QtMultimedia): showing the poster frame"
        )
    assert panel.render_button.isEnabled() and not panel.cancel_button.isEnabled()

    # The shot strip: each footage shot's keyframe with its CLIP score, the used ones marked.
    shots = video.params["shots"]
    strip = panel.shots.tiles
    assert len(strip) == len(shots) == 2
    for tile, shot in zip(strip, shots, strict=True):
        assert tile.tile.caption.endswith(str(shot_score_100(shot["clip_score"])))
        assert tile.tile.marked == shot["chosen"] and tile.tile.caption.startswith("✓") == shot["chosen"]
        assert tile.tile.image == str(store.assets.path_for(shot["keyframe_sha"]))
        assert tile.toolTip().startswith("clip.mp4 · ")

    card.approve_button.click()
    assert store.candidate(video.id).state is CandidateState.APPROVED and card.approve_button.isChecked()
    window.state.undo_stack.undo()
    assert store.candidate(video.id).state is CandidateState.PROPOSED and not card.approve_button.isChecked()
    window.state.undo_stack.redo()
    assert store.candidate(video.id).state is CandidateState.APPROVED

    # Rendering again adds a video (the approved one stays) and the preview shows the new one.
    again = panel.render()
    qtbot.waitUntil(lambda: again.state.finished, timeout=180_000)
    assert again.state is JobState.DONE, again.error
    newest = max(store.candidates(product.id, CandidateKind.VIDEO), key=lambda c: c.id)
    assert newest.id != video.id and store.candidate(video.id).state is CandidateState.APPROVED
    qtbot.waitUntil(lambda: len(panel.gallery.cards) == 2, timeout=5_000)
    assert panel.selected_id == newest.id and panel.preview.video == store.assets.path_for(newest.file_sha)


def test_cancelling_a_render_midway_keeps_the_window_answering(qtbot, window, tmp_path):
    store, product, panel = _open(window, write_synthetic_catalog(tmp_path / "cat", 1, image_size=48))
    _pick(panel.preset, "youtube")
    _pick(panel.length, 30.0)
    panel.draft.setChecked(False)  # 900 full-size frames: far longer than the test waits before cancelling
    job = panel.render()
    qtbot.waitUntil(lambda: job.state is JobState.RUNNING and "rendering" in job.message, timeout=120_000)
    assert "rendering" in panel.progress.format()  # the frames counted, as the pipeline reports them
    ticks: list[int] = []
    QTimer.singleShot(0, lambda: ticks.append(1))
    panel.cancel()
    assert panel.progress.format() == "Cancelling…" and not panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: bool(ticks), timeout=2_000)  # the event loop runs while the worker stops
    panel.draft.click()  # and a click still lands
    assert panel.draft.isChecked()
    qtbot.waitUntil(lambda: job.state.finished, timeout=30_000)
    assert job.state is JobState.CANCELLED
    assert panel.render_button.isEnabled() and not panel.progress.isVisible()
    assert store.candidates(product.id, CandidateKind.VIDEO) == []
