"""The product page highlights a catalog-vs-model conflict and names both values (a tee filed under "tops"
that a model calls "jeans"); a category inside the catalog's department is no conflict."""

from __future__ import annotations

from PySide6.QtCore import Qt

from studio.gui.widgets.attribute_table import CONFLICT_BG
from studio.project.importer import import_catalog
from studio.project.store import AttributeValue, JobState


def _category_row(page):
    table = page.attributes
    for r in range(table.rowCount()):
        if table.item(r, 0).data(Qt.ItemDataRole.UserRole) == "category":
            return [table.item(r, c) for c in range(3)]
    raise AssertionError("no category row")


def _open_with_prediction(window, tmp_path, predicted: str):
    store = window.state.store
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("sku,title,category,color\nVT-TEE-RED,Classic tee,tops,red\n", encoding="utf-8")
    import_catalog(store, catalog)
    product = store.product_by_sku("VT-TEE-RED")
    job = store.start_job(product.id, "attributes", "h")
    store.finish_job(job, JobState.DONE, attributes=[AttributeValue(product.id, "category", predicted, "clip", 0.93)])
    window.state.project_changed.emit()
    window.state.open_product(product.sku)
    return window.pages["product"]


def test_catalog_vs_model_category_conflict_is_highlighted(window, tmp_path):
    page = _open_with_prediction(window, tmp_path, "jeans")
    name, value, source = _category_row(page)
    assert value.text() == "tops"  # the catalog's value is shown, not the model's
    assert all(item.background().color() == CONFLICT_BG for item in (name, value, source))
    assert "tops" in value.toolTip() and "jeans" in value.toolTip() and "Conflict" in value.toolTip()
    assert "jeans" in source.text() and source.text().startswith("⚠")
    window.set_language("zh")
    name, value, source = _category_row(page)
    assert name.text() == "类别" and "冲突" in value.toolTip() and "jeans" in value.toolTip()


def test_a_category_inside_the_department_is_not_a_conflict(window, tmp_path):
    page = _open_with_prediction(window, tmp_path, "t-shirt")
    name, value, source = _category_row(page)
    assert value.text() == "tops" and value.background().color() != CONFLICT_BG and not value.toolTip()
