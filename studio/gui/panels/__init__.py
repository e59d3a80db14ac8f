"""Capability panels: one tab each on the Product page (pairing, try-on, video).

The Product page builds a tab for every capability that declares `gui_panel` in
`studio/capabilities/declared.py` (`studio.capabilities.gui_panels()`), in declaration order. A panel is a
`ProductPanel`: the page tells it which product is open, when that product's candidates changed, when the UI
language changed and when its tab came on screen; the panel submits its own jobs (`ProductStepRequest`) to
the studio's job runner and shows its candidates. Adding a panel is writing its module and naming it in its
capability's declaration; the page needs no change.
"""

from __future__ import annotations

import importlib

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from studio.batch.options import StepOptions
from studio.batch.recipe import StepName
from studio.capabilities import gui_panels
from studio.gui.jobs import Job
from studio.gui.state import StudioState
from studio.jobs.requests import ProductStepRequest
from studio.project.rows import Product


class ProductPanel(QWidget):
    """Base of a capability's tab on the Product page.

    Subclasses set `tab_key` (the tab's translation key) and `step` (the batch step their Generate runs),
    build their widgets in `__init__`, and override `show_product`, `reload` and `retranslate`.
    """

    tab_key = ""
    step: StepName | None = None
    details_requested = Signal(int)  # a candidate id: the page opens its provenance

    def __init__(self, state: StudioState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.product: Product | None = None
        self.layout_ = QVBoxLayout(self)
        self.last_job: Job | None = None

    def t(self, key: str, **fmt: object) -> str:
        return self.state.tr.t(key, **fmt)

    def set_product(self, product: Product | None) -> None:
        """The page opened `product` (None: no product)."""
        self.product = product
        self.show_product()

    def show_product(self) -> None:
        """Fill the panel for `self.product`."""

    def reload(self) -> None:
        """The open product's candidates changed (a job finished, an approval was undone…)."""
        self.show_product()

    def retranslate(self) -> None:
        """Re-apply labels in the UI language."""

    def on_shown(self) -> None:
        """The panel's tab came on screen."""

    def generate(self) -> Job | None:
        """Ctrl+G on this tab: start the panel's main job (None when there is nothing to run)."""
        return None

    def show_details(self, candidate_id: int) -> None:
        """Ask the page to show a candidate's provenance (its Details panel beside the tabs)."""
        self.details_requested.emit(int(candidate_id))

    def cancel(self) -> None:
        """Cancel the last job this tab started: it stops at its next step while the window stays usable."""
        if self.last_job is not None:
            self.state.runner.cancel(self.last_job.id)

    def submit_step(self, options: StepOptions) -> Job | None:
        """Run this panel's step for the open product with `options` on the worker; the page reloads when done."""
        store, product = self.state.store, self.product
        if store is None or product is None or self.step is None:
            return None
        request = ProductStepRequest(store.folder, product.id, product.sku, self.step, options)
        pid = product.id
        self.last_job = self.state.runner.submit(request, on_done=lambda _r: self.state.candidates_changed.emit(pid))
        return self.last_job


def load_panel_types() -> list[type[ProductPanel]]:
    """The panel classes the capabilities declare, in declaration order."""
    types = []
    for target in gui_panels().values():
        module, _, name = target.partition(":")
        panel = getattr(importlib.import_module(module), name)
        if not (isinstance(panel, type) and issubclass(panel, ProductPanel)):
            raise TypeError(f"{target} is not a ProductPanel")
        types.append(panel)
    return types
