"""Device and dtype policy: one place decides which device and precision every model runs in.

- CUDA: fp16.
- CPU with native bf16 (avx512_bf16 or AMX): bf16 where measured faster (text models, CLIP's fast path).
- CPU without native bf16 (e.g. AVX2-only): fp32, and int8 dynamic quantisation of Linear layers where a
  pipeline has a fast path that keeps its results (CLIP's image tower, with an fp32 re-check of close calls).

What the CPU can do is read from `/proc/cpuinfo` unless `VITRINE_CPU_BF16` forces it (`1` or `0`, read at
every call), so tests and benchmarks can run either branch on any machine (`forced_cpu_bf16`).
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

from generators.runtime.settings import Settings, get_settings

if TYPE_CHECKING:
    import torch

#: Environment variable that forces the CPU's bf16 capability: "1" (native) or "0" (absent).
CPU_BF16_ENV = "VITRINE_CPU_BF16"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def configure_threads(settings: Settings | None = None) -> None:
    """Apply `settings.threads` to torch (0 leaves torch's default: all cores)."""
    import torch

    threads = (settings or get_settings()).threads
    if threads > 0 and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def one_thread_in_this_thread() -> None:
    """Make torch run single-threaded in the calling thread only.

    `torch.set_num_threads` sets the calling thread's OpenMP and MKL thread counts, but also the count every
    thread that first uses torch later starts with; a short-lived thread puts that default back, so threads
    started afterwards (batch workers, a job's thread) still get every core.
    """
    import threading

    import torch

    default = torch.get_num_threads()
    torch.set_num_threads(1)
    if default != 1:
        restore = threading.Thread(target=torch.set_num_threads, args=(default,), name="vitrine-threads")
        restore.start()
        restore.join()


def pick_device(settings: Settings | None = None) -> torch.device:
    """The device `settings.device` asks for: CUDA when "cuda" (or "auto" with a GPU present), else the CPU.

    Raises:
        SettingsError: "cuda" is asked for and no CUDA GPU is available.
    """
    import torch

    wanted = (settings or get_settings()).device
    if wanted == "cuda" or (wanted == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            from generators.runtime.errors import SettingsError

            raise SettingsError("device is set to 'cuda' but no CUDA GPU is available; set device to auto or cpu")
        return torch.device("cuda")
    return torch.device("cpu")


def default_dtype(device: torch.device | str) -> torch.dtype:
    """fp16 on CUDA, fp32 on CPU. Pipelines may choose bf16 on CPU where measured faster."""
    import torch

    return torch.float16 if torch.device(device).type == "cuda" else torch.float32


@cache
def _cpuinfo() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            return fh.read()
    except OSError:
        return ""


def _cpu_flags_have_bf16() -> bool:
    info = _cpuinfo()
    return "avx512_bf16" in info or "amx_bf16" in info


def cpu_supports_bf16() -> bool:
    """True where bf16 matmuls are native (avx512_bf16 / AMX); elsewhere bf16 on CPU is emulated and slow.

    `VITRINE_CPU_BF16=1|0` overrides what the CPU reports (read at every call).

    Raises:
        SettingsError: `VITRINE_CPU_BF16` holds something other than a yes/no value.
    """
    forced = os.environ.get(CPU_BF16_ENV, "").strip().lower()
    if forced in _TRUE:
        return True
    if forced in _FALSE:
        return False
    if forced:
        from generators.runtime.errors import SettingsError

        raise SettingsError(f"{CPU_BF16_ENV} must be 1 or 0, not {forced!r}")
    return _cpu_flags_have_bf16()


@contextmanager
def forced_cpu_bf16(native: bool) -> Iterator[None]:
    """Within the block, `cpu_supports_bf16()` answers `native` whatever the CPU is (restored afterwards)."""
    before = os.environ.get(CPU_BF16_ENV)
    os.environ[CPU_BF16_ENV] = "1" if native else "0"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(CPU_BF16_ENV, None)
        else:
            os.environ[CPU_BF16_ENV] = before


def cpu_model() -> str:
    """The CPU's marketing name ("AMD EPYC 7B13"), from /proc/cpuinfo or the platform; "" when unknown."""
    for line in _cpuinfo().splitlines():
        if line.lower().startswith(("model name", "hardware")):  # x86 / ARM
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def cpu_bf16_or_default(device: torch.device | str) -> torch.dtype:
    """bf16 on a CPU with native bf16 (measured faster there for the small text models), else the default."""
    import torch

    device = torch.device(device)
    if device.type == "cpu" and cpu_supports_bf16():
        return torch.bfloat16
    return default_dtype(device)


def cpu_int8_preferred(device: torch.device | str) -> bool:
    """True on a CPU without native bf16: there, int8 dynamic quantisation of Linear layers is the fast path.

    int8 kernels (fbgemm, oneDNN) run on AVX2 and on ARM; pipelines that use it keep an fp32 check of the
    results it could change (e.g. CLIP ranking's close calls).
    """
    import torch

    return torch.device(device).type == "cpu" and not cpu_supports_bf16()
