"""The whole product flow through the UI with tiny models: caption → copy → ranked cards → edit/undo →
approve; then a copy job cancelled mid-way while a QTimer keeps firing."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer

from studio.batch.synthetic import write_synthetic_catalog
from studio.gui.jobs import JobState
from studio.project.importer import import_catalog


def _require(*steps: str) -> None:
    from studio.batch.recipe import StepName, step_availability
    from studio.batch.steps import STEP_FUNCTIONS

    for step in steps:
        name = StepName(step)
        available = step_availability(name)
        if name not in STEP_FUNCTIONS or not available.available:
            pytest.skip(f"{step} step not installed: {available.reason or 'not wired'}")


@pytest.fixture
def product_page(request, window, tmp_path):
    _require("caption", "attributes", "copy")  # before building models: skipping stays instant
    request.getfixturevalue("tiny_models")
    store = window.state.store
    import_catalog(store, write_synthetic_catalog(tmp_path / "cat", 1, image_size=64))
    window.state.project_changed.emit()
    window.state.open_product(store.products()[0].sku)
    return window.pages["product"]


def _run(qtbot, window, start, timeout=180_000):
    with qtbot.waitSignal(window.state.runner.job_finished, timeout=timeout):
        job = start()
    assert job.state is JobState.DONE, job.error_details
    return job


def test_caption_then_copy_gives_ranked_cards(qtbot, window, product_page):
    page = product_page
    _run(qtbot, window, page.generate_captions)
    assert page.caption_list.cards, "no caption candidates"
    assert all(c.placeholder_badge.isVisibleTo(c) for c in page.caption_list.cards)  # tiny models: labelled

    page.tabs.setCurrentIndex(1)
    page.platform.setCurrentText("amazon")
    _run(qtbot, window, page.generate_copy)
    cards = page.copy_list.cards
    assert cards, "no copy candidates"
    assert [c.view.rank for c in cards] == sorted(c.view.rank for c in cards)
    assert all(c.score_badge.text().startswith("CLIP") for c in cards)
    assert all(c.placeholder_badge.isVisibleTo(c) for c in cards)

    store, card = window.state.store, cards[0]
    original = card.view.text
    card.begin_edit()
    card.editor.setPlainText("A person's better line")
    card.commit_edit()
    assert store.candidate(card.view.id).text == "A person's better line"
    window.undo_action.trigger()
    assert store.candidate(card.view.id).text == original == card.text_label.text()

    card.approve_button.click()
    from studio.project.store import CandidateState

    assert store.candidate(card.view.id).state is CandidateState.APPROVED
    page.show_provenance(card.view.id)
    assert "placeholder" in page.provenance.toPlainText().lower()

    # Another platform and language: a new generation beside the Amazon drafts, which all stay as they were.
    amazon = {c.id: c.state for c in store.candidates(store.products()[0].id, "copy")}
    page.platform.setCurrentIndex(page.platform.findData("xiaohongshu"))
    page.language.setCurrentIndex(page.language.findData("zh"))
    _run(qtbot, window, page.generate_copy)
    after = {c.id: c for c in store.candidates(store.products()[0].id, "copy")}
    assert {cid: after[cid].state for cid in amazon} == amazon  # approved one included: nothing lost
    assert {c.params["platform"] for c in after.values()} == {"amazon", "xiaohongshu"}


def test_cancel_copy_job_midway_with_timer_running(qtbot, window, product_page):
    page = product_page
    page.tabs.setCurrentIndex(1)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    job = page.generate_copy()
    # Cancel while the copywriter itself runs (after photos, captions and attributes are done).
    qtbot.waitUntil(lambda: "sales copy" in job.message or job.state.finished, timeout=120_000)
    assert not job.state.finished, "the copy job finished before it could be cancelled"
    seen = len(ticks)
    start = time.monotonic()
    with qtbot.waitSignal(window.state.runner.job_finished, timeout=2000):
        window.jobs_dock.rows[job.id].cancel_button.click()
    assert time.monotonic() - start < 2.0
    assert job.state is JobState.CANCELLED
    assert seen >= 3 and len(ticks) >= seen  # the event loop kept turning while the job ran
    timer.stop()
