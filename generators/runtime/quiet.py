"""Silence library chatter (progress bars, 'initialized randomly' warnings) where it is expected noise."""

from __future__ import annotations

import importlib
import logging
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial


@contextmanager
def quiet_ml_libraries(*, bars_only: bool = False) -> Iterator[None]:
    """Hide transformers/diffusers progress bars; unless `bars_only`, also their warnings.

    Builds of random-weight placeholders use the full form (random init is the point, not news);
    loading real weights uses `bars_only=True` so warnings about mismatched weights still reach people.
    """
    restore: list[Callable[[], None]] = []
    for name in ("transformers.utils.logging", "diffusers.utils.logging"):
        try:
            log = importlib.import_module(name)
        except ImportError:
            continue
        log.disable_progress_bar()
        restore.append(log.enable_progress_bar)
        if not bars_only:
            restore.append(partial(log.set_verbosity, log.get_verbosity()))
            log.set_verbosity_error()
    root = logging.getLogger()
    previous = root.level
    with ExitStack() as stack:
        if not bars_only:
            root.setLevel(logging.ERROR)
            stack.enter_context(warnings.catch_warnings())
            warnings.simplefilter("ignore")
        try:
            yield
        finally:
            root.setLevel(previous)
            for fn in reversed(restore):
                fn()
