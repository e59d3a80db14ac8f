"""The batch's last step: adapt the project store to the export package's plain dataclasses and call it.

`studio.export` (export packages and report.html) is written separately; until it is importable the export
is reported as unavailable, never faked.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.project.review import ExportMode
from studio.project.store import Store


@dataclass(frozen=True)
class ExportOutcome:
    """What the export step did: state done | unavailable | failed | skipped, files written, report.html."""

    state: str
    message: str = ""
    files: tuple[str, ...] = ()
    report_html: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "message": self.message,
            "files": list(self.files),
            "report_html": self.report_html,
        }


def _export_module() -> Any | None:
    try:
        return importlib.import_module("studio.export")
    except ModuleNotFoundError as exc:
        if exc.name and "studio.export".startswith(exc.name):
            return None
        raise


def export_batch(
    store: Store, out_dir: Path, *, platforms: tuple[str, ...] = (), mode: ExportMode = ExportMode.BEST
) -> ExportOutcome:
    """Write the export packages for every product into `out_dir`; the outcome is also recorded in the store."""
    module = _export_module()
    if module is None or not hasattr(module, "export_packages"):
        outcome = ExportOutcome("unavailable", "studio.export (export packages, report.html) is not built yet")
    else:
        outcome = _run_export(module, store, Path(out_dir), platforms, mode)
    store.record_export(",".join(platforms) or "all", str(out_dir), outcome.state, outcome.message, outcome.files)
    return outcome


def _run_export(
    module: Any, store: Store, out_dir: Path, platforms: tuple[str, ...], mode: ExportMode
) -> ExportOutcome:  # pragma: no cover - wired when studio.export lands
    raise NotImplementedError
