"""A before/after comparison: two images of the same size, one divider to drag across them.

Left of the divider is the *before* image (the person photo), right of it the *after* one (a try-on), both
scaled to fit and drawn over the same rectangle, so the garment's edge can be checked pixel for pixel. Drag
the divider (or click anywhere on the image), or use the arrow keys; `position` is the divider's place from
0 (all after) to 1 (all before).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from studio.gui.widgets.empty_state import paint_empty_message

KEY_STEP = 0.05  # an arrow key moves the divider by this share of the image's width
HANDLE_RADIUS = 11
BACKGROUND = "#eceff4"


class BeforeAfterSlider(QWidget):
    """Before on the left of a draggable divider, after on the right.

    Signals:
        position_changed(float): the divider moved (0: at the left edge, 1: at the right edge).
    """

    position_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.before: QImage | None = None
        self.after: QImage | None = None
        self.position = 0.5
        self.labels = ("Before", "After")
        self.message = ""  # shown when there is nothing to compare
        self._dragging = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(180, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.SplitHCursor)

    def set_images(self, before: QImage | None, after: QImage | None) -> None:
        """Compare `before` with `after` (either may be None: the other is shown whole)."""
        self.before, self.after = before, after
        self.update()

    def set_labels(self, before: str, after: str, message: str = "") -> None:
        """The corner labels and the empty message, in the UI language."""
        self.labels, self.message = (before, after), message
        self.update()

    def set_position(self, position: float) -> None:
        """Put the divider at `position` (clamped to 0..1)."""
        position = min(1.0, max(0.0, float(position)))
        if position != self.position:
            self.position = position
            self.position_changed.emit(position)
            self.update()

    def target(self) -> QRectF:
        """Where both images are drawn in the widget (scaled to fit, centred)."""
        image = self.before or self.after
        if image is None or image.isNull():
            return QRectF()
        size = QSize(image.size())
        size.scale(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF(
            (self.width() - size.width()) / 2, (self.height() - size.height()) / 2, size.width(), size.height()
        )

    def divider_x(self) -> float:
        """The divider's x in widget pixels."""
        target = self.target()
        return target.left() + self.position * target.width()

    # ---- input --------------------------------------------------------------------------------------
    def _follow(self, point: QPointF) -> None:
        target = self.target()
        if target.width() > 0:
            self.set_position((point.x() - target.left()) / target.width())

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = True
            self._follow(event.position())
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._dragging:
            self._follow(event.position())
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        self._dragging = False
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        step = {Qt.Key.Key_Left: -KEY_STEP, Qt.Key.Key_Right: KEY_STEP}.get(event.key())
        if step is None:
            return super().keyPressEvent(event)
        self.set_position(self.position + step)

    # ---- drawing ------------------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(BACKGROUND))
        target = self.target()
        if target.isEmpty():
            paint_empty_message(painter, self.rect(), self.message)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        x = self.divider_x()
        before, after = self.before or self.after, self.after or self.before
        painter.save()
        painter.setClipRect(QRectF(target.left(), target.top(), x - target.left(), target.height()))
        painter.drawImage(target, before)
        painter.setClipRect(QRectF(x, target.top(), target.right() - x, target.height()))
        painter.drawImage(target, after)
        painter.restore()
        if self.before is None or self.after is None:
            return  # one image: nothing to divide
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#ffffff"), 2))
        painter.drawLine(QPointF(x, target.top()), QPointF(x, target.bottom()))
        centre = QPointF(x, target.center().y())
        painter.setBrush(QColor("#ffffff"))
        painter.setPen(QPen(QColor("#1f2430"), 1))
        painter.drawEllipse(centre, HANDLE_RADIUS, HANDLE_RADIUS)
        handle = QRectF(centre.x() - HANDLE_RADIUS, centre.y() - HANDLE_RADIUS, 2 * HANDLE_RADIUS, 2 * HANDLE_RADIUS)
        painter.drawText(handle, Qt.AlignmentFlag.AlignCenter, "⇔")
        for text, left in ((self.labels[0], True), (self.labels[1], False)):
            box = painter.fontMetrics().boundingRect(text).adjusted(-6, -3, 6, 3)
            corner = target.topLeft() + QPointF(8, 8) if left else target.topRight() + QPointF(-8 - box.width(), 8)
            rect = QRectF(corner, box.size().toSizeF())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 140))
            painter.drawRoundedRect(rect, 4, 4)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
