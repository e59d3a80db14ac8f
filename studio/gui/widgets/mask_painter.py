"""Painting a try-on mask over a person photo: brush, eraser and size, each stroke one undo step.

`MaskLayer` holds the mask (8-bit grayscale, 255 = redraw the garment here) and the translucent overlay drawn
from it. `MaskPainter` shows the photo with the overlay on top and turns mouse strokes into round-capped lines
on the layer; when a stroke ends it emits `stroke_finished(MaskEdit)` with the pixels it changed, which the
owner pushes on the studio's undo stack as a `MaskEditCommand`.

A very large photo is edited at a reduced size (`MAX_EDIT_SIDE`): the mask is scaled back to the photo's own
size, nearest-neighbour, when it is saved as the PNG the try-on reads (`MaskLayer.png_bytes`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QUndoCommand
from PySide6.QtWidgets import QSizePolicy, QWidget

from studio.gui.widgets.empty_state import paint_empty_message

MAX_EDIT_SIDE = 2048  # long side of the mask while it is edited; the saved PNG has the photo's size
OVERLAY_RGB = (217, 70, 239)  # magenta: stands out on skin, denim and the sample's orange suit alike
OVERLAY_OPACITY = 0.45
BACKGROUND = "#eceff4"


class MaskTool(StrEnum):
    """What a stroke does to the mask."""

    BRUSH = "brush"  # adds to the region the garment is drawn in
    ERASER = "eraser"  # takes away from it


def gray_array(image: QImage) -> np.ndarray:
    """A Grayscale8 QImage's pixels as an (H, W) uint8 array (a copy)."""
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes()).reshape(
        image.height(), image.bytesPerLine()
    )
    return rows[:, : image.width()].copy()


def gray_image(values: np.ndarray) -> QImage:
    """An (H, W) uint8 array as a detached Grayscale8 QImage."""
    data = np.ascontiguousarray(values, dtype=np.uint8)
    h, w = data.shape
    return QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


def overlay_image(values: np.ndarray, rgb: tuple[int, int, int] = OVERLAY_RGB) -> QImage:
    """The mask as a colour layer whose alpha is the mask (premultiplied RGBA)."""
    alpha = np.ascontiguousarray(values, dtype=np.uint16)
    h, w = alpha.shape
    out = np.empty((h, w, 4), np.uint8)
    for i, c in enumerate(rgb):
        out[..., i] = (alpha * c // 255).astype(np.uint8)
    out[..., 3] = alpha
    return QImage(out.data, w, h, 4 * w, QImage.Format.Format_RGBA8888_Premultiplied).copy()


class MaskLayer:
    """One photo's mask being painted: the mask, its overlay, and the automatic mask it started from.

    Args:
        photo_size: (width, height) of the upright person photo; the saved mask has this size.
        values: the starting mask, (H, W) uint8 (255 = redraw) or float in [0, 1], at the editing size.
        automatic: whether `values` is the automatic mask (a layer that still equals it is not "painted").
    """

    def __init__(self, photo_size: tuple[int, int], values: np.ndarray, *, automatic: bool) -> None:
        self.photo_size = photo_size
        values = np.asarray(values)
        if values.dtype != np.uint8:
            values = np.round(np.clip(values, 0, 1) * 255).astype(np.uint8)
        self.mask = gray_image(values)
        self.overlay = overlay_image(values)
        self.automatic_values = values.copy() if automatic else None

    @property
    def size(self) -> QSize:
        return self.mask.size()

    def values(self) -> np.ndarray:
        """The mask as an (H, W) uint8 array at the editing size."""
        return gray_array(self.mask)

    def painted(self) -> bool:
        """True when the mask differs from the automatic one (or there was none): it must go with the job."""
        return self.automatic_values is None or not np.array_equal(self.values(), self.automatic_values)

    def coverage(self) -> float:
        """Share of the photo inside the mask."""
        return float((self.values() > 127).mean())

    def draw(self, start: QPointF, end: QPointF, width: float, tool: MaskTool) -> QRect:
        """A round-capped line from `start` to `end` (mask pixels); returns the rectangle it touched."""
        painter = QPainter(self.mask)
        value = 255 if tool is MaskTool.BRUSH else 0
        pen = QPen(QColor(value, value, value), max(1.0, width))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        if start == end:
            painter.drawPoint(start)
        else:
            painter.drawLine(start, end)
        painter.end()
        pad = width / 2 + 2
        touched = QRectF(start, end).normalized().adjusted(-pad, -pad, pad, pad).toAlignedRect()
        touched = touched.intersected(self.mask.rect())
        self._refresh_overlay(touched)
        return touched

    def patch(self, rect: QRect) -> QImage:
        """A copy of the mask's pixels inside `rect`."""
        return self.mask.copy(rect)

    def put(self, rect: QRect, patch: QImage) -> None:
        """Write `patch` back at `rect` (undo and redo)."""
        painter = QPainter(self.mask)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.drawImage(rect.topLeft(), patch)
        painter.end()
        self._refresh_overlay(rect)

    def _refresh_overlay(self, rect: QRect) -> None:
        if rect.isEmpty():
            return
        colour = overlay_image(gray_array(self.mask.copy(rect)))
        painter = QPainter(self.overlay)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.drawImage(rect.topLeft(), colour)
        painter.end()

    def png_bytes(self) -> bytes:
        """The mask as the try-on reads it: an 8-bit PNG at the photo's own size, white = redraw."""
        from PIL import Image

        image = Image.fromarray(np.where(self.values() > 127, 255, 0).astype(np.uint8))
        if image.size != self.photo_size:
            image = image.resize(self.photo_size, Image.Resampling.NEAREST)
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return buf.getvalue()


@dataclass(frozen=True)
class MaskEdit:
    """What one stroke (or a reset / clear) changed: the layer, where, and the pixels before and after."""

    layer: MaskLayer
    rect: QRect
    before: QImage
    after: QImage


class MaskEditCommand(QUndoCommand):
    """A mask edit on the undo stack; `refresh` repaints whoever shows the layer."""

    def __init__(self, text: str, edit: MaskEdit, refresh: object) -> None:
        super().__init__(text)
        self.edit = edit
        self._refresh = refresh

    def redo(self) -> None:
        self.edit.layer.put(self.edit.rect, self.edit.after)
        self._refresh(self.edit.layer)

    def undo(self) -> None:
        self.edit.layer.put(self.edit.rect, self.edit.before)
        self._refresh(self.edit.layer)


def replace_all(layer: MaskLayer, values: np.ndarray) -> MaskEdit:
    """A whole-layer edit to `values` (reset to the automatic mask, clear), not yet applied."""
    rect = layer.mask.rect()
    return MaskEdit(layer, rect, layer.patch(rect), gray_image(values))


class MaskPainter(QWidget):
    """The person photo scaled to fit, the mask over it, and a brush or eraser to paint it.

    Signals:
        stroke_finished(MaskEdit): a stroke ended; it is already on the layer (push it to undo, don't redo it).
    """

    stroke_finished = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.photo: QImage | None = None
        self.layer: MaskLayer | None = None
        self.tool = MaskTool.BRUSH
        self.brush_size = 24  # screen pixels across
        self.message = ""  # shown while there is no photo ("finding the person…", "unreadable")
        self._stroke: tuple[QImage, QPointF, QRect] | None = None  # (mask before, last point, touched)
        self._cursor: QPointF | None = None
        self._scaled_photo: tuple[int, QSize, QPixmap] | None = None  # the photo scaled to the widget, reused

    # ---- what is shown ------------------------------------------------------------------------------
    def set_photo(self, photo: QImage | None, layer: MaskLayer | None) -> None:
        """Show `photo` (at the layer's editing size) with `layer` over it; None clears the painter."""
        self._stroke = None
        self.photo, self.layer = photo, layer
        self._scaled_photo = None
        self.update()

    def set_message(self, text: str) -> None:
        self.message = text
        self.update()

    def set_tool(self, tool: MaskTool) -> None:
        self.tool = MaskTool(tool)

    def set_brush_size(self, size: int) -> None:
        self.brush_size = max(1, int(size))
        self.update()

    def target(self) -> QRectF:
        """Where the photo is drawn in the widget (scaled to fit, centred)."""
        if self.layer is None:
            return QRectF()
        size = QSize(self.layer.size)
        size.scale(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        left, top = (self.width() - size.width()) / 2, (self.height() - size.height()) / 2
        return QRectF(left, top, size.width(), size.height())

    def mask_scale(self) -> float:
        """Mask pixels per widget pixel."""
        target = self.target()
        return self.layer.size.width() / target.width() if self.layer is not None and target.width() else 1.0

    def to_mask(self, point: QPointF) -> QPointF:
        """A widget point in mask pixels."""
        target = self.target()
        return (QPointF(point) - target.topLeft()) * self.mask_scale()

    def to_widget(self, point: QPointF) -> QPointF:
        """A mask pixel's point in the widget (for tests and the cursor)."""
        scale = self.mask_scale()
        return self.target().topLeft() + QPointF(point) / (scale or 1.0)

    # ---- painting with the mouse --------------------------------------------------------------------
    def _widget_rect(self, rect: QRect) -> QRect:
        """The widget pixels a rectangle of mask pixels covers (with a pixel to spare for smoothing)."""
        scale = self.mask_scale() or 1.0
        corner = self.to_widget(QPointF(rect.topLeft()))
        return (
            QRectF(corner.x(), corner.y(), rect.width() / scale, rect.height() / scale)
            .toAlignedRect()
            .adjusted(-2, -2, 2, 2)
        )

    def _cursor_rect(self) -> QRect:
        radius = self.brush_size / 2 + 3
        if self._cursor is None:
            return QRect()
        return QRectF(self._cursor.x() - radius, self._cursor.y() - radius, 2 * radius, 2 * radius).toAlignedRect()

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.layer is None or not self.isEnabled():
            return super().mousePressEvent(event)
        point = self.to_mask(event.position())
        before = self.layer.mask.copy()
        touched = self.layer.draw(point, point, self.brush_size * self.mask_scale(), self.tool)
        self._stroke = (before, point, touched)
        self.update(self._widget_rect(touched))

    def mouseMoveEvent(self, event) -> None:
        # Only what changed is repainted (the old and new brush outline, the segment just drawn): a large photo
        # redrawn whole at every mouse move made strokes lag.
        dirty = self._cursor_rect()
        self._cursor = event.position()
        dirty = dirty.united(self._cursor_rect())
        # The stroke, not event.buttons(): a press started it, and only the release ends it.
        if self._stroke is not None and self.layer is not None:
            before, last, touched = self._stroke
            point = self.to_mask(event.position())
            segment = self.layer.draw(last, point, self.brush_size * self.mask_scale(), self.tool)
            self._stroke = (before, point, touched.united(segment))
            dirty = dirty.united(self._widget_rect(segment))
        self.update(dirty)

    def mouseReleaseEvent(self, event) -> None:
        if self._stroke is None or self.layer is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mouseReleaseEvent(event)
        before, _last, touched = self._stroke
        self._stroke = None
        if not touched.isEmpty():
            self.stroke_finished.emit(MaskEdit(self.layer, touched, before.copy(touched), self.layer.patch(touched)))

    def _photo_pixmap(self, size: QSize) -> QPixmap:
        """The photo scaled to `size` once, not at every repaint."""
        cached = self._scaled_photo
        if cached is None or cached[0] != self.photo.cacheKey() or cached[1] != size:
            scaled = self.photo.scaled(
                size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            cached = self._scaled_photo = (self.photo.cacheKey(), size, QPixmap.fromImage(scaled))
        return cached[2]

    def leaveEvent(self, event) -> None:
        self._cursor = None
        self.update()
        super().leaveEvent(event)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(BACKGROUND))
        if self.layer is None or self.photo is None:
            paint_empty_message(painter, self.rect(), self.message)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = self.target()
        painter.drawPixmap(target.topLeft(), self._photo_pixmap(target.size().toSize()))
        painter.setOpacity(OVERLAY_OPACITY)
        painter.drawImage(target, self.layer.overlay)
        painter.setOpacity(1.0)
        if self._cursor is not None and target.contains(self._cursor) and self.isEnabled():
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            radius = self.brush_size / 2
            for colour, width in (("#000000", 3), ("#ffffff", 1)):
                painter.setPen(QPen(QColor(colour), width))
                painter.drawEllipse(self._cursor, radius, radius)
