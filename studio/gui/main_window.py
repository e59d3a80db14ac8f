"""The main window: a navigation rail, a stack of pages registered from modules, and the jobs dock."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.gui.i18n import Language, Translator
from studio.gui.pages import Page, PageSpec
from studio.gui.state import StudioState
from studio.gui.widgets.jobs_dock import JobsDock, label_text

DEFAULT_SIZE = QSize(1280, 800)  # every page fits at this size (tests/gui/test_fit.py)

# The pages, in rail order. A new page is one module defining `PAGE = PageSpec(...)`, added here.
PAGE_MODULES: tuple[str, ...] = (
    "studio.gui.pages.catalog",
    "studio.gui.pages.product",
    "studio.gui.pages.batch",
    "studio.gui.pages.models",
    "studio.gui.pages.history",
    "studio.gui.pages.settings",
)


def load_page_specs(modules: Sequence[str] = PAGE_MODULES) -> list[PageSpec]:
    return [importlib.import_module(name).PAGE for name in modules]


class _FirstPaint(QObject):
    # Watches the central widget for its first Paint event (what "the window is up" means to a person).
    painted = Signal()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            self.painted.emit()
        return False


class MainWindow(QMainWindow):
    """Rail + pages + jobs dock, with menus, shortcuts and remembered geometry."""

    first_painted = Signal()

    def __init__(
        self,
        state: StudioState | None = None,
        *,
        settings_file: Path | None = None,
        page_modules: Sequence[str] = PAGE_MODULES,
    ) -> None:
        super().__init__()
        if state is None:
            from generators.runtime.settings import get_settings

            state = StudioState(Translator(get_settings().ui_language), self)
        self.state, self.tr = state, state.tr
        self.setObjectName("mainWindow")
        self.resize(DEFAULT_SIZE)
        self.setMinimumSize(QSize(960, 620))
        self._qsettings = QSettings(str(settings_file), QSettings.Format.IniFormat) if settings_file else None

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        rail_box = QWidget()
        rail_box.setFixedWidth(200)
        rail_box.setStyleSheet("background: #1e2330;")
        rail_layout = QVBoxLayout(rail_box)
        rail_layout.setContentsMargins(0, 0, 0, 0)
        rail_layout.setSpacing(0)
        rail_layout.addWidget(QLabel("◆ Vitrine", objectName="brand"))
        self.rail = QListWidget(objectName="navRail")
        self.rail.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        rail_layout.addWidget(self.rail, 1)
        self.project_label = QLabel(objectName="muted")
        self.project_label.setStyleSheet("color: #8b93a5; padding: 10px 16px; background: #1e2330;")
        self.project_label.setWordWrap(True)
        self.project_label.setProperty("data", True)  # "项目：<folder name>": the name is the person's own
        rail_layout.addWidget(self.project_label)
        row.addWidget(rail_box)
        self.stack = QStackedWidget()
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._built = False
        self.specs = load_page_specs(page_modules)
        self.pages: dict[str, Page] = {}
        for spec in self.specs:
            page = spec.factory(state)
            self.pages[spec.key] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(f"{spec.glyph}   {self.tr.t(spec.title_key)}")
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setSizeHint(QSize(180, 40))
            self.rail.addItem(item)
        self.rail.currentRowChanged.connect(self._on_rail)

        self.jobs_dock = JobsDock(state.runner, self.tr, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.jobs_dock)
        self.jobs_dock.setMinimumWidth(240)
        self.resizeDocks([self.jobs_dock], [270], Qt.Orientation.Horizontal)
        self._build_menus()
        self.statusBar().showMessage(self.tr.t("status.ready"))

        state.navigate.connect(self.show_page)
        state.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        state.project_changed.connect(self._update_project_label)
        state.runner.job_finished.connect(self._on_job_finished)
        self.tr.subscribe(lambda _lang: self.retranslate())
        self._first_paint = _FirstPaint(self)
        self._first_paint.painted.connect(self.first_painted)
        central.installEventFilter(self._first_paint)
        self.rail.setCurrentRow(0)
        self._restore()
        self.retranslate()
        self._built = True

    # ---- navigation -------------------------------------------------------------------------------
    def show_page(self, key: str) -> Page:
        keys = [s.key for s in self.specs]
        self.rail.setCurrentRow(keys.index(key))
        return self.pages[key]

    def current_page_key(self) -> str:
        return self.specs[self.stack.currentIndex()].key

    def _on_rail(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        page = self.stack.currentWidget()
        if self._built:
            page.on_shown()
        else:  # the page restored at start-up: after the first paint, so a job it starts never delays it
            QTimer.singleShot(0, page.on_shown)

    # ---- menus and shortcuts ----------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.new_action = QAction(self, shortcut=QKeySequence("Ctrl+Shift+N"))
        self.new_action.triggered.connect(self._new_project_dialog)
        self.open_action = QAction(self, shortcut=QKeySequence("Ctrl+Shift+O"))
        self.open_action.triggered.connect(self._open_project_dialog)
        self.quit_action = QAction(self, shortcut=QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addActions([self.new_action, self.open_action])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.edit_menu = bar.addMenu("")
        self.undo_action = self.state.undo_stack.createUndoAction(self, self.tr.t("action.undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.state.undo_stack.createRedoAction(self, self.tr.t("action.redo"))
        self.redo_action.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Shift+Z")])
        self.edit_menu.addActions([self.undo_action, self.redo_action])

        self.view_menu = bar.addMenu("")
        self.page_actions: list[QAction] = []
        for i, spec in enumerate(self.specs):
            action = QAction(self.tr.t(spec.title_key).replace("&", "&&"), self, shortcut=QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _=False, key=spec.key: self.show_page(key))
            self.page_actions.append(action)
        self.view_menu.addActions(self.page_actions)
        self.view_menu.addSeparator()
        jobs_action = self.jobs_dock.toggleViewAction()
        jobs_action.setShortcut(QKeySequence("Ctrl+J"))
        self.view_menu.addAction(jobs_action)

        self.language_menu = bar.addMenu("")
        # Each language is named in itself, so a person who cannot read the current one still finds theirs.
        for lang, label in ((Language.EN, "English"), (Language.ZH, "中文")):
            action = QAction(label, self, checkable=True)
            action.setData(lang.value)
            action.triggered.connect(lambda _=False, lang=lang: self.set_language(lang))
            self.language_menu.addAction(action)

    def set_language(self, language: Language | str) -> None:
        self.tr.set_language(language)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr.t("app.title"))
        for i, spec in enumerate(self.specs):
            self.rail.item(i).setText(f"{spec.glyph}   {self.tr.t(spec.title_key)}")
            self.page_actions[i].setText(self.tr.t(spec.title_key).replace("&", "&&"))
        self.undo_action.setText(self.tr.t("action.undo"))
        self.redo_action.setText(self.tr.t("action.redo"))
        for menu, key in (
            (self.file_menu, "menu.file"),
            (self.edit_menu, "menu.edit"),
            (self.view_menu, "menu.view"),
            (self.language_menu, "menu.language"),
        ):
            menu.setTitle(self.tr.t(key))
        self.new_action.setText(self.tr.t("menu.new_project"))
        self.open_action.setText(self.tr.t("menu.open_project"))
        self.quit_action.setText(self.tr.t("menu.quit"))
        for action in self.language_menu.actions():
            action.setChecked(action.data() == self.tr.language.value)
        self.statusBar().showMessage(self.tr.t("status.ready"))
        self._update_project_label()

    def _update_project_label(self) -> None:
        store = self.state.store
        self.project_label.setText(self.tr.t("app.project", name=store.folder.name) if store is not None else "")
        if store is not None:
            self.project_label.setToolTip(str(store.folder))

    def _open_project_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr.t("menu.open_project_title"))
        if folder:
            self.open_project(Path(folder))

    def _new_project_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr.t("menu.new_project_title"))
        if folder:
            self.new_project(Path(folder))

    def open_project(self, folder: Path) -> None:
        """Open (or create) the project in `folder` and remember it for the next start."""
        self.state.open_project(folder)
        if self._qsettings is not None:
            self._qsettings.setValue("project", str(folder))

    def new_project(self, folder: Path) -> bool:
        """Create an empty project in `folder` (which must be empty or new) and open it.

        Returns False, saying why in the status bar, when the folder already holds files: a new project never
        mixes with someone's existing files (use Open project for an existing one).
        """
        folder = folder.expanduser().resolve()
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            self.statusBar().showMessage(self.tr.t("menu.not_empty", folder=folder), 10000)
            return False
        folder.mkdir(parents=True, exist_ok=True)
        self.open_project(folder)
        self.statusBar().showMessage(self.tr.t("menu.project_created", folder=folder), 8000)
        return True

    def _on_job_finished(self, job_id: int) -> None:
        job = self.state.runner.job(job_id)
        if job is not None:
            text = self.tr.t(
                "app.job_finished", title=label_text(job.label, self.tr), state=self.tr.t(f"job.{job.state.value}")
            )
            self.statusBar().showMessage(text + (f" — {job.error}" if job.error else ""), 8000)

    # ---- remembered window state ------------------------------------------------------------------
    def _restore(self) -> None:
        if self._qsettings is None:
            return
        geometry = self._qsettings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        window_state = self._qsettings.value("windowState")
        if isinstance(window_state, QByteArray):
            self.restoreState(window_state)
        for each in self.pages.values():
            each.restore_choices(self._qsettings)
        page = self._qsettings.value("page")
        if isinstance(page, str) and page in self.pages:
            self.show_page(page)

    def save_window_state(self) -> None:
        if self._qsettings is None:
            return
        self._qsettings.setValue("geometry", self.saveGeometry())
        self._qsettings.setValue("windowState", self.saveState())
        self._qsettings.setValue("page", self.current_page_key())
        for page in self.pages.values():
            page.save_choices(self._qsettings)
        if self.state.store is not None:
            self._qsettings.setValue("project", str(self.state.store.folder))
        self._qsettings.sync()

    def last_project(self) -> Path | None:
        value = self._qsettings.value("project") if self._qsettings is not None else None
        return Path(value) if isinstance(value, str) and value else None

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_window_state()
        self.state.close()
        super().closeEvent(event)
