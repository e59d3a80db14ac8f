"""Product workspace: captions & attributes (editable, conflicts highlighted), copy (ranked cards), complete
the look (complementary catalog items, found by CLIP on the job worker when the tab is shown), and one tab per
capability panel the registry declares (pairing, try-on, video: `studio.gui.panels`)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from studio.batch.options import CopyStepOptions
from studio.batch.recipe import StepName
from studio.gui import services
from studio.gui.jobs import Job
from studio.gui.pages import Page, PageSpec
from studio.gui.panels import ProductPanel, load_panel_types
from studio.gui.state import StudioState
from studio.gui.undo import SetValueCommand, edit_text
from studio.gui.widgets.attribute_table import VALUE_COLUMN, AttributeTable
from studio.gui.widgets.candidate_card import CandidateCard
from studio.gui.widgets.card_list import CardList
from studio.gui.widgets.empty_state import EmptyState
from studio.gui.widgets.look_panel import LookPanel
from studio.gui.widgets.thumbnail_tiles import ThumbnailLabel
from studio.jobs.requests import ProductCaptionsRequest, ProductCopyRequest
from studio.project.rows import CandidateKind
from studio.project.thumbnails import project_thumbnail_cache


def _choice(combo: QComboBox) -> str:
    # Pickers hold the value as item data when their text is translated; plain pickers hold it as text.
    return str(combo.currentData() or combo.currentText())


CARD_MIN_WIDTH = 310  # a candidate card's buttons and badges, plus the list's margin and scroll bar


class ProductPage(Page):
    """One product: its photo and fields, caption and copy candidates, attributes, provenance."""

    title_key = "nav.product"

    def __init__(self, state: StudioState) -> None:
        super().__init__(state)
        self.product = None
        self._provenance_id: int | None = None  # the candidate whose provenance is shown (None: panel closed)
        self.stack = QStackedWidget()
        self.empty = EmptyState()
        self.empty.button.clicked.connect(lambda: state.navigate.emit("catalog"))
        self.stack.addWidget(self.empty)
        self.workspace = QWidget()
        self.stack.addWidget(self.workspace)
        self.layout_.addWidget(self.stack, 1)
        ws = QVBoxLayout(self.workspace)
        ws.setContentsMargins(0, 0, 0, 0)

        header = QFrame(objectName="panel")
        hl = QHBoxLayout(header)
        hl.setContentsMargins(12, 10, 12, 10)
        self.photo = ThumbnailLabel(96)
        hl.addWidget(self.photo)
        info = QVBoxLayout()
        self.sku_label = QLabel(objectName="muted")
        self.name_label = QLabel(objectName="sectionTitle")
        self.name_label.setWordWrap(True)
        self.fields_label = QLabel(objectName="muted")
        self.fields_label.setWordWrap(True)
        for w in (self.sku_label, self.name_label, self.fields_label):
            w.setProperty("data", True)  # the catalog's SKU, title and columns, as the catalog has them
            info.addWidget(w)
        info.addStretch(1)
        hl.addLayout(info, 1)
        ws.addWidget(header)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        splitter.addWidget(self.tabs)
        # Provenance opens beside the tabs when a card's Details is clicked, and closes with its ✕: a panel that
        # only held a hint took a third of the page at 1280 px and squeezed the attribute sheet.
        side = self.provenance_panel = QFrame(objectName="panel")
        sl = QVBoxLayout(side)
        sl.setContentsMargins(12, 10, 12, 10)
        self.prov_title = QLabel(objectName="sectionTitle")
        prov_head = QHBoxLayout()
        prov_head.addWidget(self.prov_title, 1)
        self.prov_close = QPushButton("✕", objectName="flat")
        self.prov_close.clicked.connect(self.hide_provenance)
        prov_head.addWidget(self.prov_close)
        sl.addLayout(prov_head)
        self.provenance = QTextBrowser()
        self.provenance.setStyleSheet("border: none;")
        sl.addWidget(self.provenance, 1)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([620, 260])
        splitter.setChildrenCollapsible(False)
        side.setMinimumWidth(220)
        side.setVisible(False)
        self.splitter = splitter
        ws.addWidget(splitter, 1)

        # -- captions & attributes tab
        cap_tab = QWidget()
        cl = QVBoxLayout(cap_tab)
        cap_bar = QHBoxLayout()
        self.captions_title = QLabel(objectName="sectionTitle")
        cap_bar.addWidget(self.captions_title)
        cap_bar.addStretch(1)
        self.caption_button = QPushButton(objectName="primary")
        self.caption_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.caption_button.clicked.connect(self.generate_captions)
        cap_bar.addWidget(self.caption_button)
        cl.addLayout(cap_bar)
        cap_split = QSplitter(Qt.Orientation.Horizontal)
        self.caption_list = CardList()
        cap_split.addWidget(self.caption_list)
        attr_box = QWidget()
        al = QVBoxLayout(attr_box)
        al.setContentsMargins(0, 0, 0, 0)
        self.attributes_title = QLabel(objectName="sectionTitle")
        al.addWidget(self.attributes_title)
        self.attributes = AttributeTable(state.tr)
        self.attributes.itemChanged.connect(self._attribute_edited)
        al.addWidget(self.attributes, 1)
        cap_split.addWidget(attr_box)
        cap_split.setChildrenCollapsible(False)
        # The cards' own minimum (badges, Edit / Details / Approve): narrower, the list cut them off at the right.
        self.caption_list.setMinimumWidth(CARD_MIN_WIDTH)
        attr_box.setMinimumWidth(180)
        cap_split.setSizes([CARD_MIN_WIDTH, 300])
        cl.addWidget(cap_split, 1)
        self.tabs.addTab(cap_tab, "")

        # -- copy tab
        copy_tab = QWidget()
        col = QVBoxLayout(copy_tab)
        # Labels sit above their boxes: beside them, three labelled boxes and Generate did not fit the tab at
        # 1280 px and the boxes were cut to "amazo" / "profes". Each box is as wide as its longest choice.
        pick = QGridLayout()
        pick.setHorizontalSpacing(10)
        pick.setVerticalSpacing(2)
        self.platform, self.tone, self.language = QComboBox(), QComboBox(), QComboBox()
        self.pick_labels = [QLabel(objectName="muted"), QLabel(objectName="muted"), QLabel(objectName="muted")]
        for i, (label, combo) in enumerate(
            zip(self.pick_labels, (self.platform, self.tone, self.language), strict=True)
        ):
            pick.addWidget(label, 0, i)
            pick.addWidget(combo, 1, i)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._fill_choices()
        self.platform.currentIndexChanged.connect(self.reload_copy)
        pick.setColumnStretch(3, 1)
        self.copy_button = QPushButton(objectName="primary")
        self.copy_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.copy_button.clicked.connect(self.generate_copy)
        pick.addWidget(self.copy_button, 1, 4)
        col.addLayout(pick)
        # What the last copy run said ("amazon: 4 of 4 drafts rejected (…)"): shown as the model pipeline wrote it.
        self.copy_note = QLabel(objectName="muted")
        self.copy_note.setProperty("data", True)
        self.copy_note.setWordWrap(True)
        self.copy_note.setVisible(False)
        col.addWidget(self.copy_note)
        self.copy_list = CardList()
        col.addWidget(self.copy_list, 1)
        self.tabs.addTab(copy_tab, "")

        # -- complete the look tab: computed when shown, kept in state.looks (the Pairing tab reads it too)
        self.look_panel = LookPanel(state.tr)
        self.look_panel.product_clicked.connect(state.open_product)
        self.tabs.addTab(self.look_panel, "")
        self.look_job: Job | None = None  # the open product's look on its way (from this tab or another)
        self.tabs.currentChanged.connect(lambda _i: self.show_look())
        state.looks.ready.connect(self._look_ready)
        state.looks.failed.connect(self._look_failed)

        # -- capability panels (pairing, try-on, video), as declared in studio/capabilities/declared.py
        self.panels: list[ProductPanel] = [panel_type(state) for panel_type in load_panel_types()]
        for panel in self.panels:
            self.tabs.addTab(panel, "")
            panel.details_requested.connect(self.show_provenance)
        self.tabs.currentChanged.connect(self._panel_shown)

        QShortcut(QKeySequence("Ctrl+G"), self, activated=self._generate_current)
        state.product_opened.connect(self.open_sku)
        state.project_changed.connect(self._project_changed)
        state.candidates_changed.connect(self._candidates_changed)
        self.retranslate()

    def _fill_choices(self) -> None:
        """(Re)fill the pickers with translated names; each item's data is the value the copy step reads."""
        choices = services.copy_choices()
        groups = ("platform", "tone", "lang")
        for combo, group, values in zip((self.platform, self.tone, self.language), groups, choices, strict=True):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for value in values:
                combo.addItem(self.state.tr.name(group, value), value)
            default = "professional" if group == "tone" else None  # the copywriter's default tone
            combo.setCurrentIndex(max(0, combo.findData(current or default)))
            combo.blockSignals(False)

    # ---- loading ----------------------------------------------------------------------------------
    def _project_changed(self) -> None:
        sku = self.state.current_sku
        if sku is None:
            self.product = None
            self.stack.setCurrentWidget(self.empty)
        else:
            self.open_sku(sku)

    def open_sku(self, sku: str) -> None:
        store = self.state.store
        product = store.product_by_sku(sku) if store is not None else None
        self.product = product
        if product is None:
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.workspace)
        from studio.project.store import ImageRole

        images = store.images(product.id, ImageRole.PRODUCT) or store.images(product.id, ImageRole.PERSON)
        photo = store.assets.path_for(images[0].sha256) if images else None
        self.photo.show_photo(photo, project_thumbnail_cache(store.folder))
        self.sku_label.setText(product.sku + (f" · {product.category}" if product.category else ""))
        self.name_label.setText(product.title or product.sku)
        shown = [f"{k}: {v}" for k, v in product.fields.items() if v and k not in ("images", "image")]
        self.fields_label.setText("   ".join(shown[:8]))
        self.hide_provenance()
        self.reload_all()
        for panel in self.panels:
            panel.set_product(product)
        self.show_look()

    def reload_all(self) -> None:
        self.reload_captions()
        self.reload_attributes()
        self.reload_copy()

    def _candidates_changed(self, product_id: int) -> None:
        if self.product is not None and self.product.id == product_id:
            self.reload_all()
            self.show_look()  # recomputed if the product's photos or attributes changed
            for panel in self.panels:
                panel.reload()

    def _panel_shown(self, _index: int) -> None:
        if isinstance(panel := self.tabs.currentWidget(), ProductPanel) and self.isVisible():
            panel.on_shown()

    def _labels(self) -> dict[str, str]:
        keys = ("approve", "approved", "placeholder", "placeholder_tip", "edit", "save", "rejected", "keep_anyway")
        return {k: self.t(f"card.{k}") for k in keys} | {
            "details": self.t("jobs.details"),
            "score_tip": self.t("badge.score_tip"),
            "no_score_tip": self.t("badge.no_score_tip"),
        }

    def _make_cards(self, views: list[services.CandidateView]) -> list[CandidateCard]:
        cards = []
        for view in views:
            view.title = self._shown_title(view.title)
            card = CandidateCard(view, self._labels())
            card.edited.connect(self._card_edited)
            card.approve_toggled.connect(self._card_approved)
            card.selected.connect(self.show_provenance)
            cards.append(card)
        return cards

    def _shown_title(self, title: str) -> str:
        """A card's "amazon · professional · en" with each stored name shown in the UI language."""
        name = self.state.tr.name
        parts = []
        for part in title.split(" · "):
            for group in ("platform", "tone", "lang"):
                if (shown := name(group, part)) != part:
                    part = shown
                    break
            parts.append(part)
        return " · ".join(parts)

    def reload_captions(self) -> None:
        if self.product is None or self.state.store is None:
            return
        views = services.candidate_views(self.state.store, self.product.id, CandidateKind.CAPTION)
        self.caption_list.set_cards(self._make_cards(views))

    def reload_copy(self) -> None:
        if self.product is None or self.state.store is None:
            return
        views = services.candidate_views(
            self.state.store, self.product.id, CandidateKind.COPY, platform=self.platform.currentData()
        )
        self.copy_list.set_cards(self._make_cards(views))
        note = services.job_note(self.state.store, self.product.id, StepName.COPY)
        self.copy_note.setText(note)
        self.copy_note.setVisible(bool(note))

    def reload_attributes(self) -> None:
        if self.product is None or self.state.store is None:
            return
        self.attributes.set_rows(services.attribute_rows(self.state.store, self.product.id))

    # ---- edits through the undo stack -------------------------------------------------------------
    def _card_edited(self, candidate_id: int, old: str, new: str) -> None:
        store = self.state.store

        def setter(text: str, cid: int = candidate_id) -> None:
            services.set_candidate_text(store, cid, text)
            for lst in (self.caption_list, self.copy_list):
                if (card := lst.card(cid)) is not None:
                    card.set_text(text)

        command = edit_text("Edit copy", setter, old, new)
        if command is not None:
            self.state.undo_stack.push(command)

    def _card_approved(self, candidate_id: int, approved: bool) -> None:
        store = self.state.store

        def setter(value: bool, cid: int = candidate_id) -> None:
            services.set_approved(store, cid, value)
            for lst in (self.caption_list, self.copy_list):
                if (card := lst.card(cid)) is not None:
                    card.set_approved(value)

        label = self.t("card.approve") if approved else self.t("product.withdraw")
        self.state.undo_stack.push(SetValueCommand(label, setter, not approved, approved))

    def _attribute_edited(self, item: QTableWidgetItem) -> None:
        if self.attributes.filling or item.column() != VALUE_COLUMN or self.product is None:
            return
        store, pid = self.state.store, self.product.id
        name = self.attributes.name_at(item.row())
        old = services.user_attribute(store, pid, name)
        new = item.text().strip()

        def setter(value: str | None) -> None:
            services.set_attribute(store, pid, name, value)
            self.reload_attributes()

        if new != (old or ""):
            # Deferred: rebuilding the table inside its own itemChanged signal would delete `item`.
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, lambda: self.state.undo_stack.push(SetValueCommand(f"Edit {name}", setter, old, new)))

    def show_provenance(self, candidate_id: int) -> None:
        if self.state.store is None:
            return
        self._provenance_id = int(candidate_id)
        c = self.state.store.candidate(int(candidate_id))
        self.provenance.setHtml(self.provenance_html(c.provenance))
        if not self.provenance_panel.isVisible():
            self.provenance_panel.setVisible(True)
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([total - 260, 260])

    def hide_provenance(self) -> None:
        self._provenance_id = None
        self.provenance_panel.setVisible(False)

    # ---- complete the look ------------------------------------------------------------------------
    def on_shown(self) -> None:
        self.show_look()
        self._panel_shown(self.tabs.currentIndex())

    def show_look(self) -> Job | None:
        """Fill the look tab for the open product, if it is the tab on screen: from the studio's look cache
        (shared with the Pairing tab), or by a job.

        Returns the job started (None when the tab is hidden, the look is cached, or already on its way).
        """
        store, product, looks = self.state.store, self.product, self.state.looks
        if store is None or product is None or self.tabs.currentWidget() is not self.look_panel:
            return None
        if not self.isVisible():
            return None  # on_shown comes back here once the page is on screen
        if (look := looks.get(product.sku)) is not None:
            self.look_panel.show_result(look, store.assets.path_for, project_thumbnail_cache(store.folder))
            return None
        self.look_panel.show_loading()
        job = looks.request(product.sku)
        self.look_job = looks.job(product.sku)
        return job

    def _look_ready(self, sku: str) -> None:
        if self.product is not None and self.product.sku == sku:
            self.show_look()

    def _look_failed(self, sku: str, message: str) -> None:
        if self.product is not None and self.product.sku == sku:
            self.look_panel.show_failed(message)

    # ---- generation jobs --------------------------------------------------------------------------
    def _generate_current(self) -> None:
        if self.tabs.currentIndex() == 0:
            self.generate_captions()
        elif self.tabs.currentIndex() == 1:
            self.generate_copy()
        elif isinstance(panel := self.tabs.currentWidget(), ProductPanel):
            panel.generate()

    def generate_captions(self) -> Job | None:
        """Caption the product photo and predict its attributes (on the worker)."""
        store, product = self.state.store, self.product
        if store is None or product is None:
            return None
        return self._submit(ProductCaptionsRequest(store.folder, product.id, product.sku))

    def generate_copy(self) -> Job | None:
        """Write ranked sales copy for the chosen platform, tone and language (on the worker)."""
        store, product = self.state.store, self.product
        if store is None or product is None:
            return None
        options = CopyStepOptions(
            platforms=(_choice(self.platform),), tone=_choice(self.tone), language=_choice(self.language)
        )
        return self._submit(ProductCopyRequest(store.folder, product.id, product.sku, options))

    def _submit(self, request: ProductCaptionsRequest | ProductCopyRequest) -> Job:
        pid = request.product_id
        return self.state.runner.submit(request, on_done=lambda _r: self.state.candidates_changed.emit(pid))

    def retranslate(self) -> None:
        super().retranslate()
        self.empty.set_texts(self.t("product.empty"), self.t("product.empty_hint"), self.t("nav.catalog"))
        self.tabs.setTabText(0, self.t("product.tab_captions").replace("&", "&&"))
        self.tabs.setTabText(1, self.t("product.tab_copy"))
        self.tabs.setTabText(2, self.t("product.tab_look"))
        self.look_panel.retranslate()
        for panel in self.panels:
            self.tabs.setTabText(self.tabs.indexOf(panel), self.t(panel.tab_key))
            panel.retranslate()
        self.photo.set_unreadable_label(self.t("catalog.unreadable"))
        self.caption_button.setText(self.t("product.generate_captions"))
        self.copy_button.setText(self.t("product.generate_copy"))
        for button in (self.caption_button, self.copy_button):
            self.fit_button(button)
        self.captions_title.setText(self.t("product.captions"))
        self.attributes_title.setText(self.t("product.attributes"))
        self.prov_title.setText(self.t("product.provenance"))
        self.prov_close.setToolTip(self.t("product.hide_provenance"))
        self.attributes.retranslate()
        self._fill_choices()
        for label, key in zip(self.pick_labels, ("platform", "tone", "language"), strict=True):
            label.setText(self.t(f"product.{key}"))
        self.caption_list.empty.set_texts(self.t("product.no_captions"), self.t("product.no_captions_hint"))
        self.copy_list.empty.set_texts(self.t("product.no_copy"), self.t("product.no_copy_hint"))
        if self.product is not None:
            self.reload_all()
            if self._provenance_id is not None:
                self.show_provenance(self._provenance_id)


PAGE = PageSpec("product", "nav.product", "✎", ProductPage)
