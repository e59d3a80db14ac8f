"""The jobs dock: queued and running jobs with progress bars, step previews, cancel and error details.

Each card is titled by its request's label ("Copy · VT-TEE-RED · Xiaohongshu zh") in the UI language and
counts one unit (see `studio.jobs.worker.CardProgress`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.gui.i18n import STRINGS, Language, Translator
from studio.gui.jobs import Job, JobRunner, JobState
from studio.jobs.requests import JobLabel, Named

LIST_SEPARATOR = {Language.EN: ", ", Language.ZH: "、"}
_STATE_COLOURS = {JobState.DONE: "#2e7d32", JobState.FAILED: "#c62828", JobState.CANCELLED: "#6b7280"}


def label_text(label: JobLabel, tr: Translator) -> str:
    """A job's label in the UI language: the request's English line, or the table's template with stored
    values (platforms, recipe, language…) shown by their translated names."""
    if tr.language is Language.EN or label.key not in STRINGS:
        return label.text
    values = {name: _shown(value, tr) for name, value in label.params}
    return tr.t(label.key, **values).strip()


def _shown(value: str | Named, tr: Translator) -> str:
    if not isinstance(value, Named):
        return value
    return LIST_SEPARATOR[tr.language].join(tr.name(value.group, key) for key in value.keys)


class JobRow(QFrame):
    """One job: title, state, progress bar, message, preview thumbnail, cancel / details."""

    def __init__(self, job: Job, runner: JobRunner, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="card")
        self.job_id, self._runner, self._tr = job.id, runner, tr
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.preview = QLabel()
        self.preview.setFixedSize(48, 48)
        self.preview.setVisible(False)
        layout.addWidget(self.preview)
        body = QVBoxLayout()
        top = QHBoxLayout()
        self.title = QLabel(label_text(job.label, tr), objectName="sectionTitle")
        self.title.setWordWrap(True)
        self.state = QLabel(objectName="muted")
        top.addWidget(self.title, 1)
        top.addWidget(self.state)
        body.addLayout(top)
        self.bar = QProgressBar()
        self.bar.setFixedHeight(8)
        self.bar.setRange(0, 1000)
        body.addWidget(self.bar)
        self.message = QLabel(objectName="muted")
        self.message.setWordWrap(True)
        self.message.setMinimumWidth(120)
        body.addWidget(self.message)
        layout.addLayout(body, 1)
        self.cancel_button = QPushButton(tr.t("jobs.cancel"))
        self.cancel_button.clicked.connect(lambda: runner.cancel(self.job_id))
        self.details_button = QPushButton(tr.t("jobs.details"))
        self.details_button.clicked.connect(self.show_details)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.details_button)
        body.addLayout(actions)
        self.refresh(job)

    def refresh(self, job: Job) -> None:
        self.title.setText(label_text(job.label, self._tr))
        self.state.setText(self._tr.t(f"job.{job.state.value}"))
        self.state.setStyleSheet(f"color: {_STATE_COLOURS.get(job.state, '#3b6cf6')}; font-weight: 600;")
        if job.state is JobState.RUNNING and job.total <= 0:
            self.bar.setRange(0, 0)  # busy indicator until the first step arrives
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(job.fraction * 1000))
        step = f"{job.step}/{job.total}  " if job.total else ""
        self.message.setText((step + (job.error or job.message)).strip())
        if job.preview is not None:
            self.preview.setPixmap(
                QPixmap.fromImage(job.preview).scaled(
                    48, 48, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
            self.preview.setVisible(True)
        self.cancel_button.setVisible(not job.state.finished)
        self.details_button.setVisible(job.state is JobState.FAILED)

    def show_details(self) -> None:
        job = self._runner.job(self.job_id)
        if job is None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, label_text(job.label, self._tr), job.error, parent=self)
        box.setDetailedText(job.error_details)
        box.open()


class JobsDock(QDockWidget):
    """Dock listing every job of this session, newest first."""

    def __init__(self, runner: JobRunner, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(tr.t("jobs.title"), parent)
        self.setObjectName("jobsDock")
        self._runner, self._tr = runner, tr
        self.rows: dict[int, JobRow] = {}
        container = QWidget()
        outer = QVBoxLayout(container)
        outer.setContentsMargins(8, 8, 8, 8)
        head = QHBoxLayout()
        head.addStretch(1)
        self.clear_button = QPushButton(tr.t("jobs.clear"))
        self.clear_button.clicked.connect(self.clear_finished)
        head.addWidget(self.clear_button)
        outer.addLayout(head)
        self.empty = QLabel(tr.t("jobs.empty"), objectName="hint")
        self.empty.setWordWrap(True)
        outer.addWidget(self.empty)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self._list = QVBoxLayout(inner)
        self._list.setContentsMargins(0, 0, 0, 0)
        self._list.addStretch(1)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        self.setWidget(container)
        runner.job_added.connect(self._on_added)
        runner.job_changed.connect(self._on_changed)
        tr.subscribe(lambda _lang: self.retranslate())

    def _on_added(self, job_id: int) -> None:
        job = self._runner.job(job_id)
        if job is None:
            return
        row = JobRow(job, self._runner, self._tr)
        self.rows[job_id] = row
        self._list.insertWidget(0, row)
        self.empty.setVisible(False)

    def _on_changed(self, job_id: int) -> None:
        job, row = self._runner.job(job_id), self.rows.get(job_id)
        if job is not None and row is not None:
            row.refresh(job)

    def clear_finished(self) -> None:
        for job_id in self._runner.clear_finished():
            row = self.rows.pop(job_id, None)
            if row is not None:
                row.deleteLater()
        self.empty.setVisible(not self.rows)

    def retranslate(self) -> None:
        self.setWindowTitle(self._tr.t("jobs.title"))
        self.empty.setText(self._tr.t("jobs.empty"))
        self.clear_button.setText(self._tr.t("jobs.clear"))
        for job_id, row in self.rows.items():
            row.cancel_button.setText(self._tr.t("jobs.cancel"))
            row.details_button.setText(self._tr.t("jobs.details"))
            if (job := self._runner.job(job_id)) is not None:
                row.refresh(job)
