"""An empty state that says what is missing and what to do next."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    """A centred title, a hint, and an optional action button."""

    def __init__(self, title: str = "", hint: str = "", action: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.icon = QLabel("◇")
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.icon.setStyleSheet("font-size: 30pt; color: #b8bfcc;")
        self.title = QLabel(title, objectName="emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(hint, objectName="emptyHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.button = QPushButton(action, objectName="primary")
        self.button.setVisible(bool(action))
        for w in (self.icon, self.title, self.hint):
            layout.addWidget(w)
        layout.addSpacing(8)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(2)

    def set_texts(self, title: str, hint: str, action: str | None = None) -> None:
        self.title.setText(title)
        self.hint.setText(hint)
        if action is not None:
            self.button.setText(action)
            self.button.setVisible(bool(action))
