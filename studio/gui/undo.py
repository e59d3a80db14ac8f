"""Undoable edits to copy text, attribute values and approvals (QUndoStack commands).

Each command holds the old and new value and a setter that writes a value to wherever it lives (the
project store) and refreshes the view; redo writes `new`, undo writes `old`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

Setter = Callable[[Any], None]


class SetValueCommand(QUndoCommand):
    """Set one value (a candidate's text, an attribute value, an approval flag) with undo."""

    def __init__(self, text: str, setter: Setter, old: Any, new: Any, merge_key: str | None = None) -> None:
        super().__init__(text)
        self._setter, self.old, self.new = setter, old, new
        self._merge_key = merge_key

    def redo(self) -> None:
        self._setter(self.new)

    def undo(self) -> None:
        self._setter(self.old)

    def id(self) -> int:
        # Edits to the same field merge into one undo step only when a merge key is given.
        return -1 if self._merge_key is None else (hash(self._merge_key) & 0x7FFFFFFF)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if isinstance(other, SetValueCommand) and other._merge_key == self._merge_key is not None:
            self.new = other.new
            return True
        return False


def edit_text(label: str, setter: Setter, old: str, new: str) -> SetValueCommand | None:
    """A command for a text edit, or None when nothing changed (no empty undo steps)."""
    if old == new:
        return None
    return SetValueCommand(label, setter, old, new)
