"""Weight-only int4/int8 layers and the decoder-layer weights of a Llama-family model, packed for decoding.

The packaged SmolLM2 is a Q4_1 GGUF: its layers are 4-bit numbers with one scale and one minimum per 32 inputs,
and its embedding is 8-bit. Packing the dequantized weights again as 4 bits per group of 32 (asymmetric, the
same grid) for PyTorch's int4 weight-only kernels gives back the very numbers the GGUF holds, and a decode
step then reads ~60 MB instead of the 540 MB of fp32 weights. The kernels (`_weight_int4pack_mm_for_cpu`,
`_weight_int8pack_mm`) are vectorised for AVX2 and AVX-512 alike, with bf16 activations on every CPU.

Each decoder layer's projections are fused into three matrices (one GEMV each per step): q, k, rotated q,
rotated k and v in one, so rotary embedding is two multiply-adds (rot(x) = x @ R is folded into the weights);
the attention scale is folded into q; gate and up in one; down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Inputs per int4 group: the GGUF Q4_1 block, so repacking a Q4_1 model is exact.
INT4_GROUP = 32
#: Model types whose decoder layers have the Llama layout this module reads (q/k/v/o, gate/up/down, RMSNorm).
LLAMA_LAYOUT = frozenset({"llama", "mistral", "qwen2"})


class QuantLinear:
    """`y = x @ W.T (+ b)` with `W` stored as int4 groups (`bits=4`), int8 rows (`bits=8`) or bf16 (`bits=16`).

    The kernels need whole 32-input groups (and, for int4, outputs in sixteens; other shapes crash them): a
    matrix without them falls back to int8 rows, or to bf16 (`bits` 16) when its inputs are not whole groups.

    Args:
        weight: the float weight, shape (out, in).
        bits: 4 or 8.
        bias: an optional float bias, shape (out,).
    """

    def __init__(self, weight: Any, bits: int, bias: Any = None) -> None:
        import torch

        w = weight.detach().float()
        out_features, in_features = w.shape
        whole = in_features % INT4_GROUP == 0
        self.bits = 16 if bits == 16 or not whole else (4 if bits == 4 and out_features % 16 == 0 else 8)
        self.bias = None if bias is None else bias.detach().to(torch.bfloat16)
        if self.bits == 4:
            groups = w.view(out_features, in_features // INT4_GROUP, INT4_GROUP)
            low, high = groups.amin(-1), groups.amax(-1)
            scale = (high - low).clamp(min=1e-8) / 15
            levels = torch.round((groups - low[..., None]) / scale[..., None]).clamp(0, 15)
            self.weight = torch._convert_weight_to_int4pack_for_cpu(
                levels.to(torch.int32).view(out_features, in_features), 2
            )
            # The kernel computes (level - 8) * scale + zero, so the zero is the value of level 8.
            zero = low + scale * 8
            self.scales = torch.stack([scale, zero], -1).transpose(0, 1).contiguous().to(torch.bfloat16)
        elif self.bits == 16:
            self.weight = w.to(torch.bfloat16).contiguous()
        else:
            scale = w.abs().amax(1).clamp(min=1e-8) / 127
            self.weight = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8).contiguous()
            self.scales = scale.to(torch.bfloat16)

    def __call__(self, x: Any) -> Any:
        """`x` (rows, in) in bf16 -> (rows, out) in bf16."""
        import torch

        if self.bits == 4:
            y = torch._weight_int4pack_mm_for_cpu(x, self.weight, INT4_GROUP, self.scales)
        elif self.bits == 16:
            y = torch.nn.functional.linear(x, self.weight)
        else:
            y = torch._weight_int8pack_mm(x, self.weight, self.scales)
        return y if self.bias is None else y + self.bias


@dataclass
class QuantLayer:
    """One decoder layer: norms (fp32) and its three fused projections plus the output projection."""

    input_norm: Any
    post_norm: Any
    qkv: QuantLinear
    out: QuantLinear
    gate_up: QuantLinear
    down: QuantLinear


@dataclass
class QuantWeights:
    """Everything a decode step reads, packed from a transformers Llama-family model."""

    layers: list[QuantLayer]
    embed: Any  # bf16 (vocab, hidden): rows are looked up, never multiplied
    final_norm: Any
    head: QuantLinear
    cos: Any  # fp32 (positions, (heads + kv_heads) * head_dim): rotary tables tiled over the q and k heads
    sin: Any
    heads: int
    kv_heads: int
    head_dim: int
    hidden: int
    intermediate: int
    eps: float


def on_int4_grid(weight: Any) -> bool:
    """Whether `weight` already holds 4-bit numbers per 32-input group (a dequantized Q4 GGUF: repacking it as
    int4 is exact) rather than weights int4 would round (then int8 rows keep the model's quality).

    On-grid weights stored in bf16 come back within bf16 rounding (~0.1 % of a group's range on average);
    rounding weights that were never 4-bit costs ~1.7 % of the range on average.
    """
    import torch

    w = weight.detach().float()
    if w.shape[1] % INT4_GROUP:
        return False
    groups = w.reshape(w.shape[0], -1, INT4_GROUP)
    low, high = groups.amin(-1, keepdim=True), groups.amax(-1, keepdim=True)
    span = (high - low).clamp(min=1e-12)
    levels = torch.round((groups - low) / span * 15).clamp(0, 15)
    error = (levels * span / 15 + low - groups).abs() / span
    return float(error.mean()) < 0.005


def four_bit_source(model: Any) -> bool:
    """Whether the model's decoder layers came from 4-bit weights (checked on the first layer's projections)."""
    layer = model.model.layers[0]
    return all(on_int4_grid(p.weight) for p in (layer.self_attn.q_proj, layer.mlp.gate_proj, layer.mlp.down_proj))


def supports(model: Any) -> bool:
    """Whether `model` has the Llama layout `pack_weights` reads (on the CPU, silu MLP, plain attention)."""
    config = getattr(model, "config", None)
    if config is None or getattr(config, "model_type", None) not in LLAMA_LAYOUT:
        return False
    if getattr(config, "hidden_act", "silu") != "silu" or getattr(config, "use_sliding_window", False):
        return False
    return str(getattr(model, "device", "cpu")) == "cpu" and hasattr(getattr(model, "model", None), "rotary_emb")


def _rotation(head_dim: int) -> Any:
    """R with x @ R = rotate_half(x) = cat(-x[half:], x[:half]), the transformers Llama convention."""
    import torch

    half = head_dim // 2
    rotation = torch.zeros(head_dim, head_dim)
    rotation[torch.arange(half) + half, torch.arange(half)] = -1.0
    rotation[torch.arange(half), torch.arange(half) + half] = 1.0
    return rotation


def _qkv(attn: Any, heads: int, kv_heads: int, head_dim: int, bits: int) -> QuantLinear:
    import torch

    scale = head_dim**-0.5  # folded into q (a power of two for the usual head sizes: exact)

    def part(proj: Any, factor: float = 1.0) -> tuple[Any, Any]:
        bias = proj.bias.detach().float() * factor if proj.bias is not None else torch.zeros(proj.out_features)
        return proj.weight.detach().float() * factor, bias

    (qw, qb), (kw, kb), (vw, vb) = part(attn.q_proj, scale), part(attn.k_proj), part(attn.v_proj)
    qk_w, qk_b = torch.cat([qw, kw]), torch.cat([qb, kb])
    hidden = qk_w.shape[1]
    rotation = _rotation(head_dim)
    # Rows of rot(qk): per head, the head's rows mixed by R (rot(x W.T) = x (W.T R) = x (R.T W).T).
    rot_w = torch.einsum("hdk,de->hek", qk_w.view(-1, head_dim, hidden), rotation).reshape(-1, hidden)
    rot_b = (qk_b.view(-1, head_dim) @ rotation).reshape(-1)
    weight = torch.cat([qk_w, rot_w, vw])
    has_bias = attn.q_proj.bias is not None
    return QuantLinear(weight, bits, torch.cat([qk_b, rot_b, vb]) if has_bias else None)


def pack_weights(model: Any, max_positions: int, bits: int = 4, head_bits: int = 8) -> QuantWeights:
    """Pack a transformers Llama-family `model` (see `supports`) for decoding up to `max_positions` positions.

    Layers get `bits`-bit weights; the output head `head_bits` (8: int8 rows, 16: bf16, the model's own values
    where it is loaded in bf16; the packaged GGUF keeps it 8-bit in blocks of 32, finer than int8 rows).
    """
    import torch

    config = model.config
    heads, kv_heads = config.num_attention_heads, config.num_key_value_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    layers = []
    for layer in model.model.layers:
        attn, mlp = layer.self_attn, layer.mlp
        layers.append(
            QuantLayer(
                input_norm=layer.input_layernorm.weight.detach().float(),
                post_norm=layer.post_attention_layernorm.weight.detach().float(),
                qkv=_qkv(attn, heads, kv_heads, head_dim, bits),
                out=QuantLinear(attn.o_proj.weight, bits),
                gate_up=QuantLinear(torch.cat([mlp.gate_proj.weight, mlp.up_proj.weight]), bits),
                down=QuantLinear(mlp.down_proj.weight, bits),
            )
        )
    rotary = model.model.rotary_emb
    freqs = torch.outer(torch.arange(max_positions).float(), rotary.inv_freq.float())
    angles = torch.cat([freqs, freqs], -1)
    tiles = heads + kv_heads
    scaling = float(getattr(rotary, "attention_scaling", 1.0))
    return QuantWeights(
        layers=layers,
        embed=model.get_input_embeddings().weight.detach().to(torch.bfloat16),
        final_norm=model.model.norm.weight.detach().float(),
        head=QuantLinear(model.get_output_embeddings().weight, head_bits),
        cos=(angles.cos() * scaling).repeat(1, tiles).contiguous(),
        sin=(angles.sin() * scaling).repeat(1, tiles).contiguous(),
        heads=heads,
        kv_heads=kv_heads,
        head_dim=head_dim,
        hidden=config.hidden_size,
        intermediate=config.intermediate_size,
        eps=float(config.rms_norm_eps),
    )
