"""The progress bar every long-running CLI command shows on stderr (off with --quiet or --json)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def progress_bar(args: argparse.Namespace, desc: str) -> tuple[Any, Callable[[], None]]:
    """A (ProgressFn, close) pair driving a tqdm bar, disabled when the command prints JSON or is quiet."""
    from generators.runtime.progress import tqdm_progress

    return tqdm_progress(desc, disable=getattr(args, "quiet", False) or getattr(args, "json", False))
