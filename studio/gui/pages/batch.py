"""Stub page (filled in as its pipeline lands)."""

from __future__ import annotations

from studio.gui.pages import Page, PageSpec
from studio.gui.state import StudioState


class BatchPage(Page):
    title_key = "nav.batch"

    def __init__(self, state: StudioState) -> None:
        super().__init__(state)
        self.layout_.addStretch(1)


PAGE = PageSpec("batch", "nav.batch", "⇪", BatchPage)
