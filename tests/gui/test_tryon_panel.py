"""The Try-on tab: the automatic mask over the photo, painting it (brush, eraser, undo), a tiny try-on through
the real job worker that keeps every pixel outside the painted mask, the before/after slider, and a cancel
that leaves the window responsive. The person is scikit-image's astronaut, scaled down to keep it quick."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest

from studio.gui.jobs import JobState
from studio.gui.panels.tryon import TryOnPanel
from studio.gui.widgets.before_after import BeforeAfterSlider
from studio.gui.widgets.mask_painter import OVERLAY_OPACITY, OVERLAY_RGB, MaskTool
from studio.project.importer import import_catalog
from studio.project.rows import ImageRole

SAMPLE = Path(__file__).resolve().parents[2] / "assets" / "sample_catalog"
SIDE = 160  # the astronaut's side here: big enough for the face detector, small enough to be quick


def _catalog(folder: Path) -> Path:
    from skimage import data

    folder.mkdir()
    Image.fromarray(data.astronaut()).resize((SIDE, SIDE), Image.Resampling.LANCZOS).save(folder / "person.jpg")
    Image.open(SAMPLE / "images" / "vt-tee-red-1.jpg").convert("RGB").resize((96, 96)).save(folder / "tee.jpg")
    lines = [
        "sku,title,category,color,material,images,person_images",
        "TEE,Crew Tee,tops,red,cotton,tee.jpg,person.jpg",
    ]
    (folder / "catalog.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "catalog.csv"


@pytest.fixture
def tryon(window, tmp_path, qtbot) -> TryOnPanel:
    """The Try-on tab of the tee, on screen, with its automatic mask found."""
    import_catalog(window.state.store, _catalog(tmp_path / "cat"))
    window.state.project_changed.emit()
    window.state.open_product("TEE")
    page = window.pages["product"]
    panel = next(p for p in page.panels if isinstance(p, TryOnPanel))
    page.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.mask_editor.painter.layer is not None, timeout=30_000)
    return panel


def _mask(panel: TryOnPanel) -> np.ndarray:
    return panel.mask_editor.painter.layer.values()


def _stroke(painter, points: list[tuple[float, float]]) -> None:
    """Press, move through and release at `points` (mask pixels), as a person's mouse does."""
    at = [painter.to_widget(QPointF(x, y)).toPoint() for x, y in points]
    QTest.mousePress(painter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[0])
    for point in at[1:]:
        QTest.mouseMove(painter, point)
    QTest.mouseRelease(painter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[-1])


def _close(colour: QColor, rgb: tuple[float, float, float], tolerance: float) -> bool:
    return max(abs(colour.red() - rgb[0]), abs(colour.green() - rgb[1]), abs(colour.blue() - rgb[2])) <= tolerance


def test_the_automatic_mask_shows_over_the_photo_and_strokes_paint_erase_and_undo(tryon, window) -> None:
    editor, painter = tryon.mask_editor, tryon.mask_editor.painter
    layer = painter.layer
    assert not layer.painted() and 0.05 < layer.coverage() < 0.7  # the astronaut's suit, not the whole photo
    assert "Automatic mask" in editor.status.text()
    # Drawn over the photo: inside the mask the photo is tinted by the overlay colour, outside it is not
    # (measured away from the mask's edge, averaged over a grid of pixels).
    values, photo = _mask(tryon), editor.photos[editor.key[0]]
    shot = painter.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    for level, tint in ((255, OVERLAY_OPACITY), (0, 0.0)):
        errors = []
        for y in range(4, SIDE - 4, 3):
            for x in range(4, SIDE - 4, 3):
                if (values[y - 3 : y + 4, x - 3 : x + 4] != level).any():
                    continue
                under = photo.pixelColor(x, y)
                expected = [(1 - tint) * u + tint * c for u, c in zip(under.getRgb()[:3], OVERLAY_RGB, strict=True)]
                seen = shot.pixelColor(painter.to_widget(QPointF(x + 0.5, y + 0.5)).toPoint()).getRgb()[:3]
                errors.append(np.abs(np.subtract(seen, expected)).mean())
        assert len(errors) > 20 and np.mean(errors) < 8, (level, len(errors), np.mean(errors))

    # Brush across the top-left corner (outside the suit), erase a dot in it, then undo the erase.
    undo = window.state.undo_stack
    before = _mask(tryon)
    painter.set_brush_size(int(12 / painter.mask_scale()))  # 12 mask pixels across
    _stroke(painter, [(8, 10), (30, 10), (50, 10)])
    brushed = _mask(tryon)
    assert (
        brushed[10, 8:51].min() == 255
        and (before[10, 8:51] < 255).all()
        and brushed[40:, 60:].tolist() == before[40:, 60:].tolist()
    )
    assert layer.painted() and "Painted mask" in editor.status.text()
    editor.eraser.click()
    assert painter.tool is MaskTool.ERASER
    _stroke(painter, [(30, 10)])
    assert _mask(tryon)[10, 30] == 0 and _mask(tryon)[10, 8] == 255
    assert undo.count() == 2
    undo.undo()
    assert np.array_equal(_mask(tryon), brushed)
    undo.undo()
    assert np.array_equal(_mask(tryon), before) and not layer.painted()
    undo.redo()
    assert np.array_equal(_mask(tryon), brushed)


def test_a_picked_photo_is_copied_into_the_project_and_gets_its_own_mask(tryon, window, tmp_path, qtbot) -> None:
    store = window.state.store
    assert tryon.garment.currentData() == "upper"  # the category "tops"
    assert tryon.person.count() == 1 and tryon.person.currentText() == "Catalog photo 1"
    user_file = tmp_path / "cat" / "person.jpg"
    mirrored = tmp_path / "mirrored.png"
    Image.open(user_file).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(mirrored)
    sha = tryon.add_person_file(mirrored)
    assert sha is not None and tryon.person.currentData() == sha and tryon.person.count() == 2
    stored = store.assets.path_for(sha)
    assert stored.parent.parent == store.assets.root and stored.read_bytes() == mirrored.read_bytes()
    mirrored.unlink()  # the project's copy is what the mask and the job read
    editor = tryon.mask_editor
    qtbot.waitUntil(lambda: sha in editor.layers and editor.painter.layer is editor.layers[sha], timeout=30_000)
    assert 0.05 < editor.painter.layer.coverage() < 0.7
    assert tryon.options().person_sha == sha and tryon.options().mask_sha == ""  # untouched: the automatic mask
    # A photo with nobody in it: no automatic mask, a message saying so, and the brush makes one.
    nobody = tryon.add_person_file(tmp_path / "cat" / "tee.jpg")
    qtbot.waitUntil(lambda: nobody in editor.layers and editor.painter.layer is editor.layers[nobody], timeout=30_000)
    assert editor.painter.layer.coverage() == 0 and "no person found" in editor.status.text()
    assert "--mask" not in editor.status.text() and "Paint the garment region" in editor.status.text()
    _stroke(editor.painter, [(20, 40), (70, 40)])
    assert editor.painter.layer.coverage() > 0 and tryon.options().mask_sha
    not_a_photo = tmp_path / "notes.txt"
    not_a_photo.write_text("not a photo", encoding="utf-8")
    assert tryon.add_person_file(not_a_photo) is None and "notes.txt" in tryon.job_note.text()
    assert tryon.person.count() == 3


def test_the_before_after_slider_follows_the_mouse_and_the_keys(qtbot) -> None:
    before, after = QImage(80, 40, QImage.Format.Format_RGB32), QImage(80, 40, QImage.Format.Format_RGB32)
    before.fill(QColor(200, 30, 30))
    after.fill(QColor(30, 30, 200))
    slider = BeforeAfterSlider()
    qtbot.addWidget(slider)
    slider.resize(400, 200)
    slider.set_images(before, after)
    slider.show()
    qtbot.waitExposed(slider)
    target = slider.target()
    y = int(target.center().y())
    moves = []
    slider.position_changed.connect(moves.append)
    QTest.mousePress(
        slider,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(int(target.left() + 0.8 * target.width()), y),
    )
    QTest.mouseMove(slider, QPoint(int(target.left() + 0.25 * target.width()), y))
    QTest.mouseRelease(
        slider,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(int(target.left() + 0.25 * target.width()), y),
    )
    assert moves and abs(slider.position - 0.25) < 0.02
    shot = slider.grab().toImage()
    assert _close(shot.pixelColor(int(target.left() + 0.1 * target.width()), y), (200, 30, 30), 8)  # before
    assert _close(shot.pixelColor(int(target.left() + 0.6 * target.width()), y), (30, 30, 200), 8)  # after
    QTest.keyClick(slider, Qt.Key.Key_Right)
    assert abs(slider.position - 0.30) < 0.02


def test_a_painted_mask_is_the_one_the_tryon_uses_and_cancel_keeps_the_window_responsive(tryon, window, qtbot):
    from generators.tryon_inputs import load_painted_mask, open_person_photo

    store, runner, painter = window.state.store, window.state.runner, tryon.mask_editor.painter
    tryon.mask_editor.clear_mask()
    painter.set_brush_size(int(30 / painter.mask_scale()))
    _stroke(painter, [(50, 105), (80, 100), (110, 105)])  # across the suit's chest
    tryon.mask_editor.eraser.click()
    painter.set_brush_size(int(10 / painter.mask_scale()))
    _stroke(painter, [(80, 90), (80, 120)])  # a gap down the middle
    painted = _mask(tryon)
    assert painted[105, 55] == 255 and painted[105, 80] == 0 and painted.mean() < 40

    tryon.count.setValue(1)
    with qtbot.waitSignal(runner.job_finished, timeout=180_000):
        job = tryon.generate()
    assert job.state is JobState.DONE, job.error_details
    options = job.request.options
    assert options.mask_sha and options.person_sha == store.images(tryon.product.id, ImageRole.PERSON)[0].sha256
    (made,) = [c for c in store.candidates(tryon.product.id, "tryon") if not c.superseded]
    assert made.params["painted_mask_sha"] == options.mask_sha and made.params["mask_source"] == "painted"
    stored = np.asarray(Image.open(store.assets.path_for(options.mask_sha)))
    assert stored.shape == (SIDE, SIDE) and np.array_equal(stored > 127, painted > 127)
    # Exactly that mask: every pixel it leaves out is the photo's own; inside, the garment was redrawn.
    photo = np.asarray(open_person_photo(store.assets.path_for(options.person_sha)).image, np.int16)
    result = np.asarray(Image.open(store.assets.path_for(made.file_sha)).convert("RGB"), np.int16)
    alpha = load_painted_mask(store.assets.path_for(options.mask_sha), (SIDE, SIDE))
    assert np.abs(result - photo)[alpha == 0].max() <= 1
    assert np.abs(result - photo)[alpha > 0.5].mean() > 2
    # The gallery shows it, labelled PLACEHOLDER (tiny model), and the slider compares it with the photo.
    (card,) = tryon.gallery.cards  # shown, or behind "Show hidden" when the fidelity guard flagged it
    assert card.view.id == made.id and card.placeholder_badge.isVisibleTo(card) and tryon.compared_id == made.id
    assert card.view.flags == made.params["flags"]  # fidelity flags (and the placeholder's) on the card
    assert tryon.compare.before is not None and tryon.compare.after is not None
    # Approve through the undo stack, then undo it: the store and the card follow.
    card.approve_button.click()
    assert store.candidate(made.id).approved and card.view.approved
    window.state.undo_stack.undo()
    assert not store.candidate(made.id).approved and not card.view.approved

    # Another try-on, cancelled mid-way: the window keeps handling events while the worker draws.
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    tryon.count.setValue(16)
    long_job = tryon.generate()
    # Mid-way: the first candidate's step preview has reached the tab (15 more are still to draw).
    qtbot.waitUntil(lambda: long_job.preview is not None and tryon.preview.isVisible(), timeout=60_000)
    seen = len(ticks)
    tryon.mask_editor.brush.click()  # a click is handled while the job runs
    assert painter.tool is MaskTool.BRUSH
    qtbot.waitUntil(lambda: len(ticks) > seen + 3, timeout=5_000)
    assert tryon.cancel_button.isEnabled()
    with qtbot.waitSignal(runner.job_finished, timeout=30_000):
        qtbot.mouseClick(tryon.cancel_button, Qt.MouseButton.LeftButton)
    timer.stop()
    assert long_job.state is JobState.CANCELLED and not tryon.cancel_button.isEnabled()
    assert [c.id for c in store.candidates(tryon.product.id, "tryon") if not c.superseded] == [made.id]
