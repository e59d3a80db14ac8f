"""Tiles shown in place of a photo (loading, no photo, unreadable), and a label that shows one photo.

`ThumbnailLabel` is the single-photo counterpart of the grid: it asks its own `ThumbnailLoader` for the photo
and shows the loading tile until the worker's result arrives, so opening a product never decodes on the GUI
thread either.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from studio.gui.widgets.thumbnail_loader import TILE_BACKGROUND, ThumbKey, ThumbnailLoader, Unreadable
from studio.project.thumbnails import ThumbnailDiskCache


class ThumbState(Enum):
    """What an item's tile shows now."""

    NO_PHOTO = "no_photo"
    LOADING = "loading"
    READY = "ready"
    UNREADABLE = "unreadable"


def _picture_glyph(painter: QPainter, edge: int, colour: QColor) -> QRectF:
    """A framed landscape (the usual 'photo' symbol) in the middle of the tile; returns its frame."""
    box = QRectF(edge * 0.3, edge * 0.32, edge * 0.4, edge * 0.3)
    painter.setPen(QPen(colour, max(2.0, edge / 60)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(box, 3, 3)
    hills = QPainterPath(QPointF(box.left() + 3, box.bottom() - 3))
    hills.lineTo(box.left() + box.width() * 0.38, box.top() + box.height() * 0.45)
    hills.lineTo(box.left() + box.width() * 0.6, box.top() + box.height() * 0.7)
    hills.lineTo(box.left() + box.width() * 0.75, box.top() + box.height() * 0.55)
    hills.lineTo(box.right() - 3, box.bottom() - 3)
    painter.drawPath(hills)
    painter.drawEllipse(QPointF(box.right() - box.width() * 0.22, box.top() + box.height() * 0.28), 3, 3)
    return box


def state_tile(state: ThumbState, edge: int, label: str = "") -> QPixmap:
    """The tile shown for an item without a photo to show: loading, no photo, or unreadable (with `label`)."""
    pixmap = QPixmap(edge, edge)
    unreadable = state is ThumbState.UNREADABLE
    pixmap.fill(QColor("#fdecea" if unreadable else TILE_BACKGROUND))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if state is ThumbState.LOADING:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#c5cbd6"))
        for i in range(3):  # three dots: "on its way"
            painter.drawEllipse(QPointF(edge / 2 + (i - 1) * edge / 10, edge / 2), edge / 40, edge / 40)
    else:
        box = _picture_glyph(painter, edge, QColor("#c62828" if unreadable else "#b0b7c3"))
        if unreadable:  # struck through, with a word under it: the file is there but cannot be shown
            painter.drawLine(box.bottomLeft() + QPointF(-4, 4), box.topRight() + QPointF(4, -4))
            if label:
                font = painter.font()
                font.setPixelSize(max(10, edge // 11))
                font.setBold(True)
                painter.setFont(font)
                text = QRectF(0, box.bottom() + edge * 0.06, edge, edge * 0.2)
                painter.drawText(text, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), label)
    painter.end()
    return pixmap


def tile_state(path: str | None, found: QPixmap | Unreadable | None) -> ThumbState:
    """The state of an item whose photo is at `path` (empty: none) when the loader holds `found` for it."""
    if not path:
        return ThumbState.NO_PHOTO
    if found is None:
        return ThumbState.LOADING
    return ThumbState.UNREADABLE if isinstance(found, Unreadable) else ThumbState.READY


class ThumbnailLabel(QLabel):
    """A fixed square showing one photo, decoded on a worker thread.

    Args:
        edge: side of the square in pixels.
        parent: the owning widget.
        loader: a loader shared with other labels (whose owner then requests their keys together, since a
            request replaces the previous one); by default the label has its own.
    """

    def __init__(self, edge: int, parent: QWidget | None = None, *, loader: ThumbnailLoader | None = None) -> None:
        super().__init__(parent)
        self.edge = edge
        self.setFixedSize(edge, edge)
        self.loader = loader if loader is not None else ThumbnailLoader(self, workers=1, memory_bytes=4 << 20)
        self.loader.ready.connect(self._ready)
        self._path = ""
        self._unreadable_label = ""
        self._repaint()

    def set_unreadable_label(self, label: str) -> None:
        """The word written on the tile of a photo that cannot be decoded (follows the UI language)."""
        self._unreadable_label = label
        self._repaint()

    def show_photo(self, path: str | Path | None, disk_cache: ThumbnailDiskCache | None = None) -> None:
        """Show the photo at `path` (None: the no-photo tile); it appears when a worker has decoded it."""
        self.set_path(path)
        self.loader.disk_cache = disk_cache
        key = self.key()
        self.loader.request([key] if key is not None else [])

    def set_path(self, path: str | Path | None) -> None:
        """Show the photo at `path` once the loader holds it, without asking for it (a shared loader's owner does)."""
        self._path = str(path) if path is not None else ""
        self._repaint()

    def key(self) -> ThumbKey | None:
        """The thumbnail this label shows (None: no photo)."""
        return ThumbKey(self._path, self.edge) if self._path else None

    def state(self) -> ThumbState:
        """What the label shows now."""
        return tile_state(self._path, self._found())

    def _found(self) -> QPixmap | Unreadable | None:
        return self.loader.lookup(ThumbKey(self._path, self.edge)) if self._path else None

    def _ready(self, key: ThumbKey) -> None:
        if key == ThumbKey(self._path, self.edge):  # a result for a product shown earlier is only cached
            self._repaint()

    def _repaint(self) -> None:
        found = self._found()
        if isinstance(found, QPixmap):
            self.setPixmap(found)
        else:
            self.setPixmap(state_tile(tile_state(self._path, found), self.edge, self._unreadable_label))
        self.setToolTip(found.reason if isinstance(found, Unreadable) else "")
