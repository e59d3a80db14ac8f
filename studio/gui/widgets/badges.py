"""Small badges: CLIPScore (0-100), PLACEHOLDER, grounding flags, the placeholder notice row, and how a card
shows its review state."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


def show_review_state(
    card: QWidget,
    approve_button: QPushButton,
    rejected_badge: QWidget,
    labels: Mapping[str, str],
    *,
    approved: bool,
    rejected: bool,
) -> None:
    """One rule for every candidate card (text and image): the Approve button's text and style ("Keep anyway" on a
    rejected candidate), the REJECTED badge, and the card's `approved` style property."""
    approve_button.setChecked(approved)
    approve_button.setObjectName("" if approved else "primary")
    idle = labels.get("keep_anyway", "Keep anyway") if rejected else labels.get("approve", "Approve")
    approve_button.setText(("✓ " + labels.get("approved", "Approved")) if approved else idle)
    rejected_badge.setVisible(rejected and not approved)
    card.setProperty("approved", "true" if approved else "false")
    for w in (card, approve_button):
        w.style().unpolish(w)
        w.style().polish(w)


def clip_score_100(score: float | None) -> int | None:
    """A stored CLIPScore (w = 2.5, 0..2.5) on the 0-100 display scale of `scoring.scores`: 100 x, capped.

    Values above 2.5 cannot be CLIPScores and are taken as already on the display scale.
    """
    if score is None:
        return None
    value = float(score) if score > 2.5 else 100.0 * float(score)
    return int(round(max(0.0, min(100.0, value))))


class ScoreBadge(QLabel):
    """`CLIP 73` pill; a tooltip explains the number."""

    def __init__(
        self, score: float | None, parent: QWidget | None = None, *, tips: tuple[str, str] | None = None
    ) -> None:
        super().__init__(parent, objectName="scoreBadge")
        # (what a score means, why there is none), in the UI language when the page passes them
        self.tips = tips or (
            "CLIPScore (0–100): how well the text matches the product image",
            "Not scored by CLIP (no image, or CLIP is a placeholder)",
        )
        self.set_score(score)

    def set_score(self, score: float | None) -> None:
        value = clip_score_100(score)
        self.setText("CLIP –" if value is None else f"CLIP {value}")
        self.setToolTip(self.tips[1] if value is None else self.tips[0])
        # Unscored reads grey, never as a blue number-like badge.
        self.setStyleSheet("background: #9ca3af;" if value is None else "")
        self.value = value


class PlaceholderBadge(QLabel):
    """Amber `PLACEHOLDER` pill on anything made by a tiny or perf model."""

    def __init__(self, text: str = "PLACEHOLDER", tooltip: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent, objectName="placeholderBadge")
        self.setToolTip(tooltip or "Made by a placeholder model with random weights: not real output.")


class FlagBadge(QLabel):
    """A red pill for a grounding flag (a claim not supported by the product data).

    Flags can be long ("bullet 4: '2601802834' (number) is not supported by the product data: …"); the pill
    shows at most `MAX_WIDTH` pixels of it, elided, so a card never grows wider than its list. The tooltip
    has the whole flag.
    """

    MAX_WIDTH = 200

    def __init__(self, text: str, tooltip: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent, objectName="flagBadge")
        self.full_text = text
        shown = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, self.MAX_WIDTH)
        self.setText(shown)
        self.setToolTip(tooltip or (text if shown != text else ""))


def flag_badges(flags: list[str], shown: int = 2) -> list[FlagBadge]:
    """Pills for a candidate's flags: the first `shown`, then one "+N" pill whose tooltip lists the rest."""
    badges = [FlagBadge(f"⚑ {flag}", flag) for flag in flags[:shown]]
    rest = flags[shown:]
    if rest:
        badges.append(FlagBadge(f"+{len(rest)}", "\n".join(rest)))
    return badges


class PlaceholderNotice(QWidget):
    """A PLACEHOLDER pill and a one-line amber notice beside it (search results, complete the look)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.badge = PlaceholderBadge()
        self.notice = QLabel(objectName="muted")
        self.notice.setStyleSheet("color: #b45309;")
        self.notice.setWordWrap(True)
        row.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.notice, 1)

    def set_labels(self, badge: str, tooltip: str) -> None:
        self.badge.setText(badge)
        self.badge.setToolTip(tooltip)

    def set_state(self, placeholder: bool, notice: str) -> None:
        """The pill when the result came from a placeholder model; the notice when there is one."""
        self.badge.setVisible(placeholder)
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
