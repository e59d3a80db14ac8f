"""The process environment every Vitrine entry point sets before the ML stack is imported.

The CLI (`vitrine ...`) and the studio's job worker process both call `prepare_environment()` first thing;
variables the user already set are left alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: Defaults applied when the variable is not set already, with the reason for each.
ENVIRONMENT_DEFAULTS: Mapping[str, str] = {
    # Read by OpenMP when torch is imported: busy-waiting threads made the same call swing 0.1 s -> 7 s on a
    # 2-core machine. Thread *counts* come from settings.threads (generators.runtime.device.configure_threads).
    "OMP_WAIT_POLICY": "PASSIVE",
    # ...but with passive waiting alone every parallel op wakes sleeping threads: a copy decode step (~200 small
    # ops) took 29 ms instead of 18. A short spin (GNU OpenMP: ~0.2 ms; it overrides the passive policy's zero)
    # keeps them awake between back-to-back ops and lets them sleep right after: 19 ms, no busy-waiting between jobs.
    "GOMP_SPINCOUNT": "20000",
    # Nothing reaches the network unless a command asks for it (`models pull` lifts this itself).
    "HF_HUB_OFFLINE": "1",
    # The tokenizers library's own thread pool warns and can deadlock once a process forks or spawns workers.
    "TOKENIZERS_PARALLELISM": "false",
}


def prepare_environment(environ: os._Environ[str] | dict[str, str] | None = None) -> None:
    """Set `ENVIRONMENT_DEFAULTS` in `environ` (default: `os.environ`) where they are not set.

    Call before torch, transformers or tokenizers are imported: they read these variables once, at import.
    """
    target = os.environ if environ is None else environ
    for name, value in ENVIRONMENT_DEFAULTS.items():
        target.setdefault(name, value)
