"""Batch page "Run on": this computer by default, or a Ray cluster at an address; a Ray run shows progress the same."""

from __future__ import annotations

import dataclasses
import sys

import pytest
from PySide6.QtWidgets import QApplication

from studio.batch.executor import ExecutorChoice, ExecutorKind
from studio.batch.synthetic import write_synthetic_catalog
from studio.gui.jobs import JobState
from studio.project.importer import import_catalog


def _pick(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def _queued_request(window, page):
    """Submit the page's batch behind a blocker job, so nothing runs, and return the request it built."""
    from tests.gui import worker_jobs

    runner = window.state.runner
    blocker = runner.submit(worker_jobs.SlowJob())
    job = page.run_batch()
    assert job.state is JobState.QUEUED
    request = job.request
    runner.cancel(job.id)
    runner.cancel(blocker.id)
    return request


def test_run_on_defaults_to_this_computer_and_the_address_shows_only_for_ray(window, tmp_path):
    page = window.pages["batch"]
    window.show_page("batch")
    assert page.run_on.currentData() == ExecutorKind.LOCAL.value
    assert not page.ray_address.isVisible()
    assert page.executor_choice() == ExecutorChoice()
    _pick(page.run_on, ExecutorKind.RAY.value)
    assert page.ray_address.isVisible()
    _pick(page.run_on, ExecutorKind.LOCAL.value)
    assert not page.ray_address.isVisible()


def test_picking_ray_builds_a_batch_request_for_the_cluster_address(qtbot, window, tmp_path):
    import_catalog(window.state.store, write_synthetic_catalog(tmp_path / "cat", 2, image_size=32))
    page = window.pages["batch"]
    _pick(page.run_on, ExecutorKind.RAY.value)
    page.ray_address.setText("  ray://head.example:10001 ")
    request = _queued_request(window, page)
    assert request.executor == ExecutorChoice(ExecutorKind.RAY, address="ray://head.example:10001")
    page.ray_address.setText("")  # empty: Ray is started on this computer for the run
    assert _queued_request(window, page).executor == ExecutorChoice(ExecutorKind.RAY, address=None)
    _pick(page.run_on, ExecutorKind.LOCAL.value)
    assert _queued_request(window, page).executor == ExecutorChoice()  # the address is not sent for local runs


def test_the_choice_survives_switching_projects_and_languages(window, tmp_path):
    page = window.pages["batch"]
    _pick(page.run_on, ExecutorKind.RAY.value)
    page.ray_address.setText("auto")
    window.new_project(tmp_path / "other")
    window.set_language("zh")
    assert page.run_on.currentText() == "Ray 集群" and page.run_on_label.text() == "运行于"
    window.set_language("en")
    assert page.run_on.currentText() == "Ray cluster"
    assert page.executor_choice() == ExecutorChoice(ExecutorKind.RAY, address="auto")


def test_the_page_fits_a_1280x800_window_with_ray_picked(qtbot, window):
    page = window.pages["batch"]
    window.resize(1280, 800)
    window.show_page("batch")
    _pick(page.run_on, ExecutorKind.RAY.value)
    QApplication.processEvents()  # lay the newly shown address field out
    assert page.minimumSizeHint().width() <= page.width()
    right = page.ray_address.mapTo(page, page.ray_address.rect().bottomRight())
    assert right.x() <= page.width() and right.y() <= page.height()
    assert page.ray_address.width() >= 160  # room to read an address


def test_a_ray_run_from_the_page_finishes_with_per_product_progress(qtbot, window, tmp_path):
    import_catalog(window.state.store, write_synthetic_catalog(tmp_path / "cat", 3, image_size=32))
    window.state.project_changed.emit()
    page = window.pages["batch"]
    window.show_page("batch")
    _pick(page.recipe, "copy")
    _pick(page.run_on, ExecutorKind.RAY.value)  # empty address: Ray is started on this computer for the run
    runner = window.state.runner
    seen: list[tuple[int, int]] = []
    runner.job_changed.connect(lambda _id: seen.append((runner.job(_id).step, runner.job(_id).total)))
    with qtbot.waitSignal(runner.job_finished, timeout=120_000):
        job = page.run_batch()
    assert job.state is JobState.DONE, job.error
    assert job.request.executor.kind is ExecutorKind.RAY
    # The card counted products as they finished on the workers, as for a local run, not only at the end.
    assert any(0 < step < total for step, total in seen), seen
    copy_column = 2 + page.steps.index("copy")
    cells = [page.table.item(r, copy_column).text() for r in range(page.table.rowCount())]
    assert page.table.rowCount() == 3 and all(c.lower().endswith("done") for c in cells), cells


def test_without_ray_the_option_is_greyed_and_a_ray_batch_says_how_to_install_it(window, tmp_path, monkeypatch):
    from generators.runtime.errors import VitrineError
    from generators.runtime.progress import CancelToken
    from studio.gui.pages.batch import BatchPage

    monkeypatch.setitem(sys.modules, "ray", None)  # what an install without the ray extra looks like to imports
    page = BatchPage(window.state)
    ray_item = page.run_on.model().item(page.run_on.findData(ExecutorKind.RAY.value))
    assert not ray_item.isEnabled()
    assert "pip install 'vitrine[ray]'" in ray_item.toolTip()
    page.deleteLater()
    import_catalog(window.state.store, write_synthetic_catalog(tmp_path / "cat", 1, image_size=32))
    request = _queued_request(window, window.pages["batch"])  # a local request; the same one aimed at Ray:
    ray_request = dataclasses.replace(request, executor=ExecutorChoice(ExecutorKind.RAY))
    with pytest.raises(VitrineError, match=r"pip install 'vitrine\[ray\]'"):
        ray_request.run(None, CancelToken())


def test_the_run_on_choice_is_remembered_across_starts(qtbot, tmp_path, settings, monkeypatch):
    from studio.gui.main_window import MainWindow

    def start() -> MainWindow:
        win = MainWindow(settings_file=tmp_path / "gui.ini")  # a restart: a new window on the same settings file
        qtbot.addWidget(win)
        return win

    # Ray shows as available whether or not this machine has it: what is remembered is the point here.
    monkeypatch.setattr("studio.gui.pages.batch.ray_installed", lambda: True)
    first = start()
    page = first.pages["batch"]
    _pick(page.run_on, ExecutorKind.RAY.value)
    page.ray_address.setText("ray://head:10001")
    first.close()

    second = start()
    page = second.pages["batch"]
    assert page.executor_choice() == ExecutorChoice(ExecutorKind.RAY, address="ray://head:10001")
    second.show()
    second.show_page("batch")
    assert page.ray_address.isVisible()  # shown for the remembered Ray choice, as if picked by hand
    _pick(page.run_on, ExecutorKind.LOCAL.value)
    second.close()

    third = start()
    page = third.pages["batch"]
    assert page.executor_choice() == ExecutorChoice() and page.ray_address.text() == "ray://head:10001"
    _pick(page.run_on, ExecutorKind.RAY.value)
    third.close()

    # Ray remembered, but gone since (uninstalled): the batch runs on this computer, the address is kept.
    monkeypatch.setattr("studio.gui.pages.batch.ray_installed", lambda: False)
    fourth = start()
    page = fourth.pages["batch"]
    assert page.executor_choice() == ExecutorChoice() and page.ray_address.text() == "ray://head:10001"
    fourth.state.close()
