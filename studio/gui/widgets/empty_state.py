"""Empty states: a page-sized one that says what is missing and what to do next, and the message an image
canvas (the try-on mask painter, the before/after slider) paints while it has nothing to show."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from studio.gui.theme import MUTED

MESSAGE_MARGIN = 12  # px between a canvas's edge and its message


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


def paint_empty_message(painter: QPainter, rect: QRect, message: str) -> None:
    """Paint `message` centred in `rect`, word-wrapped and muted: what a canvas widget shows with nothing to draw.

    Args:
        painter: the widget's painter (its pen is changed).
        rect: the widget's rectangle; the text keeps `MESSAGE_MARGIN` from its edges.
        message: the text, in the UI language ("" paints nothing).
    """
    painter.setPen(QColor(MUTED))
    inside = rect.adjusted(MESSAGE_MARGIN, MESSAGE_MARGIN, -MESSAGE_MARGIN, -MESSAGE_MARGIN)
    painter.drawText(inside, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, message)
