"""Walk a window's widgets: what a person can read on screen, and which widgets are narrower than their content.

Used by the fit test (every page at 1280×800) and the Chinese UI test (no English left once zh is on).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QStyle,
    QStyleOptionComboBox,
    QTableWidget,
    QTabWidget,
    QTextBrowser,
    QWidget,
)

from studio.gui.widgets import QUOTES_DATA_ROLE


def settle(rounds: int = 5) -> None:
    """Let layouts, deferred resizes, queued signals and deleteLater() run (as the event loop would)."""
    for _ in range(rounds):
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def shown_widgets(root: QWidget) -> Iterator[QWidget]:
    """Every widget under `root` that is visible on screen (itself and all its ancestors shown)."""
    for widget in root.findChildren(QWidget):
        if widget.isVisibleTo(root) and widget.window() is root.window():
            yield widget


def _is_data(widget: QWidget) -> bool:
    # A widget showing product data or model output marks itself (or an ancestor) with the "data" property.
    w: QWidget | None = widget
    while w is not None:
        if w.property("data"):
            return True
        w = w.parentWidget()
    return False


@dataclass(frozen=True)
class Shown:
    """One piece of text a person can read, and where it is."""

    where: str
    text: str


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__}({widget.objectName() or '-'}) under {type(widget.parentWidget()).__name__}"


def _plain(text: str) -> str:
    if "<" in text and ">" in text:
        doc = QTextDocument()
        doc.setHtml(text)
        return doc.toPlainText()
    return text


def _menu_texts(menu: QMenu, where: str) -> Iterator[Shown]:
    yield Shown(where, menu.title())
    for action in menu.actions():
        if action.menu() is not None:
            yield from _menu_texts(action.menu(), where)
        elif not action.isSeparator() and action.isVisible():
            yield Shown(f"{where} › action", action.text())
            yield Shown(f"{where} › action tooltip", action.toolTip() if action.toolTip() != action.text() else "")


def _table_texts(table: QTableWidget, where: str) -> Iterator[Shown]:
    data_columns = set(table.property("dataColumns") or [])
    for c in range(table.columnCount()):
        header = table.horizontalHeaderItem(c)
        if header is not None and not table.isColumnHidden(c):
            yield Shown(f"{where} header", header.text())
        if c in data_columns:
            continue
        for r in range(table.rowCount()):
            item = table.item(r, c)
            if item is not None and not item.data(QUOTES_DATA_ROLE):
                yield Shown(f"{where} cell", item.text())
                yield Shown(f"{where} cell tooltip", item.toolTip())


def visible_texts(window: QMainWindow) -> list[Shown]:
    """The texts of every shown widget of `window` that is not marked as product data, plus menus and docks."""
    found: list[Shown] = [Shown("window title", window.windowTitle())]
    for action in window.menuBar().actions():
        if action.menu() is not None:
            found.extend(_menu_texts(action.menu(), "menu"))
    for widget in shown_widgets(window):
        if _is_data(widget):
            continue
        where = _name(widget)
        found.append(Shown(f"{where} tooltip", _plain(widget.toolTip())))
        if isinstance(widget, QLabel):
            found.append(Shown(where, _plain(widget.text())))
        elif isinstance(widget, QAbstractButton):
            found.append(Shown(where, widget.text()))
        elif isinstance(widget, QComboBox):
            first_data = widget.property("dataItemsFrom")  # items from here on are the catalog's own
            count = widget.count() if first_data is None else min(int(first_data), widget.count())
            found.extend(Shown(f"{where} item", widget.itemText(i)) for i in range(count))
        elif isinstance(widget, QLineEdit):
            found.append(Shown(f"{where} placeholder", widget.placeholderText()))
        elif isinstance(widget, QTabWidget):
            found.extend(Shown(f"{where} tab", widget.tabText(i)) for i in range(widget.count()))
        elif isinstance(widget, QDockWidget):
            found.append(Shown(f"{where} title", widget.windowTitle()))
        elif isinstance(widget, QTableWidget):
            found.extend(_table_texts(widget, where))
        elif isinstance(widget, QListWidget):
            found.extend(Shown(f"{where} item", widget.item(i).text()) for i in range(widget.count()))
        elif isinstance(widget, QTextBrowser):
            found.append(Shown(where, widget.toPlainText()))
    return [s for s in found if s.text.strip()]


ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


def english_words(text: str, allowed: frozenset[str]) -> list[str]:
    """Words of two or more Latin letters in `text` that are not in `allowed` (compared case-insensitively)."""
    return [w for w in ENGLISH_WORD.findall(text) if w.lower().strip("'’-") not in allowed]


# ---- fit ----------------------------------------------------------------------------------------------
def combo_text_room(combo: QComboBox) -> int:
    """How many pixels of text the combo box's field shows."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    return field.width()


MIN_FIELD_WIDTH = 220


def too_narrow(window: QMainWindow) -> list[str]:
    """Shown widgets narrower than their content: truncated labels, buttons, combo boxes, squeezed columns."""
    problems = []
    for widget in shown_widgets(window):
        where = _name(widget)
        width = widget.width()
        if isinstance(widget, QComboBox):
            longest = max(
                (widget.fontMetrics().horizontalAdvance(widget.itemText(i)) for i in range(widget.count())), default=0
            )
            if combo_text_room(widget) < longest:
                problems.append(f"{where}: field {combo_text_room(widget)} px < longest item {longest} px")
        elif (
            isinstance(widget, QLabel)
            and not widget.wordWrap()
            and type(widget).minimumSizeHint is QLabel.minimumSizeHint
        ):
            if width < widget.minimumSizeHint().width():
                problems.append(f"{where} {widget.text()[:30]!r}: {width} < {widget.minimumSizeHint().width()} px")
        elif (
            isinstance(widget, QAbstractButton) and widget.text() and not isinstance(widget.parentWidget(), QHeaderView)
        ):
            if width < widget.minimumSizeHint().width():
                problems.append(f"{where} {widget.text()!r}: {width} < {widget.minimumSizeHint().width()} px")
        elif isinstance(widget, QLineEdit) and not isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox)):
            if width < MIN_FIELD_WIDTH:  # a path or a search box: a few characters of it are no use
                problems.append(f"{where} {widget.text()[:30]!r}: {width} < {MIN_FIELD_WIDTH} px")
        elif isinstance(widget, QTableWidget):
            header = widget.horizontalHeader()
            for c in range(widget.columnCount()):
                if header.sectionResizeMode(c) is QHeaderView.ResizeMode.Stretch and header.sectionSize(c) < 160:
                    problems.append(f"{where} column {c}: {header.sectionSize(c)} px (a text column needs 160)")
        parent = widget.parentWidget()
        # Inside a scroll area that cannot scroll sideways, content wider than the viewport is cut off.
        if isinstance(parent, QWidget) and isinstance(parent.parentWidget(), QAbstractScrollArea):
            area = parent.parentWidget()
            no_sideways = area.horizontalScrollBarPolicy() is Qt.ScrollBarPolicy.ScrollBarAlwaysOff
            if no_sideways and widget.width() > parent.width():
                problems.append(f"{where}: {widget.width()} px wide in a {parent.width()} px view (clipped)")
    return problems
