"""Batch & export: pick a recipe and platforms, run every product, watch per-product progress, export."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from studio.batch.executor import ExecutorChoice, ExecutorKind
from studio.batch.options import CopyStepOptions, StepOptionSet
from studio.gui import services
from studio.gui.pages import Page, PageSpec
from studio.gui.state import StudioState
from studio.gui.widgets.empty_state import EmptyState
from studio.jobs.requests import BatchRequest, ExportRequest

EXPORTS_FOLDER = "exports"  # inside the project folder


# The window's settings file keys for the "Run on" choice, remembered across starts.
RUN_ON_KEY = "batch/run_on"
RAY_ADDRESS_KEY = "batch/ray_address"


def ray_installed() -> bool:
    """Whether the `ray` package can be imported, found without importing it (the GUI never loads Ray)."""
    return importlib.util.find_spec("ray") is not None


def default_export_folder(project: Path) -> Path:
    """Where a project's export packages go unless the person picks another folder: `<project>/exports`."""
    return project / EXPORTS_FOLDER


_STATE_COLOURS = {
    "done": "#2e7d32",
    "failed": "#c62828",
    "running": "#3b6cf6",
    "unavailable": "#9ca3af",
    "skipped": "#6b7280",
    "pending": "#b45309",
}


class BatchPage(Page):
    """Runs the recipe over the open project on the worker; exports to an output folder."""

    title_key = "nav.batch"

    def __init__(self, state: StudioState) -> None:
        super().__init__(state)
        from studio.batch.recipe import Recipe, StepName

        self.steps = [s.value for s in StepName]
        self.batch_job = None
        self.export_job = None
        self.last_outcome = None
        top = QHBoxLayout()
        form_box = QFrame(objectName="panel")
        form = QFormLayout(form_box)
        form.setContentsMargins(16, 12, 16, 12)
        self.recipe = QComboBox()
        for r in Recipe:
            self.recipe.addItem(r.value, r.value)  # shown names are set by retranslate; data is the recipe
        self.recipe.setCurrentIndex(self.recipe.findData(Recipe.COPY.value))
        self.mode = QComboBox()
        self.mode.addItem("", "best")
        self.mode.addItem("", "review")
        for combo in (self.recipe, self.mode):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # Exports go to the open project's own folder unless the person picks another one.
        self.out_dir = QLineEdit()
        self.out_dir.setMinimumWidth(240)
        self.out_dir.textChanged.connect(self.out_dir.setToolTip)
        self.out_dir.setProperty("data", True)  # a path on the person's disk
        self._out_dir_chosen = False
        self.out_dir.textEdited.connect(lambda _t: setattr(self, "_out_dir_chosen", True))
        self.browse = QPushButton()
        self.browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_dir, 1)
        out_row.addWidget(self.browse)
        # The project remembers where its images will be served from; the export writes it into the listings.
        self.image_base_url = QLineEdit()
        self.image_base_url.setPlaceholderText("https://cdn.example.com/shop")
        self.image_base_url.setProperty("data", True)  # an address the person types
        self.image_base_url.editingFinished.connect(self._save_image_base_url)
        self.include_weak = QCheckBox()
        # Where the batch runs: this computer (default) or a Ray cluster; the address matters only for Ray.
        self.run_on = QComboBox()
        self.run_on.addItem("", ExecutorKind.LOCAL.value)
        self.run_on.addItem("", ExecutorKind.RAY.value)
        self.run_on.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._ray_installed = ray_installed()
        if not self._ray_installed:  # greyed out with the install command in its tooltip
            self.run_on.model().item(1).setEnabled(False)
        self.ray_address = QLineEdit()
        self.ray_address.setProperty("data", True)  # an address the person types
        self.ray_address.setVisible(False)
        self.run_on.currentIndexChanged.connect(self._run_on_changed)
        run_on_row = QHBoxLayout()
        run_on_row.addWidget(self.run_on)
        run_on_row.addWidget(self.ray_address, 1)
        self.recipe_label, self.mode_label, self.out_label = QLabel(), QLabel(), QLabel()
        self.image_base_url_label, self.run_on_label = QLabel(), QLabel()
        form.addRow(self.recipe_label, self.recipe)
        form.addRow(self.mode_label, self.mode)
        form.addRow("", self.include_weak)
        form.addRow(self.out_label, out_row)
        form.addRow(self.image_base_url_label, self.image_base_url)
        form.addRow(self.run_on_label, run_on_row)
        top.addWidget(form_box, 3)  # the output folder's path needs the room more than the platform list
        plat_box = QFrame(objectName="panel")
        pl = QVBoxLayout(plat_box)
        pl.setContentsMargins(16, 12, 16, 12)
        self.platforms_label = QLabel(objectName="sectionTitle")
        pl.addWidget(self.platforms_label)
        self.platforms = QListWidget()
        self.platforms.setFlow(QListWidget.Flow.LeftToRight)
        self.platforms.setWrapping(True)
        self.platforms.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.platforms.setSpacing(4)
        self.platforms.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.platforms.setMaximumHeight(80)
        for i, name in enumerate(services.export_platforms()):
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setCheckState(Qt.CheckState.Checked if i < 2 else Qt.CheckState.Unchecked)
            self.platforms.addItem(item)
        pl.addWidget(self.platforms)
        top.addWidget(plat_box, 2)
        self.layout_.addLayout(top)

        buttons = QHBoxLayout()
        self.summary = QLabel(objectName="muted")
        buttons.addWidget(self.summary, 1)
        self.run_button = QPushButton(objectName="primary")
        self.run_button.clicked.connect(self.run_batch)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.export)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self.open_output)
        for b in (self.run_button, self.export_button, self.open_button):
            buttons.addWidget(b)
        self.layout_.addLayout(buttons)

        self.stack = QStackedWidget()
        self.empty = EmptyState()
        self.empty.button.clicked.connect(lambda: state.navigate.emit("catalog"))
        self.table = QTableWidget(0, 2 + len(self.steps))
        self.table.setProperty("dataColumns", [0, 1])  # SKUs and product titles
        self.table.setWordWrap(False)  # long titles elide (whole in the tooltip) instead of wrapping mid-word
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.layout_.addWidget(self.stack, 1)
        # While a batch runs, the table is refreshed from the database a few times a second (not per event).
        self._poll = QTimer(self)
        self._poll.setInterval(400)
        self._poll.timeout.connect(self.reload)
        state.project_changed.connect(self._project_changed)
        state.runner.job_finished.connect(self._job_finished)
        self.retranslate()
        self._project_changed()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.t("batch.out_dir"), self.out_dir.text())
        if folder:
            self.out_dir.setText(folder)
            self._out_dir_chosen = True

    def _save_image_base_url(self) -> None:
        from studio.project.rows import ProjectError
        from studio.project.store import ProjectSetting

        store = self.state.store
        text = self.image_base_url.text().strip()
        if store is None or text == store.setting(ProjectSetting.IMAGE_BASE_URL):
            return
        try:
            store.set_setting(ProjectSetting.IMAGE_BASE_URL, text)
        except ProjectError as exc:
            self.image_base_url.setStyleSheet("border: 1px solid #dc2626;")
            self.summary.setText(str(exc))
            return
        self.image_base_url.setStyleSheet("")
        self.state.status_message.emit(self.t("batch.image_base_url_saved"))

    def _project_changed(self) -> None:
        store = self.state.store
        if store is not None and not self._out_dir_chosen:
            self.out_dir.setText(str(default_export_folder(store.folder)))
        if store is not None:
            from studio.project.store import ProjectSetting

            self.image_base_url.setText(store.setting(ProjectSetting.IMAGE_BASE_URL))
        self.reload()

    def _run_on_changed(self) -> None:
        self.ray_address.setVisible(self.run_on.currentData() == ExecutorKind.RAY.value)

    def save_choices(self, settings: QSettings) -> None:
        """Remember where batches run (and the Ray address) for the next start."""
        settings.setValue(RUN_ON_KEY, self.run_on.currentData())
        settings.setValue(RAY_ADDRESS_KEY, self.ray_address.text().strip())

    def restore_choices(self, settings: QSettings) -> None:
        """Pick where batches ran last time; Ray only where it is installed (a greyed choice would run nothing)."""
        address = settings.value(RAY_ADDRESS_KEY)
        if isinstance(address, str):
            self.ray_address.setText(address)
        kind = settings.value(RUN_ON_KEY)
        index = self.run_on.findData(kind) if isinstance(kind, str) else -1
        if index >= 0 and self.run_on.model().item(index).isEnabled():
            self.run_on.setCurrentIndex(index)

    def executor_choice(self) -> ExecutorChoice:
        """The executor picked on the page: this computer, or Ray at the typed address (empty: Ray started here)."""
        if self.run_on.currentData() != ExecutorKind.RAY.value:
            return ExecutorChoice()
        return ExecutorChoice(ExecutorKind.RAY, address=self.ray_address.text().strip() or None)

    def selected_platforms(self) -> tuple[str, ...]:
        items = (self.platforms.item(i) for i in range(self.platforms.count()))
        return tuple(i.data(Qt.ItemDataRole.UserRole) for i in items if i.checkState() == Qt.CheckState.Checked)

    def on_shown(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Per-product, per-step job states from the project database."""
        store = self.state.store
        products = store.products() if store is not None else []
        self.stack.setCurrentWidget(self.table if products else self.empty)
        states: dict[tuple[int, str], tuple[str, str]] = {}
        if store is not None:
            for j in store.jobs():
                states[(j.product_id, j.step)] = (j.state.value, j.message)
        self.table.setRowCount(len(products))
        for r, p in enumerate(products):
            self.table.setItem(r, 0, QTableWidgetItem(p.sku))
            title = QTableWidgetItem(p.title)
            title.setToolTip(p.title)
            self.table.setItem(r, 1, title)
            for c, step in enumerate(self.steps):
                value, message = states.get((p.id, step), ("", ""))
                item = QTableWidgetItem(("● " + self.state.tr.name("state", value)) if value else "·")
                item.setForeground(QColor(_STATE_COLOURS.get(value, "#c0c4cc")))
                if value == "unavailable":  # the same wording as the job's message, in the UI language
                    message = self.t("batch.step_unavailable", step=self.state.tr.name("step", step))
                item.setToolTip(message)
                self.table.setItem(r, 2 + c, item)
        if store is not None:
            counts = store.job_counts()
            self.summary.setText(
                "   ".join(
                    self.t("batch.summary_count", state=self.state.tr.name("state", k.value), n=v)
                    for k, v in counts.items()
                    if v
                )
            )

    def run_batch(self):
        """Run (or resume) the chosen recipe over every product, on the worker."""
        store = self.state.store
        if store is None:
            return None
        recipe = self.recipe.currentData()
        options = StepOptionSet.of(CopyStepOptions(platforms=self.selected_platforms()))
        request = BatchRequest(
            store.folder, recipe, options, product_count=store.count_products(), executor=self.executor_choice()
        )
        self.batch_job = self.state.runner.submit(request, on_done=self._batch_done)
        self._poll.start()
        return self.batch_job

    def _batch_done(self, result) -> None:
        self.reload()
        failed = self.t("batch.failed_count", n=len(result.failures)) if result.failures else ""
        seconds = f"{result.elapsed_s:.1f}"
        self.state.status_message.emit(self.t("batch.done_status", ran=result.ran, failed=failed, seconds=seconds))
        self.state.project_changed.emit()

    def export(self):
        """Write export packages for the chosen platforms into the output folder, on the worker."""
        store = self.state.store
        if store is None:
            return None
        out_dir = Path(self.out_dir.text()).expanduser().resolve()
        self._save_image_base_url()
        request = ExportRequest(
            store.folder,
            out_dir,
            self.selected_platforms(),
            self.mode.currentData(),
            include_weak=self.include_weak.isChecked(),
        )
        self.export_job = self.state.runner.submit(request, on_done=self._exported)
        return self.export_job

    def _exported(self, outcome) -> None:
        self.last_outcome = outcome
        text = self.t("batch.exported", state=self.state.tr.name("state", outcome.state), n=len(outcome.files)) + (
            f" — {outcome.message}" if outcome.message else ""
        )
        self.summary.setText(text)
        self.state.status_message.emit(text)

    def open_output(self) -> bool:
        folder = Path(self.out_dir.text()).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _job_finished(self, job_id: int) -> None:
        if self.batch_job is not None and job_id == self.batch_job.id:
            self._poll.stop()
            self.reload()

    def retranslate(self) -> None:
        super().retranslate()
        self.recipe_label.setText(self.t("batch.recipe"))
        self.mode_label.setText(self.t("batch.mode"))
        self.out_label.setText(self.t("batch.out_dir"))
        self.image_base_url_label.setText(self.t("batch.image_base_url"))
        self.image_base_url.setToolTip(self.t("batch.image_base_url_tip"))
        self.include_weak.setText(self.t("batch.include_weak"))
        self.include_weak.setToolTip(self.t("batch.include_weak_tip"))
        self.run_on_label.setText(self.t("batch.run_on"))
        self.run_on.setItemText(0, self.t("batch.run_on_local"))
        self.run_on.setItemText(1, self.t("batch.run_on_ray"))
        self.run_on.setToolTip(self.t("batch.run_on_tip"))
        ray_tip = "" if self._ray_installed else self.t("batch.ray_missing_tip")
        self.run_on.setItemData(1, ray_tip, Qt.ItemDataRole.ToolTipRole)
        self.ray_address.setPlaceholderText(self.t("batch.ray_address_placeholder"))
        self.ray_address.setToolTip(self.t("batch.ray_address_tip"))
        for i in range(self.recipe.count()):
            self.recipe.setItemText(i, self.state.tr.name("recipe", self.recipe.itemData(i)))
        for i in range(self.mode.count()):
            self.mode.setItemText(i, self.t(f"batch.mode_{self.mode.itemData(i)}"))
        for i in range(self.platforms.count()):
            item = self.platforms.item(i)
            item.setText(self.state.tr.name("platform", item.data(Qt.ItemDataRole.UserRole)))
        self.table.setHorizontalHeaderLabels(
            [self.t("col.sku"), self.t("col.title"), *(self.state.tr.name("step", s) for s in self.steps)]
        )
        self.platforms_label.setText(self.t("batch.platforms"))
        self.run_button.setText(self.t("batch.run"))
        self.export_button.setText(self.t("batch.export"))
        self.open_button.setText(self.t("batch.open_folder"))
        self.browse.setText(self.t("settings.browse"))
        self.empty.set_texts(self.t("batch.empty"), self.t("batch.empty_hint"), self.t("nav.catalog"))


PAGE = PageSpec("batch", "nav.batch", "⇪", BatchPage)
