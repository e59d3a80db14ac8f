"""The rows being decoded together, their KV caches, and one decode step over them (`QuantWeights`).

Rows of several requests (products generating side by side in a batch run) share each step: one int4 GEMV
per projection for all of them, which costs about what it costs for one request's rows (a step is bound by
reading the weights and by per-op overhead, not by the rows). Each row keeps its own position: prompts differ
in length, so a row attends to its own positions only (the rest masked), and the caches are zero-filled so
masked positions contribute exact zeros.
"""

from __future__ import annotations

from typing import Any

from generators.runtime.llm_quant import QuantWeights


class DecodeRows:
    """Caches (keys transposed: (rows, kv, dim, capacity); values (rows, kv, capacity, dim), fp32), the next
    token and position of every row, in batch order.

    Args:
        weights: the packed model (its shapes size the caches).
    """

    def __init__(self, weights: QuantWeights) -> None:
        import torch

        self.w = weights
        self.keys: list[Any] = []
        self.values: list[Any] = []
        self.tokens = torch.zeros(0, dtype=torch.long)
        self.positions = torch.zeros(0, dtype=torch.long)
        self.capacity = 0

    def __len__(self) -> int:
        return int(self.tokens.shape[0])

    def admit(self, prompt_kv: list[tuple[Any, Any]], n: int, token: int, position: int, capacity: int) -> None:
        """Add `n` rows whose caches hold `prompt_kv` (per layer: keys (kv, dim, p), values (kv, p, dim)),
        feeding `token` at `position` next; each needs `capacity` positions in all."""
        import torch

        w = self.w
        if capacity > self.capacity and len(self):  # grow every cache; the new positions are zeros
            grow = capacity - self.capacity
            self.keys = [torch.nn.functional.pad(k, (0, grow)) for k in self.keys]
            self.values = [torch.nn.functional.pad(v, (0, 0, 0, grow)) for v in self.values]
        self.capacity = max(self.capacity, capacity)
        keys, values = [], []
        for k, v in prompt_kv:
            kt = torch.zeros(n, w.kv_heads, w.head_dim, self.capacity)
            vv = torch.zeros(n, w.kv_heads, self.capacity, w.head_dim)
            kt[:, :, :, : k.shape[-1]] = k
            vv[:, :, : v.shape[-2]] = v
            keys.append(kt)
            values.append(vv)
        if len(self):
            self.keys = [torch.cat([a, b]) for a, b in zip(self.keys, keys, strict=True)]
            self.values = [torch.cat([a, b]) for a, b in zip(self.values, values, strict=True)]
        else:
            self.keys, self.values = keys, values
        self.tokens = torch.cat([self.tokens, torch.full((n,), token, dtype=torch.long)])
        self.positions = torch.cat([self.positions, torch.full((n,), position, dtype=torch.long)])

    def keep(self, indices: list[int], tokens: list[int]) -> None:
        """Keep only the rows at `indices` (in that order), feeding them `tokens` one position further on."""
        import torch

        if len(indices) < len(self):
            index = torch.tensor(indices, dtype=torch.long)
            self.keys = [k.index_select(0, index) for k in self.keys]
            self.values = [v.index_select(0, index) for v in self.values]
            self.positions = self.positions.index_select(0, index)
        if not indices:
            self.capacity = 0
        self.tokens = torch.tensor(tokens, dtype=torch.long)
        self.positions = self.positions + 1

    def step(self) -> Any:
        """Logits (rows, vocab) after feeding every row its token at its position; writes the caches."""
        import torch
        import torch.nn.functional as F

        w = self.w
        rows, hidden, qk = len(self), w.hidden, (w.heads + w.kv_heads) * w.head_dim
        group = w.heads // w.kv_heads
        positions = self.positions
        first = int(positions[0])
        aligned = bool((positions == first).all())  # one request alone: plain slices, nothing to mask
        end = int(positions.max()) + 1
        if aligned:
            cos, sin, mask, at = w.cos[first], w.sin[first], None, first
        else:
            cos, sin = w.cos[positions], w.sin[positions]
            beyond = torch.arange(end)[None, :] > positions[:, None]
            mask = torch.zeros(rows, end).masked_fill(beyond, float("-inf")).view(rows, 1, 1, end)
            at = (torch.arange(rows), positions)
        x = w.embed[self.tokens].float()
        for layer, kt, vv in zip(w.layers, self.keys, self.values, strict=True):
            y = layer.qkv(F.rms_norm(x, (hidden,), layer.input_norm, w.eps).to(torch.bfloat16)).float()
            rotated = y[:, :qk] * cos
            rotated.addcmul_(y[:, qk : 2 * qk], sin)
            rotated = rotated.view(rows, w.heads + w.kv_heads, w.head_dim)
            new_v = y[:, 2 * qk :].view(rows, w.kv_heads, w.head_dim)
            if mask is None:
                kt[:, :, :, at] = rotated[:, w.heads :]
                vv[:, :, at] = new_v
            else:
                kt[at[0], :, :, at[1]] = rotated[:, w.heads :]
                vv[at[0], :, at[1]] = new_v
            q = rotated[:, : w.heads].reshape(rows, w.kv_heads, group, w.head_dim)
            scores = torch.matmul(q, kt[..., :end])
            if mask is not None:
                scores = scores + mask
            mixed = torch.matmul(torch.softmax(scores, -1), vv[:, :, :end]).reshape(rows, w.heads * w.head_dim)
            x = x + layer.out(mixed.to(torch.bfloat16))
            g = layer.gate_up(F.rms_norm(x, (hidden,), layer.post_norm, w.eps).to(torch.bfloat16))
            x = x + layer.down(F.silu(g[:, : w.intermediate]) * g[:, w.intermediate :])
        return w.head(F.rms_norm(x, (hidden,), w.final_norm, w.eps).to(torch.bfloat16)).float()
