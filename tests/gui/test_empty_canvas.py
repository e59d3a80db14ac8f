"""The message an image canvas shows with nothing to draw: the mask painter and the before/after slider paint it
through one helper, so the two look the same."""

from __future__ import annotations

from PySide6.QtGui import QColor

from studio.gui.theme import MUTED
from studio.gui.widgets.before_after import BeforeAfterSlider
from studio.gui.widgets.mask_painter import MaskPainter

SIZE = (260, 220)


def _muted_pixels(image) -> list[tuple[int, int]]:
    muted = QColor(MUTED)
    found = []
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if max(abs(c.red() - muted.red()), abs(c.green() - muted.green()), abs(c.blue() - muted.blue())) <= 12:
                found.append((x, y))
    return found


def test_an_empty_canvas_paints_its_message_centred_and_both_canvases_alike(qtbot) -> None:
    slider, painter = BeforeAfterSlider(), MaskPainter()
    for widget in (slider, painter):
        qtbot.addWidget(widget)
        widget.resize(*SIZE)
    message = "Finding the person in the photo so the garment mask can be drawn…"
    slider.set_labels("Before", "After", message)
    painter.set_message(message)
    shown = slider.grab().toImage()
    assert shown == painter.grab().toImage()  # one painting for both

    text = _muted_pixels(shown)
    assert text, "the message is painted in the muted colour"
    xs, ys = [x for x, _ in text], [y for _, y in text]
    assert min(xs) >= 12 and max(xs) <= SIZE[0] - 12  # word-wrapped inside the margin
    assert abs((min(ys) + max(ys)) / 2 - SIZE[1] / 2) <= 12  # centred top to bottom
    assert max(ys) - min(ys) > 20  # the long message wraps onto more than one line

    painter.set_message("")
    assert not _muted_pixels(painter.grab().toImage())
