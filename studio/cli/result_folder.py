"""The output folder of a one-product command (`vitrine pair`, `vitrine tryon`): checked first, written whole.

The command's files are written into a staging folder renamed into place, so a failure leaves the earlier
result (or nothing), never half of one; a folder holding anything but an earlier result is refused, since the
new result replaces it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from generators.runtime.errors import VitrineError

T = TypeVar("T")


def check_result_folder(out: Path, result_file: str, what: str) -> None:
    """Refuse an `--out` that is a file, or a folder holding anything but an earlier `what` (it is replaced)."""
    if out.is_file():
        raise VitrineError(f"--out '{out}' is a file; give a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / result_file).exists():
        raise VitrineError(
            f"--out '{out}' is not empty and holds no earlier {what}; the {what} replaces that folder, "
            "so give a new or empty one"
        )


def write_result_folder(out: Path, what: str, write: Callable[[Path], T]) -> T:
    """Run `write(staging_folder)` and move the folder to `out` in one rename; a disk error names `out`."""
    from studio.atomic_files import staged_dir

    try:
        with staged_dir(out) as tmp:
            return write(tmp)
    except OSError as exc:
        raise VitrineError(f"cannot write the {what} to '{out}': {exc}") from None


def print_summary_head(summary: Mapping[str, Any], as_json: bool, placeholder_notice: str) -> bool:
    """Print the whole summary as JSON (True: nothing else to print), or its placeholder notice and warnings."""
    if as_json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        return True
    if summary["placeholder"]:
        print(f"*** {placeholder_notice} ***", file=sys.stderr)
    for line in summary["warnings"]:
        print(f"warning: {line}", file=sys.stderr)
    return False
