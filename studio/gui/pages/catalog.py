"""Catalog page: thumbnail grid with search and filters; import a CSV / JSON / folder by drop or dialog.

The search box filters by keywords, or (✦ Search by look) ranks the products by how well their photos match
a description; "Find similar" on a product's context menu ranks them by likeness to its photo. Both run CLIP
on the job worker (`studio.project.search`); "Back to catalog", Esc, or emptying the box restores the grid.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
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
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from studio.gui.jobs import Job
from studio.gui.pages import Page, PageSpec
from studio.gui.state import StudioState
from studio.gui.widgets.badges import PlaceholderNotice
from studio.gui.widgets.empty_state import EmptyState
from studio.gui.widgets.thumbnail_grid import ProductTile, ThumbnailGrid, TileScore
from studio.jobs.requests import CatalogImportRequest, CatalogSearchRequest
from studio.project.search import SearchKind, SearchQuery, SearchResult
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
        images = store.images(p.id, ImageRole.PRODUCT) or store.images(p.id, ImageRole.PERSON)  # footage is no tile
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
        self.close_button = QPushButton()
        self.close_button.clicked.connect(lambda: self.setVisible(False))
        head.addWidget(self.title)
        head.addWidget(self.summary, 1)
        head.addWidget(self.close_button)
        layout.addLayout(head)
        self.table = QTableWidget(0, 4)
        # The importer's row messages are English sentences: shown as written, like product data.
        self.table.setProperty("dataColumns", [1, 3])  # the catalog's column names, the importer's messages
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(170)
        layout.addWidget(self.table)
        self._t: Callable[[str], str] = lambda key: key.rsplit(".", 1)[-1]  # until the page's translator is set
        self.report = None  # the report shown (re-worded when the language changes)
        self.setVisible(False)

    def retranslate(self, t: Callable[[str], str]) -> None:
        """Labels in the UI language; `t` looks a key up."""
        self.title.setText(t("catalog.report"))
        self.close_button.setText(t("catalog.hide"))
        self.table.setHorizontalHeaderLabels([t(f"col.{c}") for c in ("row", "column", "severity", "problem")])
        self._t = t
        if self.report is not None:
            hidden = self.isHidden()  # a panel the person hid stays hidden
            self.show_report(self.report)
            self.setHidden(hidden)

    def show_report(self, report) -> None:
        self.report = report
        self.summary.setText(
            self._t("catalog.report_summary").format(
                rows=report.rows,
                new=len(report.created),
                updated=len(report.updated),
                unchanged=len(report.unchanged),
                rejected=len(report.rejected_rows),
                problems=len(report.problems),
            )
        )
        self.table.setRowCount(len(report.problems))
        for i, p in enumerate(report.problems):
            severity = self._t(f"severity.{p.severity.value}")
            cells = [str(p.row), p.column, severity, p.message]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if p.severity.value == "error":
                    item.setForeground(QColor("#c62828"))
                self.table.setItem(i, col, item)
        self.table.setVisible(bool(report.problems))
        self.setVisible(True)


class LookResultBar(QFrame):
    """What the grid shows while it is ranked by a search: the query, a PLACEHOLDER badge, and the way back."""

    def __init__(self) -> None:
        super().__init__(objectName="panel")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(14, 8, 10, 8)
        lines = QVBoxLayout()
        lines.setSpacing(4)
        self.title = QLabel(objectName="sectionTitle")
        self.title.setWordWrap(True)
        lines.addWidget(self.title)
        self.warning = PlaceholderNotice()
        self.placeholder_badge, self.notice = self.warning.badge, self.warning.notice
        lines.addWidget(self.warning)
        outer.addLayout(lines, 1)
        self.clear_button = QPushButton()
        outer.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setVisible(False)

    def show_state(self, title: str, *, placeholder: bool = False, notice: str = "", tip: str = "") -> None:
        """Show `title`; `placeholder` adds the badge and `notice` (a one-line warning) beside it."""
        self.title.setText(title)
        self.title.setToolTip(tip)
        self.warning.set_state(placeholder, notice)
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
        self.search.textChanged.connect(self._search_edited)
        self.search.returnPressed.connect(self._search_entered)
        self.look_mode = QPushButton(checkable=True, objectName="toggle")
        self.look_mode.toggled.connect(self._look_mode_toggled)
        self.look_result: SearchResult | None = None
        self.look_job: Job | None = None
        self._look_query: SearchQuery | None = None  # the search whose result the page waits for
        self.category = QComboBox()
        self.category.setProperty("dataItemsFrom", 1)  # after "All categories": the catalog's own categories
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
        bar.addWidget(self.search, 3)
        bar.addWidget(self.look_mode)
        bar.addWidget(self.category)
        bar.addWidget(self.status)
        bar.addWidget(self.count, 1)
        # The import buttons sit in the title row, leaving the search row room for the look toggle.
        head = QHBoxLayout()
        self.layout_.removeWidget(self.title)
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.import_folder)
        head.addWidget(self.import_csv)
        self.layout_.addLayout(head)
        self.layout_.addLayout(bar)
        self.report_panel = ImportReportPanel()
        self.layout_.addWidget(self.report_panel)
        self.look_bar = LookResultBar()
        self.look_bar.clear_button.clicked.connect(self.clear_look)
        self.layout_.addWidget(self.look_bar)
        self.stack = QStackedWidget()
        self.grid = ThumbnailGrid()
        self.grid.product_activated.connect(state.open_product)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._grid_menu)
        self.empty = EmptyState()
        self.empty.button.clicked.connect(self._pick_file)
        self.no_match = EmptyState()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.grid)
        self.stack.addWidget(self.no_match)
        self.layout_.addWidget(self.stack, 1)
        state.project_changed.connect(self._project_changed)
        state.candidates_changed.connect(lambda _pid: self.reload())
        # Ctrl+F while this page is shown: jump to its search box.
        QShortcut(
            QKeySequence.StandardKey.Find, self, activated=lambda: (self.search.setFocus(), self.search.selectAll())
        )
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self._escape)
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

    def _project_changed(self) -> None:
        # Another project, or products imported: a ranking of the old catalog would be stale.
        self._drop_look()
        self.reload()

    def _apply_filter(self) -> None:
        keywords = "" if self.look_mode.isChecked() else self.search.text()
        self.grid.set_filter(keywords, self.category.currentData() or "", self.status.currentData() or "")
        total, shown = self.grid.source.rowCount(), self.grid.proxy.rowCount()
        self.count.setText(self.t("catalog.products", n=shown if shown == total else f"{shown}/{total}"))
        self.stack.setCurrentWidget(self.empty if total == 0 else (self.grid if shown else self.no_match))

    # ---- search by look ---------------------------------------------------------------------------
    def _search_edited(self, text: str) -> None:
        if not self.look_mode.isChecked():
            self._apply_filter()  # keywords filter as you type
        elif not text.strip() and self._look_query is not None and self._look_query.kind is SearchKind.TEXT:
            self._drop_look()  # the box emptied (its clear button): the whole catalog again

    def _search_entered(self) -> None:
        if self.look_mode.isChecked():
            self.search_by_look()

    def _look_mode_toggled(self, on: bool) -> None:
        self.search.setPlaceholderText(self.t("catalog.look_search" if on else "catalog.search"))
        if on and self.search.text().strip():
            self.search_by_look()
        elif on:
            self.search.setFocus()
        else:
            self._drop_look()  # the text stays, now as keywords

    def search_by_look(self, text: str | None = None) -> Job | None:
        """Rank the catalog by how well each product's photo matches `text` (default: the search box)."""
        if text is not None and text != self.search.text():
            self.search.blockSignals(True)
            self.search.setText(text)  # the box always shows what the grid is ranked by
            self.search.blockSignals(False)
        text = self.search.text().strip()
        if not text:
            self._drop_look()
            return None
        return self._run_search(SearchQuery(SearchKind.TEXT, text=text))

    def find_similar(self, sku: str) -> Job | None:
        """Rank the catalog by likeness to the photo of `sku` (the product itself left out)."""
        self.search.blockSignals(True)
        self.search.clear()  # the box holds descriptions; this search starts from a photo
        self.search.blockSignals(False)
        return self._run_search(SearchQuery(SearchKind.SIMILAR, sku=sku))

    def _run_search(self, query: SearchQuery) -> Job | None:
        store = self.state.store
        if store is None:
            return None
        if self.look_job is not None and not self.look_job.state.finished:
            self.state.runner.cancel(self.look_job.id)  # only the newest search matters
        self._look_query = query
        self.look_mode.blockSignals(True)
        self.look_mode.setChecked(True)
        self.look_mode.blockSignals(False)
        self.search.setPlaceholderText(self.t("catalog.look_search"))
        if query.kind is SearchKind.TEXT:
            bar = self.t("catalog.searching", query=query.text)
        else:
            bar = self.t("catalog.searching_similar", sku=query.sku)
        self.look_bar.show_state(bar)
        self.look_job = self.state.runner.submit(
            CatalogSearchRequest(store.folder, query),
            on_done=partial(self._look_done, query),
            on_error=partial(self._look_failed, query),
        )
        return self.look_job

    def _look_done(self, query: SearchQuery, result: SearchResult) -> None:
        if query is not self._look_query:
            return  # superseded or cleared meanwhile
        self.look_result = result
        self._show_look()

    def _look_failed(self, query: SearchQuery, message: str) -> None:
        if query is self._look_query:
            self.look_bar.show_state(self.t("catalog.look_failed", error=message))

    def _show_look(self) -> None:
        """Rank the grid by the current result and describe it in the bar (in the current language)."""
        result = self.look_result
        if result is None:
            return
        similar = result.query.kind is SearchKind.SIMILAR
        tip_key = "search.similar_tip" if similar else "search.match_tip"
        suffix = self.t("search.not_real") if result.placeholder else ""
        scores = {
            h.sku: TileScore(h.rank, h.score, self.t(tip_key, score=f"{h.score:.0f}", rank=h.rank) + suffix)
            for h in result.hits
        }
        self.grid.set_ranking(scores, placeholder=result.placeholder)
        n = len(result.hits)
        if similar:
            title = self.t("catalog.similar_results", n=n, sku=result.query.sku)
        else:
            title = self.t("catalog.look_results", n=n, query=result.query.text)
        skipped = self.t("catalog.look_skipped", n=len(result.skipped)) if result.skipped else ""
        self.look_bar.show_state(
            title,
            placeholder=result.placeholder,
            notice=" ".join(self._search_notes(result)),
            tip="\n".join(filter(None, [skipped, *result.skipped[:20], result.model_id])),
        )
        self._apply_filter()

    def _search_notes(self, result: SearchResult) -> list[str]:
        """What the person should know about this order: placeholder model, language, translated query."""
        notes = []
        if result.placeholder:
            notes.append(self.t("search.placeholder_notice"))
        if result.english_only:
            notes.append(self.t("search.english_only"))
        if result.searched_as:
            notes.append(self.t("search.searched_as", text=result.searched_as))
        return notes

    def _drop_look(self) -> None:
        """Forget the search (cancelling it if it still runs): the grid goes back to catalog order."""
        if self.look_job is not None and not self.look_job.state.finished:
            self.state.runner.cancel(self.look_job.id)
        self.look_job, self._look_query, self.look_result = None, None, None
        self.look_bar.setVisible(False)
        if self.grid.ranked():
            self.grid.set_ranking(None)
        self._apply_filter()

    def clear_look(self) -> None:
        """Back to the normal catalog: no ranking, an empty search box, keyword search."""
        self._drop_look()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.look_mode.setChecked(False)
        self._apply_filter()

    def _escape(self) -> None:
        if self.look_mode.isChecked() or self._look_query is not None:
            self.clear_look()

    def product_menu(self, sku: str) -> QMenu:
        """The context menu of a product's tile: open it, or find products that look like it."""
        menu = QMenu(self)
        menu.addAction(self.t("catalog.open"), lambda: self.state.open_product(sku))
        menu.addAction(self.t("catalog.find_similar"), lambda: self.find_similar(sku))
        return menu

    def _grid_menu(self, pos: QPoint) -> None:
        sku = self.grid.sku_at(self.grid.indexAt(pos))
        if sku is not None:
            menu = self.product_menu(sku)
            menu.exec(self.grid.viewport().mapToGlobal(pos))
            menu.deleteLater()

    # ---- import -----------------------------------------------------------------------------------
    def import_path(self, path: Path) -> None:
        """Import a catalog file or image folder on the worker; the report shows when it is done."""
        if self.state.store is None:
            return
        request = CatalogImportRequest(self.state.store.folder, Path(path).resolve())
        self.state.runner.submit(request, on_done=self._imported, on_error=self._import_failed)

    def _imported(self, report) -> None:
        self.last_report = report
        self.report_panel.title.setText(self.t("catalog.report"))
        self.report_panel.show_report(report)
        self.state.project_changed.emit()
        self.state.status_message.emit(self.report_panel.summary.text())

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
        self.search.setPlaceholderText(
            self.t("catalog.look_search" if self.look_mode.isChecked() else "catalog.search")
        )
        self.look_mode.setText(self.t("catalog.look_mode"))
        self.look_mode.setToolTip(self.t("catalog.look_mode_tip"))
        self.fit_button(self.look_mode)
        self.look_bar.clear_button.setText(self.t("catalog.clear_look"))
        self.look_bar.warning.set_labels(self.t("card.placeholder"), self.t("card.placeholder_tip"))
        self.import_csv.setText(self.t("catalog.import_csv"))
        self.import_folder.setText(self.t("catalog.import_folder"))
        self.empty.set_texts(self.t("catalog.empty"), self.t("catalog.empty_hint"), self.t("catalog.import_csv"))
        self.no_match.set_texts(self.t("catalog.no_match"), self.t("catalog.no_match_hint"))
        self.report_panel.retranslate(self.t)
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
        if self.look_result is not None:
            self._show_look()


PAGE = PageSpec("catalog", "nav.catalog", "▦", CatalogPage)
