"""The Product page's Pairing tab: the product's outfit (swap or remove items), style, mode, looks and seed,
Generate with step previews, and the ranked gallery of flat-lays and generated looks.

The outfit comes from complete-the-look retrieval (`state.looks`, shared with the look tab: computed on the job
worker once per product while the product and the catalog are unchanged), arranged into slots the way the pairing step arranges them
(`services.outfit_slots`). Swapping shows a slot's next-best item and removing leaves the slot out; either makes
Generate send the chosen SKUs (`PairingStepOptions.items`). The suggested outfit sends none, so a run from here
and a batch run of the same settings are the same job.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.batch.pairing_step import PairingStepOptions
from studio.batch.recipe import StepName
from studio.gui import services
from studio.gui.i18n import STRINGS
from studio.gui.jobs import Job, JobState
from studio.gui.panels import ProductPanel
from studio.gui.state import StudioState
from studio.gui.widgets.elided_label import ElidedLabel
from studio.gui.widgets.image_gallery import ImageGallery, gallery_labels, review_through_undo
from studio.gui.widgets.thumbnail_loader import ThumbnailLoader
from studio.gui.widgets.thumbnail_tiles import ThumbnailLabel
from studio.project.rows import CandidateKind
from studio.project.thumbnails import project_thumbnail_cache

if TYPE_CHECKING:
    from studio.project.search import LookResult

MODES = ("flatlay", "generated", "both")
FLATLAY_EDGE = 200  # the outfit column's flat-lay picture
ITEM_EDGE = 44  # an item row's thumbnail
PREVIEW_EDGE = 96  # a running job's step preview
MAX_LOOKS = 16  # generators.pairing.pipeline.MAX_LOOKS (not imported: it would load numpy with the window)


class ItemRow(QFrame):
    """One item of the outfit: thumbnail, SKU and category, and (for a complement) Swap and Remove."""

    def __init__(self, loader: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="panel")
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        self.thumb = ThumbnailLabel(ITEM_EDGE, loader=loader)
        row.addWidget(self.thumb)
        text = QVBoxLayout()
        text.setSpacing(0)
        self.sku = ElidedLabel(min_chars=5)
        self.sku.setStyleSheet("font-weight: 600;")
        self.what = ElidedLabel(objectName="muted", min_chars=5)
        for w in (self.sku, self.what):
            w.setProperty("data", True)  # catalog SKUs and categories, as the catalog has them
            text.addWidget(w)
        row.addLayout(text, 1)
        # Swap above Remove: side by side they left the SKU a few letters in the narrow outfit column.
        buttons = QVBoxLayout()
        buttons.setSpacing(0)
        self.swap = QPushButton("⇄", objectName="flat")
        self.remove = QPushButton("✕", objectName="flat")
        for b in (self.swap, self.remove):
            b.setFixedWidth(26)
            buttons.addWidget(b)
        row.addLayout(buttons)

    def show_item(self, sku: str, what: str, photo: str, *, removed: bool = False) -> None:
        self.sku.setText(sku)
        self.what.setText(what)
        self.thumb.set_path(photo or None)
        for w in (self.sku, self.what, self.thumb):
            w.setEnabled(not removed)


class PairingPanel(ProductPanel):
    """The Pairing tab: edit the outfit, choose style / mode / looks / seed, generate, review the gallery."""

    tab_key = "pairing.tab"
    step = StepName.PAIRING

    def __init__(self, state: StudioState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        # sku -> (the look it came from, the outfit as the person left it); rebuilt when the look is recomputed
        self.outfits: dict[str, tuple[LookResult, list[services.OutfitSlot]]] = {}
        self.look_job: Job | None = None  # the open product's look on its way (from this tab or the look tab)
        self._look_error = ""
        self._styles_filled = False
        self.loader = ThumbnailLoader(self, workers=1, memory_bytes=8 << 20)
        body = QHBoxLayout()
        self.layout_.addLayout(body, 1)

        # -- left: the outfit (flat-lay and its items)
        left = QVBoxLayout()
        self.outfit_title = QLabel(objectName="sectionTitle")
        left.addWidget(self.outfit_title)
        self.flatlay = ThumbnailLabel(FLATLAY_EDGE, loader=self.loader)
        left.addWidget(self.flatlay, 0, Qt.AlignmentFlag.AlignHCenter)
        self.flatlay_items: list[str] = []
        self.flatlay_note = ElidedLabel(objectName="muted")  # one line; the whole of it in the tooltip
        left.addWidget(self.flatlay_note)
        self.items_box = QVBoxLayout()
        self.items_box.setSpacing(4)
        self.items_box.addStretch(1)  # rows go above it
        items_widget = QWidget()
        items_widget.setLayout(self.items_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(items_widget)
        left.addWidget(scroll, 1)
        self.rows: list[ItemRow] = []
        self.status = QLabel(objectName="muted")
        self.status.setWordWrap(True)
        self.items_box.insertWidget(0, self.status)  # under the rows (they go above it)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setFixedWidth(FLATLAY_EDGE + 30)
        body.addWidget(left_widget)

        # -- right: settings, the running job, the gallery
        right = QVBoxLayout()
        # Two rows of settings with their labels beside them: in one row, five boxes and Generate did not fit
        # beside the outfit at 1280 px with the Jobs dock open.
        self.style_box, self.mode_box = QComboBox(), QComboBox()
        self.looks_box, self.size_box, self.seed_box = QSpinBox(), QSpinBox(), QSpinBox()
        self.looks_box.setRange(1, MAX_LOOKS)
        self.looks_box.setValue(2)
        self.size_box.setRange(64, 1024)
        self.size_box.setSingleStep(64)
        self.size_box.setValue(512)
        self.size_box.setSuffix(" px")
        self.seed_box.setRange(0, 999_999)
        for box, width in ((self.looks_box, 56), (self.size_box, 84), (self.seed_box, 84)):
            box.setMaximumWidth(width)
        boxes = (self.style_box, self.mode_box, self.looks_box, self.size_box, self.seed_box)
        self.pick_labels = [QLabel(objectName="muted") for _ in boxes]
        for combo in (self.style_box, self.mode_box):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.mode_box.currentIndexChanged.connect(self._mode_changed)
        self.generate_button = QPushButton(objectName="primary")
        self.generate_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.generate_button.clicked.connect(self.generate)
        for row_boxes in (boxes[:2], boxes[2:]):
            row = QHBoxLayout()
            row.setSpacing(6)
            for box in row_boxes:
                label = self.pick_labels[boxes.index(box)]
                label.setBuddy(box)
                row.addWidget(label)
                row.addWidget(box)
                row.addSpacing(8)
            row.addStretch(1)
            right.addLayout(row)
        row.addWidget(self.generate_button)

        self.job_box = QFrame(objectName="panel")
        jl = QHBoxLayout(self.job_box)
        jl.setContentsMargins(8, 6, 8, 6)
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW_EDGE, PREVIEW_EDGE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #eceff4; border-radius: 6px;")
        jl.addWidget(self.preview)
        progress_col = QVBoxLayout()
        self.progress = QProgressBar()
        self.progress_text = ElidedLabel(objectName="muted")
        progress_col.addStretch(1)
        progress_col.addWidget(self.progress)
        progress_col.addWidget(self.progress_text)
        progress_col.addStretch(1)
        jl.addLayout(progress_col, 1)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel)
        jl.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.job_box.setVisible(False)
        right.addWidget(self.job_box)

        self.note = QLabel(objectName="muted")
        self.note.setProperty("data", True)  # what the pipeline said (warnings), as it wrote it
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        right.addWidget(self.note)
        self.gallery = ImageGallery(edge=180)
        review_through_undo(self.gallery, state)
        self.gallery.selected.connect(self.show_details)
        right.addWidget(self.gallery, 1)
        body.addLayout(right, 1)

        state.runner.job_changed.connect(self._job_changed)
        state.runner.job_finished.connect(self._job_changed)
        state.project_changed.connect(self._project_changed)
        state.looks.ready.connect(self._outfit_found)
        state.looks.failed.connect(self._outfit_failed)

    # ---- the open product ---------------------------------------------------------------------------
    def show_product(self) -> None:
        self.reload()
        self._fill_outfit()
        if self.last_job is not None:
            self._job_changed(self.last_job.id)

    def reload(self) -> None:
        """Refill the gallery and the flat-lay picture from the project; on screen, ask for the outfit again
        (a job runs only if the product's photos or attributes changed since its look was found)."""
        store, product = self.state.store, self.product
        if store is None or product is None:
            self.gallery.set_candidates([])
            return
        if self.isVisible():
            self.request_outfit()
        views = services.image_candidate_views(store, product.id, CandidateKind.PAIRING)
        for view in views:
            look = "flatlay" if view.params.get("look") == "flatlay" else "generated"
            style = str(view.params.get("style") or "")
            view.title = " · ".join(w for w in (self.t(f"pairing.kind.{look}"), self._style_name(style)) if w)
        self.gallery.set_candidates(views, disk_cache=project_thumbnail_cache(store.folder))
        # The current generation's flat-lay (views come best first, rejected ones last).
        flat = next((v for v in views if v.image and v.params.get("look") == "flatlay"), None)
        self.flatlay.set_path(flat.image if flat else None)
        self.loader.disk_cache = project_thumbnail_cache(store.folder)
        self._request_thumbnails()
        # One line for what the flat-lay shows: the rows below list the outfit as it is now edited.
        self.flatlay_items = list(flat.items) if flat else []
        self.flatlay_note.setText(
            self.t("pairing.flatlay_of", items=" + ".join(self.flatlay_items)) if flat else self.t("pairing.no_flatlay")
        )
        message = services.job_note(store, product.id, StepName.PAIRING)
        self.note.setText(message)
        self.note.setVisible(bool(message))

    def on_shown(self) -> None:
        self._fill_styles()
        self.request_outfit()

    def _project_changed(self) -> None:
        self.outfits.clear()  # products came or went: every suggested outfit may change (state.looks is cleared)

    # ---- the outfit ---------------------------------------------------------------------------------
    def request_outfit(self) -> Job | None:
        """Ask for the open product's suggested outfit unless it is known or on its way; returns the job started."""
        store, product, looks = self.state.store, self.product, self.state.looks
        if store is None or product is None or looks.get(product.sku) is not None:
            return None
        self._look_error = ""
        job = looks.request(product.sku)
        self.look_job = looks.job(product.sku)
        self._fill_outfit()
        return job

    def _outfit_found(self, sku: str) -> None:
        if self.product is not None and self.product.sku == sku:
            self._fill_outfit()

    def _outfit_failed(self, sku: str, message: str) -> None:
        if self.product is not None and self.product.sku == sku:
            self._look_error = message
            self._fill_outfit()

    def slots(self) -> list[services.OutfitSlot]:
        """The open product's outfit slots as the person left them ([] until found, or when there are none)."""
        store, product = self.state.store, self.product
        look = self.state.looks.get(product.sku) if store is not None and product is not None else None
        if look is None:
            return []
        kept = self.outfits.get(product.sku)
        if kept is None or kept[0] is not look:  # first seen, or recomputed since the product changed
            kept = self.outfits[product.sku] = (look, services.outfit_slots(store, look))
        return kept[1]

    def _fill_outfit(self) -> None:
        product, store = self.product, self.state.store
        slots = self.slots()
        wanted = 1 + len(slots) if product is not None else 0
        while len(self.rows) < wanted:
            row = ItemRow(self.loader)
            row.swap.clicked.connect(partial(self._swap, len(self.rows) - 1))
            row.remove.clicked.connect(partial(self._remove, len(self.rows) - 1))
            self.items_box.insertWidget(len(self.rows), row)
            self.rows.append(row)
        for i, row in enumerate(self.rows):
            row.setVisible(i < wanted)
        if product is None or store is None:
            self.status.setText("")
            return
        from studio.project.rows import ImageRole

        photos = store.images(product.id, ImageRole.PRODUCT)
        anchor = self.rows[0]
        anchor.show_item(
            product.sku, self.t("pairing.anchor"), str(store.assets.path_for(photos[0].sha256)) if photos else ""
        )
        anchor.swap.setVisible(False)
        anchor.remove.setVisible(False)
        for slot, row in zip(slots, self.rows[1:], strict=False):
            item = slot.item
            row.show_item(item.sku, self._category(item.category), item.photo, removed=slot.removed)
            row.swap.setEnabled(len(slot.choices) > 1 and not slot.removed)
            row.swap.setToolTip(self.t("pairing.swap_tip", sku=slot.next_item.sku))
            row.remove.setText("↺" if slot.removed else "✕")
            row.remove.setToolTip(self.t("pairing.restore" if slot.removed else "pairing.remove"))
        if self._look_error:
            self.status.setText(self.t("pairing.items_failed", message=self._look_error))
        elif self.state.looks.get(product.sku) is None:
            self.status.setText(self.t("pairing.finding"))
        elif not slots:
            self.status.setText(self.t("pairing.no_items"))
        elif services.outfit_items(slots) is not None:
            self.status.setText(self.t("pairing.edited"))
        else:
            self.status.setText(self.t("pairing.suggested"))
        self._request_thumbnails()

    def _style_name(self, name: str, label: str = "") -> str:
        """A style preset's name in the UI language (a brand's own preset shows its label as written)."""
        key = f"pairing_style.{name}"
        return self.t(key) if key in STRINGS else (label or name)

    def _category(self, category: str) -> str:
        return self.state.tr.name("category", category)

    def _swap(self, index: int) -> None:
        slots = self.slots()
        if 0 <= index < len(slots):
            slots[index].swap()
            self._fill_outfit()

    def _remove(self, index: int) -> None:
        slots = self.slots()
        if 0 <= index < len(slots):
            slots[index].removed = not slots[index].removed
            self._fill_outfit()

    def _request_thumbnails(self) -> None:
        # One loader serves the flat-lay and the rows: a request replaces the last, so ask for them together.
        labels = [self.flatlay, *(r.thumb for r in self.rows if r.isVisibleTo(self))]
        self.loader.request([k for w in labels if (k := w.key()) is not None])

    # ---- generating ---------------------------------------------------------------------------------
    def options(self) -> PairingStepOptions:
        """What Generate sends: the settings shown and the outfit as edited (None: the suggested one)."""
        self._fill_styles()
        mode = str(self.mode_box.currentData() or "flatlay")
        return PairingStepOptions(
            style=str(self.style_box.currentData() or "casual"),
            looks=0 if mode == "flatlay" else self.looks_box.value(),
            seed=self.seed_box.value(),
            mode=mode,
            size=self.size_box.value() // 64 * 64,
            items=services.outfit_items(self.slots()),
        )

    def generate(self) -> Job | None:
        job = self.submit_step(self.options())
        if job is not None:
            self._job_changed(job.id)
        return job

    def _job_changed(self, job_id: int) -> None:
        job = self.last_job
        if job is None or job.id != job_id:
            return
        # Another product's job stays on its card in the Jobs dock; this tab shows the open product's.
        running = not job.state.finished and self.product is not None and job.request.product_id == self.product.id
        self.job_box.setVisible(running)
        self.generate_button.setEnabled(not running)
        self.cancel_button.setEnabled(running and not job.cancel_requested)
        self.progress.setRange(0, max(1, job.total))
        self.progress.setValue(min(job.step, max(1, job.total)))
        self.progress_text.setText(job.message)
        if job.preview is not None:
            pixmap = QPixmap.fromImage(job.preview).scaled(
                PREVIEW_EDGE,
                PREVIEW_EDGE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self.preview.setPixmap(pixmap)
        elif job.state is JobState.QUEUED:
            self.preview.clear()
        if job.state is JobState.FAILED:
            self.note.setText(job.error)
            self.note.setVisible(True)

    def _mode_changed(self) -> None:
        for box in (self.looks_box, self.size_box):  # a flat-lay alone has neither
            box.setEnabled(self.mode_box.currentData() != "flatlay")

    # ---- language -----------------------------------------------------------------------------------
    def _fill_styles(self) -> None:
        """Fill the style picker from the presets (read when first needed: it loads the pairing package)."""
        if self._styles_filled:
            return
        self._styles_filled = True
        current = self.style_box.currentData()
        self.style_box.blockSignals(True)
        self.style_box.clear()
        for name, label in services.pairing_styles():
            self.style_box.addItem(self._style_name(name, label), name)
        self.style_box.setCurrentIndex(max(0, self.style_box.findData(current or "casual")))
        self.style_box.blockSignals(False)

    def retranslate(self) -> None:
        self.outfit_title.setText(self.t("pairing.outfit"))
        for label, key in zip(self.pick_labels, ("style", "mode", "looks", "size", "seed"), strict=True):
            label.setText(self.t(f"pairing.{key}"))
        current = self.mode_box.currentData() or "flatlay"
        self.mode_box.blockSignals(True)
        self.mode_box.clear()
        for mode in MODES:
            self.mode_box.addItem(self.t(f"pairing.mode.{mode}"), mode)
        self.mode_box.setCurrentIndex(max(0, self.mode_box.findData(current)))
        self.mode_box.blockSignals(False)
        self._mode_changed()
        if self._styles_filled:
            self._styles_filled = False
            self._fill_styles()
        self.generate_button.setText(self.t("pairing.generate"))
        self.cancel_button.setText(self.t("jobs.cancel"))
        for button in (self.generate_button, self.cancel_button):  # wide enough for the label and the padding
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance(button.text()) + 40)
        self.gallery.set_labels(gallery_labels(self.state) | {"empty_hint": self.t("pairing.empty_hint")})
        self.reload()
        self._fill_outfit()
