"""What a benchmark ran on, for its JSON: the CPU's name and whether the bf16 fast paths were taken.

`cpu_bf16` is what Vitrine's device policy saw (`VITRINE_CPU_BF16=0|1` forces it), so a run with the
override reports the branch it actually measured, not the CPU's own flag.
"""

from __future__ import annotations


def machine_fields() -> dict[str, str | bool]:
    """{"cpu_model": the CPU's name, "cpu_bf16": whether bf16 was treated as native in this run}."""
    from generators.runtime.device import cpu_model, cpu_supports_bf16

    return {"cpu_model": cpu_model(), "cpu_bf16": cpu_supports_bf16()}
