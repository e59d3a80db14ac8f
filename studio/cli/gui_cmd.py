"""`vitrine gui`: open the desktop studio.

Before Qt is imported, the command checks what would otherwise end in a traceback or a core dump: a project
path that is a file (a catalog CSV given by mistake), no display at all, and, on Linux X11, the system
libraries Qt's xcb platform plugin needs but pip cannot install.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
from collections.abc import Callable
from pathlib import Path

from generators.runtime.errors import VitrineError

# Libraries Qt's xcb platform plugin loads (by soname), and the Debian/Ubuntu package that ships each one.
# A stock desktop has most of them; the first three are the usual gaps (Qt's own message only suggests
# reinstalling Qt, which does not help).
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("gui", help="open the desktop studio")
    parser.add_argument("project", nargs="?", type=Path, help="project folder to open (default: the last one)")
    parser.add_argument("--exit-after-paint", action="store_true", help="quit once the window has painted (smoke test)")
    parser.set_defaults(func=_gui)


CATALOG_SUFFIXES = frozenset({".csv", ".tsv", ".json", ".xlsx"})


def check_project_path(project: Path | None) -> None:
    """A project is a folder: a file, or a catalog's name (some.csv), is refused with what to do instead."""
    if project is None or project.is_dir():
        return
    catalog = project.suffix.lower() in CATALOG_SUFFIXES
    if not project.exists() and not catalog:
        return  # a new project folder is created there
    hint = (
        f"to work on a catalog, open the studio on a project folder (`vitrine gui my-project`) and import "
        f"'{project.name}' with Catalog → Import CSV…, or run `vitrine batch {project}`"
        if catalog
        else "give a project folder (a new one is created if it does not exist)"
    )
    what = "a file" if project.exists() else "the name of a catalog file"
    raise VitrineError(f"'{project}' is {what}, not a project folder; {hint}")


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_packages(loads: Callable[[str], bool] = _loads) -> list[str]:
    """The system packages whose libraries Qt's xcb plugin needs and cannot load here (Debian names)."""
    return [package for soname, package in XCB_LIBRARIES.items() if not loads(soname)]


def _uses_xcb(environ: dict[str, str]) -> bool:
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")


def check_display(environ: dict[str, str] | None = None, loads: Callable[[str], bool] = _loads) -> None:
    """Refuse, saying what to do, when Qt would abort: no display, or X11 without the xcb libraries."""
    if not sys.platform.startswith("linux"):
        return
    env = dict(os.environ if environ is None else environ)
    # Without a display Qt aborts the whole process with a core dump; say what to do instead.
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM")):
        raise VitrineError(
            "no display found (DISPLAY and WAYLAND_DISPLAY are unset); run the studio on a desktop session, "
            "use `xvfb-run -a vitrine gui`, or set QT_QPA_PLATFORM=offscreen for a headless smoke test"
        )
    if _uses_xcb(env) and (missing := missing_xcb_packages(loads)):
        raise VitrineError(
            "Qt's X11 (xcb) platform plugin needs system libraries that are not installed; on Debian/Ubuntu:\n"
            f"    sudo apt-get install {' '.join(missing)}\n"
            "(other distributions name them similarly, e.g. xcb-util-cursor on Fedora and Arch)"
        )


def _gui(args: argparse.Namespace) -> int:
    check_project_path(args.project)
    check_display()
    # Qt is imported only when the studio opens, so `vitrine --help` and every other command never load it;
    # importlib keeps that run-time edge out of the static "studio.cli never imports Qt" contract.
    import importlib

    run_gui = importlib.import_module("studio.gui.app").run_gui
    return run_gui(project=args.project, exit_after_paint=args.exit_after_paint)
