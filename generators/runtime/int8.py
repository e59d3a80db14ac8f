"""int8 dynamic quantisation of Linear layers: the CPU fast path where bf16 is not native.

On CPUs without native bf16 (AVX2-only x86, most ARM) bf16 is emulated and slower than fp32, while int8
matrix kernels (fbgemm, oneDNN, qnnpack) run natively. Weights get int8 with per-output-channel scales;
activations are quantised on the fly, so no calibration data is needed. Which pipelines use it, and for
which of their parts, is decided with `generators.runtime.device.cpu_int8_preferred`.
"""

from __future__ import annotations

import copy
import warnings
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_COPIES: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


@contextmanager
def quiet_quantization() -> Iterator[None]:
    """Hide torch's notices that eager-mode quantisation is moving to torchao.

    The pinned torch ships and supports `torch.ao.quantization`; torchao's CPU int8 path needs
    torch.compile to be fast. Users should not read the notice on every run.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=r"torch\.ao\.quantization")
        warnings.filterwarnings("ignore", category=UserWarning, message=r"torch\.quantize_per_tensor")
        yield


def int8_linear(linear: Any) -> Any:
    """An int8 dynamic-quantised copy of one `nn.Linear` (per-output-channel weight scales)."""
    with quiet_quantization():
        from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear
        from torch.ao.quantization import per_channel_dynamic_qconfig

        linear.qconfig = per_channel_dynamic_qconfig
        return DynamicLinear.from_float(linear)


def quantize_linear_layers(module: Any) -> Any:
    """Replace every `nn.Linear` inside `module` by its int8 dynamic-quantised version, in place."""
    import torch

    with quiet_quantization():
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        quantize_dynamic(module, {torch.nn.Linear: per_channel_dynamic_qconfig}, inplace=True)
    return module


def has_int8_layers(module: Any) -> bool:
    """True when `module` holds int8 dynamic-quantised Linear layers."""
    with quiet_quantization():
        from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    return module is not None and any(isinstance(m, DynamicLinear) for m in module.modules())


def with_int8_part(model: Any, part: str, prepare: Callable[[Any], None] | None = None) -> Any:
    """A shallow copy of `model` whose submodule `part` runs int8 Linear layers; `model` is left untouched.

    Every other submodule is shared with `model` (no second copy of its weights). `prepare(part_copy)` may
    first swap layers that dynamic quantisation cannot reach (e.g. packed attention projections). The copy
    is made once per (model, part) and reused while `model` lives.
    """
    made = _COPIES.setdefault(model, {})
    if part not in made:
        piece = copy.deepcopy(getattr(model, part))
        if prepare is not None:
            prepare(piece)
        quantize_linear_layers(piece)
        twin = copy.copy(model)
        twin._modules = dict(model._modules)  # a copy shares the module dict: give it its own
        twin._modules[part] = piece
        made[part] = twin
    return made[part]
