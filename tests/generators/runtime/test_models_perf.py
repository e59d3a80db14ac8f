"""Slow: the perf placeholders (full-size architectures, random weights) build, load and run one pass."""

from __future__ import annotations

import pytest

from generators.runtime.loading import load_model


@pytest.mark.slow
@pytest.mark.parametrize("role", ["txt2img", "inpaint", "person_mask"])
def test_perf_builds_load_and_run(role: str) -> None:
    """Full-size architectures (SD-Turbo-sized: ~2.6 GB bf16 each; SegFormer-B2): build, load, one pass."""
    import torch

    from generators.runtime.adapter import adapter_for
    from generators.runtime.roles import Role

    loaded = load_model(role, "perf", dtype=torch.bfloat16, use_cache=False)
    assert loaded.ref().placeholder and loaded.ref().profile == "perf"
    assert adapter_for(Role(role)).smoke(loaded.components)
