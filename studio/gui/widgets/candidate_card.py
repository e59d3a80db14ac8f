"""A ranked candidate: rank, CLIPScore badge, PLACEHOLDER badge, grounding flags, inline edit, approve."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from studio.gui.services import CandidateView
from studio.gui.widgets.badges import PlaceholderBadge, ScoreBadge, flag_badges, show_review_state
from studio.gui.widgets.elided_label import ElidedLabel


class CandidateCard(QFrame):
    """One candidate. Emits `edited(id, old, new)`, `approve_toggled(id, bool)` and `selected(id)`."""

    edited = Signal(object, str, str)
    approve_toggled = Signal(object, bool)
    selected = Signal(object)

    def __init__(self, view: CandidateView, labels: dict[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent, objectName="card")
        self.view = view
        self._labels = labels or {}
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 12)
        outer.setSpacing(6)

        head = QHBoxLayout()
        self.rank_label = QLabel(f"#{view.rank}" if view.rank else "", objectName="rankBadge")
        head.addWidget(self.rank_label)
        if view.title:
            # "amazon · professional · en" can be wider than a narrow card: elided, whole in the tooltip.
            self.title_label = ElidedLabel(view.title, objectName="muted")
            head.addWidget(self.title_label)
        tips = (self._labels["score_tip"], self._labels["no_score_tip"]) if "score_tip" in self._labels else None
        self.score_badge = ScoreBadge(view.score, tips=tips)
        head.addWidget(self.score_badge)
        self.placeholder_badge = PlaceholderBadge(
            self._labels.get("placeholder", "PLACEHOLDER"), self._labels.get("placeholder_tip", "")
        )
        self.placeholder_badge.setVisible(view.placeholder)
        head.addWidget(self.placeholder_badge)
        # Rejected by its pipeline (or a person): shown, with the reason below, and it can be kept anyway.
        self.rejected_badge = QLabel(self._labels.get("rejected", "REJECTED"), objectName="rejectedBadge")
        self.rejected_badge.setStyleSheet(
            "background:#5f6368;color:white;border-radius:4px;padding:1px 6px;font-weight:600;font-size:8.5pt;"
        )
        self.rejected_badge.setVisible(view.rejected)
        head.addWidget(self.rejected_badge)
        head.addStretch(1)
        outer.addLayout(head)
        # Flags get their own row: beside the rank and badges they made narrow cards wider than the list.
        self.flag_badges = flag_badges(list(view.flags))
        if self.flag_badges:
            flags_row = QHBoxLayout()
            for badge in self.flag_badges:
                badge.setProperty("data", True)
                flags_row.addWidget(badge)
            flags_row.addStretch(1)
            outer.addLayout(flags_row)

        # What a model wrote, its ranker's note and its grounding flags are shown as written (any language).
        self.text_label = QLabel(view.text)
        self.text_label.setProperty("data", True)
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_label.setStyleSheet("font-size: 10.5pt;")
        outer.addWidget(self.text_label)
        self.note_label = QLabel(view.note, objectName="muted")
        self.note_label.setProperty("data", True)
        self.note_label.setWordWrap(True)
        self.note_label.setVisible(bool(view.note))
        outer.addWidget(self.note_label)
        self.editing = False
        self.editor = QPlainTextEdit(view.text)
        self.editor.setVisible(False)
        self.editor.setFixedHeight(96)
        outer.addWidget(self.editor)
        QShortcut(QKeySequence("Ctrl+Return"), self.editor, activated=self.commit_edit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.editor, activated=self.cancel_edit)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.edit_button = QPushButton(self._labels.get("edit", "Edit"))
        self.edit_button.clicked.connect(self._toggle_edit)
        self.details_button = QPushButton(self._labels.get("details", "Details"))
        self.details_button.clicked.connect(lambda: self.selected.emit(self.view.id))
        self.approve_button = QPushButton()
        self.approve_button.setCheckable(True)
        self.approve_button.clicked.connect(lambda checked: self.approve_toggled.emit(self.view.id, checked))
        for b in (self.edit_button, self.details_button, self.approve_button):
            buttons.addWidget(b)
        outer.addLayout(buttons)
        self.set_approved(view.approved)

    # ---- editing ----------------------------------------------------------------------------------
    def begin_edit(self) -> None:
        self.editor.setPlainText(self.view.text)
        self.editing = True
        self.editor.setVisible(True)
        self.text_label.setVisible(False)
        self.edit_button.setText(self._labels.get("save", "Save"))
        self.editor.setFocus()

    def commit_edit(self) -> None:
        if not self.editing:
            return
        new, old = self.editor.toPlainText().strip(), self.view.text
        self._end_edit()
        if new and new != old:
            self.edited.emit(self.view.id, old, new)

    def cancel_edit(self) -> None:
        self._end_edit()

    def _end_edit(self) -> None:
        self.editing = False
        self.editor.setVisible(False)
        self.text_label.setVisible(True)
        self.edit_button.setText(self._labels.get("edit", "Edit"))

    def _toggle_edit(self) -> None:
        if self.editing:
            self.commit_edit()
        else:
            self.begin_edit()

    # ---- state set by the page (also by undo/redo) -------------------------------------------------
    def set_text(self, text: str) -> None:
        self.view.text = text
        self.text_label.setText(text)
        if self.editing:
            self.editor.setPlainText(text)

    def set_approved(self, approved: bool) -> None:
        self.view.approved = approved
        show_review_state(
            self, self.approve_button, self.rejected_badge, self._labels, approved=approved, rejected=self.view.rejected
        )

    def mousePressEvent(self, event) -> None:
        self.selected.emit(self.view.id)
        super().mousePressEvent(event)
