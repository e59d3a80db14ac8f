"""Fused attention (torch SDPA) for BLIP's vision encoder.

transformers 5.24 gives BLIP eager attention only: per layer it materializes the [batch, 12, 577, 577]
score matrix, scales it in a separate op, softmaxes it and multiplies again. At 384 px the ViT-B/16 encoder is
most of a batched caption's time, so `use_sdpa_vision_attention` swaps each vision `BlipAttention` for a
subclass whose forward calls `torch.nn.functional.scaled_dot_product_attention` (same weights, same math; the
fused kernel only rounds differently). The text decoder keeps its eager attention: its cached 1-token steps
are dominated by weight reads, not by attention.
"""

from __future__ import annotations

from typing import Any


def _sdpa_class() -> type:
    import torch
    from transformers.models.blip.modeling_blip import BlipAttention

    class SdpaBlipAttention(BlipAttention):
        """BlipAttention with a fused attention kernel; returns no attention probabilities."""

        def forward(self, hidden_states: torch.Tensor, **kwargs: Any) -> tuple[torch.Tensor, None]:
            bsz, tgt_len, embed_dim = hidden_states.size()
            qkv = self.qkv(hidden_states).reshape(bsz, tgt_len, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
            context = torch.nn.functional.scaled_dot_product_attention(
                qkv[0], qkv[1], qkv[2], dropout_p=self.dropout.p if self.training else 0.0, scale=self.scale
            )
            return self.projection(context.transpose(1, 2).reshape(bsz, tgt_len, embed_dim)), None

    return SdpaBlipAttention


_CLASS: type | None = None


def use_sdpa_vision_attention(model: Any) -> int:
    """Switch every attention block of `model.vision_model` to SDPA in place; returns how many were switched.

    The swap changes only `forward` (no new parameters), so the state dict and saved files are untouched.
    Attention probabilities are no longer returned (`output_attentions` yields None for the vision tower).
    """
    from transformers.models.blip.modeling_blip import BlipAttention

    global _CLASS
    if _CLASS is None:
        _CLASS = _sdpa_class()
    switched = 0
    vision = getattr(model, "vision_model", None)
    if vision is None:
        return 0
    for module in vision.modules():
        if type(module) is BlipAttention:
            module.__class__ = _CLASS
            switched += 1
    return switched
