"""The window shell: first paint without the ML stack, pages, model-status table, language, jobs."""

from __future__ import annotations

import subprocess
import sys
import time

from PySide6.QtCore import Qt, QTimer

from studio.gui.i18n import STRINGS, Language, Translator
from studio.gui.jobs import JobState
from tests.gui import worker_jobs

ML = ("torch", "transformers", "diffusers", "open_clip")


def test_import_and_window_do_not_load_ml_stack():
    # A fresh process: open the window, paint, quit; none of the ML libraries may be imported.
    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM']='offscreen'\n"
        "from studio.gui.app import create_app, build_window\n"
        "app = create_app(); w = build_window(remember=False)\n"
        "w.first_painted.connect(app.quit); w.show(); app.exec()\n"
        f"print(','.join(m for m in {ML!r} if m in sys.modules) or 'clean')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "clean"


def test_translator_switches_and_falls_back():
    tr = Translator("en")
    seen = []
    tr.subscribe(seen.append)
    assert tr.t("nav.catalog") == "Catalog"
    tr.set_language("zh")
    assert tr.t("nav.catalog") == "商品目录" and seen == [Language.ZH]
    assert tr.t("no.such.key") == "no.such.key"
    assert all(en and zh for en, zh in STRINGS.values())


def test_window_shows_model_status_table(qtbot, window):
    page = window.show_page("models")
    assert window.current_page_key() == "models"
    qtbot.waitUntil(lambda: len(page.rows) == page.table.rowCount() > 0, timeout=60_000)
    roles = [page.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(page.table.rowCount())]
    assert "clip" in roles and "copywriter" in roles
    sources = {page.table.item(r, 2).text() for r in range(page.table.rowCount())}
    assert any("placeholder" in s for s in sources)  # tiny profile: labelled, never passed off as real


def test_language_switch_relabels_rail(qtbot, window):
    window.set_language("zh")
    assert "商品目录" in window.rail.item(0).text()
    assert window.pages["catalog"].title.text() == "商品目录"
    window.set_language("en")
    assert "Catalog" in window.rail.item(0).text()


def test_cancel_running_job_keeps_ui_responsive(qtbot, window):
    runner = window.state.runner

    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    job = runner.submit(worker_jobs.SlowJob())
    # The GUI thread's timer keeps firing while the worker runs: the UI stays responsive.
    qtbot.waitUntil(lambda: job.state is JobState.RUNNING and job.step > 5 and len(ticks) >= 10, timeout=10_000)
    row = window.jobs_dock.rows[job.id]
    start = time.monotonic()
    with qtbot.waitSignal(runner.job_finished, timeout=2000):
        row.cancel_button.click()
    assert time.monotonic() - start < 2.0
    assert job.state is JobState.CANCELLED and job.result is None
    assert not row.cancel_button.isVisible() and "Cancelled" in row.state.text()
    timer.stop()


def test_failed_job_shows_error_details_and_preview(qtbot, window):
    runner = window.state.runner
    with qtbot.waitSignal(runner.job_finished, timeout=30_000):
        job = runner.submit(worker_jobs.FailingJob())
    row = window.jobs_dock.rows[job.id]
    assert job.state is JobState.FAILED and job.error == "image 'a.jpg' is truncated"
    assert "Traceback" in job.error_details
    assert row.details_button.isVisibleTo(row) and not row.cancel_button.isVisibleTo(row)
    assert "truncated" in row.message.text()
    assert row.preview.pixmap() is not None and not row.preview.pixmap().isNull()


def test_history_searches_by_sku_and_prompt(window, tmp_path):
    from studio.batch.synthetic import write_synthetic_catalog
    from studio.project.importer import import_catalog
    from studio.project.store import JobState as StoreJobState
    from studio.project.store import NewCandidate

    store = window.state.store
    import_catalog(store, write_synthetic_catalog(tmp_path / "cat", 2, image_size=48))
    for product, prompt in zip(store.products(), ("a red dress on a beach", "a blue jacket"), strict=True):
        job = store.start_job(product.id, "caption", "h")
        cand = NewCandidate(
            "caption",
            text=f"caption of {product.sku}",
            params={"prompt": prompt},
            provenance={"placeholder": True, "models": []},
            score=0.3,
        )
        store.finish_job(job, StoreJobState.DONE, candidates=[cand])
    page = window.show_page("history")
    assert page.table.rowCount() == 2
    page.search.setText("beach")
    page.reload()
    assert page.table.rowCount() == 1 and "PLACEHOLDER" in page.table.item(0, 4).text()
    page.search.setText(store.products()[1].sku)
    page.reload()
    assert [r.sku for r in page.rows] == [store.products()[1].sku]


def test_jobs_run_in_a_worker_process_that_holds_the_ml_stack(qtbot, window):
    import os

    runner = window.state.runner
    with qtbot.waitSignal(runner.job_finished, timeout=30_000):
        job = runner.submit(worker_jobs.MlModulesProbe())
    assert job.state is JobState.DONE
    assert runner.worker_pid() not in (None, os.getpid())
    assert isinstance(job.result, list)  # what the worker process has imported, sent back as plain data


def test_job_that_ignores_cancel_is_stopped_by_restarting_the_worker(qtbot, window, monkeypatch):
    from studio.gui import jobs

    monkeypatch.setattr(jobs, "FORCE_STOP_S", 0.5)
    runner = window.state.runner
    job = runner.submit(worker_jobs.StubbornJob())
    qtbot.waitUntil(lambda: job.state is JobState.RUNNING and job.step == 1, timeout=30_000)
    first_pid = runner.worker_pid()
    with qtbot.waitSignal(runner.job_finished, timeout=5000):
        runner.cancel(job.id)
    assert job.state is JobState.CANCELLED and "restarted" in job.message
    with qtbot.waitSignal(runner.job_finished, timeout=30_000):
        after = runner.submit(worker_jobs.MlModulesProbe())
    assert after.state is JobState.DONE and runner.worker_pid() != first_pid


def test_worker_crash_fails_the_job_not_the_window(qtbot, window):
    runner = window.state.runner
    with qtbot.waitSignal(runner.job_finished, timeout=30_000):
        job = runner.submit(worker_jobs.CrashingJob())
    assert job.state is JobState.FAILED and "exit code 3" in job.error
    with qtbot.waitSignal(runner.job_finished, timeout=30_000):
        after = runner.submit(worker_jobs.MlModulesProbe())
    assert after.state is JobState.DONE


def test_vitrine_gui_without_display_says_what_to_do():
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "studio", "gui"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "no display found" in out.stderr
