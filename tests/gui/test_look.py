"""CLIP retrieval in the studio, through the real job worker with the tiny (placeholder) CLIP: search the
catalog by a description, find similar products, and complete the look on the product page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from studio.gui import services
from studio.gui.jobs import JobState
from studio.gui.widgets.thumbnail_grid import SCORE_ROLE, ProductTile, ThumbnailGrid, TileScore
from studio.gui.widgets.thumbnail_tiles import ThumbState
from studio.jobs.requests import CompleteLookRequest
from studio.project.importer import import_catalog
from tests.gui.test_thumbnails import _jpegs
from tests.studio.look_catalog import write_look_catalog


@pytest.fixture
def look_project(window, tmp_path):
    store = window.state.store
    import_catalog(store, write_look_catalog(tmp_path / "cat"))
    window.state.project_changed.emit()
    return window


def _finished(qtbot, window, start):
    with qtbot.waitSignal(window.state.runner.job_finished, timeout=60_000):
        job = start()
    assert job is not None and job.state is JobState.DONE, job and job.error_details
    return job


def _tile_scores(grid):
    return [grid.proxy.index(r, 0).data(SCORE_ROLE) for r in range(grid.proxy.rowCount())]


def _has_colour(image, rect, rgb, tolerance=6) -> bool:
    for y in range(rect.top(), rect.top() + 30):
        for x in range(rect.left(), rect.right()):
            c = image.pixelColor(x, y)
            if max(abs(c.red() - rgb[0]), abs(c.green() - rgb[1]), abs(c.blue() - rgb[2])) <= tolerance:
                return True
    return False


def test_ranking_reorders_tiles_paints_scores_and_still_loads_photos_off_thread(qtbot, tmp_path):
    paths = _jpegs(tmp_path / "photos", 6)
    grid = ThumbnailGrid()
    qtbot.addWidget(grid)
    grid.resize(900, 500)
    grid.set_products([ProductTile(f"S{i}", f"Product {i}", image=p) for i, p in enumerate(paths)])
    grid.show()
    qtbot.waitUntil(grid.thumbnails_loaded)
    ranking = {"S4": TileScore(1, 91.0, "Look match 91/100"), "S1": TileScore(2, 40.0), "S5": TileScore(3, 7.0)}
    grid.set_ranking(ranking)
    assert grid.visible_skus() == ["S4", "S1", "S5"]
    assert grid.proxy.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).startswith("Look match 91/100")
    qtbot.waitUntil(grid.thumbnails_loaded)
    first = grid.visualRect(grid.proxy.index(0, 0))
    assert _has_colour(grid.viewport().grab().toImage(), first, (0x3B, 0x6C, 0xF6))  # the blue score pill
    grid.set_ranking(ranking, placeholder=True)
    assert _has_colour(grid.viewport().grab().toImage(), first, (0xFE, 0xF3, 0xC7))  # amber: placeholder
    grid.set_filter("product 1")  # filters still apply within a ranking
    assert grid.visible_skus() == ["S1"]
    grid.set_filter()
    grid.set_ranking(None)
    assert grid.visible_skus() == [f"S{i}" for i in range(6)] and not grid.ranked()
    assert not _has_colour(grid.viewport().grab().toImage(), first, (0x3B, 0x6C, 0xF6))


def test_search_by_look_ranks_the_grid_then_clearing_restores_it(qtbot, look_project):
    window = look_project
    page = window.show_page("catalog")
    grid = page.grid
    catalog_order = grid.visible_skus()
    assert len(catalog_order) == 7 and not grid.ranked()

    page.look_mode.click()
    page.search.setText("a red cotton t-shirt")
    assert grid.visible_skus() == catalog_order  # in look mode, typing does not filter by keywords
    seen = []
    runner = window.state.runner
    runner.job_changed.connect(lambda i: seen.append((runner.job(i).message, runner.job(i).total)))
    job = _finished(qtbot, window, lambda: (qtbot.keyClick(page.search, Qt.Key.Key_Return), page.look_job)[1])
    assert ("embedding images", 6) in seen  # the first search embeds the photos, with progress in the jobs dock
    assert window.jobs_dock.rows[job.id].title.text().startswith("Search by look")

    hits = page.look_result.hits
    assert grid.ranked() and grid.visible_skus() == [h.sku for h in hits]
    assert "BARE" not in grid.visible_skus()  # no photo: nothing to rank it by
    scores = [s.score for s in _tile_scores(grid)]
    assert scores == [h.score for h in hits] and scores == sorted(scores, reverse=True)
    first = grid.proxy.index(0, 0)
    assert "Look match" in first.data(Qt.ItemDataRole.ToolTipRole) and "#1" in first.data(Qt.ItemDataRole.ToolTipRole)
    # The tiny CLIP has random weights: said on the bar, the pills and every tooltip.
    assert page.look_result.placeholder and grid.ranking_placeholder
    assert page.look_bar.placeholder_badge.isVisibleTo(page) and "placeholder" in page.look_bar.notice.text()
    assert "not real" in first.data(Qt.ItemDataRole.ToolTipRole)
    qtbot.waitUntil(grid.thumbnails_loaded)

    # Find similar from a tile's context menu: the near-identical listing first, the product itself left out.
    menu = page.product_menu("TEE")
    job = _finished(qtbot, window, lambda: (menu.actions()[1].trigger(), page.look_job)[1])
    assert grid.visible_skus()[0] == "TEE-2" and "TEE" not in grid.visible_skus()
    assert _tile_scores(grid)[0].score >= 99
    assert "look like TEE" in page.look_bar.title.text() and page.search.text() == ""

    page.look_bar.clear_button.click()
    assert not grid.ranked() and grid.visible_skus() == catalog_order
    assert _tile_scores(grid) == [None] * 7 and not page.look_bar.isVisible()
    assert not page.look_mode.isChecked()
    page.search.setText("jeans")  # keyword search is back
    assert grid.visible_skus() == ["JEAN", "JEAN-2"]

    _finished(qtbot, window, lambda: page.search_by_look("white sneakers"))  # embeddings cached: quick
    assert grid.ranked() and page.look_mode.isChecked() and page.search.text() == "white sneakers"
    page.search.clear()  # what the box's own clear button does
    assert not grid.ranked() and grid.visible_skus() == catalog_order and not page.look_bar.isVisible()


def test_complete_the_look_lists_complementary_categories_and_opens_items(qtbot, look_project):
    window = look_project
    runner = window.state.runner
    window.state.open_product("TEE")
    page = window.pages["product"]
    assert page.show_look() is None and not runner.jobs()  # the tab is hidden: nothing computed
    _finished(qtbot, window, lambda: (page.tabs.setCurrentWidget(page.look_panel), page.look_job)[1])

    panel = page.look_panel
    assert panel.groups_shown() == ["jeans", "sneakers", "hat"]  # t-shirt's complements found in this catalog
    assert {c.hit.sku for c in panel.cards} == {"JEAN", "JEAN-2", "SNKR", "CAP"}
    assert panel.placeholder_badge.isVisibleTo(panel) and "placeholder" in panel.notice.text()
    assert all(c.score_badge.objectName() == "placeholderBadge" for c in panel.cards)
    qtbot.waitUntil(lambda: all(c.photo.state() is ThumbState.READY for c in panel.cards))

    jobs = len(runner.jobs())
    qtbot.mouseClick(panel.card("SNKR"), Qt.MouseButton.LeftButton)
    assert window.state.current_sku == "SNKR" and page.sku_label.text().startswith("SNKR")
    qtbot.waitUntil(lambda: window.state.looks.get("SNKR") is not None, timeout=60_000)
    assert len(runner.jobs()) == jobs + 1 and panel.result.sku == "SNKR"

    window.state.open_product("TEE")  # cached: shown at once, no job
    assert len(runner.jobs()) == jobs + 1 and panel.result.sku == "TEE"
    page.tabs.setCurrentIndex(0)
    window.state.open_product("CAP")  # the look tab is hidden: no job for CAP
    assert len(runner.jobs()) == jobs + 1


def test_the_look_tab_and_the_pairing_tab_share_one_look_per_product(qtbot, look_project, monkeypatch):
    """Complete the look runs once for a product whichever tab asks first, and again once the product changes."""
    from studio.gui.panels.pairing import PairingPanel

    window = look_project
    state, runner = window.state, window.state.runner
    asked: list[str] = []
    submit = runner.submit

    def counting_submit(request, **callbacks):  # counts complete-the-look jobs; the real runner runs them all
        if isinstance(request, CompleteLookRequest):
            asked.append(request.sku)
        return submit(request, **callbacks)

    monkeypatch.setattr(runner, "submit", counting_submit)
    state.open_product("TEE")
    page = window.pages["product"]
    (pairing,) = [p for p in page.panels if isinstance(p, PairingPanel)]
    _finished(qtbot, window, lambda: (page.tabs.setCurrentWidget(page.look_panel), page.look_job)[1])
    assert asked == ["TEE"] and page.look_panel.result.sku == "TEE"

    page.tabs.setCurrentWidget(pairing)  # the outfit comes from the look already found: no second job
    assert asked == ["TEE"] and pairing.look_job is None
    assert {s.item.sku for s in pairing.slots()} >= {"SNKR", "CAP"}  # the look's categories as outfit slots
    assert pairing.status.text() == window.state.tr.t("pairing.suggested")

    # The product changes (a person sets an attribute, its photos are re-read): its look is stale.
    product = state.store.product_by_sku("TEE")
    services.set_attribute(state.store, product.id, "color", "blue")
    assert state.looks.get("TEE") is None and pairing.slots() == []
    _finished(qtbot, window, lambda: (state.candidates_changed.emit(product.id), pairing.look_job)[1])
    assert asked == ["TEE", "TEE"] and state.looks.get("TEE") is not None and pairing.slots()
    page.tabs.setCurrentWidget(page.look_panel)  # shown from the recomputed look
    assert asked == ["TEE", "TEE"] and page.look_panel.result is state.looks.get("TEE")

    state.project_changed.emit()  # the catalog changed: every look is dropped
    assert state.looks.get("TEE") is None
    _finished(qtbot, window, lambda: (page.tabs.setCurrentWidget(pairing), pairing.look_job)[1])
    assert asked == ["TEE", "TEE", "TEE"]
