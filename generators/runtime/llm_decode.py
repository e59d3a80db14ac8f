"""The copywriter's CPU engine: a static-KV-cache decode loop over int4 weights (`llm_quant`), in PyTorch.

Stock `generate` spends a small model's step in Python bookkeeping and fp32 GEMMs (SmolLM2-135M: ~7 tokens/s
on an AVX2-only CPU). Here the prompt is prefilled once by the transformers model itself (bf16 autocast where
the CPU has native bf16) and its KV cache shared by the n candidates; then each step is ~8 ops per layer on
preallocated fp32 caches: three int4 GEMVs for all candidates at once, rotary embedding as two multiply-adds,
attention as two small matmuls. A finished candidate leaves the batch, so the others stop paying for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from generators.runtime.llm_quant import QuantWeights, pack_weights

if TYPE_CHECKING:
    from generators.runtime.llm_spec import SampleSpec

#: Positions the packed rotary tables cover; a prompt plus its budget beyond this is refused.
MAX_POSITIONS = 4096
#: Top-p is applied to this many most likely tokens (the full sort runs only when they hold too little mass).
_TOP_CANDIDATES = 256


class QuantDecodeEngine:
    """Samples `n` continuations of a prompt with int4 layer weights (see the module docstring).

    Args:
        model: the copywriter's transformers model on the CPU (Llama layout: `llm_quant.supports`); it
            prefills prompts and its weights are packed once.
        eos_ids: token ids that end a sequence.
        bits: 4 (default) or 8 for the layers' weights.
    """

    def __init__(self, model: Any, eos_ids: set[int], bits: int = 4) -> None:
        self.model = model
        self.eos_ids = set(eos_ids)
        self.compute = f"int{bits}"
        self.name = f"torch-{self.compute}"
        self.weights: QuantWeights = pack_weights(model, MAX_POSITIONS, bits)
        self._prefill_lock = threading.Lock()
        self._prefilled: tuple[tuple[int, ...], list[tuple[Any, Any]]] | None = None

    def sample(self, spec: SampleSpec, on_token: Callable[[int, int, int], bool]) -> list[list[int]]:
        """`spec.n` sampled continuations (new token ids, end token excluded), seeded by `spec.seed`.

        `on_token(row, step, token_id)` runs after every sampled token but an end token; returning True stops
        that row (the caller's stop rule, a cancel). An exception in it reaches the caller.

        Raises:
            ValueError: the prompt plus `spec.max_new_tokens` exceeds `MAX_POSITIONS`, or the prompt is empty.
        """
        import torch

        prompt = list(spec.prompt_ids)
        if not prompt:
            raise ValueError("the prompt is empty")
        if len(prompt) + spec.max_new_tokens > MAX_POSITIONS:
            raise ValueError(f"prompt ({len(prompt)}) + max_new_tokens exceeds {MAX_POSITIONS} positions")
        generator = torch.Generator().manual_seed(spec.seed)
        rows: list[list[int]] = [[] for _ in range(spec.n)]
        with torch.inference_mode():
            keys, values = self._caches(prompt, spec.n, spec.max_new_tokens)
            active = list(range(spec.n))  # batch index -> row
            tokens = torch.full((spec.n,), prompt[-1], dtype=torch.long)
            position = len(prompt) - 1
            for step in range(spec.max_new_tokens):
                logits = self._step(tokens, position, keys, values)
                chosen = self._sample(logits, spec, step, generator).tolist()
                keep = []
                for index, token in enumerate(chosen):
                    row = active[index]
                    if token in self.eos_ids:
                        continue
                    rows[row].append(token)
                    if not on_token(row, step, token):
                        keep.append(index)
                if not keep:
                    break
                if len(keep) < len(active):  # finished rows leave the batch and its caches
                    index = torch.tensor(keep)
                    keys = [k.index_select(0, index) for k in keys]
                    values = [v.index_select(0, index) for v in values]
                    active = [active[i] for i in keep]
                    chosen = [chosen[i] for i in keep]
                tokens = torch.tensor(chosen, dtype=torch.long)
                position += 1
        return rows

    def _caches(self, prompt: list[int], n: int, budget: int) -> tuple[list[Any], list[Any]]:
        """fp32 caches for `n` rows holding the prompt's keys (transposed: (n, kv, dim, pos)) and values."""
        import torch

        layers = self._prompt_kv(prompt)
        w = self.weights
        length = len(prompt) - 1 + budget + 1
        keys, values = [], []
        for k, v in layers:
            kt = torch.empty(n, w.kv_heads, w.head_dim, length)
            vv = torch.empty(n, w.kv_heads, length, w.head_dim)
            kt[:, :, :, : k.shape[-1]] = k
            vv[:, :, : v.shape[-2]] = v
            keys.append(kt)
            values.append(vv)
        return keys, values

    def _prompt_kv(self, prompt: list[int]) -> list[tuple[Any, Any]]:
        """The model's keys (transposed) and values for all prompt tokens but the last, kept for re-runs."""
        import torch

        from generators.runtime.device import cpu_supports_bf16

        key = tuple(prompt[:-1])
        with self._prefill_lock:  # batch workers may share this engine; retries reuse the last prompt
            kept = self._prefilled
            if kept is not None and kept[0] == key:
                return kept[1]
            layers: list[tuple[Any, Any]] = []
            if key:
                from transformers import DynamicCache

                cache = DynamicCache(config=self.model.config)
                fast = self.model.dtype == torch.float32 and cpu_supports_bf16()
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=fast):
                    self.model(input_ids=torch.tensor([list(key)]), cache=cache, use_cache=True, logits_to_keep=1)
                for layer in cache.layers:
                    layers.append((layer.keys[0].transpose(-1, -2).float(), layer.values[0].float()))
            else:
                w = self.weights
                empty = torch.empty(w.kv_heads, 0, w.head_dim)
                layers = [(empty.transpose(-1, -2), empty) for _ in w.layers]
            self._prefilled = (key, layers)
            return layers

    def _step(self, tokens: Any, position: int, keys: list[Any], values: list[Any]) -> Any:
        """Logits (rows, vocab) after feeding `tokens` (one per row) at `position`; writes the caches."""
        import torch
        import torch.nn.functional as F

        w = self.weights
        rows, hidden, qk = tokens.shape[0], w.hidden, (w.heads + w.kv_heads) * w.head_dim
        group = w.heads // w.kv_heads
        cos, sin = w.cos[position], w.sin[position]
        end = position + 1
        x = w.embed[tokens].float()
        for layer, kt, vv in zip(w.layers, keys, values, strict=True):
            y = layer.qkv(F.rms_norm(x, (hidden,), layer.input_norm, w.eps).to(torch.bfloat16)).float()
            rotated = y[:, :qk] * cos
            rotated.addcmul_(y[:, qk : 2 * qk], sin)
            rotated = rotated.view(rows, w.heads + w.kv_heads, w.head_dim)
            kt[:, :, :, position] = rotated[:, w.heads :]
            vv[:, :, position] = y[:, 2 * qk :].view(rows, w.kv_heads, w.head_dim)
            q = rotated[:, : w.heads].reshape(rows, w.kv_heads, group, w.head_dim)
            attention = torch.softmax(torch.matmul(q, kt[..., :end]), -1)
            mixed = torch.matmul(attention, vv[:, :, :end]).reshape(rows, w.heads * w.head_dim)
            x = x + layer.out(mixed.to(torch.bfloat16))
            g = layer.gate_up(F.rms_norm(x, (hidden,), layer.post_norm, w.eps).to(torch.bfloat16))
            x = x + layer.down(F.silu(g[:, : w.intermediate]) * g[:, w.intermediate :])
        return w.head(F.rms_norm(x, (hidden,), w.final_norm, w.eps).to(torch.bfloat16)).float()

    def _sample(self, logits: Any, spec: SampleSpec, step: int, generator: Any) -> Any:
        """One token per row: temperature, then the smallest set of tokens holding `top_p` of the mass."""
        import torch

        if step < spec.min_new_tokens:
            logits[:, sorted(self.eos_ids)] = float("-inf")
        probs = torch.softmax(logits / max(spec.temperature, 1e-5), -1)
        top = min(_TOP_CANDIDATES, probs.shape[-1])
        best, index = torch.topk(probs, top, -1)
        if top < probs.shape[-1] and bool((best.sum(-1) < spec.top_p).any()):
            best, index = torch.sort(probs, -1, descending=True)  # a flat distribution: the full sort
        before = best.cumsum(-1) - best  # mass of the more likely tokens
        best = best.masked_fill(before >= spec.top_p, 0.0)
        return index.gather(-1, torch.multinomial(best, 1, generator=generator))[:, 0]


def eos_ids_of(model: Any, tokenizer: Any) -> set[int]:
    """The ids that end a sequence: the generation config's (one or a list) and the tokenizer's."""
    ids: set[int] = set()
    for source in (getattr(getattr(model, "generation_config", None), "eos_token_id", None), tokenizer.eos_token_id):
        if isinstance(source, int):
            ids.add(source)
        elif source:
            ids.update(int(i) for i in source)
    return ids
