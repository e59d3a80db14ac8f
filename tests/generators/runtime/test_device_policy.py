"""Tier 1: device and dtype policy, each branch forced (CPU with/without native bf16, CUDA present/absent)."""

from __future__ import annotations

import os

import pytest
import torch

from generators.runtime.device import (
    CPU_BF16_ENV,
    cpu_bf16_or_default,
    cpu_int8_preferred,
    cpu_supports_bf16,
    default_dtype,
    forced_cpu_bf16,
    pick_device,
)
from generators.runtime.errors import SettingsError

CUDA = torch.device("cuda")  # a dtype decision only: no GPU is touched


@pytest.mark.parametrize(("value", "native"), [("1", True), ("0", False), ("true", True), ("off", False)])
def test_override_decides_the_cpu_capability(monkeypatch, value, native):
    monkeypatch.setenv(CPU_BF16_ENV, value)
    assert cpu_supports_bf16() is native


def test_unreadable_override_is_refused(monkeypatch):
    monkeypatch.setenv(CPU_BF16_ENV, "maybe")
    with pytest.raises(SettingsError, match="VITRINE_CPU_BF16 must be 1 or 0"):
        cpu_supports_bf16()


def test_forced_block_restores_what_was_there(monkeypatch):
    monkeypatch.setenv(CPU_BF16_ENV, "1")
    with forced_cpu_bf16(False):
        assert not cpu_supports_bf16()
        with forced_cpu_bf16(True):
            assert cpu_supports_bf16()
        assert not cpu_supports_bf16()
    assert os.environ[CPU_BF16_ENV] == "1"
    monkeypatch.delenv(CPU_BF16_ENV)
    with forced_cpu_bf16(True):
        assert cpu_supports_bf16()
    assert CPU_BF16_ENV not in os.environ


def test_cpu_with_native_bf16(force_cpu_bf16):
    force_cpu_bf16(True)
    assert cpu_bf16_or_default("cpu") == torch.bfloat16
    assert not cpu_int8_preferred("cpu")


def test_cpu_without_native_bf16(force_cpu_bf16):
    force_cpu_bf16(False)
    assert cpu_bf16_or_default(torch.device("cpu")) == torch.float32
    assert cpu_int8_preferred("cpu")


@pytest.mark.parametrize("native", [True, False])
def test_cuda_takes_fp16_whatever_the_cpu(force_cpu_bf16, native):
    force_cpu_bf16(native)
    assert default_dtype(CUDA) == torch.float16
    assert cpu_bf16_or_default(CUDA) == torch.float16
    assert not cpu_int8_preferred(CUDA)
    assert default_dtype("cpu") == torch.float32


@pytest.mark.parametrize("native", [True, False])
def test_caption_and_copy_load_in_the_policy_dtype(force_cpu_bf16, native):
    from generators import caption, copywriter

    force_cpu_bf16(native)
    want = torch.bfloat16 if native else torch.float32
    for preferred in (caption.preferred_dtype, copywriter.preferred_dtype):
        assert preferred(torch.device("cpu")) == want
        assert preferred(CUDA) == torch.float16


@pytest.mark.parametrize("present", [True, False])
def test_auto_device_follows_cuda_presence(monkeypatch, settings, present):
    from dataclasses import replace

    monkeypatch.setattr(torch.cuda, "is_available", lambda: present)
    assert pick_device(replace(settings, device="auto")).type == ("cuda" if present else "cpu")
    assert pick_device(replace(settings, device="cpu")).type == "cpu"
    if present:
        assert pick_device(replace(settings, device="cuda")).type == "cuda"
    else:
        with pytest.raises(SettingsError, match="no CUDA GPU"):
            pick_device(replace(settings, device="cuda"))


def test_one_thread_in_this_thread_leaves_other_threads_and_later_ones_their_cores():
    import threading

    import torch

    from generators.runtime.device import one_thread_in_this_thread

    before = torch.get_num_threads()
    seen = {}

    def narrowed():
        one_thread_in_this_thread()
        seen["narrowed"] = torch.get_num_threads()

    def later():
        seen["later"] = torch.get_num_threads()

    for target in (narrowed, later):
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    assert seen == {"narrowed": 1, "later": before}
    assert torch.get_num_threads() == before
