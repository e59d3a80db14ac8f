"""A ranked gallery of image candidates (pairing looks, try-on images, video posters) with review buttons.

Usage from a panel::

    self.gallery = ImageGallery()
    review_through_undo(self.gallery, state)      # Approve / Reject go through the undo stack to the store
    self.gallery.selected.connect(show_details)   # Details: the candidate's provenance
    self.gallery.set_candidates(services.image_candidate_views(store, pid, CandidateKind.PAIRING),
                                disk_cache=project_thumbnail_cache(store.folder))

Each card shows the image (decoded on a worker thread by one shared `ThumbnailLoader`), its rank, a 0-100
score badge, a PLACEHOLDER badge when a random-weight model made it, its flags (e.g. colour drift), its caption
and, for a candidate its pipeline rejected, the reason. Candidates that were rejected when the gallery was
filled (weak looks, near-duplicates, ones a person rejected) sit behind the "Show hidden" toggle: they are
never deleted, and can be shown and kept anyway.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from studio.gui import services
from studio.gui.services import ImageCandidateView
from studio.gui.state import StudioState
from studio.gui.undo import SetValueCommand
from studio.gui.widgets.badges import PlaceholderBadge, flag_badges, show_review_state
from studio.gui.widgets.elided_label import ElidedLabel
from studio.gui.widgets.empty_state import EmptyState
from studio.gui.widgets.thumbnail_loader import ThumbnailLoader
from studio.gui.widgets.thumbnail_tiles import ThumbnailLabel
from studio.project.thumbnails import ThumbnailDiskCache

#: The words a gallery shows, in English; pass `labels` (same keys) in the UI language.
GALLERY_LABELS = {
    "score": "Score",
    "score_tip": "Ranking score (0–100): prompt match (CLIPScore), product fidelity and variety",
    "no_score_tip": "Not scored",
    "placeholder": "PLACEHOLDER",
    "placeholder_tip": "Made by a placeholder model with random weights: not real output.",
    "approve": "Approve",
    "approved": "Approved",
    "keep_anyway": "Keep anyway",
    "reject": "Reject",
    "rejected": "REJECTED",
    "details": "Details",
    "show_hidden": "Show hidden ({n})",
    "empty": "No images yet",
    "empty_hint": "Generate to see ranked candidates here.",
}


def score_100(view: ImageCandidateView) -> int | None:
    """The number on a card's badge: the ranking score (0..1) as 0-100, else the CLIPScore's display value."""
    from studio.gui.widgets.badges import clip_score_100

    if view.total is not None:
        return int(round(max(0.0, min(1.0, view.total)) * 100))
    return clip_score_100(view.score)


class ImageCard(QFrame):
    """One image candidate. Emits `approve_toggled(id, bool)`, `reject_toggled(id, bool)` and `selected(id)`."""

    approve_toggled = Signal(object, bool)
    reject_toggled = Signal(object, bool)
    selected = Signal(object)

    def __init__(
        self,
        view: ImageCandidateView,
        loader: ThumbnailLoader,
        edge: int,
        labels: dict[str, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, objectName="card")
        self.view = view
        self._labels = labels
        self.setFixedWidth(edge + 20)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 10)
        outer.setSpacing(5)

        head = QHBoxLayout()
        head.setSpacing(6)
        self.rank_label = QLabel(f"#{view.rank}" if view.rank else "", objectName="rankBadge")
        head.addWidget(self.rank_label)
        value = score_100(view)
        self.score_badge = QLabel(f"{labels['score']} {'–' if value is None else value}", objectName="scoreBadge")
        self.score_badge.setToolTip(labels["no_score_tip"] if value is None else labels["score_tip"])
        if value is None:
            self.score_badge.setStyleSheet("background: #9ca3af;")
        self.score_value = value
        head.addWidget(self.score_badge)
        head.addStretch(1)
        self.details_button = QPushButton("ⓘ", objectName="flat")
        self.details_button.setToolTip(labels["details"])
        self.details_button.clicked.connect(lambda: self.selected.emit(self.view.id))
        head.addWidget(self.details_button)
        outer.addLayout(head)
        # PLACEHOLDER gets its own row: beside the rank and score it was cut off on a card.
        marks = QHBoxLayout()
        marks.setSpacing(6)
        self.placeholder_badge = PlaceholderBadge(labels["placeholder"], labels["placeholder_tip"])
        self.placeholder_badge.setVisible(view.placeholder)
        marks.addWidget(self.placeholder_badge)
        marks.addStretch(1)
        outer.addLayout(marks)

        self.image = ThumbnailLabel(edge, loader=loader)
        self.image.set_path(view.image or None)
        self.image.setCursor(Qt.CursorShape.PointingHandCursor)
        outer.addWidget(self.image, 0, Qt.AlignmentFlag.AlignHCenter)

        self.flag_badges = flag_badges(list(view.flags))
        for badge in self.flag_badges:
            badge.setProperty("data", True)  # flags are the pipeline's words
            outer.addWidget(badge, 0, Qt.AlignmentFlag.AlignLeft)
        self.caption = ElidedLabel(view.title or view.text, objectName="muted")
        self.caption.setProperty("data", True)
        outer.addWidget(self.caption)
        # REJECTED sits with its reason, under the image: beside PLACEHOLDER it did not fit a card's width.
        self.rejected_badge = QLabel(labels["rejected"], objectName="rejectedBadge")
        self.rejected_badge.setStyleSheet(
            "background:#5f6368;color:white;border-radius:4px;padding:1px 6px;font-weight:600;font-size:8.5pt;"
        )
        outer.addWidget(self.rejected_badge, 0, Qt.AlignmentFlag.AlignLeft)
        self.note_label = QLabel(view.note, objectName="muted")
        self.note_label.setProperty("data", True)
        self.note_label.setWordWrap(True)
        self.note_label.setVisible(bool(view.note))
        outer.addWidget(self.note_label)

        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.approve_button = QPushButton()
        self.approve_button.setCheckable(True)
        self.approve_button.clicked.connect(lambda checked: self.approve_toggled.emit(self.view.id, checked))
        self.reject_button = QPushButton(labels["reject"])
        self.reject_button.setCheckable(True)
        self.reject_button.clicked.connect(lambda checked: self.reject_toggled.emit(self.view.id, checked))
        buttons.addWidget(self.approve_button, 1)
        buttons.addWidget(self.reject_button, 1)
        outer.addLayout(buttons)
        # Two buttons side by side on a card as narrow as its image: the theme's padding cut "Approve" short.
        self.setStyleSheet("QPushButton { padding: 4px 6px; }")
        self.set_review(approved=view.approved, rejected=view.rejected)

    def set_review(self, *, approved: bool, rejected: bool) -> None:
        """Show the candidate approved, rejected, or neither (set by the gallery's owner, also on undo/redo)."""
        self.view.approved, self.view.rejected = approved, rejected
        self.reject_button.setChecked(rejected)
        show_review_state(
            self, self.approve_button, self.rejected_badge, self._labels, approved=approved, rejected=rejected
        )

    def mousePressEvent(self, event) -> None:
        self.selected.emit(self.view.id)
        super().mousePressEvent(event)


class ImageGallery(QWidget):
    """Image candidates in a wrapping grid, best first; hidden (rejected) ones behind the "Show hidden" toggle.

    Signals:
        approve_toggled(id, bool): a card's Approve (or Keep anyway) was clicked.
        reject_toggled(id, bool): a card's Reject was clicked.
        selected(id): a card was clicked or its Details asked for.

    Args:
        edge: side of each card's image in pixels.
        labels: the gallery's words (keys of `GALLERY_LABELS`) in the UI language.
    """

    approve_toggled = Signal(object, bool)
    reject_toggled = Signal(object, bool)
    selected = Signal(object)

    def __init__(self, edge: int = 200, labels: dict[str, str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edge = edge
        self._labels = {**GALLERY_LABELS, **(labels or {})}
        self.loader = ThumbnailLoader(self, workers=1, memory_bytes=16 << 20)
        self.views: list[ImageCandidateView] = []
        self.cards: list[ImageCard] = []
        self._hidden_ids: set[int | str] = set()
        self._columns = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addStretch(1)
        self.show_hidden = QCheckBox()
        self.show_hidden.toggled.connect(lambda _on: self._place())
        bar.addWidget(self.show_hidden)
        layout.addLayout(bar)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.viewport().installEventFilter(self)
        inner = QWidget()
        self._grid = QGridLayout(inner)
        self._grid.setContentsMargins(0, 4, 8, 4)
        self._grid.setSpacing(10)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.scroll.setWidget(inner)
        layout.addWidget(self.scroll, 1)
        self.empty = EmptyState()
        layout.addWidget(self.empty, 1)
        self.set_labels(self._labels)

    # ---- public API ---------------------------------------------------------------------------------
    def set_labels(self, labels: dict[str, str]) -> None:
        """The gallery's words in the UI language (keys of `GALLERY_LABELS`); cards are rebuilt with them."""
        self._labels = {**GALLERY_LABELS, **labels}
        self.empty.set_texts(self._labels["empty"], self._labels["empty_hint"])
        if self.views:
            self.set_candidates(self.views)
        else:
            self._update_toggle()

    def set_candidates(self, views: list[ImageCandidateView], disk_cache: ThumbnailDiskCache | None = None) -> None:
        """Show `views` (best first, rejected ones last, as `services.image_candidate_views` gives them).

        The ones rejected now are hidden until "Show hidden" is on; `disk_cache` keeps decoded thumbnails.
        """
        if disk_cache is not None:
            self.loader.disk_cache = disk_cache
        for card in self.cards:
            card.hide()
            card.deleteLater()
        self.views = list(views)
        self.cards = []
        for view in self.views:
            card = ImageCard(view, self.loader, self.edge, self._labels)
            card.approve_toggled.connect(self.approve_toggled)
            card.reject_toggled.connect(self.reject_toggled)
            card.selected.connect(self.selected)
            self.cards.append(card)
        self._hidden_ids = {v.id for v in self.views if v.rejected}
        self._columns = 0
        self._place()
        self.loader.request([k for c in self.cards if (k := c.image.key()) is not None])

    def card(self, candidate_id: int | str) -> ImageCard | None:
        """The card of `candidate_id`, shown or hidden (None: not in the gallery)."""
        return next((c for c in self.cards if c.view.id == candidate_id), None)

    def visible_cards(self) -> list[ImageCard]:
        """The cards on show, in rank order."""
        return [c for c in self.cards if self.show_hidden.isChecked() or c.view.id not in self._hidden_ids]

    def hidden_count(self) -> int:
        """Candidates behind the "Show hidden" toggle."""
        return len(self._hidden_ids)

    def set_review(self, candidate_id: int | str, *, approved: bool, rejected: bool) -> None:
        """Show a candidate's review state on its card (after the store changed, e.g. by undo)."""
        if (card := self.card(candidate_id)) is not None:
            card.set_review(approved=approved, rejected=rejected)

    # ---- layout -------------------------------------------------------------------------------------
    def _update_toggle(self) -> None:
        n = len(self._hidden_ids)
        self.show_hidden.setText(self._labels["show_hidden"].format(n=n))
        self.show_hidden.setVisible(n > 0)

    def _place(self) -> None:
        """Put the shown cards in rows of as many columns as the width holds."""
        self._update_toggle()
        while self._grid.count():
            self._grid.takeAt(0)
        shown = self.visible_cards()
        columns = self._fit_columns()
        self._columns = columns
        for card in self.cards:
            card.setVisible(card in shown)
        for i, card in enumerate(shown):
            self._grid.addWidget(card, i // columns, i % columns, Qt.AlignmentFlag.AlignTop)
        self.scroll.setVisible(bool(self.cards))
        self.empty.setVisible(not self.cards)

    def _fit_columns(self) -> int:
        width = self.scroll.viewport().width() - 8
        return max(1, (width + self._grid.spacing()) // (self.edge + 20 + self._grid.spacing()))

    def eventFilter(self, watched, event) -> bool:
        # The columns follow the scroll area's viewport, not the gallery: a gallery filled while hidden (a tab
        # not yet shown) keeps its size when shown, and only the viewport learns its real width then.
        resized = watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize
        if resized and self.cards and self._fit_columns() != self._columns:
            self._place()
        return super().eventFilter(watched, event)


def review_through_undo(gallery: ImageGallery, state: StudioState) -> None:
    """Write a gallery's Approve / Reject clicks to the project through the studio's undo stack.

    Approve sets the candidate approved (unchecking: proposed); Reject sets it rejected (unchecking:
    proposed). Undo restores the exact state it had before, and the card follows both ways.
    """

    def push(candidate_id: int, new: str, label: str) -> None:
        store = state.store
        if store is None:
            return

        def setter(value: str, cid: int = int(candidate_id)) -> None:
            services.set_review_state(store, cid, value)
            gallery.set_review(cid, approved=value == "approved", rejected=value == "rejected")

        old = services.review_state(store, int(candidate_id))
        if old == new:  # nothing to change: the card goes back to what the store says
            gallery.set_review(candidate_id, approved=old == "approved", rejected=old == "rejected")
        else:
            state.undo_stack.push(SetValueCommand(label, setter, old, new))

    def approved(candidate_id: int, on: bool) -> None:
        push(candidate_id, "approved" if on else "proposed", state.tr.t("card.approve"))

    def rejected(candidate_id: int, on: bool) -> None:
        push(candidate_id, "rejected" if on else "proposed", state.tr.t("gallery.reject"))

    gallery.approve_toggled.connect(approved)
    gallery.reject_toggled.connect(rejected)


def gallery_labels(state: StudioState) -> dict[str, str]:
    """`GALLERY_LABELS` in the studio's UI language."""
    t = state.tr.t
    return {
        "score": t("gallery.score"),
        "score_tip": t("gallery.score_tip"),
        "no_score_tip": t("gallery.no_score_tip"),
        "placeholder": t("card.placeholder"),
        "placeholder_tip": t("card.placeholder_tip"),
        "approve": t("card.approve"),
        "approved": t("card.approved"),
        "keep_anyway": t("card.keep_anyway"),
        "reject": t("gallery.reject"),
        "rejected": t("card.rejected"),
        "details": t("jobs.details"),
        "show_hidden": t("gallery.show_hidden"),
        "empty": t("gallery.empty"),
        "empty_hint": t("gallery.empty_hint"),
    }
