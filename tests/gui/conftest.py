"""GUI fixtures: an offscreen main window with a fresh project, and tiny models for every job."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def window(qtbot, tmp_path, settings):
    """The main window on a fresh project; nothing remembered between tests."""
    from studio.gui.app import create_app
    from studio.gui.main_window import MainWindow

    create_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.state.open_project(tmp_path / "project")
    win.pages["models"].profile.setCurrentText("tiny")
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.state.runner.shutdown(5000)


@pytest.fixture(scope="session", autouse=True)
def _tiny_profile():
    # Jobs started from the GUI resolve models through settings.profile; tests use placeholders only.
    os.environ["VITRINE_PROFILE"] = "tiny"
    from generators.runtime.settings import reload_settings

    reload_settings()
    yield
