"""Stub page (filled in as its pipeline lands)."""

from __future__ import annotations

from studio.gui.pages import Page, PageSpec
from studio.gui.state import StudioState


class ProductPage(Page):
    title_key = "nav.product"

    def __init__(self, state: StudioState) -> None:
        super().__init__(state)
        self.layout_.addStretch(1)


PAGE = PageSpec("product", "nav.product", "✎", ProductPage)
