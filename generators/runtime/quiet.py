"""Silence library chatter (progress bars, 'initialized randomly' warnings) where it is expected noise."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager


@contextmanager
def quiet_ml_libraries(*, bars_only: bool = False) -> Iterator[None]:
    """Hide transformers/diffusers progress bars; unless `bars_only`, also their warnings.

    Builds of random-weight placeholders use the full form (random init is the point, not news);
    loading real weights uses `bars_only=True` so warnings about mismatched weights still reach people.
    """
    restore: list[Callable[[], None]] = []
    try:
        import transformers.utils.logging as tlog

        tlog.disable_progress_bar()
        restore.append(tlog.enable_progress_bar)
        if not bars_only:
            level = tlog.get_verbosity()
            tlog.set_verbosity_error()
            restore.append(lambda: tlog.set_verbosity(level))
    except ImportError:
        pass
    try:
        import diffusers.utils.logging as dlog

        dlog.disable_progress_bar()
        restore.append(dlog.enable_progress_bar)
        if not bars_only:
            dlevel = dlog.get_verbosity()
            dlog.set_verbosity_error()
            restore.append(lambda: dlog.set_verbosity(dlevel))
    except ImportError:
        pass
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
