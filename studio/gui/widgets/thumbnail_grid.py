"""Product thumbnails in a grid, filtered by a search text, a category and a status, or ranked by a search.

Photos are decoded on worker threads (`ThumbnailLoader`); only the items on screen, plus a line of tiles above
and below, are requested, and each scroll, resize, filter or reset replaces that request. The model returns
a tile per item from the loader's memory cache by the item's own photo path: a placeholder while loading, the
photo, or a clearly marked "unreadable" tile.

A ranking (`set_ranking`, from a CLIP search) shows only the ranked products, best first, each with its 0–100
score painted as a pill on the photo; clearing it brings back the filtered grid in catalog order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from studio.gui.theme import ACCENT, PLACEHOLDER
from studio.gui.widgets.thumbnail_loader import ThumbKey, ThumbnailLoader, Unreadable
from studio.gui.widgets.thumbnail_tiles import ThumbState, state_tile, tile_state
from studio.project.thumbnails import ThumbnailDiskCache

THUMB = 132
#: Items requested while the grid is hidden (e.g. an import finished on another page): its first screenful.
HIDDEN_PREFETCH = 48
SKU_ROLE = Qt.ItemDataRole.UserRole + 1
CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 4
PATH_ROLE = Qt.ItemDataRole.UserRole + 5
SCORE_ROLE = Qt.ItemDataRole.UserRole + 6  # the item's TileScore while a ranking is shown, else None


@dataclass(frozen=True)
class ProductTile:
    """What one thumbnail shows."""

    sku: str
    title: str
    category: str = ""
    status: str = ""
    image: Path | None = None
    search_text: str = ""  # extra words the search box matches (tags, description)


@dataclass(frozen=True)
class TileScore:
    """A product's place in a ranking: its rank (1 = best), 0–100 score and the line its tooltip adds."""

    rank: int
    score: float
    tip: str = ""


class _Filter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.text, self.category, self.status = "", "", ""
        self.ranks: dict[str, int] | None = None  # sku -> rank while a ranking is shown

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        idx = self.sourceModel().index(row, 0, parent)
        if self.ranks is not None and idx.data(SKU_ROLE) not in self.ranks:
            return False
        if self.category and idx.data(CATEGORY_ROLE) != self.category:
            return False
        if self.status and idx.data(STATUS_ROLE) != self.status:
            return False
        return not self.text or all(word in (idx.data(SEARCH_ROLE) or "") for word in self.text.split())

    def lessThan(self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex) -> bool:
        ranks = self.ranks or {}
        return ranks.get(left.data(SKU_ROLE), 1 << 30) < ranks.get(right.data(SKU_ROLE), 1 << 30)


class _ProductModel(QStandardItemModel):
    """Items hold their photo's path; the decoration is looked up in the grid's thumbnail cache when painted."""

    def __init__(self, grid: ThumbnailGrid) -> None:
        super().__init__(grid)
        self._grid = grid

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DecorationRole:
            return self._grid.tile_for(super().data(index, PATH_ROLE))
        if role == SCORE_ROLE:
            return self._grid.score_of(super().data(index, SKU_ROLE))
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = super().data(index, role)
            score = self._grid.score_of(super().data(index, SKU_ROLE))
            if score is not None and score.tip:
                tip = f"{score.tip}\n{tip}"
            found = self._grid.cached(super().data(index, PATH_ROLE))
            return f"{tip}\n⚠ {found.reason}" if isinstance(found, Unreadable) else tip
        return super().data(index, role)


class _ScoreDelegate(QStyledItemDelegate):
    """Paints the item as usual, then its ranking score as a pill in the photo's top-right corner."""

    # The colours of the score and PLACEHOLDER badges (theme.py), so a tile's pill reads like a card's.
    ACCENT, PLACEHOLDER_BG, PLACEHOLDER_FG = QColor(ACCENT), QColor("#fef3c7"), QColor(PLACEHOLDER)

    def __init__(self, grid: ThumbnailGrid) -> None:
        super().__init__(grid)
        self._grid = grid

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().paint(painter, option, index)
        score = index.data(SCORE_ROLE)
        if score is None:
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = opt.widget.style() if opt.widget is not None else self._grid.style()
        photo = style.subElementRect(QStyle.SubElement.SE_ItemViewItemDecoration, opt, opt.widget)
        text = f"{score.score:.0f}"
        font = painter.font()
        font.setBold(True)
        font.setPixelSize(12)
        painter.save()
        painter.setFont(font)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = painter.fontMetrics().horizontalAdvance(text) + 14
        pill = photo.adjusted(photo.width() - width - 4, 4, -4, 0)
        pill.setHeight(20)
        fake = self._grid.ranking_placeholder
        painter.setPen(QPen(QColor("#f59e0b"), 1) if fake else Qt.PenStyle.NoPen)
        painter.setBrush(self.PLACEHOLDER_BG if fake else self.ACCENT)
        painter.drawRoundedRect(pill, 10, 10)
        painter.setPen(self.PLACEHOLDER_FG if fake else QColor("white"))
        painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()


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
        self.loader = ThumbnailLoader(self)
        self.loader.ready.connect(self._thumbnail_ready)
        self.source = _ProductModel(self)
        self.proxy = _Filter()
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self._scores: dict[str, TileScore] = {}
        #: True while the shown ranking comes from a placeholder model (its pills are drawn amber)
        self.ranking_placeholder = False
        self.setItemDelegate(_ScoreDelegate(self))
        self.activated.connect(lambda idx: self.product_activated.emit(idx.data(SKU_ROLE)))
        self._rows_by_path: dict[str, list[int]] = {}
        self._unreadable_label = "Unreadable"
        self._tiles = {state: state_tile(state, THUMB, self._unreadable_label) for state in ThumbState}
        # Scrolls, resizes and model changes come in bursts; one request per event-loop turn is enough.
        self._refresh = QTimer(self, singleShot=True, interval=0)
        self._refresh.timeout.connect(self.request_visible)
        self.verticalScrollBar().valueChanged.connect(self._schedule_refresh)
        for signal in (
            self.proxy.modelReset,
            self.proxy.layoutChanged,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
        ):
            signal.connect(self._schedule_refresh)

    def _schedule_refresh(self, *_args: object) -> None:
        # Not `connect(self._refresh.start)`: a signal's int argument would pick start(msec) and set the interval.
        self._refresh.start()

    # ---- products -----------------------------------------------------------------------------------
    def set_products(self, tiles: list[ProductTile], disk_cache: ThumbnailDiskCache | None = None) -> None:
        """Show `tiles` at once; their photos arrive from the workers (kept on disk in `disk_cache` if given)."""
        self.loader.disk_cache = disk_cache
        self.source.clear()
        self._rows_by_path = {}
        for row, tile in enumerate(tiles):
            path = str(tile.image) if tile.image is not None else ""
            item = QStandardItem(f"{tile.sku}\n{tile.title}")
            item.setEditable(False)
            item.setToolTip(f"{tile.sku} — {tile.title}\n{tile.category}")
            item.setData(tile.sku, SKU_ROLE)
            item.setData(tile.category, CATEGORY_ROLE)
            item.setData(tile.status, STATUS_ROLE)
            item.setData(" ".join((tile.sku, tile.title, tile.category, tile.search_text)).lower(), SEARCH_ROLE)
            item.setData(path, PATH_ROLE)
            if path:
                self._rows_by_path.setdefault(path, []).append(row)
            self.source.appendRow(item)
        self._refresh.start()

    def set_filter(self, text: str = "", category: str = "", status: str = "") -> None:
        self.proxy.text, self.proxy.category, self.proxy.status = text.strip().lower(), category, status
        self.proxy.invalidate()
        self._refresh.start()

    def set_ranking(self, scores: Mapping[str, TileScore] | None, *, placeholder: bool = False) -> None:
        """Show only the products in `scores` (sku -> TileScore), best rank first; None: back to catalog order."""
        self._scores = dict(scores or {})
        self.ranking_placeholder = placeholder and scores is not None
        self.proxy.ranks = {sku: s.rank for sku, s in self._scores.items()} if scores is not None else None
        self.proxy.invalidate()
        self.proxy.sort(0 if scores is not None else -1)
        self.scrollToTop()
        self._refresh.start()

    def ranked(self) -> bool:
        """True while a ranking (not the catalog order) is shown."""
        return self.proxy.ranks is not None

    def score_of(self, sku: str | None) -> TileScore | None:
        """The ranking score shown on `sku`'s tile (None: no ranking, or not ranked)."""
        return self._scores.get(sku) if sku is not None else None

    def visible_skus(self) -> list[str]:
        return [self.proxy.index(r, 0).data(SKU_ROLE) for r in range(self.proxy.rowCount())]

    def sku_at(self, index: QModelIndex | QPersistentModelIndex) -> str | None:
        """The SKU of the item at a (proxy) index; None for an invalid one (e.g. empty space)."""
        return index.data(SKU_ROLE) if index.isValid() else None

    def current_sku(self) -> str | None:
        idx = self.currentIndex()
        return idx.data(SKU_ROLE) if idx.isValid() else None

    # ---- tiles --------------------------------------------------------------------------------------
    def set_unreadable_label(self, label: str) -> None:
        """The word written on tiles of photos that cannot be decoded (follows the UI language)."""
        self._unreadable_label = label
        self._tiles[ThumbState.UNREADABLE] = state_tile(ThumbState.UNREADABLE, THUMB, label)
        self.viewport().update()

    def _key(self, path: str) -> ThumbKey:
        return ThumbKey(path, THUMB)

    def cached(self, path: str | None) -> QPixmap | Unreadable | None:
        """What the loader holds for the photo at `path` (None: nothing yet, or no photo)."""
        return self.loader.lookup(self._key(path)) if path else None

    def tile_for(self, path: str | None) -> QPixmap:
        """The pixmap an item with the photo at `path` shows now."""
        found = self.cached(path)
        return found if isinstance(found, QPixmap) else self._tiles[tile_state(path, found)]

    def state_of_path(self, path: str | None) -> ThumbState:
        """What an item with the photo at `path` shows now."""
        return tile_state(path, self.cached(path))

    def thumbnail_state(self, sku: str) -> ThumbState | None:
        """The state of the first item showing `sku` (None when no item does)."""
        for row in range(self.source.rowCount()):
            index = self.source.index(row, 0)
            if index.data(SKU_ROLE) == sku:
                return self.state_of_path(index.data(PATH_ROLE))
        return None

    # ---- what to load -------------------------------------------------------------------------------
    def _first_row(self, rows: int, top: int) -> int:
        """The first proxy row whose tile reaches below `top` (viewport y); tiles flow left to right, down."""
        lo, hi = 0, rows
        while lo < hi:
            mid = (lo + hi) // 2
            if self.visualRect(self.proxy.index(mid, 0)).bottom() < top:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _last_row(self, rows: int, bottom: int) -> int:
        """The last proxy row whose tile starts above `bottom`; -1 when none does."""
        lo, hi = 0, rows
        while lo < hi:
            mid = (lo + hi) // 2
            if self.visualRect(self.proxy.index(mid, 0)).top() <= bottom:
                lo = mid + 1
            else:
                hi = mid
        return lo - 1

    def wanted_rows(self) -> list[int]:
        """Proxy rows to decode, most wanted first: on screen, then a line of tiles below, then one above."""
        rows = self.proxy.rowCount()
        if rows == 0:
            return []
        if not self.isVisible() or self.viewport().height() <= 0:
            return list(range(min(rows, HIDDEN_PREFETCH)))
        height, margin = self.viewport().height(), self.gridSize().height()
        first, last = self._first_row(rows, 0), self._last_row(rows, height)
        before, after = self._first_row(rows, -margin), self._last_row(rows, height + margin)
        return [*range(first, last + 1), *range(last + 1, after + 1), *range(first - 1, before - 1, -1)]

    def _wanted_keys(self) -> list[ThumbKey]:
        paths = (self.proxy.index(row, 0).data(PATH_ROLE) for row in self.wanted_rows())
        return [self._key(path) for path in paths if path]

    def request_visible(self) -> None:
        """Ask the loader for the thumbnails of the items near the viewport (replacing any earlier request)."""
        self.loader.request(self._wanted_keys())

    def thumbnails_loaded(self) -> bool:
        """True when every item near the viewport shows its photo (or its unreadable tile) and nothing is pending."""
        if self._refresh.isActive() or self.loader.busy():
            return False
        if all(self.loader.lookup(key) is not None for key in self._wanted_keys()):
            return True
        self._refresh.start()  # something on screen was dropped from memory meanwhile: ask for it again
        return False

    def _thumbnail_ready(self, key: ThumbKey) -> None:
        for row in self._rows_by_path.get(key.path, []):
            index = self.source.index(row, 0)
            self.source.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    # ---- events -------------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._refresh.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._refresh.start()
