"""Catalog page: import through the UI (with a bad-row report), search and filter, open a product."""

from __future__ import annotations

import csv

from studio.batch.synthetic import write_synthetic_catalog
from studio.gui.jobs import JobState


def _catalog_with_bad_rows(folder):
    path = write_synthetic_catalog(folder, 6, image_size=48)
    with path.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["", "No SKU here", "dress", "red", "9.99", "images/SKU-00000_0.png"])
        writer.writerow(["SKU-BAD", "Missing photo", "dress", "red", "9.99", "images/nope.png"])
    return path


def _import(qtbot, window, path):
    page = window.show_page("catalog")
    with qtbot.waitSignal(window.state.runner.job_finished, timeout=30_000):
        page.import_path(path)
    return page


def test_empty_catalog_says_what_to_do(window):
    page = window.show_page("catalog")
    assert page.stack.currentWidget() is page.empty
    assert "Import" in page.empty.hint.text() and page.empty.button.isVisible()


def test_import_with_bad_rows_shows_report(qtbot, window, tmp_path):
    page = _import(qtbot, window, _catalog_with_bad_rows(tmp_path / "cat"))
    job = window.state.runner.jobs()[-1]
    assert job.state is JobState.DONE, job.error_details
    report = page.last_report
    assert report.problems and report.rejected_rows
    assert page.report_panel.isVisible() and page.report_panel.table.rowCount() == len(report.problems)
    messages = [page.report_panel.table.item(r, 3).text() for r in range(page.report_panel.table.rowCount())]
    assert any(messages)
    assert page.stack.currentWidget() is page.grid
    assert len(page.grid.visible_skus()) == report.imported >= 6


def test_search_filter_and_open_product(qtbot, window, tmp_path):
    page = _import(qtbot, window, write_synthetic_catalog(tmp_path / "cat", 8, image_size=48))
    page.search.setText("SKU-00003")
    assert page.grid.visible_skus() == ["SKU-00003"]
    page.search.setText("zzz-nothing")
    assert page.stack.currentWidget() is page.no_match
    page.search.clear()
    category = page.category.itemData(1)
    page.category.setCurrentIndex(1)
    store = window.state.store
    expected = sorted(p.sku for p in store.products() if p.category == category)
    assert sorted(page.grid.visible_skus()) == expected
    page.grid.product_activated.emit(expected[0])
    assert window.current_page_key() == "product"
    assert window.pages["product"].sku_label.text().startswith(expected[0])


def test_drop_a_catalog_file_imports_it(qtbot, window, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    page = window.show_page("catalog")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write_synthetic_catalog(tmp_path / "cat", 3, image_size=48)))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    with qtbot.waitSignal(window.state.runner.job_finished, timeout=30_000):
        page.dropEvent(event)
    assert len(page.grid.visible_skus()) == 3
    qtbot.waitUntil(page.grid.thumbnails_loaded)
