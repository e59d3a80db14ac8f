"""History: every generated caption and copy, newest first, searchable by prompt and SKU, with provenance."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
)

from studio.gui import services
from studio.gui.pages import Page, PageSpec
from studio.gui.state import StudioState
from studio.gui.widgets.badges import clip_score_100
from studio.gui.widgets.empty_state import EmptyState

COLUMNS = ("sku", "kind", "text", "score", "model", "state")  # header keys: col.<name>
TEXT_COLUMN, MODEL_COLUMN = 2, 4


class HistoryPage(Page):
    """A searchable table of candidates; selecting one shows its provenance."""

    title_key = "nav.history"

    def __init__(self, state: StudioState) -> None:
        super().__init__(state)
        self.rows: list[services.HistoryRow] = []
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.layout_.addWidget(self.search)
        self.stack = QStackedWidget()
        self.empty = EmptyState()
        # The provenance pane goes below the table: beside it, it squeezed the text column to a few characters.
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setProperty("dataColumns", [0, TEXT_COLUMN, MODEL_COLUMN])  # SKUs, model output, model ids
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TEXT_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(MODEL_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(MODEL_COLUMN, 170)  # long model ids elide; the tooltip has them whole
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.itemSelectionChanged.connect(self._selected)
        self.detail = QTextBrowser()
        self.detail.setMinimumHeight(120)
        # The provenance pane opens when a row is selected: until then the table (and its text) has the width.
        self.detail.setVisible(False)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        self.split = split
        self.stack.addWidget(self.empty)
        self.stack.addWidget(split)
        self.layout_.addWidget(self.stack, 1)
        state.project_changed.connect(self.reload)
        state.candidates_changed.connect(lambda _pid: self.reload())
        # Ctrl+F while this page is shown: jump to its search box.
        QShortcut(
            QKeySequence.StandardKey.Find, self, activated=lambda: (self.search.setFocus(), self.search.selectAll())
        )
        self.retranslate()  # also fills the table

    def on_shown(self) -> None:
        self.reload()

    def reload(self) -> None:
        store = self.state.store
        self.rows = services.history_rows(store, self.search.text()) if store is not None else []
        has_any = bool(self.rows) or bool(self.search.text())
        self.stack.setCurrentIndex(1 if has_any else 0)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            model = ", ".join(str(m.get("model_id", "")) for m in row.provenance.get("models", []))
            score = clip_score_100(row.score)
            cells = [
                row.sku,
                self.state.tr.name("kind", row.kind),
                row.text.replace("\n", " ")[:160],
                "" if score is None else str(score),
                (self.t("history.placeholder") + "  " if row.placeholder else "") + model,
                self.state.tr.name("state", row.state),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c == 4 and row.placeholder:
                    item.setForeground(QColor("#b45309"))
                self.table.setItem(r, c, item)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self.rows):
            row = self.rows[rows[0].row()]
            self._show_detail()
            self.detail.setHtml(f"<p>{html.escape(row.text)}</p>" + self.provenance_html(row.provenance))

    def _show_detail(self) -> None:
        if self.detail.isVisible():
            return
        self.detail.setVisible(True)
        total = sum(self.split.sizes())
        self.split.setSizes([total * 3 // 5, total - total * 3 // 5])

    def retranslate(self) -> None:
        super().retranslate()
        self.table.setHorizontalHeaderLabels([self.t(f"col.{c}") for c in COLUMNS])
        self.reload()
        self.search.setPlaceholderText(self.t("history.search"))
        self.empty.set_texts(self.t("history.empty"), self.t("history.empty_hint"))


PAGE = PageSpec("history", "nav.history", "☰", HistoryPage)
