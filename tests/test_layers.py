"""Layering rules that keep the core Qt-free and the window fast to appear."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "diffusers", "open_clip")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return {line.split(".")[0] for line in out.splitlines()}


def test_core_packages_do_not_import_qt():
    mods = _modules_after("import generators, scoring, studio, studio.cli, studio.models_status")
    assert "PySide6" not in mods


def test_cli_parser_does_not_import_the_ml_stack():
    mods = _modules_after("from studio.cli import build_parser; build_parser()")
    assert not (set(HEAVY) & mods), set(HEAVY) & mods


def test_no_qt_import_outside_studio_gui():
    pattern = re.compile(r"^\s*(from|import)\s+(PySide6|PyQt\d|shiboken6)\b", re.M)
    offenders = [
        p.relative_to(REPO).as_posix()
        for folder in ("studio", "generators", "scoring", "assets")
        for p in (REPO / folder).rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert [o for o in offenders if not o.startswith("studio/gui/")] == []
    assert any(o.startswith("studio/gui/") for o in offenders) or not (REPO / "studio" / "gui").exists()
