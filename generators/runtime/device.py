"""Device and dtype choice: CUDA + fp16 when present, else CPU fp32."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generators.runtime.settings import Settings, get_settings

if TYPE_CHECKING:
    import torch


def configure_threads(settings: Settings | None = None) -> None:
    """Apply `settings.threads` to torch (0 leaves torch's default: all cores)."""
    import torch

    threads = (settings or get_settings()).threads
    if threads > 0 and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def pick_device(settings: Settings | None = None) -> torch.device:
    import torch

    wanted = (settings or get_settings()).device
    if wanted == "cuda" or (wanted == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            from generators.runtime.errors import SettingsError

            raise SettingsError("device is set to 'cuda' but no CUDA GPU is available; set device to auto or cpu")
        return torch.device("cuda")
    return torch.device("cpu")


def default_dtype(device: torch.device) -> torch.dtype:
    """fp16 on CUDA, fp32 on CPU. Pipelines may choose bf16 on CPU where measured faster."""
    import torch

    return torch.float16 if device.type == "cuda" else torch.float32


def cpu_supports_bf16() -> bool:
    """True where bf16 matmuls are native (avx512_bf16 / AMX); elsewhere bf16 on CPU is emulated and slow."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            flags = fh.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def cpu_bf16_or_default(device: torch.device | str) -> torch.dtype:
    """bf16 on a CPU with native bf16 (measured faster there for the small text models), else the default."""
    import torch

    device = torch.device(device) if isinstance(device, str) else device
    if device.type == "cpu" and cpu_supports_bf16():
        return torch.bfloat16
    return default_dtype(device)
