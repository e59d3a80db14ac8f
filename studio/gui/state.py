"""What every page shares: the open project, the job runner, the undo stack, the translator, the looks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from studio.gui.i18n import Translator
from studio.gui.jobs import JobRunner
from studio.gui.looks import LookCache

if TYPE_CHECKING:
    from studio.project.store import Store


class StudioState(QObject):
    """Shared state with change signals. Owned by the main window; pages hold a reference."""

    project_changed = Signal()  # a project was opened, or its products changed (import)
    product_opened = Signal(str)  # sku: show it in the product workspace
    candidates_changed = Signal(int)  # product id whose candidates/attributes changed
    navigate = Signal(str)  # page key
    status_message = Signal(str)

    def __init__(self, translator: Translator, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tr = translator
        self.runner = JobRunner(self)
        self.looks = LookCache(self.runner, lambda: self.store, self)
        # Connected before any page connects, so pages reading the looks on project_changed see them cleared.
        self.project_changed.connect(self.looks.clear)
        self.undo_stack = QUndoStack(self)
        self.store: Store | None = None
        self.current_sku: str | None = None

    def open_project(self, folder: Path, create: bool = True) -> Store:
        """Open (or create) the project in `folder` and tell every page."""
        from studio.project.store import Store

        store = Store.create(folder) if create else Store.open(folder)
        if self.store is not None:
            self.store.close()
        self.store = store
        self.current_sku = None
        self.undo_stack.clear()
        self.project_changed.emit()
        return store

    def open_product(self, sku: str) -> None:
        self.current_sku = sku
        self.product_opened.emit(sku)
        self.navigate.emit("product")

    def close(self) -> None:
        self.runner.shutdown(3000)
        if self.store is not None:
            self.store.close()
            self.store = None
