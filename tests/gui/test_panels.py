"""The Product page builds one tab per capability panel the registry declares, named in the UI language."""

from __future__ import annotations

from studio.capabilities import gui_panels
from studio.gui.panels import ProductPanel, load_panel_types


def test_every_declared_panel_is_a_product_tab(window):
    page = window.pages["product"]
    declared = load_panel_types()
    assert [type(p) for p in page.panels] == declared
    assert len(declared) == len(gui_panels())
    for panel in page.panels:
        assert isinstance(panel, ProductPanel) and panel.step is not None
        index = page.tabs.indexOf(panel)
        assert index >= 0
        text = page.tabs.tabText(index)
        assert text and text != panel.tab_key  # translated, not the raw key
    window.state.tr.set_language("zh")
    for panel in page.panels:
        assert page.tabs.tabText(page.tabs.indexOf(panel)) == window.state.tr.t(panel.tab_key)
