"""Complete the look: per complementary category, a row of product cards (photo, SKU, title, style score).

Photos come through one `ThumbnailLoader` shared by the panel's cards (decoded on worker threads, like the
catalog grid); the panel asks for all of them in one request. Clicking a card emits `product_clicked(sku)`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.gui.i18n import Language, Translator
from studio.gui.widgets.badges import PlaceholderNotice
from studio.gui.widgets.empty_state import EmptyState
from studio.gui.widgets.thumbnail_loader import ThumbnailLoader
from studio.gui.widgets.thumbnail_tiles import ThumbnailLabel
from studio.project.search import CatalogHit, LookResult
from studio.project.thumbnails import ThumbnailDiskCache

LOOK_THUMB = 120


def two_lines(text: str, metrics: QFontMetrics, width: int) -> str:
    """`text` wrapped at word boundaries into at most two lines of `width` pixels, the second elided."""
    words, first = text.split(), ""
    while words and metrics.horizontalAdvance(f"{first} {words[0]}".strip()) <= width:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one long word: elide it on the first line
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    rest = " ".join(words)
    return first + ("\n" + metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width) if rest else "")


class LookView(Enum):
    """What the panel shows."""

    LOADING = "loading"
    RESULT = "result"  # groups, or the "nothing to pair" state when there are none
    FAILED = "failed"


class LookCard(QFrame):
    """One suggested product; a click (or Enter/Space when focused) emits `clicked(sku)`."""

    clicked = Signal(str)

    def __init__(self, hit: CatalogHit, photo: Path, loader: ThumbnailLoader, placeholder: bool, tip: str) -> None:
        super().__init__(objectName="card")
        self.hit = hit
        self.setFixedWidth(LOOK_THUMB + 20)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(tip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(3)
        self.photo = ThumbnailLabel(LOOK_THUMB, loader=loader)
        self.photo.set_path(photo)
        layout.addWidget(self.photo)
        # The score sits on the photo's corner, as on the catalog grid; a placeholder's wears the PLACEHOLDER
        # colours, never the blue of a real score.
        self.score_badge = QLabel(
            f"{hit.score:.0f}", self.photo, objectName="placeholderBadge" if placeholder else "scoreBadge"
        )
        self.score_badge.adjustSize()
        self.score_badge.move(LOOK_THUMB - self.score_badge.width() - 4, 4)
        self.sku_label = QLabel(objectName="muted")
        self.sku_label.setText(
            self.sku_label.fontMetrics().elidedText(hit.sku, Qt.TextElideMode.ElideMiddle, LOOK_THUMB)
        )
        layout.addWidget(self.sku_label)
        self.title_label = QLabel()
        self.title_label.setText(two_lines(hit.title or hit.sku, self.title_label.fontMetrics(), LOOK_THUMB))
        layout.addWidget(self.title_label)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.hit.sku)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.hit.sku)
            return
        super().keyPressEvent(event)


class LookPanel(QWidget):
    """The product page's "Complete the look" section: a heading, per-category rows of cards, or a state.

    Args:
        tr: the studio's translator (labels, and the category names in the UI language).
    """

    product_clicked = Signal(str)

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tr = tr
        self.loader = ThumbnailLoader(self, workers=2, memory_bytes=8 << 20)
        self.view = LookView.LOADING
        self.result: LookResult | None = None
        self.error = ""
        self.cards: list[LookCard] = []
        self._path_for: Callable[[str], Path] = Path
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        self.heading = QLabel(objectName="sectionTitle")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.warning = PlaceholderNotice()
        self.placeholder_badge, self.notice = self.warning.badge, self.warning.notice
        layout.addWidget(self.warning)
        self.hint = QLabel(objectName="muted")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.stack = QStackedWidget()
        self.waiting = EmptyState()
        self.empty = EmptyState()
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.stack.addWidget(self.waiting)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.scroll)
        layout.addWidget(self.stack, 1)
        self._render()

    # ---- states -------------------------------------------------------------------------------------
    def show_loading(self) -> None:
        """A job is finding the suggestions."""
        self.view, self.result, self.error = LookView.LOADING, None, ""
        self._render()

    def show_failed(self, message: str) -> None:
        self.view, self.result, self.error = LookView.FAILED, None, message
        self._render()

    def show_result(
        self,
        result: LookResult,
        path_for: Callable[[str], Path],
        disk_cache: ThumbnailDiskCache | None = None,
    ) -> None:
        """Show `result`; `path_for(sha)` locates a photo in the project's asset store."""
        self.view, self.result, self.error = LookView.RESULT, result, ""
        self._path_for = path_for
        self.loader.disk_cache = disk_cache
        self._render()

    def retranslate(self) -> None:
        self._render()

    def category_label(self, en: str, zh: str | None) -> str:
        return zh if self.tr.language is Language.ZH and zh else en

    # ---- drawing ------------------------------------------------------------------------------------
    def _render(self) -> None:
        t, result = self.tr.t, self.result
        placeholder = result is not None and result.placeholder
        self.warning.set_labels(t("card.placeholder"), t("card.placeholder_tip"))
        self.warning.set_state(placeholder, t("search.placeholder_notice") if placeholder else "")
        self.heading.setVisible(result is not None)
        self.hint.setVisible(bool(result is not None and result.groups))
        self.hint.setText(t("look.hint"))
        if result is not None:
            category = (
                self.category_label(result.category, result.category_zh)
                if result.category
                else t("look.unknown_category")
            )
            self.heading.setText(t("look.heading", sku=result.sku, category=category))
        if self.view is LookView.LOADING:
            self.waiting.set_texts(t("look.loading"), t("look.loading_hint"))
            self.stack.setCurrentWidget(self.waiting)
        elif self.view is LookView.FAILED:
            self.empty.set_texts(t("look.failed"), self.error)
            self.stack.setCurrentWidget(self.empty)
        elif result is not None and not result.groups:
            self.empty.set_texts(t("look.empty"), t("look.empty_hint"))
            self.stack.setCurrentWidget(self.empty)
        else:
            self._fill(result)
            self.stack.setCurrentWidget(self.scroll)

    def _fill(self, result: LookResult | None) -> None:
        inner = QWidget()
        rows = QVBoxLayout(inner)
        rows.setContentsMargins(0, 4, 8, 4)
        rows.setSpacing(6)
        self.cards = []
        for group in result.groups if result is not None else ():
            rows.addWidget(QLabel(self.category_label(group.category, group.category_zh), objectName="sectionTitle"))
            line = QHBoxLayout()
            line.setSpacing(10)
            for hit in group.hits:
                tip = self.tr.t("look.score_tip", sku=result.sku, score=f"{hit.score:.0f}", item=hit.sku)
                card = LookCard(hit, self._path_for(hit.photo_sha), self.loader, result.placeholder, tip)
                card.clicked.connect(self.product_clicked)
                line.addWidget(card)
                self.cards.append(card)
            line.addStretch(1)
            rows.addLayout(line)
            rows.addSpacing(8)
        rows.addStretch(1)
        self.scroll.setWidget(inner)  # the previous page of cards (and its labels) is deleted with it
        keys = [card.photo.key() for card in self.cards]
        self.loader.request([key for key in keys if key is not None])

    def card(self, sku: str) -> LookCard | None:
        return next((c for c in self.cards if c.hit.sku == sku), None)

    def groups_shown(self) -> list[str]:
        """The category names shown, in order (English labels)."""
        return (
            [] if self.result is None or self.view is not LookView.RESULT else [g.category for g in self.result.groups]
        )
