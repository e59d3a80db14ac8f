"""One module per page. Each defines `PAGE = PageSpec(...)`; the main window lists the modules to show.

Adding a page (pairing, try-on, video) is adding one module here and its name to `PAGE_MODULES` in
`studio/gui/main_window.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from studio.gui.state import StudioState


class Page(QWidget):
    """Base class: a titled page that can re-label itself when the UI language changes."""

    title_key = ""

    def __init__(self, state: StudioState, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="page")
        self.state = state
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 18, 24, 18)
        self.layout_.setSpacing(12)
        self.title = QLabel(state.tr.t(self.title_key), objectName="pageTitle")
        self.layout_.addWidget(self.title)
        state.tr.subscribe(lambda _lang: self.retranslate())

    def t(self, key: str, **fmt: object) -> str:
        return self.state.tr.t(key, **fmt)

    def provenance_html(self, provenance: dict) -> str:
        """A candidate's provenance block with its headings in the UI language."""
        from studio.gui.services import PROVENANCE_LABELS, provenance_html

        return provenance_html(provenance, {k: self.t(f"prov.{k}") for k in PROVENANCE_LABELS})

    def retranslate(self) -> None:
        """Re-apply labels; subclasses extend this."""
        self.title.setText(self.t(self.title_key))

    @staticmethod
    def fit_button(button: QPushButton) -> None:
        """Keep a button wide enough for its (translated) label plus the stylesheet's padding."""
        button.setMinimumWidth(button.fontMetrics().horizontalAdvance(button.text().replace("&&", "&")) + 40)

    def on_shown(self) -> None:
        """Called each time the page becomes the current one."""

    def save_choices(self, settings: QSettings) -> None:
        """Remember the page's choices for the next start (the window's settings file); pages with some override."""

    def restore_choices(self, settings: QSettings) -> None:
        """Put back what `save_choices` remembered (called once, when the window is built)."""


@dataclass(frozen=True)
class PageSpec:
    """A page's key, navigation label key, glyph and factory."""

    key: str
    title_key: str
    glyph: str
    factory: Callable[[StudioState], Page]
    shortcut: str = ""
