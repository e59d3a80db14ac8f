"""Reusable studio widgets: empty states, badges, candidate cards, the thumbnail grid, the jobs dock."""

from PySide6.QtCore import Qt

# Set (True) on a table item whose text quotes product data or model output (a conflict naming the catalog's and
# a model's values): such text stays as written in any UI language. Whole widgets say the same with the
# "data" property, whole table columns with "dataColumns".
QUOTES_DATA_ROLE = Qt.ItemDataRole.UserRole + 1
