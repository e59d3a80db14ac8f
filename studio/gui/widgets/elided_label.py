"""A one-line label that elides its text to the room it gets, with the whole text in its tooltip."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """A QLabel that never asks for more than `min_chars` characters of width and elides the rest.

    Plain QLabels ask for their whole text as minimum width, which pushes a card or a row wider than its
    window; this one shrinks with the layout and shows "…" instead.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, *, min_chars: int = 6, **kwargs) -> None:
        super().__init__(text, parent, **kwargs)
        self._min_chars = min_chars
        # Preferred: as wide as its text when there is room, down to minimumSizeHint when there is not.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setToolTip(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        width = self.fontMetrics().horizontalAdvance("M" * self._min_chars)
        return QSize(min(hint.width(), width), hint.height())

    def elided(self) -> bool:
        """True when the label is too narrow for its whole text."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)
