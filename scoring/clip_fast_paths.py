"""Exact shortcuts through open_clip's towers: work whose result CLIP throws away is skipped.

- Image: a class-token ViT keeps only the class token of its last block, so that block's attention query,
  output projection and MLP run for that one token (keys and values still see every patch).
- Text: the causal text tower pools at the end token, so padding after the longest text is never computed.
Both give what open_clip's own `encode_image` / `encode_text` give (tested to 1e-5 in fp32); towers of other
shapes take the library's own path. The image shortcut also runs on the int8 tower of `scoring.clip_int8`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch


def encode_pixels(model: Any, x: torch.Tensor) -> torch.Tensor:
    """open_clip's `encode_image`, skipping work whose result is thrown away.

    A class-token ViT keeps only the class token of its last block: that block's attention query, output
    projection and MLP are computed for that one token (keys and values still see every patch). The
    class token's value is exactly what the full block computes. Other vision towers take the
    library's own path.
    """
    from open_clip.transformer import ResidualAttentionBlock, VisionTransformer

    visual = getattr(model, "visual", None)
    blocks = getattr(getattr(visual, "transformer", None), "resblocks", None)
    last = blocks[-1] if blocks else None
    if not (
        type(visual) is VisionTransformer
        and visual.attn_pool is None
        and visual.pool_type == "tok"
        and not visual.output_tokens
        and visual.transformer.batch_first
        and type(last) is ResidualAttentionBlock
        and not hasattr(last, "ln_1_kv")
        and (_packed_self_attention(last.attn) or hasattr(last.attn, "class_token_attention"))
    ):
        return model.encode_image(x)
    h = visual._embeds(x)
    for block in blocks[:-1]:
        h = block(h)
    kv = last.ln_1(h)
    own = getattr(last.attn, "class_token_attention", None)  # the int8 tower's attention (scoring.clip_int8)
    cls = h[:, :1] + last.ls_1(own(kv) if own else class_token_attention(last.attn, kv))
    cls = cls + last.ls_2(last.mlp(last.ln_2(cls)))
    pooled = visual.ln_post(cls[:, 0])  # per-token LayerNorm: same before or after picking the token
    return pooled @ visual.proj if visual.proj is not None else pooled


def _packed_self_attention(attn: Any) -> bool:
    import torch

    return (
        isinstance(attn, torch.nn.MultiheadAttention)
        and attn.batch_first
        and attn._qkv_same_embed_dim  # one packed in_proj_weight
        and attn.bias_k is None
        and not attn.add_zero_attn
    )


def class_token_attention(attn: torch.nn.MultiheadAttention, x: torch.Tensor) -> torch.Tensor:
    """`attn(x[:, :1], x, x)` for a batch-first self-attention layer, written out.

    nn.MultiheadAttention leaves its fused fast path when the query is not the key, and its general path
    was measured slower here for one query token than the fast path for all 50 (78 vs 64 ms per batch
    of 32 in bf16). Written out: one projection for keys and values, one for the class token's query,
    then scaled dot-product attention.
    """
    import torch.nn.functional as F

    b, n, d = x.shape
    heads = attn.num_heads
    w, bias = attn.in_proj_weight, attn.in_proj_bias
    q = F.linear(x[:, :1], w[:d], None if bias is None else bias[:d])
    k, v = F.linear(x, w[d:], None if bias is None else bias[d:]).view(b, n, 2, heads, d // heads).unbind(2)
    out = F.scaled_dot_product_attention(
        q.view(b, 1, heads, d // heads).transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
    )
    return attn.out_proj(out.transpose(1, 2).reshape(b, 1, d))


def encode_tokens(model: Any, tokens: torch.Tensor, length: int) -> torch.Tensor:
    """open_clip's `CLIP.encode_text`, run only over the first `length` positions.

    The text tower is causal and pools at the end token, so padding after the longest text's end token
    cannot change any output: skipping it is exact and saves most of the work for short texts.
    Other architectures (e.g. Hugging Face text towers) take the library's own path.
    """
    import torch
    from open_clip.model import CLIP
    from open_clip.transformer import text_global_pool

    mask = getattr(model, "attn_mask", None)
    if type(model) is not CLIP or mask is None or getattr(model, "text_pool_type", "") not in ("argmax", "eos"):
        return model.encode_text(tokens)
    length = max(1, min(length, tokens.shape[1]))
    tokens = tokens[:, :length]
    cast = model.transformer.get_cast_dtype()
    x = model.token_embedding(tokens).to(cast) + model.positional_embedding[:length].to(cast)
    x = model.ln_final(model.transformer(x, attn_mask=mask[:length, :length]))
    x = text_global_pool(x, tokens, model.text_pool_type, eos_token_id=getattr(model, "text_eos_id", None))
    proj = model.text_projection
    if proj is None:
        return x
    return proj(x) if isinstance(proj, torch.nn.Module) else x @ proj
