"""Settings: defaults < TOML < environment; VITRINE_HOME isolates every path; errors are clear."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generators.runtime.errors import SettingsError
from generators.runtime.settings import load_settings, save_settings

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VITRINE_HOME", str(tmp_path))
    monkeypatch.delenv("VITRINE_MODELS_DIR", raising=False)
    monkeypatch.delenv("VITRINE_THREADS", raising=False)
    return tmp_path


def test_vitrine_home_overrides_every_path(home):
    s = load_settings()
    for path in (s.config_file, s.cache_dir, s.models_dir):
        assert path.is_relative_to(home)


def test_toml_then_env_precedence(home, monkeypatch):
    (home / "settings.toml").write_text(
        'threads = 3\nprofile = "tiny"\nallow_downloads = true\n[models]\nclip = "/x"\n'
    )
    s = load_settings()
    assert (s.threads, s.profile, s.allow_downloads) == (3, "tiny", True)
    assert s.extra["models"] == {"clip": "/x"}
    monkeypatch.setenv("VITRINE_THREADS", "1")
    monkeypatch.setenv("VITRINE_ALLOW_DOWNLOADS", "no")
    s = load_settings()
    assert (s.threads, s.allow_downloads) == (1, False)


def test_save_roundtrip(home):
    s = load_settings().with_changes(threads=5, ui_language="zh", hf_endpoint='http://mirror/"x"')
    save_settings(s)
    again = load_settings()
    assert (again.threads, again.ui_language, again.hf_endpoint) == (5, "zh", 'http://mirror/"x"')


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("VITRINE_THREADS", "many", "whole number"),
        ("VITRINE_DEVICE", "tpu", "auto, cpu or cuda"),
        ("VITRINE_ALLOW_DOWNLOADS", "maybe", "true or false"),
        ("VITRINE_UI_LANGUAGE", "fr", "en or zh"),
    ],
)
def test_bad_values_are_named(home, monkeypatch, key, value, match):
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError, match=match):
        load_settings()


def test_broken_toml_is_reported(home):
    (home / "settings.toml").write_text("threads = = 3")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings()


def test_unwritable_home_is_a_clear_error_at_start(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {**os.environ, "VITRINE_HOME": str(blocker / "home")}
    env.pop("VITRINE_MODELS_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-m", "studio", "models", "list"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "not writable" in proc.stderr and "VITRINE_HOME" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_processes_checking_the_same_home_at_once_do_not_fail_each_other(tmp_path):
    """Ray starts several workers at once, each checking that the home is writable: one worker's probe file must
    not be another's (a shared name made one unlink the other's probe, and its check failed)."""
    from concurrent.futures import ThreadPoolExecutor

    from generators.runtime.settings import _ensure_writable

    def check(_: int) -> None:
        for _ in range(200):
            _ensure_writable(tmp_path, "Vitrine home")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(check, range(8)))
    assert list(tmp_path.iterdir()) == []  # no probe left behind
