"""The rows being decoded together, their KV caches, and one decode step over them (`QuantWeights`).

Rows of several requests (products generating side by side in a batch run) share each step: one GEMM per
projection for all of them. A request's rows (its candidates) continue one prompt, so they share that
prompt's keys and values: per layer the prompts are stacked once per request, and only the tokens each row
generated have caches of their own. A step's attention reads every cached position once, and the prompt is
most of them: sharing it cuts what a step reads from the caches about n-fold for n candidates (and the memory
with it), the cost that grew with every product added to a batch.

Layout, per layer (keys transposed so a query row multiplies them directly):
- prompt keys (groups, kv, dim, P) and values (groups, kv, P, dim): one group per request, zero-padded to the
  longest prompt;
- generated keys (groups, slots, kv, dim, T) and values (groups, slots, kv, T, dim): a slot per candidate.

All rows of a group are at the same position (they started together and advance together); a row that ends
leaves the GEMMs at once and its slot idles until its group is done. A done group's place is taken by the
next request, so joining rarely moves the caches. Positions beyond a group's prompt or its generated tokens
are masked; the scores of both parts go through one softmax, so the result is the attention over the
concatenated sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generators.runtime.llm_quant import QuantWeights

#: Prompt caches grow in steps of this many positions, so prompts of similar length rarely move them.
_PROMPT_ROUNDING = 64
#: A done group's place is kept this many steps for a request about to join, then the caches are compacted.
_IDLE_STEPS = 8


@dataclass
class _Group:
    """One request's place: its prompt positions, the tokens its rows fed so far, its budget, its rows."""

    prompt: int  # positions held in the prompt caches (the prompt but its last token)
    budget: int  # generated positions it may fill
    fed: int = 0  # generated positions filled (all its rows feed the same count)
    rows: int = 0  # its rows still decoding
    idle: int = 0  # steps since its last row ended (a done group)


class DecodeRows:
    """Caches, the next token of every live row (in batch order) and each row's group and slot.

    Args:
        weights: the packed model (its shapes size the caches).
    """

    def __init__(self, weights: QuantWeights) -> None:
        import torch

        self.w = weights
        self.groups: list[_Group] = []
        self.slots = 0
        self.prompt_keys: list[Any] = []
        self.prompt_values: list[Any] = []
        self.keys: list[Any] = []
        self.values: list[Any] = []
        self.tokens = torch.zeros(0, dtype=torch.long)
        self.row_group = torch.zeros(0, dtype=torch.long)
        self.row_slot = torch.zeros(0, dtype=torch.long)

    def __len__(self) -> int:
        return int(self.tokens.shape[0])

    def admit(self, prompt_kv: list[tuple[Any, Any]], n: int, token: int, position: int, capacity: int) -> None:
        """Add `n` rows whose caches hold `prompt_kv` (per layer: keys (kv, dim, p), values (kv, p, dim)),
        feeding `token` at `position` next; each needs `capacity` positions in all."""
        import torch

        prompt = int(prompt_kv[0][0].shape[-1]) if prompt_kv else 0
        if prompt != position:
            raise ValueError(f"the prompt caches hold {prompt} positions; the next token is fed at {position}")
        self._reserve(prompt, capacity - position, n)
        index = next((i for i, g in enumerate(self.groups) if g.rows == 0), None)
        if index is None:
            index = len(self.groups)
            self._add_group()
        group = _Group(prompt, capacity - position, rows=n)
        self.groups[index] = group
        for layer, (k, v) in enumerate(prompt_kv):
            self.prompt_keys[layer][index, :, :, :prompt] = k
            self.prompt_values[layer][index, :, :prompt] = v
        self.tokens = torch.cat([self.tokens, torch.full((n,), token, dtype=torch.long)])
        self.row_group = torch.cat([self.row_group, torch.full((n,), index, dtype=torch.long)])
        self.row_slot = torch.cat([self.row_slot, torch.arange(n)])

    def keep(self, indices: list[int], tokens: list[int]) -> None:
        """Keep only the rows at `indices` (in that order), feeding them `tokens` one position further on."""
        import torch

        for group in self.groups:
            if group.rows:
                group.fed += 1
            else:
                group.idle += 1
        index = torch.tensor(indices, dtype=torch.long)
        self.row_group = self.row_group.index_select(0, index)
        self.row_slot = self.row_slot.index_select(0, index)
        self.tokens = torch.tensor(tokens, dtype=torch.long)
        counts = torch.bincount(self.row_group, minlength=len(self.groups)).tolist()
        for group, count in zip(self.groups, counts, strict=True):
            group.rows = count
        if any(g.idle >= _IDLE_STEPS for g in self.groups if not g.rows):
            self._compact()

    def step(self) -> Any:
        """Logits (rows, vocab) after feeding every row its token at its position; writes the caches."""
        import torch
        import torch.nn.functional as F

        w = self.w
        rows, hidden, qk = len(self), w.hidden, (w.heads + w.kv_heads) * w.head_dim
        heads_per_kv = w.heads // w.kv_heads
        groups, slots = len(self.groups), self.slots
        live = [g for g in self.groups if g.rows]
        prompt_end = max(g.prompt for g in live)
        fed_end = max(g.fed for g in live) + 1
        prompt_len = torch.tensor([g.prompt for g in self.groups])
        fed = torch.tensor([g.fed for g in self.groups])
        # Masks: a group's padding beyond its prompt, and generated positions it has not reached. Every group
        # keeps at least one position (a done group's too: its slots are computed, never read), so no NaNs.
        prompt_mask = torch.zeros(groups, prompt_end).masked_fill(
            torch.arange(prompt_end)[None, :] >= prompt_len[:, None], float("-inf")
        )
        fed_mask = torch.zeros(groups, fed_end).masked_fill(
            torch.arange(fed_end)[None, :] > fed[:, None], float("-inf")
        )
        prompt_mask = prompt_mask.view(groups, 1, 1, 1, prompt_end)
        fed_mask = fed_mask.view(groups, 1, 1, 1, fed_end)
        at = fed[self.row_group]
        positions = prompt_len[self.row_group] + at
        cos, sin = w.cos[positions], w.sin[positions]
        where = (self.row_group, self.row_slot)
        x = w.embed[self.tokens].float()
        caches = zip(w.layers, self.prompt_keys, self.prompt_values, self.keys, self.values, strict=True)
        for layer, pk, pv, gk, gv in caches:
            y = layer.qkv(F.rms_norm(x, (hidden,), layer.input_norm, w.eps).to(torch.bfloat16)).float()
            rotated = y[:, :qk] * cos
            rotated.addcmul_(y[:, qk : 2 * qk], sin)
            rotated = rotated.view(rows, w.heads + w.kv_heads, w.head_dim)
            gk[where[0], where[1], :, :, at] = rotated[:, w.heads :]
            gv[where[0], where[1], :, at] = y[:, 2 * qk :].view(rows, w.kv_heads, w.head_dim)
            q = torch.zeros(groups, slots, w.kv_heads, heads_per_kv, w.head_dim)
            q[where] = rotated[:, : w.heads].view(rows, w.kv_heads, heads_per_kv, w.head_dim)
            # Prompt part: every slot of a group against the group's one prompt, (groups, kv, slots*h, P).
            by_kv = q.transpose(1, 2).reshape(groups, w.kv_heads, slots * heads_per_kv, w.head_dim)
            prompt_scores = torch.matmul(by_kv, pk[..., :prompt_end])
            prompt_scores = prompt_scores.view(groups, w.kv_heads, slots, heads_per_kv, prompt_end).transpose(1, 2)
            fed_scores = torch.matmul(q, gk[..., :fed_end])  # (groups, slots, kv, h, T)
            scores = torch.cat([prompt_scores + prompt_mask, fed_scores + fed_mask], -1)
            probs = torch.softmax(scores, -1)
            to_prompt = probs[..., :prompt_end].transpose(1, 2).reshape(groups, w.kv_heads, -1, prompt_end)
            mixed = torch.matmul(to_prompt, pv[:, :, :prompt_end])
            mixed = mixed.view(groups, w.kv_heads, slots, heads_per_kv, w.head_dim).transpose(1, 2)
            mixed = mixed + torch.matmul(probs[..., prompt_end:], gv[..., :fed_end, :])
            x = x + layer.out(mixed[where].reshape(rows, w.heads * w.head_dim).to(torch.bfloat16))
            g = layer.gate_up(F.rms_norm(x, (hidden,), layer.post_norm, w.eps).to(torch.bfloat16))
            x = x + layer.down(F.silu(g[:, : w.intermediate]) * g[:, w.intermediate :])
        return w.head(F.rms_norm(x, (hidden,), w.final_norm, w.eps).to(torch.bfloat16)).float()

    def _reserve(self, prompt: int, budget: int, n: int) -> None:
        """Make the caches hold a prompt of `prompt` positions, `budget` generated ones and `n` slots (new
        positions are zeros): fresh caches when no group is left, else the present ones grown."""
        import torch
        import torch.nn.functional as F

        w = self.w
        rounded = -(-prompt // _PROMPT_ROUNDING) * _PROMPT_ROUNDING
        if not self.groups:
            self.slots = n
            self.prompt_keys = [torch.zeros(0, w.kv_heads, w.head_dim, rounded) for _ in w.layers]
            self.prompt_values = [torch.zeros(0, w.kv_heads, rounded, w.head_dim) for _ in w.layers]
            self.keys = [torch.zeros(0, n, w.kv_heads, w.head_dim, budget) for _ in w.layers]
            self.values = [torch.zeros(0, n, w.kv_heads, budget, w.head_dim) for _ in w.layers]
            return
        have_prompt, have_budget = int(self.prompt_keys[0].shape[-1]), int(self.keys[0].shape[-1])
        if prompt > have_prompt:
            grow = rounded - have_prompt
            self.prompt_keys = [F.pad(k, (0, grow)) for k in self.prompt_keys]
            self.prompt_values = [F.pad(v, (0, 0, 0, grow)) for v in self.prompt_values]
        if budget > have_budget:
            grow = budget - have_budget
            self.keys = [F.pad(k, (0, grow)) for k in self.keys]
            self.values = [F.pad(v, (0, 0, 0, grow)) for v in self.values]
        if n > self.slots:
            grow = n - self.slots
            self.keys = [F.pad(k, (0, 0, 0, 0, 0, 0, 0, grow)) for k in self.keys]
            self.values = [F.pad(v, (0, 0, 0, 0, 0, 0, 0, grow)) for v in self.values]
            self.slots = n

    def _add_group(self) -> None:
        """One more group's place in every cache (zeros), at the end."""
        import torch

        def one_more(caches: list[Any]) -> list[Any]:
            return [torch.cat([c, c.new_zeros((1, *c.shape[1:]))]) for c in caches]

        self.prompt_keys, self.prompt_values = one_more(self.prompt_keys), one_more(self.prompt_values)
        self.keys, self.values = one_more(self.keys), one_more(self.values)
        self.groups.append(_Group(0, 0))

    def _compact(self) -> None:
        """Drop done groups from the caches and renumber the rows' groups."""
        import torch

        kept = [i for i, g in enumerate(self.groups) if g.rows]
        index = torch.tensor(kept, dtype=torch.long)
        renumber = torch.full((len(self.groups),), -1, dtype=torch.long)
        renumber[index] = torch.arange(len(kept))
        self.groups = [self.groups[i] for i in kept]
        if not kept:
            self.prompt_keys, self.prompt_values, self.keys, self.values = [], [], [], []
            self.slots = 0
            return
        self.prompt_keys = [c.index_select(0, index) for c in self.prompt_keys]
        self.prompt_values = [c.index_select(0, index) for c in self.prompt_values]
        self.keys = [c.index_select(0, index) for c in self.keys]
        self.values = [c.index_select(0, index) for c in self.values]
        self.row_group = renumber[self.row_group]
