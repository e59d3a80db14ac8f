"""The copywriter's CPU engine: a static-KV-cache decode loop over int4 weights (`llm_quant`), in PyTorch.

Stock `generate` spends a small model's step in Python bookkeeping and fp32 GEMMs (SmolLM2-135M: ~7 tokens/s
on an AVX2-only CPU). Here a prompt is prefilled once by the transformers model itself (bf16 autocast where
the CPU has native bf16) and its KV cache shared by the n candidates; then each step is ~8 ops per layer on
preallocated fp32 caches (`llm_rows`): three int4 GEMVs for all rows at once, rotary embedding as two
multiply-adds, attention as two small matmuls.

Calls made side by side (a batch run's workers) are decoded together: one caller at a time steps every
running request's rows, a request joining at the next step (continuous batching), and hands the stepping to
another caller once its own request is done; each caller gets its own rows back. A step costs about the same for 4 rows or 12, so products generating together share it
instead of queueing for the cores; a finished row leaves at once, so no request waits on another's tail.
Each request samples with its own seeded generator, so its text does not depend on what runs beside it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generators.runtime.llm_quant import QuantWeights, pack_weights
from generators.runtime.llm_rows import DecodeRows

if TYPE_CHECKING:
    from generators.runtime.llm_spec import SampleSpec

#: Positions the packed rotary tables cover; a prompt plus its budget beyond this is refused.
MAX_POSITIONS = 4096
#: Top-p is applied to this many most likely tokens (the full sort runs only when they hold too little mass).
_TOP_CANDIDATES = 256
#: Prompts whose KV caches are kept (retries and more seeds reuse them; side-by-side products each have one).
_KEPT_PROMPTS = 4


@dataclass
class _Request:
    """One `sample` call in flight: its spec, callback, generator and the rows it has sampled."""

    spec: SampleSpec
    on_token: Callable[[int, int, int], bool]
    generator: Any
    prompt_kv: list[tuple[Any, Any]]
    rows: list[list[int]]
    active: list[int]  # its rows still decoding, in batch order
    steps: int = 0
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


class QuantDecodeEngine:
    """Samples `n` continuations of a prompt with int4 layer weights (see the module docstring).

    Args:
        model: the copywriter's transformers model on the CPU (Llama layout: `llm_quant.supports`); it
            prefills prompts and its weights are packed once.
        eos_ids: token ids that end a sequence.
        bits: 4 (default) or 8 for the layers' weights.
        head_bits: 8 (int8 rows) or 16 (bf16: where bf16 is native, 1.8 ms more a step for SmolLM2's
            49k-token head, and the head's logits exactly the model's).
    """

    def __init__(self, model: Any, eos_ids: set[int], bits: int = 4, head_bits: int = 8) -> None:
        self.model = model
        self.eos_ids = set(eos_ids)
        self.compute = f"int{bits}"
        self.name = f"torch-{self.compute}"
        self.weights: QuantWeights = pack_weights(model, MAX_POSITIONS, bits, head_bits)
        self._prefill_lock = threading.Lock()
        self._prefilled: dict[tuple[int, ...], list[tuple[Any, Any]]] = {}
        self._queue_lock = threading.Condition()
        self._waiting: list[_Request] = []
        # Whoever holds `_driving` steps the shared batch; it passes to another caller once its own request is
        # done, so no product's result waits on rows that joined after it.
        self._driving = threading.Lock()
        self._rows = DecodeRows(self.weights)
        self._running: list[_Request] = []

    def sample(self, spec: SampleSpec, on_token: Callable[[int, int, int], bool]) -> list[list[int]]:
        """`spec.n` sampled continuations (new token ids, end token excluded), seeded by `spec.seed`.

        `on_token(row, step, token_id)` runs after every sampled token but an end token (possibly in another
        caller's thread, one call at a time); returning True stops that row (the caller's stop rule, a
        cancel). An exception in it ends this request and reaches its caller; the others go on.

        Raises:
            ValueError: the prompt plus `spec.max_new_tokens` exceeds `MAX_POSITIONS`, or the prompt is empty.
        """
        import torch

        prompt = list(spec.prompt_ids)
        if not prompt:
            raise ValueError("the prompt is empty")
        if len(prompt) + spec.max_new_tokens > MAX_POSITIONS:
            raise ValueError(f"prompt ({len(prompt)}) + max_new_tokens exceeds {MAX_POSITIONS} positions")
        rows: list[list[int]] = [[] for _ in range(spec.n)]
        if spec.n <= 0 or spec.max_new_tokens <= 0:
            return rows
        with torch.inference_mode():
            prompt_kv = self._prompt_kv(prompt)
        request = _Request(spec, on_token, torch.Generator().manual_seed(spec.seed), prompt_kv, rows, [])
        with self._queue_lock:
            self._waiting.append(request)
            self._queue_lock.notify_all()
        while not request.done.is_set():
            if self._driving.acquire(blocking=False):
                try:
                    self._drive(request)
                finally:
                    self._driving.release()
                with self._queue_lock:  # the requests still running (or just arrived) get a driver
                    self._queue_lock.notify_all()
            else:
                with self._queue_lock:
                    self._queue_lock.wait_for(lambda: request.done.is_set() or not self._driving.locked(), 0.1)
        if request.error is not None:
            raise request.error
        return rows

    def _drive(self, own: _Request) -> None:
        """Step every running and joining request's rows until `own` is done (the caller holds `_driving`)."""
        import torch

        batch, running = self._rows, self._running
        with torch.inference_mode():
            while not own.done.is_set():
                with self._queue_lock:
                    joining, self._waiting = self._waiting, []
                running += joining
                try:
                    for request in joining:
                        self._admit(batch, request)
                    if not running:
                        return
                    self._step(batch, running)
                except BaseException as exc:  # every request in the batch fails with it, not just the driver's
                    for request in running:
                        request.error = request.error or exc
                        request.done.set()
                    running.clear()
                    self._rows = batch = DecodeRows(self.weights)
                with self._queue_lock:
                    self._queue_lock.notify_all()

    def _step(self, batch: DecodeRows, running: list[_Request]) -> None:
        """One decode step for every running request; finished rows leave, finished requests are marked done."""
        logits = batch.step()
        keep: list[int] = []
        tokens: list[int] = []
        offset = 0
        for request in running:
            count = len(request.active)
            kept = self._advance(request, logits[offset : offset + count])
            keep += [offset + i for i, _ in kept]
            tokens += [token for _, token in kept]
            offset += count
        batch.keep(keep, tokens)
        for request in running:
            if not request.active:
                request.done.set()
        running[:] = [r for r in running if r.active]

    def _admit(self, batch: DecodeRows, request: _Request) -> None:
        spec = request.spec
        prompt_len = len(spec.prompt_ids)
        request.active = list(range(spec.n))
        capacity = prompt_len + spec.max_new_tokens
        batch.admit(request.prompt_kv, spec.n, int(spec.prompt_ids[-1]), prompt_len - 1, capacity)

    def _advance(self, request: _Request, logits: Any) -> list[tuple[int, int]]:
        """Sample one token for each of `request`'s rows; (index among its rows, token) for the rows going on."""
        spec = request.spec
        chosen = self._sample(logits, spec, request.steps, request.generator).tolist()
        going: list[tuple[int, int]] = []
        still: list[int] = []
        try:
            for index, token in enumerate(chosen):
                row = request.active[index]
                if token in self.eos_ids:
                    continue
                request.rows[row].append(token)
                if not request.on_token(row, request.steps, token):
                    going.append((index, token))
                    still.append(row)
        except BaseException as exc:
            request.error = exc
            going, still = [], []
        request.steps += 1
        if request.steps >= spec.max_new_tokens:
            going, still = [], []
        request.active = still
        return going

    def _prompt_kv(self, prompt: list[int]) -> list[tuple[Any, Any]]:
        """The model's keys (transposed) and values for all prompt tokens but the last, kept for re-runs."""
        import torch

        key = tuple(prompt[:-1])
        with self._prefill_lock:  # batch workers share this engine; retries and more seeds reuse a prompt
            kept = self._prefilled.pop(key, None)
            if kept is not None:
                self._prefilled[key] = kept  # most recently used last
                return kept
            layers: list[tuple[Any, Any]] = []
            if key:
                cache = prefill(self.model, torch.tensor([list(key)]))
                for layer in cache.layers:
                    layers.append((layer.keys[0].transpose(-1, -2).float(), layer.values[0].float()))
            else:
                w = self.weights
                empty = torch.empty(w.kv_heads, 0, w.head_dim)
                layers = [(empty.transpose(-1, -2), empty) for _ in w.layers]
            self._prefilled[key] = layers
            while len(self._prefilled) > _KEPT_PROMPTS:
                del self._prefilled[next(iter(self._prefilled))]
            return layers

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


def prefill(model: Any, ids: Any) -> Any:
    """The transformers KV cache (`DynamicCache`) of `ids` (1, length) through `model`, without gradients.

    An fp32 model on the CPU prefills under bf16 autocast where bf16 is native (about 3x faster); its cache
    comes back in fp32, the dtype decoding continues in.
    """
    import torch
    from transformers import DynamicCache

    from generators.runtime.device import cpu_supports_bf16

    cache = DynamicCache(config=model.config)
    fast = model.device.type == "cpu" and model.dtype == torch.float32 and cpu_supports_bf16()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=fast):
        model(input_ids=ids, cache=cache, use_cache=True, logits_to_keep=1)
    if fast:
        for layer in cache.layers:
            layer.keys, layer.values = layer.keys.float(), layer.values.float()
    return cache


def eos_ids_of(model: Any, tokenizer: Any) -> set[int]:
    """The ids that end a sequence: the generation config's (one or a list) and the tokenizer's."""
    ids: set[int] = set()
    for source in (getattr(getattr(model, "generation_config", None), "eos_token_id", None), tokenizer.eos_token_id):
        if isinstance(source, int):
            ids.add(source)
        elif source:
            ids.update(int(i) for i in source)
    return ids
