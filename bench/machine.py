"""What a benchmark ran on, for its JSON: the CPU's name and whether the bf16 fast paths were taken.

`cpu_bf16` is what Vitrine's device policy saw (`VITRINE_CPU_BF16=0|1` forces it), so a run with the
override reports the branch it actually measured, not the CPU's own flag. `kernel_isa` is the instruction set
PyTorch's CPU kernels were dispatched for: `ATEN_CPU_CAPABILITY=avx2` on an AVX-512 machine runs the AVX2
kernels (with `VITRINE_CPU_BF16=0`, the closest this machine gets to an AVX2-only CPU; memory and cache stay
this machine's).
"""

from __future__ import annotations


def machine_fields() -> dict[str, str | bool]:
    """{"cpu_model": the CPU's name, "cpu_bf16": whether bf16 was treated as native in this run,
    "kernel_isa": the ISA PyTorch's kernels ran (when torch is importable)}."""
    from generators.runtime.device import cpu_model, cpu_supports_bf16

    fields: dict[str, str | bool] = {"cpu_model": cpu_model(), "cpu_bf16": cpu_supports_bf16()}
    try:
        import torch

        fields["kernel_isa"] = torch.backends.cpu.get_cpu_capability()
    except ImportError:
        pass
    return fields
