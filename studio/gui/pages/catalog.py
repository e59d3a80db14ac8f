"""Catalog page: thumbnail grid with search and filters; import a CSV / JSON / folder by drop or dialog."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from studio.gui import tasks
from studio.gui.pages import Page, PageSpec
from studio.gui.state import StudioState
from studio.gui.widgets.empty_state import EmptyState
from studio.gui.widgets.thumbnail_grid import ProductTile, ThumbnailGrid
from studio.project.thumbnails import project_thumbnail_cache

STATUSES = ("new", "generated", "approved")


def product_tiles(store) -> list[ProductTile]:
    """One tile per product: first product image, review status from its candidates."""
    from studio.project.store import CandidateState, ImageRole

    states: dict[int, set[str]] = {}
    for c in store.candidates():
        states.setdefault(c.product_id, set()).add(c.state.value)
    tiles = []
    for p in store.products():
        images = store.images(p.id, ImageRole.PRODUCT) or store.images(p.id)
        image = store.assets.path_for(images[0].sha256) if images else None
        seen = states.get(p.id, set())
        status = "approved" if CandidateState.APPROVED.value in seen else ("generated" if seen else "new")
        words = " ".join([p.description, *p.fields.values()])
        tiles.append(ProductTile(p.sku, p.title, p.category, status, image, words.lower()))
    return tiles


class ImportReportPanel(QFrame):
    """The last import's summary and its row problems (row, column, severity, message)."""

    def __init__(self) -> None:
        super().__init__(objectName="panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        head = QHBoxLayout()
        self.title = QLabel(objectName="sectionTitle")
        self.summary = QLabel(objectName="muted")
        self.close_button = QPushButton("Hide")
        self.close_button.clicked.connect(lambda: self.setVisible(False))
        head.addWidget(self.title)
        head.addWidget(self.summary, 1)
        head.addWidget(self.close_button)
        layout.addLayout(head)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Row", "Column", "Severity", "Problem"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(170)
        layout.addWidget(self.table)
        self.setVisible(False)

    def show_report(self, report) -> None:
        self.summary.setText(report.summary())
        self.table.setRowCount(len(report.problems))
        for i, p in enumerate(report.problems):
            cells = [str(p.row), p.column, p.severity.value, p.message]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if p.severity.value == "error":
                    item.setForeground(QColor("#c62828"))
                self.table.setItem(i, col, item)
        self.table.setVisible(bool(report.problems))
        self.setVisible(True)


class CatalogPage(Page):
    """Browse and import products. Double-click a product to open it in the workspace."""

    title_key = "nav.catalog"

    def __init__(self, state: StudioState) -> None:
        super().__init__(state)
        self.setAcceptDrops(True)
        self.last_report = None
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_filter)
        self.category = QComboBox()
        self.category.setMinimumWidth(150)
        self.category.currentIndexChanged.connect(self._apply_filter)
        self.status = QComboBox()
        self.status.currentIndexChanged.connect(self._apply_filter)
        self.count = QLabel(objectName="muted")
        self.import_csv = QPushButton(objectName="primary")
        self.import_csv.clicked.connect(self._pick_file)
        self.import_folder = QPushButton()
        self.import_folder.clicked.connect(self._pick_folder)
        self.search.setMinimumWidth(260)
        bar.addWidget(self.search, 2)
        bar.addWidget(self.category)
        bar.addWidget(self.status)
        bar.addWidget(self.count, 1)
        bar.addWidget(self.import_folder)
        bar.addWidget(self.import_csv)
        self.layout_.addLayout(bar)
        self.report_panel = ImportReportPanel()
        self.layout_.addWidget(self.report_panel)
        self.stack = QStackedWidget()
        self.grid = ThumbnailGrid()
        self.grid.product_activated.connect(state.open_product)
        self.empty = EmptyState()
        self.empty.button.clicked.connect(self._pick_file)
        self.no_match = EmptyState()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.grid)
        self.stack.addWidget(self.no_match)
        self.layout_.addWidget(self.stack, 1)
        state.project_changed.connect(self.reload)
        state.candidates_changed.connect(lambda _pid: self.reload())
        # Ctrl+F while this page is shown: jump to its search box.
        QShortcut(
            QKeySequence.StandardKey.Find, self, activated=lambda: (self.search.setFocus(), self.search.selectAll())
        )
        self.retranslate()
        self.reload()

    # ---- data -------------------------------------------------------------------------------------
    def reload(self) -> None:
        store = self.state.store
        tiles = product_tiles(store) if store is not None else []
        self.grid.set_products(tiles, project_thumbnail_cache(store.folder) if store is not None else None)
        current = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(self.t("catalog.all_categories"), "")
        for cat in sorted({t.category for t in tiles if t.category}):
            self.category.addItem(cat, cat)
        idx = self.category.findData(current)
        self.category.setCurrentIndex(max(0, idx))
        self.category.blockSignals(False)
        self._apply_filter()

    def _apply_filter(self) -> None:
        self.grid.set_filter(self.search.text(), self.category.currentData() or "", self.status.currentData() or "")
        total, shown = self.grid.source.rowCount(), self.grid.proxy.rowCount()
        self.count.setText(self.t("catalog.products", n=shown if shown == total else f"{shown}/{total}"))
        self.stack.setCurrentWidget(self.empty if total == 0 else (self.grid if shown else self.no_match))

    # ---- import -----------------------------------------------------------------------------------
    def import_path(self, path: Path) -> None:
        """Import a catalog file or image folder on the worker; the report shows when it is done."""
        if self.state.store is None:
            return
        job = partial(tasks.import_catalog, self.state.store.folder, Path(path).resolve())
        self.state.runner.submit(f"Import {Path(path).name}", job, on_done=self._imported, on_error=self._import_failed)

    def _imported(self, report) -> None:
        self.last_report = report
        self.report_panel.title.setText(self.t("catalog.report"))
        self.report_panel.show_report(report)
        self.state.project_changed.emit()
        self.state.status_message.emit(report.summary())

    def _import_failed(self, message: str) -> None:
        self.report_panel.title.setText(self.t("catalog.report"))
        self.report_panel.summary.setText(message)
        self.report_panel.table.setVisible(False)
        self.report_panel.setVisible(True)

    def _pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.t("catalog.import_csv"), "", "Catalogs (*.csv *.tsv *.json)")
        if path:
            self.import_path(Path(path))

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.t("catalog.import_folder"))
        if folder:
            self.import_path(Path(folder))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.import_path(Path(url.toLocalFile()))
        event.acceptProposedAction()

    def retranslate(self) -> None:
        super().retranslate()
        self.search.setPlaceholderText(self.t("catalog.search"))
        self.import_csv.setText(self.t("catalog.import_csv"))
        self.import_folder.setText(self.t("catalog.import_folder"))
        self.empty.set_texts(self.t("catalog.empty"), self.t("catalog.empty_hint"), self.t("catalog.import_csv"))
        self.no_match.set_texts(self.t("catalog.no_match"), self.t("catalog.no_match_hint"))
        self.report_panel.title.setText(self.t("catalog.report"))
        self.report_panel.close_button.setText(self.t("catalog.hide"))
        current = self.status.currentData()
        self.status.blockSignals(True)
        self.status.clear()
        self.status.addItem(self.t("catalog.all_status"), "")
        for s in STATUSES:
            self.status.addItem(self.t(f"status.{s}"), s)
        self.status.setCurrentIndex(max(0, self.status.findData(current)))
        self.status.blockSignals(False)
        if self.category.count():
            self.category.setItemText(0, self.t("catalog.all_categories"))
        if hasattr(self, "grid"):
            self.grid.set_unreadable_label(self.t("catalog.unreadable"))
            self._apply_filter()


PAGE = PageSpec("catalog", "nav.catalog", "▦", CatalogPage)
