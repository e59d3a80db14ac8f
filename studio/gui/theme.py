"""One coherent look: a dark navigation rail, light content, one accent colour, CJK-capable fonts."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication

ACCENT = "#3b6cf6"
RAIL = "#1e2330"
SURFACE = "#f5f6f8"
CARD = "#ffffff"
BORDER = "#dfe2e8"
TEXT = "#1f2430"
MUTED = "#6b7280"
PLACEHOLDER = "#b45309"  # amber: "not real output"
DANGER = "#c62828"
OK = "#2e7d32"

# Latin first, then CJK fallbacks; Qt uses the first family that has a glyph. Missing ones are skipped.
_FAMILIES = (
    "Inter",
    "Segoe UI",
    "Noto Sans",
    "DejaVu Sans",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
)

STYLESHEET = f"""
QMainWindow, QWidget#page {{ background: {SURFACE}; color: {TEXT}; }}
QListWidget#navRail {{ background: {RAIL}; border: none; color: #cfd5e2; padding-top: 8px; outline: 0; }}
QListWidget#navRail::item {{ padding: 10px 14px; margin: 2px 8px; border-radius: 8px; }}
QListWidget#navRail::item:selected {{ background: {ACCENT}; color: white; }}
QListWidget#navRail::item:hover:!selected {{ background: #2b3242; }}
QLabel#brand {{ background: {RAIL}; color: white; font-size: 15pt; font-weight: 600; padding: 14px 16px 6px 16px; }}
QLabel#pageTitle {{ font-size: 17pt; font-weight: 600; color: {TEXT}; }}
QLabel#muted, QLabel#hint {{ color: {MUTED}; }}
QLabel#sectionTitle {{ font-size: 11pt; font-weight: 600; color: {TEXT}; }}
QLabel#emptyTitle {{ font-size: 14pt; font-weight: 600; color: {TEXT}; }}
QLabel#emptyHint {{ color: {MUTED}; font-size: 10.5pt; }}
QFrame#card {{ background: {CARD}; border: 1px solid {BORDER}; border-radius: 10px; }}
QFrame#card[approved="true"] {{ border: 2px solid {OK}; }}
QFrame#panel {{ background: {CARD}; border: 1px solid {BORDER}; border-radius: 10px; }}
QLabel#scoreBadge {{ background: {ACCENT}; color: white; border-radius: 9px; padding: 2px 8px; font-weight: 600; }}
QLabel#placeholderBadge {{ background: #fef3c7; color: {PLACEHOLDER}; border: 1px solid #f59e0b;
    border-radius: 9px; padding: 1px 7px; font-weight: 700; font-size: 8pt; }}
QLabel#flagBadge {{ background: #fdecea; color: {DANGER}; border-radius: 9px; padding: 1px 7px; font-size: 8.5pt; }}
QLabel#okBadge {{ background: #e8f5e9; color: {OK}; border-radius: 9px; padding: 1px 7px; font-size: 8.5pt; }}
QLabel#rankBadge {{ color: {MUTED}; font-weight: 600; }}
QPushButton {{ background: {CARD}; border: 1px solid {BORDER}; border-radius: 7px; padding: 6px 14px; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:disabled {{ color: #a0a6b2; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT}; }}
QPushButton#primary:hover {{ background: #2f5be0; }}
QPushButton#primary:disabled {{ background: #9db4f7; border-color: #9db4f7; }}
QPushButton#flat {{ background: transparent; border: none; padding: 2px 6px; color: {MUTED}; }}
QPushButton#flat:hover {{ color: {ACCENT}; }}
QPushButton#toggle:checked {{ background: #dbe5fe; color: {ACCENT}; border: 1px solid {ACCENT}; font-weight: 600; }}
QLineEdit, QComboBox, QPlainTextEdit, QTextEdit {{ background: {CARD}; border: 1px solid {BORDER};
    border-radius: 7px; padding: 5px 8px; selection-background-color: {ACCENT}; }}
QSpinBox {{ background: {CARD}; border: 1px solid {BORDER}; border-radius: 7px; padding: 0px 6px; min-height: 26px; }}
QSpinBox QLineEdit {{ padding: 0px; border: none; background: transparent; }}
QSpinBox::up-button, QSpinBox::down-button {{ border: none; width: 18px; }}
QSpinBox::up-arrow {{ image: url(ARROW_UP_PNG); width: 9px; height: 9px; }}
QSpinBox::down-arrow {{ image: url(ARROW_PNG); width: 9px; height: 9px; }}
QComboBox::drop-down {{ border: none; width: 24px; }}
QComboBox::down-arrow {{ image: url(ARROW_PNG); width: 10px; height: 10px; }}
QComboBox QAbstractItemView {{ background: {CARD}; border: 1px solid {BORDER}; selection-background-color: #dbe5fe;
    selection-color: {TEXT}; }}
QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QPlainTextEdit:focus {{ border-color: {ACCENT}; }}
QTableWidget, QTableView, QTreeWidget, QListView {{ background: {CARD}; border: 1px solid {BORDER};
    border-radius: 8px; gridline-color: #eceef2; selection-background-color: #dbe5fe; selection-color: {TEXT}; }}
QListView#thumbnailGrid {{ padding: 10px; }}
QHeaderView::section {{ background: #eef0f4; border: none; border-bottom: 1px solid {BORDER}; padding: 6px 8px;
    font-weight: 600; color: #444b57; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ background: transparent; padding: 8px 16px; margin-right: 4px; color: {MUTED};
    border-bottom: 2px solid transparent; }}
QTabBar::tab:selected {{ color: {TEXT}; border-bottom: 2px solid {ACCENT}; font-weight: 600; }}
QDockWidget {{ color: {TEXT}; }}
QDockWidget::title {{ background: #eef0f4; padding: 6px 10px; font-weight: 600; }}
QProgressBar {{ background: #e6e9ef; border: none; border-radius: 4px; height: 8px; text-align: center;
    color: transparent; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 4px; }}
QStatusBar {{ background: #eef0f4; color: {MUTED}; }}
QScrollArea {{ border: none; background: transparent; }}
QScrollArea > QWidget > QWidget {{ background: transparent; }}
"""


def ui_font(point_size: float = 10.0) -> QFont:
    """The application font: available Latin family first, then whichever CJK family is installed."""
    installed = set(QFontDatabase.families())
    families = [f for f in _FAMILIES if f in installed] or ["Sans Serif"]
    font = QFont()
    font.setFamilies(families)
    font.setPointSizeF(point_size)
    return font


def has_cjk_font() -> bool:
    """True when a font with Chinese glyphs is installed (otherwise zh labels may show as boxes)."""
    return any(
        QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(f)
        for f in QFontDatabase.families()
    )


def _arrow_png(up: bool = False) -> str:
    """A small arrow for combo and spin boxes, drawn once into a temp file (no image resources to ship)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = Path(tempfile.gettempdir()) / f"vitrine-arrow-{'up' if up else 'down'}-{uid}.png"
    if not path.is_file():
        pixmap = QPixmap(20, 20)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(MUTED))
        points = (
            [QPointF(3, 14), QPointF(17, 14), QPointF(10, 5)]
            if up
            else [QPointF(3, 6), QPointF(17, 6), QPointF(10, 15)]
        )
        painter.drawPolygon(QPolygonF(points))
        painter.end()
        pixmap.save(str(path))
    return path.as_posix()


def apply_theme(app: QApplication) -> None:
    """Install the font and stylesheet on `app`."""
    app.setStyle("Fusion")
    app.setFont(ui_font())
    app.setStyleSheet(STYLESHEET.replace("ARROW_UP_PNG", _arrow_png(up=True)).replace("ARROW_PNG", _arrow_png()))
