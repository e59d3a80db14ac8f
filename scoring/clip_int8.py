"""int8 image tower: CLIP's fast path on CPUs without native bf16 (AVX2-only x86, most ARM).

Every Linear layer of the image tower (attention projections and MLPs: nearly all of a ViT's work) runs
int8 (`generators.runtime.int8`). Cosines move by a few 1e-3, which ranking's fp32 re-check of close calls
absorbs (`scoring.scorer.REFINE_TOLERANCE`). The text tower stays fp32 and shared: texts are few and short.

Imports torch at module level: import it only where the int8 path is taken.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
import torch.nn.functional as F

from generators.runtime.int8 import has_int8_layers, int8_linear, with_int8_part

#: The dtype name a scorer with an int8 image tower reports (cache keys, provenance, refine tolerance).
INT8 = "int8"


class Int8SelfAttention(torch.nn.Module):
    """Batch-first self-attention with int8 projections, called like the `nn.MultiheadAttention` it replaces.

    `nn.MultiheadAttention` keeps its packed input projection as a bare parameter, which dynamic
    quantisation cannot reach; here it is an int8 Linear layer, and attention itself is SDPA in fp32.
    """

    def __init__(self, attn: torch.nn.MultiheadAttention) -> None:
        super().__init__()
        d = attn.embed_dim
        self.num_heads = attn.num_heads
        self.embed_dim = d
        self.batch_first = True
        in_proj = torch.nn.Linear(d, 3 * d, bias=attn.in_proj_bias is not None)
        with torch.no_grad():
            in_proj.weight.copy_(attn.in_proj_weight)
            if attn.in_proj_bias is not None:
                in_proj.bias.copy_(attn.in_proj_bias)
        self.in_proj = int8_linear(in_proj)
        self.out_proj = int8_linear(attn.out_proj)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        return x.reshape(b, n, self.num_heads, self.embed_dim // self.num_heads).transpose(1, 2)

    def _merge(self, out: torch.Tensor) -> torch.Tensor:
        b, _, n, _ = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(b, n, self.embed_dim))

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        need_weights: bool = False,
        attn_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, None]:
        """Self-attention over `query` (key and value must be the same tensor); returns (output, None)."""
        if key is not query or value is not query or need_weights:
            raise ValueError("Int8SelfAttention computes self-attention only, without weights")
        q, k, v = self.in_proj(query).chunk(3, dim=-1)
        out = F.scaled_dot_product_attention(self._heads(q), self._heads(k), self._heads(v), attn_mask=attn_mask)
        return self._merge(out), None

    def class_token_attention(self, x: torch.Tensor) -> torch.Tensor:
        """`self(x[:, :1], x, x)`: attention output for the class token only (see `clip_fast_paths`)."""
        d = self.embed_dim
        qkv = self.in_proj(x)  # int8 kernels take the packed layer whole; the unused queries cost little
        q, kv = qkv[:, :1, :d], qkv[..., d:]
        k, v = kv.chunk(2, dim=-1)
        return self._merge(F.scaled_dot_product_attention(self._heads(q), self._heads(k), self._heads(v)))


def _is_plain_self_attention(attn: Any) -> bool:
    return (
        isinstance(attn, torch.nn.MultiheadAttention)
        and attn.batch_first
        and attn._qkv_same_embed_dim
        and attn.bias_k is None
        and not attn.add_zero_attn
        and attn.dropout == 0.0
    )


def _int8_attention(visual: Any) -> None:
    for module in list(visual.modules()):
        for name, child in list(module.named_children()):
            if _is_plain_self_attention(child):
                setattr(module, name, Int8SelfAttention(child))


def int8_image_tower(model: Any) -> Any:
    """An open_clip model whose image tower runs int8 Linear layers, sharing the rest with `model`.

    Attention layers of the plain batch-first kind become `Int8SelfAttention`; every other `nn.Linear` of
    the tower is dynamically quantised. `model` itself is never changed (the model cache and the fp32
    twin that re-checks close calls keep using it); the copy is made once per loaded model.
    """
    return with_int8_part(model, "visual", prepare=_int8_attention)


def has_int8_image_tower(model: Any) -> bool:
    """True when the model's image tower holds int8 Linear layers (made by `int8_image_tower`)."""
    return has_int8_layers(getattr(model, "visual", None))


def int8_components(components: Any) -> Any:
    """`ClipComponents` whose model has an int8 image tower (see `int8_image_tower`)."""
    return dataclasses.replace(components, model=int8_image_tower(components.model))
