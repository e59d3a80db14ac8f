"""Fused attention (torch SDPA) for BLIP's vision encoder; cross-attention K/V computed once per image.

transformers 5.24 gives BLIP eager attention only: per layer it materializes the [batch, 12, 577, 577]
score matrix, scales it in a separate op, softmaxes it and multiplies again. At 384 px the ViT-B/16 encoder is
most of a batched caption's time, so `use_sdpa_vision_attention` swaps each vision `BlipAttention` for a
subclass whose forward calls `torch.nn.functional.scaled_dot_product_attention` (same weights, same math; the
fused kernel only rounds differently). The text decoder keeps its eager attention: its cached 1-token steps
are dominated by weight reads, not by attention (fused SDPA with one query row is slower there in bf16).

Beam search and multiple samples repeat each image's 577 feature rows once per beam before the text decoder
sees them, so every cross-attention layer would project the same rows to keys and values `beams` times.
`share_cross_attention_projections` makes those projections notice runs of identical rows and project each
run once (exact: the rows are checked equal first).
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


def _shared_rows_forward(self: Any, x: Any) -> Any:
    """Linear over [N, L, C] whose rows come in runs of identical copies: project one row per run."""
    import torch

    n = x.shape[0] if x.dim() == 3 else 1
    run = 1
    while run < n and torch.equal(x[run], x[0]):
        run += 1
    if run > 1 and n % run == 0:
        unique = x[::run]
        if torch.equal(x, unique.repeat_interleave(run, dim=0)):
            return torch.nn.functional.linear(unique, self.weight, self.bias).repeat_interleave(run, dim=0)
    return torch.nn.functional.linear(x, self.weight, self.bias)


_SHARED_CLASS: type | None = None


def share_cross_attention_projections(model: Any) -> int:
    """Make the text decoder's cross-attention key/value projections compute each repeated image once.

    Only `forward` changes (weights and state dict keys stay), and the result is the same as before. Returns how
    many projections were switched.
    """
    import torch

    global _SHARED_CLASS
    if _SHARED_CLASS is None:
        _SHARED_CLASS = type("RowSharedLinear", (torch.nn.Linear,), {"forward": _shared_rows_forward})
    decoder = getattr(model, "text_decoder", None)
    switched = 0
    for name, module in decoder.named_modules() if decoder is not None else ():
        cross_kv = ".crossattention.self." in f".{name}" and name.rsplit(".", 1)[-1] in ("key", "value")
        if cross_kv and type(module) is torch.nn.Linear:
            module.__class__ = _SHARED_CLASS
            switched += 1
    return switched
