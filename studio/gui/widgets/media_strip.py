"""A horizontal strip of small captioned thumbnails: the photos a video uses in order, or its footage shots.

Thumbnails are decoded on a worker thread by the strip's own `ThumbnailLoader` (one request for all tiles);
a tile can be marked (a shot the video uses) and carries a tooltip (where the shot is, its CLIP score).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from studio.gui.widgets.thumbnail_loader import ThumbnailLoader
from studio.gui.widgets.thumbnail_tiles import ThumbnailLabel
from studio.project.thumbnails import ThumbnailDiskCache

MARKED_STYLE = "QFrame#stripTile { border: 2px solid #2e7d32; border-radius: 6px; }"
PLAIN_STYLE = "QFrame#stripTile { border: 1px solid #d6dae1; border-radius: 6px; }"


@dataclass(frozen=True)
class StripTile:
    """One tile: an image file ("" shows the no-photo tile), its caption, tooltip, and whether it is marked."""

    image: str
    caption: str
    tooltip: str = ""
    marked: bool = False


class TileWidget(QFrame):
    """A thumbnail over a one-line caption."""

    def __init__(self, tile: StripTile, loader: ThumbnailLoader, edge: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="stripTile")
        self.tile = tile
        self.setProperty("data", True)  # the project's own files and numbers (names, scores), not UI labels
        self.setStyleSheet(MARKED_STYLE if tile.marked else PLAIN_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        self.image = ThumbnailLabel(edge, loader=loader)
        self.image.set_path(tile.image or None)
        layout.addWidget(self.image, 0, Qt.AlignmentFlag.AlignHCenter)
        self.caption = QLabel(tile.caption, objectName="muted")
        self.caption.setProperty("data", True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setFixedWidth(edge)
        layout.addWidget(self.caption)
        self.setToolTip(tile.tooltip)


class MediaStrip(QScrollArea):
    """Tiles in one scrollable row, in the order given.

    Args:
        edge: side of each thumbnail in pixels.
    """

    def __init__(self, edge: int = 72, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edge = edge
        self.loader = ThumbnailLoader(self, workers=1, memory_bytes=8 << 20)
        self.tiles: list[TileWidget] = []
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self._row = QHBoxLayout(inner)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(6)
        self._row.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._row.addStretch(1)
        self.setWidget(inner)
        # Room for the tile, its caption and a horizontal scroll bar.
        self.setFixedHeight(edge + 44)

    def set_tiles(self, tiles: list[StripTile], disk_cache: ThumbnailDiskCache | None = None) -> None:
        """Show `tiles` (replacing the previous ones) and ask for their thumbnails."""
        if disk_cache is not None:
            self.loader.disk_cache = disk_cache
        for widget in self.tiles:
            self._row.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self.tiles = [TileWidget(tile, self.loader, self.edge) for tile in tiles]
        for i, widget in enumerate(self.tiles):
            self._row.insertWidget(i, widget)
        self.loader.request([k for w in self.tiles if (k := w.image.key()) is not None])
