"""Tier 2: the `clip` role adapter builds, resolves and loads a tiny open_clip model."""

from __future__ import annotations

import hashlib

import pytest

from generators.runtime.errors import ModelNotAvailableError
from generators.runtime.roles import Profile, Role, Source


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_tiny_clip_loads_through_registry(settings):
    import torch

    from generators.runtime.loading import load_model
    from generators.runtime.models.clip import ADAPTER, ClipComponents

    loaded = load_model("clip", "tiny", device="cpu")
    assert loaded.placeholder and loaded.resolved.source is Source.PLACEHOLDER
    ref = loaded.ref()
    assert ref.role == "clip" and ref.profile == "tiny" and ref.placeholder and ref.file_hash
    c = loaded.components
    assert isinstance(c, ClipComponents)
    assert c.context_length == 77 and c.image_size == 32 and c.dtype == torch.float32
    assert not any(p.requires_grad for p in c.model.parameters())
    tokens = c.tokenizer(["a red shirt"])
    assert tokens.shape == (1, 77) and int(tokens[0, 0]) == 49406  # <start_of_text>: the real CLIP BPE
    assert "embed dim 32" in ADAPTER.smoke(c)
    # the LRU cache hands back the same object
    assert load_model("clip", "tiny", device="cpu") is loaded


def test_tiny_build_is_deterministic_and_safetensors_only(tmp_path):
    from generators.runtime.models.clip import ADAPTER, CONFIG_FILE, WEIGHTS_FILE
    from generators.runtime.safety import check_model_folder

    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    ADAPTER.build(a, Profile.TINY, seed=0)
    ADAPTER.build(b, Profile.TINY, seed=0)
    ADAPTER.build(c, Profile.TINY, seed=1)
    assert sorted(p.name for p in a.iterdir()) == sorted([CONFIG_FILE, WEIGHTS_FILE])
    assert check_model_folder(a) == [a / WEIGHTS_FILE]
    assert _sha(a / WEIGHTS_FILE) == _sha(b / WEIGHTS_FILE)
    assert _sha(a / WEIGHTS_FILE) != _sha(c / WEIGHTS_FILE)


def test_clip_has_no_packaged_weights(settings):
    from generators.runtime.resolve import resolve

    with pytest.raises(ModelNotAvailableError):
        resolve(Role.CLIP, Profile.PACKAGED, settings)
    assert resolve(Role.CLIP, Profile.AUTO, settings).profile is Profile.TINY
