"""The Vitrine desktop studio (PySide6). The only package that imports Qt.

Importing this package, its window and its pages never imports torch, transformers, diffusers or open_clip:
the window paints first, and the job worker imports the ML stack when a job first needs it.
"""

from __future__ import annotations

from studio.gui.pyside_refcount import pin_singletons

# Before any Qt call: this PySide6 build under-counts references to None and True (see pyside_refcount).
pin_singletons()


def run_gui(argv: list[str] | None = None) -> int:
    """Start the studio and return its exit code (imports Qt only when called)."""
    from studio.gui.app import run_gui as _run

    return _run(argv)
