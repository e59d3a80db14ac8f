"""Weights hygiene: pickle-only folders refused by name; truncated safetensors caught with a clear message."""

from __future__ import annotations

import pytest

from generators.runtime.errors import CorruptModelFileError, ModelNotAvailableError, UnsafeModelFileError
from generators.runtime.safety import check_model_folder, folder_hash


def _write_safetensors(path):
    import torch
    from safetensors.torch import save_file

    save_file({"w": torch.arange(1000, dtype=torch.float32)}, str(path))


def test_pickle_only_folder_is_refused_naming_the_file(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"\x80\x04 pickle")
    with pytest.raises(UnsafeModelFileError, match="pytorch_model.bin"):
        check_model_folder(tmp_path)


def test_folder_with_both_loads_only_safetensors(tmp_path):
    _write_safetensors(tmp_path / "model.safetensors")
    (tmp_path / "pytorch_model.bin").write_bytes(b"\x80\x04 pickle")
    assert [p.name for p in check_model_folder(tmp_path)] == ["model.safetensors"]


@pytest.mark.parametrize("keep", [4, 100, 3000])
def test_truncated_safetensors_names_the_file(tmp_path, keep):
    path = tmp_path / "model.safetensors"
    _write_safetensors(path)
    path.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(CorruptModelFileError, match="model.safetensors.*truncated|model.safetensors.*damaged"):
        check_model_folder(tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(ModelNotAvailableError):
        check_model_folder(tmp_path / "nope")


def test_folder_hash_is_cached_and_changes_with_content(tmp_path):
    path = tmp_path / "model.safetensors"
    _write_safetensors(path)
    first = folder_hash(tmp_path)
    assert folder_hash(tmp_path) == first
    assert (tmp_path / ".vitrine-hash.json").is_file()
    import torch
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(3)}, str(path))
    assert folder_hash(tmp_path) != first


def test_loading_refuses_pickle_folder_via_override(tmp_path, monkeypatch, settings):
    from generators.runtime.loading import load_model

    (tmp_path / "open_clip_pytorch_model.bin").write_bytes(b"\x80\x04")
    monkeypatch.setenv("VITRINE_MODEL_CLIP", str(tmp_path))
    with pytest.raises(UnsafeModelFileError, match="open_clip_pytorch_model.bin"):
        load_model("clip", "auto", settings=settings, use_cache=False)
