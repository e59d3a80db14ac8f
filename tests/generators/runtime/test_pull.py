"""`vitrine models pull` against a loopback mock hub; offline failure is fast and leaves nothing behind."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from generators.runtime.errors import DownloadError
from generators.runtime.registry import spec_for
from generators.runtime.roles import Profile, Role
from tests.generators.runtime.mock_hub import COMMIT, MockHub


@pytest.fixture()
def isolated_settings(tmp_path, settings):
    return settings.with_changes(models_dir=tmp_path / "models")


def _hub_repo(tmp_path: Path, tiny_models) -> Path:
    """A hub repo with the tiny CLIP's files, plus a pickle file the allow-patterns must skip."""
    repo = tmp_path / "hub-repo"
    shutil.copytree(tiny_models[Role.CLIP], repo, ignore=shutil.ignore_patterns(".vitrine-*"))
    (repo / "open_clip_pytorch_model.bin").write_bytes(b"pickle bytes must never be fetched")
    return repo


def test_pull_from_mock_hub_then_load(tmp_path, isolated_settings, tiny_models):
    from generators.runtime.loading import load_model
    from generators.runtime.pull import pull_role
    from generators.runtime.resolve import resolve

    spec = spec_for(Role.CLIP, Profile.STANDARD)
    with MockHub({spec.model_id: _hub_repo(tmp_path, tiny_models)}) as hub:
        settings = isolated_settings.with_changes(hf_endpoint=hub.url)
        result = pull_role(Role.CLIP, settings, show_bar=False)
        assert result.revision == COMMIT
        assert (result.folder / "open_clip_model.safetensors").is_file()
        assert not (result.folder / "open_clip_pytorch_model.bin").exists()
        assert not any("pytorch_model.bin" in r for r in hub.requests if r.startswith("GET"))
        assert not (settings.models_dir / ".staging" / "clip").exists()

        resolved = resolve(Role.CLIP, Profile.AUTO, settings)
        assert resolved.source.value == "real" and resolved.revision == COMMIT
        loaded = load_model(Role.CLIP, Profile.STANDARD, settings=settings, use_cache=False)
        assert loaded.ref().source == "real" and loaded.file_hash

        # A second pull finds the finished folder and downloads nothing.
        before = len(hub.requests)
        pull_role(Role.CLIP, settings, show_bar=False)
        assert len(hub.requests) == before


def test_pull_unknown_repo_is_a_clear_error(tmp_path, isolated_settings):
    from generators.runtime.pull import pull_role

    with MockHub({}) as hub:
        settings = isolated_settings.with_changes(hf_endpoint=hub.url)
        with pytest.raises(DownloadError, match="not found"):
            pull_role(Role.CLIP, settings, show_bar=False)
    assert not (settings.models_dir / "standard" / "clip").exists()


def test_pull_offline_fails_fast_and_leaves_nothing(tmp_path, isolated_settings):
    import socket

    from generators.runtime.pull import pull_role

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = isolated_settings.with_changes(hf_endpoint=f"http://127.0.0.1:{port}")
    start = time.perf_counter()
    with pytest.raises(DownloadError, match="offline"):
        pull_role(Role.CLIP, settings, show_bar=False)
    assert time.perf_counter() - start < 5
    leftovers = list(settings.models_dir.rglob("*")) if settings.models_dir.exists() else []
    assert not [p for p in leftovers if p.is_file()]
    assert not (settings.models_dir / "standard" / "clip").exists()


def test_pull_refuses_non_standard_profiles():
    from generators.runtime.pull import roles_for_target

    with pytest.raises(DownloadError, match="built locally"):
        roles_for_target("tiny")
    assert roles_for_target("clip") == [Role.CLIP]
    assert Role.CLIP in roles_for_target("standard")
