"""Start the studio: QApplication with high-DPI, the theme, remembered state, and the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from studio.gui.theme import apply_theme


def create_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists), with high-DPI rounding and the studio theme."""
    app = QApplication.instance()
    if app is None:
        # Fractional scale factors (125 %, 150 %) stay fractional instead of rounding to 1x or 2x.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
        app.setApplicationName("Vitrine Studio")
        app.setOrganizationName("Vitrine")
        apply_theme(app)
    assert isinstance(app, QApplication)
    return app


def default_project_folder() -> Path:
    from generators.runtime.settings import get_settings

    return get_settings().home / "projects" / "default"


def build_window(project: Path | None = None, *, remember: bool = True):
    """The main window with a project open: `project`, else the last one used, else the default project."""
    from generators.runtime.settings import get_settings
    from studio.gui.main_window import MainWindow

    settings_file = get_settings().home / "gui.ini" if remember else None
    window = MainWindow(settings_file=settings_file)
    folder = project or window.last_project() or default_project_folder()
    window.state.open_project(folder)
    return window


def run_gui(argv: list[str] | None = None, *, project: Path | None = None, exit_after_paint: bool = False) -> int:
    """Show the studio and run the event loop; returns the exit code."""
    app = create_app(argv)
    window = build_window(project)
    if exit_after_paint:
        window.first_painted.connect(app.quit)
    window.show()
    return app.exec()
