"""The product's attribute sheet as an editable table: names and sources in the UI language, values as
written, conflicts between the catalog and a model highlighted with both values in the tooltip."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from studio.gui.i18n import Translator
from studio.gui.services import AttributeRow
from studio.gui.widgets import QUOTES_DATA_ROLE

CONFLICT_BG = QColor("#fdecea")
CONFLICT_FG = QColor("#b71c1c")
PLACEHOLDER_FG = QColor("#b45309")
VALUE_COLUMN = 1


class AttributeTable(QTableWidget):
    """Name · value · source; only the value column is editable. `filling` is True while rows are set, so
    the page can tell a person's edit (itemChanged) from a refill."""

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.tr_ = tr
        self.filling = False
        self.setProperty("dataColumns", [VALUE_COLUMN])  # values: the catalog's or a model's words
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([self.tr_.t(f"col.{k}") for k in ("name", "value", "source")])

    def name_at(self, row: int) -> str:
        """The stored attribute name of `row` (what an edit is saved under)."""
        return self.item(row, 0).data(Qt.ItemDataRole.UserRole)

    def conflict_values(self, conflict: str) -> str:
        """A sheet conflict ("catalog: tops · clip: jeans") with each source named in the UI language."""
        parts = []
        for part in conflict.split(" · "):
            source, sep, value = part.partition(": ")
            parts.append(f"{self.tr_.name('source', source)}: {value}" if sep else part)
        return " · ".join(parts)

    def set_rows(self, rows: Sequence[AttributeRow]) -> None:
        t, name_of = self.tr_.t, self.tr_.name
        self.filling = True
        self.setRowCount(len(rows))
        for i, row in enumerate(rows):
            name = QTableWidgetItem(name_of("attr", row.name))
            name.setData(Qt.ItemDataRole.UserRole, row.name)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            value = QTableWidgetItem(row.value)
            conf = f" ({row.confidence:.0%})" if row.confidence is not None else ""
            placeholder = "PLACEHOLDER" in row.source or row.source == "clip:placeholder"
            source = QTableWidgetItem(name_of("source", "clip:placeholder" if placeholder else row.source) + conf)
            source.setFlags(source.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if placeholder:
                source.setForeground(PLACEHOLDER_FG)
                source.setToolTip(t("product.placeholder_source_tip"))
            if row.conflict:
                values = self.conflict_values(row.conflict)
                for item in (name, value, source):
                    item.setData(QUOTES_DATA_ROLE, True)
                    item.setBackground(CONFLICT_BG)
                    item.setForeground(CONFLICT_FG)
                    item.setToolTip(t("product.conflict_tip", values=values))
                source.setText("⚠ " + values)
            for col, item in enumerate((name, value, source)):
                self.setItem(i, col, item)
        self.filling = False
