"""Habits: shortcuts, remembered window state, settings and brand kit saved, export, screenshots not blank."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from studio.batch.synthetic import write_synthetic_catalog
from studio.gui.capture import capture_pages, is_blank
from studio.gui.jobs import JobState
from studio.project.importer import import_catalog


def test_shortcuts_switch_pages(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "batch"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "catalog"


def test_window_state_is_remembered(qtbot, tmp_path):
    from studio.gui.main_window import MainWindow

    ini = tmp_path / "gui.ini"
    first = MainWindow(settings_file=ini)
    qtbot.addWidget(first)
    first.state.open_project(tmp_path / "p")
    first.show()
    first.show_page("history")
    first.jobs_dock.hide()
    first.close()
    second = MainWindow(settings_file=ini)
    qtbot.addWidget(second)
    assert second.current_page_key() == "history"
    second.show()
    assert not second.jobs_dock.isVisible()  # dock layout comes back via saveState/restoreState
    assert second.last_project() == (tmp_path / "p").resolve()
    second.state.close()


def test_settings_and_brand_kit_saved(window):
    from generators.runtime.settings import get_settings, reload_settings

    page = window.show_page("settings")
    page.threads.setValue(3)
    page.brand_inputs["banned_words"].setText("cheap, 最便宜")
    config = get_settings().config_file
    assert not config.exists()
    try:
        path = page.save()
        assert path == config and "threads = 3" in path.read_text()
    finally:  # the settings file lives in the session's throwaway home: leave it as other tests expect
        config.unlink(missing_ok=True)
        reload_settings()
    kit = json.loads((window.state.store.folder / "brand_kit.json").read_text(encoding="utf-8"))
    assert kit["banned_words"] == ["cheap", "最便宜"]
    page.language.setCurrentIndex(1)  # live switch
    assert window.rail.item(0).text().endswith("商品目录")
    page.language.setCurrentIndex(0)


def test_export_runs_and_is_recorded(qtbot, window, tmp_path):
    import_catalog(window.state.store, write_synthetic_catalog(tmp_path / "cat", 2, image_size=48))
    page = window.show_page("batch")
    assert page.table.rowCount() == 2
    page.out_dir.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(window.state.runner.job_finished, timeout=30_000):
        job = page.export()
    assert job.state is JobState.DONE, job.error_details
    outcome = page.last_outcome
    assert outcome.state in {"done", "unavailable"}  # unavailable until studio.export is installed; never faked
    assert window.state.store.exports()[-1].out_dir == str(tmp_path / "out")
    assert outcome.state != "done" or outcome.files


def test_every_page_captures_non_blank(window, tmp_path):
    import_catalog(window.state.store, write_synthetic_catalog(tmp_path / "cat", 3, image_size=48))
    window.state.project_changed.emit()
    paths = capture_pages(window, tmp_path / "shots", with_jobs=False)
    assert {p.name for p in paths} >= {f"{s.key}.png" for s in window.specs if s.key != "product"}
    for p in paths:
        image = QImage(str(p))
        assert not image.isNull() and not is_blank(image), p.name


def test_ctrl_f_focuses_the_page_search(qtbot, window):
    page = window.show_page("catalog")
    window.activateWindow()
    qtbot.keyClick(page, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()


def test_high_dpi_scale_renders_sharp(tmp_path):
    import os
    import subprocess
    import sys

    code = (
        "from studio.gui.app import create_app, build_window\n"
        "from studio.gui.capture import is_blank\n"
        "app = create_app(); w = build_window(remember=False); w.resize(1000, 700); w.show(); app.processEvents()\n"
        "pix = w.grab(); img = pix.toImage()\n"
        "print(pix.devicePixelRatio(), img.width(), w.width(), is_blank(img))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": "1.5", "VITRINE_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    ratio, image_width, widget_width, blank = out.stdout.split()[-4:]
    assert float(ratio) == 1.5 and int(image_width) == round(1.5 * int(widget_width)) and blank == "False"
