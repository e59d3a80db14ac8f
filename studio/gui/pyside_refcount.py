"""Keep None, True and False alive under a PySide6 build that assumes Python 3.12's immortal objects.

Measured on this stack (PySide6 6.12.0, CPython 3.11.7): every call of a Qt method that returns void drops a
reference to None it never took, and every Python-side `Signal.emit` one to True. On Python 3.12+ those
objects are immortal and nothing happens; on 3.11 their counts (None starts near 5,000, True near 600) reach
zero after a few thousand calls and the interpreter aborts ("Fatal Python error: none_dealloc" or
"bool_dealloc"), mid-session or at exit. Adding 2**40 references to the three singletons makes them as good as
immortal: they are never freed anyway, and losing a million references a second would take twelve days.
"""

from __future__ import annotations

import sys

EXTRA_REFS = 1 << 40


def pin_singletons() -> None:
    """Give None, True and False `EXTRA_REFS` more references on CPython < 3.12 (a no-op elsewhere)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    import ctypes

    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object, and id() is the object's address.
        ctypes.c_ssize_t.from_address(id(obj)).value += EXTRA_REFS
