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
    profile = win.pages["models"].profile
    profile.setCurrentIndex(profile.findData("tiny"))
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.state.runner.shutdown(5000)


@pytest.fixture(scope="package", autouse=True)
def _tiny_profile():
    # Jobs started from the GUI resolve models through settings.profile; tests use placeholders only.
    # Package scope: restored after the last GUI test, so other packages' tests never see it.
    from generators.runtime.settings import reload_settings

    previous = os.environ.get("VITRINE_PROFILE")
    os.environ["VITRINE_PROFILE"] = "tiny"
    reload_settings()
    yield
    if previous is None:
        os.environ.pop("VITRINE_PROFILE", None)
    else:
        os.environ["VITRINE_PROFILE"] = previous
    reload_settings()
