"""Models page: the role table (model, real / placeholder, size, status) with refresh, load-test and pull."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from studio.gui.pages import Page, PageSpec
from studio.gui.state import StudioState
from studio.jobs.requests import ModelStatusRequest, PullModelRequest

PROFILES = ("auto", "tiny", "perf", "packaged", "standard")
_SOURCE_COLOURS = {"real": "#2e7d32", "packaged": "#1565c0", "placeholder": "#b45309", "missing": "#c62828"}
COLUMNS = ("models.role", "models.model", "models.source", "models.size", "models.status")


def _status_text(row, t) -> str:
    if row.error:
        return row.error
    if row.loaded:
        return t("models.loaded", load=f"{row.load_s:.2f}", forward=f"{row.forward_s:.2f}", detail=row.detail)
    return t("models.on_disk") if row.folder else t("models.missing")


class ModelsPage(Page):
    """Shows every role's resolved model; loading and pulling run as jobs."""

    title_key = "nav.models"

    def __init__(self, state: StudioState) -> None:
        super().__init__(state)
        self.rows: list = []
        self._loaded_once = False
        self.hint = QLabel(self.t("models.hint"), objectName="hint")
        self.hint.setWordWrap(True)
        self.layout_.addWidget(self.hint)
        bar = QHBoxLayout()
        self.profile = QComboBox()
        for name in PROFILES:
            self.profile.addItem(name, name)  # shown names are set by retranslate
        self.profile.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        from generators.runtime.settings import get_settings

        self.profile.setCurrentIndex(max(0, self.profile.findData(get_settings().profile)))
        self.refresh_button = QPushButton(self.t("models.refresh"))
        self.refresh_button.clicked.connect(lambda: self.refresh(load=False))
        self.load_button = QPushButton()
        self.load_button.clicked.connect(lambda: self.refresh(load=True))
        self.pull_button = QPushButton(self.t("models.pull"), objectName="primary")
        self.pull_button.clicked.connect(self.pull_selected)
        self.profile_label = QLabel()
        for w in (self.profile_label, self.profile, self.refresh_button, self.load_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.pull_button)
        self.layout_.addLayout(bar)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setProperty("dataColumns", [1, 4])  # model ids; load errors come from the libraries
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for stretch in (1, 4):  # long model ids and messages elide; the full text is in the tooltip
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.layout_.addWidget(self.table, 1)
        self._fill_known_roles()
        self.retranslate()

    def _fill_known_roles(self) -> None:
        # Role names are known without touching any model: the table is never empty, even before a refresh.
        from generators.runtime.roles import Role

        self.table.setRowCount(len(Role))
        for i, role in enumerate(Role):
            self.table.setItem(i, 0, self._role_item(role.value))
            for col in range(1, len(COLUMNS)):
                self.table.setItem(i, col, QTableWidgetItem("…"))

    def on_shown(self) -> None:
        if not self._loaded_once:
            self._loaded_once = True
            self.refresh(load=False)

    def refresh(self, load: bool = False):
        """Resolve every role (and with `load`, load it and run one forward pass) on the worker."""
        profile = self.profile.currentData() or self.profile.currentText()
        return self.state.runner.submit(ModelStatusRequest(profile, load), on_done=self.set_rows)

    def set_rows(self, rows: list) -> None:
        self.rows = list(rows)
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            size = f"{row.size_mb:,.1f} MB" if row.size_mb is not None else "–"
            source = QTableWidgetItem(("⚠ " if row.placeholder else "") + self.state.tr.name("source", row.source))
            source.setForeground(QColor(_SOURCE_COLOURS.get(row.source, "#1f2430")))
            if row.placeholder:
                source.setToolTip(self.t("models.placeholder_tip"))
            status = _status_text(row, self.t)
            cells = [
                self._role_item(row.role),
                QTableWidgetItem(f"{row.model_id}  [{row.profile}]"),
                source,
                QTableWidgetItem(size),
                QTableWidgetItem(status),
            ]
            cells[3].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            cells[1].setToolTip(row.model_id)
            cells[4].setToolTip("\n".join(x for x in (status, row.folder or "") if x))
            for col, cell in enumerate(cells):
                self.table.setItem(i, col, cell)

    def pull_selected(self) -> None:
        """Download the standard weights of the selected roles (needs a network), each as one job."""
        roles = sorted(
            {
                self.table.item(i.row(), 0).data(Qt.ItemDataRole.UserRole)
                for i in self.table.selectionModel().selectedRows()
            }
        )
        for role in roles:
            self.state.runner.submit(PullModelRequest(role), on_done=lambda _r: self.refresh(load=False))

    def retranslate(self) -> None:
        super().retranslate()
        self.hint.setText(self.t("models.hint"))
        self.refresh_button.setText(self.t("models.refresh"))
        self.pull_button.setText(self.t("models.pull"))
        self.load_button.setText(self.t("models.load").replace("&", "&&"))
        self.profile_label.setText(self.t("models.profile"))
        self.table.setHorizontalHeaderLabels([self.t(k) for k in COLUMNS])
        for i in range(self.profile.count()):
            self.profile.setItemText(i, self.state.tr.name("profile", self.profile.itemData(i)))
        if self.rows:
            self.set_rows(self.rows)
        else:
            self._fill_known_roles()

    def _role_item(self, role: str) -> QTableWidgetItem:
        """A role cell: its name in the UI language, the role key as data (what a pull job needs)."""
        item = QTableWidgetItem(self.state.tr.name("role", role))
        item.setData(Qt.ItemDataRole.UserRole, role)
        return item


PAGE = PageSpec("models", "nav.models", "◈", ModelsPage)
