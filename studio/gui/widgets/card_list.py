"""A vertical, non-scrolling-sideways list of candidate cards with an empty state."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from studio.gui.widgets.candidate_card import CandidateCard
from studio.gui.widgets.empty_state import EmptyState


class CardList(QScrollArea):
    """Candidate cards, best first; the empty state shows when there are none."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # cards wrap to the width
        inner = QWidget()
        self._layout = QVBoxLayout(inner)
        self._layout.setContentsMargins(0, 4, 8, 4)
        self._layout.setSpacing(10)
        self.empty = EmptyState()
        self._layout.addWidget(self.empty)
        self._layout.addStretch(1)
        self.setWidget(inner)
        self.cards: list[CandidateCard] = []

    def set_cards(self, cards: list[CandidateCard]) -> None:
        for card in self.cards:
            card.hide()  # out of sight (and out of the layout's sums) now, deleted when the loop is back
            card.deleteLater()
        self.cards = cards
        for i, card in enumerate(cards):
            self._layout.insertWidget(1 + i, card)
        self.empty.setVisible(not cards)

    def card(self, candidate_id: int) -> CandidateCard | None:
        return next((c for c in self.cards if c.view.id == candidate_id), None)
