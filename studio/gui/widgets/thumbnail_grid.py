"""Product thumbnails in a grid, filtered by a search text, a category and a status."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QImageReader, QPainter, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QListView, QWidget

THUMB = 132
THUMBS_PER_TICK = 16  # decoded per event-loop turn, so a big catalog never freezes the window
SKU_ROLE = Qt.ItemDataRole.UserRole + 1
CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 4


@dataclass(frozen=True)
class ProductTile:
    """What one thumbnail shows."""

    sku: str
    title: str
    category: str = ""
    status: str = ""
    image: Path | None = None
    search_text: str = ""  # extra words the search box matches (tags, description)


def load_thumbnail(path: Path | None, size: int = THUMB) -> QPixmap:
    """A square thumbnail; decodes at reduced size (cheap for big JPEGs); a grey tile when unreadable."""
    canvas = QPixmap(size, size)
    canvas.fill(QColor("#eceff4"))
    if path is not None and Path(path).is_file():
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        src = reader.size()
        if src.isValid() and src.width() > 0 and src.height() > 0:
            reader.setScaledSize(src.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if not image.isNull():
            painter = QPainter(canvas)
            painter.drawImage((size - image.width()) // 2, (size - image.height()) // 2, image)
            painter.end()
    return canvas


class _Filter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.text, self.category, self.status = "", "", ""

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        idx = self.sourceModel().index(row, 0, parent)
        if self.category and idx.data(CATEGORY_ROLE) != self.category:
            return False
        if self.status and idx.data(STATUS_ROLE) != self.status:
            return False
        return not self.text or all(word in (idx.data(SEARCH_ROLE) or "") for word in self.text.split())


class ThumbnailGrid(QListView):
    """Icon-mode list of products. `product_activated(sku)` on double-click or Enter."""

    product_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thumbnailGrid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 36, THUMB + 52))
        self.setSpacing(6)
        self.setWordWrap(True)
        self.setUniformItemSizes(True)
        self.source = QStandardItemModel(self)
        self.proxy = _Filter()
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self.activated.connect(lambda idx: self.product_activated.emit(idx.data(SKU_ROLE)))
        self._blank = QIcon(load_thumbnail(None))
        self._pending: list[tuple[QStandardItem, Path | None]] = []
        self._loader = QTimer(self, interval=0)
        self._loader.timeout.connect(self._load_some)

    def set_products(self, tiles: list[ProductTile]) -> None:
        """Show `tiles` at once with blank icons; photos are decoded a few per event-loop turn."""
        self.source.clear()
        self._pending = []
        for tile in tiles:
            item = QStandardItem(self._blank, f"{tile.sku}\n{tile.title}")
            self._pending.append((item, tile.image))
            item.setEditable(False)
            item.setToolTip(f"{tile.sku} — {tile.title}\n{tile.category}")
            item.setData(tile.sku, SKU_ROLE)
            item.setData(tile.category, CATEGORY_ROLE)
            item.setData(tile.status, STATUS_ROLE)
            item.setData(" ".join((tile.sku, tile.title, tile.category, tile.search_text)).lower(), SEARCH_ROLE)
            self.source.appendRow(item)
        self._pending.reverse()
        if self._pending:
            self._loader.start()

    def _load_some(self) -> None:
        for _ in range(min(THUMBS_PER_TICK, len(self._pending))):
            item, path = self._pending.pop()
            item.setIcon(QIcon(load_thumbnail(path)))
        if not self._pending:
            self._loader.stop()

    def thumbnails_loaded(self) -> bool:
        return not self._pending

    def set_filter(self, text: str = "", category: str = "", status: str = "") -> None:
        self.proxy.text, self.proxy.category, self.proxy.status = text.strip().lower(), category, status
        self.proxy.invalidate()

    def visible_skus(self) -> list[str]:
        return [self.proxy.index(r, 0).data(SKU_ROLE) for r in range(self.proxy.rowCount())]

    def current_sku(self) -> str | None:
        idx = self.currentIndex()
        return idx.data(SKU_ROLE) if idx.isValid() else None
