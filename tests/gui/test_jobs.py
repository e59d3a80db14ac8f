"""Typed jobs in the studio: cards named after what they do, one unit of progress, readable failures."""

from __future__ import annotations

import pytest

from studio.gui.i18n import STRINGS
from studio.gui.jobs import JobState
from studio.jobs.requests import JobLabel, Named
from tests.gui import worker_jobs
from tests.studio.test_jobs import one_of_each


def _pick(combo, value: str) -> None:
    # Pickers hold their value as item data where the shown text is translated, else as the text.
    index = combo.findData(value)
    combo.setCurrentIndex(index if index >= 0 else combo.findText(value))
    assert combo.currentIndex() >= 0, value


def test_every_job_label_is_in_the_translation_table(tmp_path):
    for request in one_of_each(tmp_path):
        label = request.label
        assert label.key in STRINGS, label.key
        english, chinese = STRINGS[label.key]
        assert english == label.template and chinese  # the card's English is the table's English
        for value in dict(label.params).values():
            if isinstance(value, Named):
                assert all(f"{value.group}.{key}" in STRINGS for key in value.keys), value


def test_a_batch_card_in_chinese_names_its_recipe_and_platforms(tmp_path):
    from studio.batch.options import CopyStepOptions, StepOptionSet
    from studio.gui.i18n import Translator
    from studio.gui.widgets.jobs_dock import label_text
    from studio.jobs.requests import BatchRequest, ExportRequest

    tr = Translator("zh")
    batch = BatchRequest(tmp_path, "copy", StepOptionSet.of(CopyStepOptions(platforms=("taobao",))), product_count=12)
    assert label_text(batch.label, tr) == "批量 · 文案 · 12 个商品"
    assert label_text(ExportRequest(tmp_path, tmp_path, ("taobao", "shopify")).label, tr) == "导出 · 淘宝、Shopify"
    assert label_text(ExportRequest(tmp_path, tmp_path, ()).label, tr) == "导出 · 全部平台"
    assert label_text(batch.label, Translator("en")) == "Batch · copy · 12 products"


def test_job_card_names_what_it_does_in_both_languages(qtbot, window, tmp_path):
    from studio.batch.synthetic import write_synthetic_catalog
    from studio.project.importer import import_catalog

    runner = window.state.runner
    store = window.state.store
    import_catalog(store, write_synthetic_catalog(tmp_path / "cat", 1, image_size=48))
    sku = store.products()[0].sku
    window.state.project_changed.emit()
    blocker = runner.submit(worker_jobs.SlowJob())  # keeps the copy job queued: no model runs in this test
    page = window.pages["product"]
    window.state.product_opened.emit(sku)
    _pick(page.platform, "xiaohongshu")
    _pick(page.language, "zh")
    job = page.generate_copy()
    row = window.jobs_dock.rows[job.id]
    assert job.state is JobState.QUEUED
    assert row.title.text() == f"Copy · {sku} · Xiaohongshu zh"
    window.set_language("zh")
    assert row.title.text() == f"文案 · {sku} · 小红书 中文"  # stored values by their names in the table
    window.set_language("en")
    with qtbot.waitSignal(runner.job_finished, timeout=2000):
        runner.cancel(job.id)
    assert job.state is JobState.CANCELLED
    with qtbot.waitSignal(runner.job_finished, timeout=10_000):
        runner.cancel(blocker.id)


def test_card_progress_counts_one_unit_and_reaches_its_total(qtbot, window):
    runner = window.state.runner
    seen: list[tuple[int, int]] = []
    job = runner.submit(worker_jobs.NestedProgressJob())
    runner.job_changed.connect(lambda job_id: job_id == job.id and seen.append((job.step, job.total)))
    with qtbot.waitSignal(runner.job_finished, timeout=30_000):
        pass
    assert job.state is JobState.DONE and job.result == "done"
    steps = [s for s, _t in seen]
    assert steps == sorted(steps) and seen[-1] == (3, 3)
    assert {t for _s, t in seen} <= {0, 3}  # never the nested counter's 10
    assert window.jobs_dock.rows[job.id].message.text().startswith("3/3")


def test_a_programming_error_shows_one_readable_line_and_keeps_the_traceback_for_details(qtbot, window):
    runner = window.state.runner
    with qtbot.waitSignal(runner.job_finished, timeout=30_000):
        job = runner.submit(worker_jobs.BuggyJob())
    row = window.jobs_dock.rows[job.id]
    assert job.state is JobState.FAILED and job.error == "KeyError: 'missing'"
    assert "Traceback" not in row.message.text() and "Traceback" in job.error_details
    assert row.details_button.isVisibleTo(row)


def test_only_typed_requests_are_accepted(window):
    runner = window.state.runner
    with pytest.raises(TypeError, match="JobRequest"):
        runner.submit(lambda progress, cancel: None)  # the old partial-style job
    assert runner.jobs() == []
    assert isinstance(worker_jobs.SlowJob().label, JobLabel)
