"""Test environment: set before any heavy import (torch, Qt, huggingface_hub)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

os.environ["OMP_WAIT_POLICY"] = "PASSIVE"  # see NOTES: avoids 0.1 s -> 7 s swings on 2 cores
os.environ["HF_HUB_OFFLINE"] = "1"  # a hub lookup by name takes ~23 s to fail offline
os.environ["QT_QPA_PLATFORM"] = "offscreen"  # without a display Qt aborts the whole process
os.environ["TOKENIZERS_PARALLELISM"] = "false"
# Never read or write the user's real config or cache: a throwaway home per test session, while the
# placeholder models (deterministic, keyed by builder version) are shared between runs to save time.
os.environ["VITRINE_HOME"] = tempfile.mkdtemp(prefix="vitrine-test-home-")
os.environ.setdefault("VITRINE_MODELS_DIR", str(REPO / ".vitrine-test-home" / "models"))
os.environ.setdefault("VITRINE_THREADS", "2")
for key in list(os.environ):
    if key.startswith("VITRINE_MODEL_"):
        del os.environ[key]

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def settings():
    from generators.runtime.settings import reload_settings

    return reload_settings()


class _TinyModels(dict):
    """role -> folder of its tiny model, built on first use (and cached on disk across sessions)."""

    def __init__(self, settings) -> None:
        super().__init__()
        self.settings = settings

    def __missing__(self, role):
        from generators.runtime.resolve import build_placeholder
        from generators.runtime.roles import Profile, Role

        folder = build_placeholder(Role.parse(role), Profile.TINY, self.settings)
        self[role] = folder
        return folder


@pytest.fixture(scope="session")
def tiny_models(settings):
    """Tiny models, built once per test session at most."""
    return _TinyModels(settings)


@pytest.fixture
def force_cpu_bf16(monkeypatch):
    """Call with True or False: for this test, the runtime treats the CPU as having (or lacking) native bf16.

    Tests of CPU-dependent choices force each branch this way instead of reading the machine's flags.
    """
    from generators.runtime.device import CPU_BF16_ENV

    def force(native: bool) -> None:
        monkeypatch.setenv(CPU_BF16_ENV, "1" if native else "0")

    return force
