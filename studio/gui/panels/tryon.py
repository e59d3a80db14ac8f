"""The Product page's Try-on tab: the product's garment drawn onto a person photo.

A person photo is picked from the product's own (the catalog's `person_images`), from photos earlier try-ons
used, or from a file, which is copied into the project's asset store first: a job never reads a user's path.
The mask editor (`tryon_mask.MaskEditor`) shows the automatic garment mask over the photo and lets a person
paint it. Generate runs the try-on step for the open product with `TryOnStepOptions`: a painted mask goes as a
PNG in the asset store (the step hands it to the pipeline as `vitrine tryon --mask` does), an untouched one as
nothing, so the pipeline finds it itself. Candidates show in the shared image gallery (score, fidelity flags,
PLACEHOLDER, Approve / Reject through undo); the one picked is compared with its photo on a before/after slider.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from studio.batch.recipe import StepName
from studio.batch.tryon_step import CANDIDATES, MAX_CANDIDATES, TryOnStepOptions
from studio.gui import services
from studio.gui.jobs import Job, JobState
from studio.gui.panels import ProductPanel
from studio.gui.panels.tryon_mask import MaskEditor, MaskKey
from studio.gui.state import StudioState
from studio.gui.widgets.before_after import BeforeAfterSlider
from studio.gui.widgets.image_gallery import ImageGallery, gallery_labels, review_through_undo
from studio.project.rows import CandidateKind, ImageRole
from studio.project.thumbnails import project_thumbnail_cache

GARMENT_TYPES = ("upper", "lower", "full")  # generators.person_layout.GarmentType values
GALLERY_EDGE = 180  # a card this wide fits Approve, Reject and Details side by side (the pairing tab's size)
COMPARE_SIDE = 1024  # the before/after images are read at most this large: for looking, not for judging
PREVIEW_EDGE = 96
PHOTO_FILTER = "*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp"


def read_image(path: Path, side: int = COMPARE_SIDE) -> QImage | None:
    """An image file upright (EXIF) and at most `side` pixels long; None when it cannot be read."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > side:
        size.scale(QSize(side, side), Qt.AspectRatioMode.KeepAspectRatio)
        reader.setScaledSize(size)
    image = reader.read()
    return None if image.isNull() else image


class TryOnPanel(ProductPanel):
    """Person photo, mask painting, garment type, N, seed, Generate; ranked try-ons and a before/after view."""

    tab_key = "tryon.tab"
    step = StepName.TRYON

    def __init__(self, state: StudioState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.picked: dict[int, list[tuple[str, str]]] = {}  # product id -> [(sha, file name)] added from files
        self.note = ""
        self.category_unknown = False
        self.compared_id: int | None = None  # the candidate on the before/after slider

        # -- what to make: labels above their boxes, as on the Copy tab, so the row fits at 1280 px
        pick = QGridLayout()
        pick.setHorizontalSpacing(10)
        pick.setVerticalSpacing(2)
        self.person = QComboBox()
        self.person.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.person.setMinimumContentsLength(14)
        self.person.currentIndexChanged.connect(lambda _i: self.refresh_mask())
        self.add_photo = QPushButton()
        self.add_photo.clicked.connect(self._choose_file)
        self.garment = QComboBox()
        self.garment.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.garment.currentIndexChanged.connect(lambda _i: self.refresh_mask())
        self.person_index = QSpinBox(minimum=0, maximum=9)
        self.person_index.valueChanged.connect(lambda _v: self.refresh_mask())
        self.count = QSpinBox(minimum=1, maximum=MAX_CANDIDATES, value=CANDIDATES)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=0)
        self.seed.setMaximumWidth(110)
        self.generate_button = QPushButton(objectName="primary")
        self.generate_button.clicked.connect(self.generate)
        self.cancel_button = QPushButton(enabled=False)
        self.cancel_button.clicked.connect(self.cancel)
        person_box = QHBoxLayout()
        person_box.setSpacing(4)
        person_box.addWidget(self.person)
        person_box.addWidget(self.add_photo)
        self.pick_labels = [QLabel(objectName="muted") for _ in range(5)]
        for i, label in enumerate(self.pick_labels):
            pick.addWidget(label, 0, i)
        pick.addLayout(person_box, 1, 0)
        for i, box in enumerate((self.garment, self.person_index, self.count, self.seed), start=1):
            pick.addWidget(box, 1, i)
        pick.setColumnStretch(5, 1)
        pick.addWidget(self.generate_button, 1, 6)
        self.layout_.addLayout(pick)

        body = QSplitter(Qt.Orientation.Horizontal)
        body.setChildrenCollapsible(False)
        self.mask_editor = MaskEditor(state)
        self.mask_editor.changed.connect(self._mask_changed)
        body.addWidget(self.mask_editor)
        # -- the picked try-on against its photo, and the running job's step preview
        middle = QWidget()
        ml = QVBoxLayout(middle)
        ml.setContentsMargins(0, 0, 0, 0)
        self.compare = BeforeAfterSlider()
        ml.addWidget(self.compare, 1)
        self.compare_info = QLabel(objectName="muted")
        self.compare_info.setProperty("data", True)
        ml.addWidget(self.compare_info)
        running = QHBoxLayout()
        self.preview = QLabel(visible=False)
        self.preview.setFixedSize(PREVIEW_EDGE, PREVIEW_EDGE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        running.addWidget(self.preview)
        self.job_note = QLabel(objectName="muted")
        self.job_note.setProperty("data", True)  # the job's own words (a skipped reason, warnings)
        self.job_note.setWordWrap(True)
        running.addWidget(self.job_note, 1)
        running.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        ml.addLayout(running)
        body.addWidget(middle)
        # -- ranked candidates
        self.gallery = ImageGallery(edge=GALLERY_EDGE, labels=gallery_labels(state))
        review_through_undo(self.gallery, state)
        self.gallery.selected.connect(self._candidate_clicked)
        # One column of cards and its scroll bar; a wider window gives the photo and the comparison the room.
        self.gallery.setFixedWidth(GALLERY_EDGE + 50)
        body.addWidget(self.gallery)
        body.setStretchFactor(0, 4)
        body.setStretchFactor(1, 3)
        body.setStretchFactor(2, 0)
        self.layout_.addWidget(body, 1)
        self.body = body

        state.runner.job_changed.connect(self._job_changed)
        state.runner.job_finished.connect(self._job_finished)
        self.retranslate()

    # ---- the product and its photos -----------------------------------------------------------------
    def show_product(self) -> None:
        self.mask_editor.forget()
        self._fill_garments(from_category=True)
        self._fill_people()
        self.reload()

    def _fill_people(self, select: str | None = None) -> None:
        """The person photos: the product's own, those earlier try-ons used, and files added."""
        store, product = self.state.store, self.product
        current = select or self.person.currentData()
        self.person.blockSignals(True)
        self.person.clear()
        if store is not None and product is not None:
            seen: set[str] = set()
            for n, image in enumerate(store.images(product.id, ImageRole.PERSON), start=1):
                self.person.addItem(self.t("tryon.catalog_photo", n=n), image.sha256)
                self.person.setItemData(n - 1, Path(image.source_path).name, Qt.ItemDataRole.ToolTipRole)
                seen.add(image.sha256)
            added = list(self.picked.get(product.id, []))
            for c in store.candidates(product.id, CandidateKind.TRYON):
                if (sha := str(c.params.get("person_sha") or "")) and store.assets.has(sha):
                    added.append((sha, ""))
            for sha, name in added:
                if sha not in seen:
                    seen.add(sha)
                    self.person.addItem(self.t("tryon.added_photo", name=name or sha[:8]), sha)
            index = self.person.findData(current) if current else -1
            self.person.setCurrentIndex(max(0, index))
        self.person.blockSignals(False)
        self.refresh_mask()

    def _fill_garments(self, *, from_category: bool) -> None:
        """Upper / lower / full in the UI language; the product's category chooses when `from_category`."""
        from generators.person_layout import UnknownGarmentTypeError, garment_type_for

        current = self.garment.currentData()
        if from_category and self.product is not None:
            current, self.category_unknown = "upper", False
            try:
                current = garment_type_for(self.product.category).value
            except UnknownGarmentTypeError:
                self.category_unknown = True  # upper is shown, and the status line asks to choose
        self.garment.blockSignals(True)
        self.garment.clear()
        for value in GARMENT_TYPES:
            self.garment.addItem(self.t(f"tryon.garment_{value}"), value)
        self.garment.setCurrentIndex(max(0, self.garment.findData(current)))
        self.garment.blockSignals(False)

    def add_person_file(self, path: Path) -> str | None:
        """Copy a person photo into the project's assets and pick it; None (and why, shown) when unreadable."""
        from PIL import Image, UnidentifiedImageError

        store, product = self.state.store, self.product
        if store is None or product is None:
            return None
        path = Path(path)
        try:
            with Image.open(path) as image:
                image.verify()  # the mask thread decodes it; here it is only checked to be an image
        except (OSError, UnidentifiedImageError, SyntaxError):
            self._set_note(self.t("tryon.not_an_image", name=path.name))
            return None
        sha = store.assets.put_file(path)  # the job reads the project's copy, never the user's file
        self.picked.setdefault(product.id, []).append((sha, path.name))
        self._fill_people(select=sha)
        return sha

    def _choose_file(self) -> None:
        caption, kinds = self.t("tryon.add_photo"), f"{self.t('tryon.photo_filter')} ({PHOTO_FILTER})"
        path, _ = QFileDialog.getOpenFileName(self, caption, "", kinds)
        if path:
            self.add_person_file(Path(path))

    # ---- the mask -----------------------------------------------------------------------------------
    def mask_key(self) -> MaskKey | None:
        sha = self.person.currentData()
        return None if not sha else (str(sha), str(self.garment.currentData() or "upper"), self.person_index.value())

    def refresh_mask(self) -> None:
        """Show the picked photo's mask; the automatic one is found only while the tab is on screen."""
        store, key = self.state.store, self.mask_key()
        source = None
        if store is not None and key is not None and store.assets.has(key[0]):
            source = (store.assets.path_for(key[0]), self.person.currentText())
        self.mask_editor.hint = self.t("tryon.category_unknown") if self.category_unknown else ""
        self.mask_editor.show_key(key if source else None, source, compute=self.isVisible())

    def on_shown(self) -> None:
        self.refresh_mask()

    def _mask_changed(self) -> None:
        # Which person matters only on a photo with several: elsewhere the box would only take room.
        several = self.mask_editor.people() > 1 or self.person_index.value() > 0
        for widget in (self.person_index, self.pick_labels[2]):
            widget.setVisible(several)

    # ---- generating ---------------------------------------------------------------------------------
    def options(self) -> TryOnStepOptions | None:
        """The step's options from the form; a painted mask is stored in the project's assets first."""
        store, key = self.state.store, self.mask_key()
        if store is None or key is None:
            return None
        painted = self.mask_editor.painted_png() if self.mask_editor.key == key else None
        return TryOnStepOptions(
            person_sha=key[0],
            person_index=key[2],
            mask_sha=store.assets.put_bytes(painted, ".png") if painted is not None else "",
            garment_type=key[1],
            n=self.count.value(),
            seed=self.seed.value(),
        )

    def generate(self) -> Job | None:
        """Try the garment on with the form's options (on the worker); previews and progress show here."""
        options = self.options()
        job = self.submit_step(options) if options is not None else None
        if job is not None:
            self.cancel_button.setEnabled(True)
            self._set_note(self.t("tryon.queued"))
        return job

    def _job_changed(self, job_id: int) -> None:
        job = self.last_job
        if job is None or job.id != job_id or job.state.finished:
            return
        if job.preview is not None:
            pixmap = QPixmap.fromImage(job.preview)
            self.preview.setPixmap(
                pixmap.scaled(
                    PREVIEW_EDGE,
                    PREVIEW_EDGE,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self.preview.setVisible(True)
        if job.state is JobState.RUNNING:
            self._set_note(f"{job.step}/{job.total} · {job.message}" if job.total else job.message)

    def _job_finished(self, job_id: int) -> None:
        job = self.last_job
        if job is None or job.id != job_id:
            return
        self.preview.setVisible(False)
        self.cancel_button.setEnabled(False)
        if job.state is JobState.FAILED:
            self._set_note(job.error)
        elif job.state is JobState.CANCELLED:
            self._set_note(self.t("job.cancelled"))

    def _set_note(self, text: str) -> None:
        self.note = text
        self.job_note.setText(text)

    # ---- candidates ---------------------------------------------------------------------------------
    def reload(self) -> None:
        store, product = self.state.store, self.product
        if store is None or product is None:
            self.gallery.set_candidates([])
            return
        views = services.image_candidate_views(store, product.id, CandidateKind.TRYON)
        self.gallery.set_candidates(views, disk_cache=project_thumbnail_cache(store.folder))
        if self.last_job is None or self.last_job.state is JobState.DONE:
            self._set_note(services.job_note(store, product.id, StepName.TRYON))
        if self.gallery.cards and not self.gallery.visible_cards():
            self.gallery.show_hidden.setChecked(True)  # the guard hid them all: show them, each with its reason
        shown = self.gallery.visible_cards()
        self.show_candidate(shown[0].view.id if shown else None)

    def _candidate_clicked(self, candidate_id: int) -> None:
        self.show_candidate(int(candidate_id))
        self.show_details(int(candidate_id))  # its provenance beside the tabs

    def show_candidate(self, candidate_id: int | None) -> None:
        """Compare a try-on with the photo it was drawn on (None: nothing to compare)."""
        store = self.state.store
        if store is None or candidate_id is None:
            self.compared_id = None
            self.compare.set_images(None, None)
            self.compare_info.setText("")
            return
        c = store.candidate(int(candidate_id))
        person = str(c.params.get("person_sha") or "")
        before = read_image(store.assets.path_for(person)) if person and store.assets.has(person) else None
        after = read_image(store.assets.path_for(c.file_sha)) if c.file_sha else None
        self.compared_id = c.id
        self.compare.set_images(before, after)
        fidelity = c.scores.get("fidelity")
        self.compare_info.setText(
            self.t(
                "tryon.compare_info",
                seed=c.params.get("seed", "–"),
                fidelity="–" if fidelity is None else round(100 * float(fidelity)),
                delta_e=c.scores.get("delta_e", "–"),
            )
        )

    def retranslate(self) -> None:
        for label, key in zip(self.pick_labels, ("person", "garment", "person_index", "count", "seed"), strict=True):
            label.setText(self.t(f"tryon.{key}"))
        self.add_photo.setText(self.t("tryon.add_photo"))
        self.person_index.setToolTip(self.t("tryon.person_index_tip"))
        self.generate_button.setText(self.t("tryon.generate"))
        self.cancel_button.setText(self.t("jobs.cancel"))
        self.compare.set_labels(self.t("tryon.before"), self.t("tryon.after"), self.t("tryon.compare_empty"))
        self.gallery.set_labels(gallery_labels(self.state))
        self.preview.setToolTip(self.t("tryon.preview"))
        self.mask_editor.retranslate()
        if self.product is not None:
            self._fill_garments(from_category=False)
            self._fill_people()
