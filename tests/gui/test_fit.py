"""Every page fits at 1280×800 in English and in Chinese: no truncated boxes, labels or buttons, no clipped
cards, and table text columns wide enough to read."""

from __future__ import annotations

import pytest

from studio.batch.synthetic import write_synthetic_catalog
from studio.gui.main_window import DEFAULT_SIZE
from studio.project.importer import import_catalog
from studio.project.store import AttributeValue, JobState, NewCandidate
from tests.gui.walk import settle, too_narrow

PROV = {
    "placeholder": True,
    "models": [{"role": "copywriter", "model_id": "vitrine-tiny/copywriter", "source": "placeholder"}],
    "params": {"platform": "xiaohongshu", "tone": "professional", "language": "en"},
}
LONG_FLAG = "bullet 4: '2601802834' (number) is not supported by the product data: the catalog never states it"


def fill_project(window, tmp_path) -> None:
    """Two products; the first has caption and copy cards (long flags included) and a category conflict."""
    store = window.state.store
    report = import_catalog(store, write_synthetic_catalog(tmp_path / "cat", 2, image_size=48))
    product = store.products()[0]
    job = store.start_job(product.id, "copy", "h")
    params = {"platform": "xiaohongshu", "language": "en", "flags": [LONG_FLAG, "no description", "3 of 5 bullets"]}
    cands = [
        NewCandidate("copy", rank=r, text="Classic crew-neck tee in soft cotton. " * 4, params=params, provenance=PROV)
        for r in range(2)
    ] + [
        NewCandidate("caption", rank=r, text="a red cotton t-shirt on a white background", params={}, provenance=PROV)
        for r in range(2)
    ]
    attrs = [
        AttributeValue(product.id, "category", "tops", "catalog"),
        AttributeValue(product.id, "category", "jeans", "clip", 0.93),
    ]
    store.finish_job(job, JobState.DONE, candidates=cands, attributes=attrs)
    window.pages["catalog"]._imported(report)  # as an import from the page ends: its report panel shows
    window.state.open_product(product.sku)


@pytest.fixture
def filled(window, tmp_path):
    window.resize(DEFAULT_SIZE)
    fill_project(window, tmp_path)
    settle()
    return window


def walk_pages(window):
    """Show every page (and each tab of the product page) in turn; yields a name for each view."""
    for spec in window.specs:
        page = window.show_page(spec.key)
        settle()
        if spec.key == "product":
            for i in range(page.tabs.count()):  # the look tab as it opens: its CLIP job just started
                page.tabs.setCurrentIndex(i)
                settle()
                yield f"product tab {i}"
        else:
            yield spec.key


def test_default_window_is_1280_by_800(window):
    from studio.gui.main_window import MainWindow

    fresh = MainWindow()
    assert (fresh.width(), fresh.height()) == (1280, 800)
    fresh.state.runner.shutdown(2000)
    fresh.deleteLater()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_page_fits_at_1280_by_800(filled, language):
    filled.set_language(language)
    assert (filled.width(), filled.height()) == (1280, 800)
    problems = {}
    for view in walk_pages(filled):
        if found := too_narrow(filled):
            problems[view] = found
    page = filled.show_page("product")  # with a card's provenance open beside the tabs
    page.show_provenance(page.caption_list.cards[0].view.id)
    for i in range(2):
        page.tabs.setCurrentIndex(i)
        settle()
        if found := too_narrow(filled):
            problems[f"product tab {i} with provenance"] = found
    assert page.provenance_panel.isVisible()
    assert not problems, problems


def test_copy_pickers_show_their_longest_choice(filled):
    from tests.gui.walk import combo_text_room

    page = filled.show_page("product")
    page.tabs.setCurrentIndex(1)
    settle()
    for combo in (page.platform, page.tone, page.language):
        longest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
        assert combo_text_room(combo) >= longest, combo.currentText()
    assert page.copy_button.isVisible() and page.copy_button.geometry().right() <= page.tabs.currentWidget().width()


def test_history_text_column_is_readable(filled):
    page = filled.show_page("history")
    settle()
    assert page.table.rowCount() == 4
    assert page.table.columnWidth(2) >= 260
    page.table.selectRow(0)  # the provenance pane opens below the table: the text column keeps its width
    settle()
    assert page.detail.isVisible() and page.table.columnWidth(2) >= 260
    assert "vitrine-tiny/copywriter" in page.detail.toPlainText()
