"""The copywriter's CPU engine: a static-KV-cache decode loop over int4 weights (`llm_quant`), in PyTorch.

Stock `generate` spends a small model's step in Python bookkeeping and fp32 GEMMs (SmolLM2-135M: ~7 tokens/s
on an AVX2-only CPU). Here a prompt is prefilled once by the transformers model itself (bf16 autocast where
the CPU has native bf16; what an earlier prompt shares with it is not run again) and its keys and values
shared by the n candidates; then each step is ~8 ops per layer on preallocated fp32 caches (`llm_rows`):
three int4 GEMVs for all rows at once, rotary embedding as two multiply-adds, attention as a few small
matmuls.

A request made while nothing else decodes is decoded in its caller's thread with every core. Requests made
side by side (a batch run's workers) go to lanes (`llm_lanes`): one thread per core, each stepping its rows
with one intra-op thread; a request goes to the least loaded lane and shares its steps with the requests
there: a step costs far less per row for 8 rows than for 2, and a finished row leaves at once, so no request
waits on another's tail. Every row samples with its own seeded generator, so its text does not depend on
what runs beside it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from generators.runtime.llm_lanes import DecodeLane, Part, Request, admit_part, step_parts
from generators.runtime.llm_quant import QuantWeights, pack_weights
from generators.runtime.llm_rows import DecodeRows

if TYPE_CHECKING:
    from generators.runtime.llm_spec import SampleSpec

#: Positions the packed rotary tables cover; a prompt plus its budget beyond this is refused.
MAX_POSITIONS = 4096
#: Top-p is applied to this many most likely tokens (the full sort runs only when they hold too little mass).
_TOP_CANDIDATES = 256
#: Prompts whose KV caches are kept (retries and more seeds reuse them; later prompts reuse their prefixes).
_KEPT_PROMPTS = 4


def row_seed(seed: int, row: int) -> int:
    """The seed of candidate `row` of a request seeded `seed` (distinct rows, distinct streams)."""
    return (seed * 1_000_003 + row) % (2**63)


class QuantDecodeEngine:
    """Samples `n` continuations of a prompt with int4 layer weights (see the module docstring).

    Args:
        model: the copywriter's transformers model on the CPU (Llama layout: `llm_quant.supports`); it
            prefills prompts and its weights are packed once.
        eos_ids: token ids that end a sequence.
        bits: 4 (default) or 8 for the layers' weights.
        head_bits: 8 (int8 rows) or 16 (bf16: where bf16 is native, 1.8 ms more a step for SmolLM2's
            49k-token head, and the head's logits exactly the model's).
        lanes: decode threads (default: the intra-op threads torch uses here, i.e. the cores).
    """

    def __init__(
        self,
        model: Any,
        eos_ids: set[int],
        bits: int = 4,
        head_bits: int = 8,
        lanes: int | None = None,
    ) -> None:
        import torch

        self.model = model
        self.eos_ids = set(eos_ids)
        self.compute = f"int{bits}"
        self.name = f"torch-{self.compute}"
        self.weights: QuantWeights = pack_weights(model, MAX_POSITIONS, bits, head_bits)
        self._prefill_lock = threading.Lock()
        self._prefilled: dict[tuple[int, ...], list[tuple[Any, Any]]] = {}
        count = max(1, lanes if lanes is not None else torch.get_num_threads())
        self.lanes = [DecodeLane(self.weights, self.eos_ids, self._sample) for _ in range(count)]
        self._next_lane = 0
        self._inline = 0  # requests being decoded in their callers' threads (see `_decode_here`)
        self._lane_lock = threading.Lock()

    def sample(self, spec: SampleSpec, on_token: Callable[[int, int, int], bool]) -> list[list[int]]:
        """`spec.n` sampled continuations (new token ids, end token excluded), seeded by `spec.seed`.

        `on_token(row, step, token_id)` runs after every sampled token but an end token (in the caller's
        thread or a lane's, one call at a time per request), `step` being the row's token count before it;
        returning True stops that row (the caller's stop rule, a cancel). An exception in it ends this request
        and reaches its caller; the others go on.

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
        prompt_kv = self._prompt_kv(prompt)
        generators = [torch.Generator().manual_seed(row_seed(spec.seed, row)) for row in range(spec.n)]
        request = Request(spec, on_token, generators, rows)
        part = Part(request, list(range(spec.n)), prompt_kv)
        with self._lane_lock:
            alone = self._inline == 0 and all(lane.load == 0 for lane in self.lanes)
            if alone:
                self._inline += 1
            else:  # the least loaded lane, the next one in turn among equals
                order = self.lanes[self._next_lane :] + self.lanes[: self._next_lane]
                lane = min(order, key=lambda candidate: candidate.load)
                self._next_lane = (self.lanes.index(lane) + 1) % len(self.lanes)
                lane.submit(part)
        if alone:
            try:
                self._decode_here(part)
            finally:
                with self._lane_lock:
                    self._inline -= 1
        else:
            try:
                request.done.wait()
            except BaseException:
                request.abandoned = True  # e.g. Ctrl-C while waiting: the lane drops its rows
                raise
        if request.error is not None:
            raise request.error
        return rows

    def _decode_here(self, part: Part) -> None:
        """Decode a request that arrived while nothing else was decoding, in the caller's thread with the
        caller's intra-op threads: one request alone then uses every core (the lanes use one each). Once a
        request arrives for the lanes, this thread goes on with one intra-op thread, so the cores are not
        oversubscribed (its steps would wait on preempted OpenMP threads); it gets its threads back after.
        """
        import torch

        from generators.runtime.device import one_thread_in_this_thread

        threads = torch.get_num_threads()
        rows, running = DecodeRows(self.weights), [part]
        narrowed = False
        try:
            with torch.inference_mode():
                admit_part(rows, part)
                while running:
                    if not narrowed and threads > 1 and any(lane.load for lane in self.lanes):
                        one_thread_in_this_thread()
                        narrowed = True
                    step_parts(rows, running, self.eos_ids, self._sample)
        finally:
            if narrowed:
                torch.set_num_threads(threads)

    def _prompt_kv(self, prompt: list[int]) -> list[tuple[Any, Any]]:
        """The model's keys (transposed) and values for all prompt tokens but the last, kept for re-runs.

        Only what no kept prompt shares is run through the model: products' copy prompts share the system
        text and the worked example (~230 of SmolLM2's ~290 prompt tokens), whose keys and values are those of
        any earlier product's prompt.
        """
        import torch

        key = tuple(prompt[:-1])
        with self._prefill_lock, torch.inference_mode():  # retries and more seeds reuse a prompt
            kept = self._prefilled.pop(key, None)
            if kept is not None:
                self._prefilled[key] = kept  # most recently used last
                return kept
            shared, base = 0, None
            for other, layers in self._prefilled.items():
                common = shared_prefix(other, key)
                if common > shared:
                    shared, base = common, layers
            layers = []
            if base is not None and shared == len(key):
                layers = [(k[..., :shared].contiguous(), v[:, :shared].contiguous()) for k, v in base]
            elif key:
                past = [(k[..., :shared], v[:, :shared]) for k, v in base] if base is not None else None
                cache = prefill(self.model, torch.tensor([list(key[shared:])]), past)
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

    def _sample(self, logits: Any, spec: SampleSpec, step: int, generators: list[Any]) -> Any:
        """One token per row (each drawn with its own generator): temperature, then the smallest set of
        tokens holding `top_p` of the mass."""
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
        drawn = torch.cat([torch.multinomial(best[i], 1, generator=g) for i, g in enumerate(generators)])
        return index.gather(-1, drawn[:, None])[:, 0]


def shared_prefix(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """How many leading tokens `a` and `b` have in common."""
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


def prefill(model: Any, ids: Any, past: list[tuple[Any, Any]] | None = None) -> Any:
    """The transformers KV cache (`DynamicCache`) of `ids` (1, length) through `model`, without gradients.

    `past`: per layer, keys (transposed: (kv, dim, p)) and values (kv, p, dim) of the tokens before `ids`
    (the cache then holds those positions too). An fp32 model on the CPU prefills under bf16 autocast where
    bf16 is native (about 3x faster); its cache comes back in fp32, the dtype decoding continues in (and a
    past made here goes back to bf16 exactly).
    """
    import torch
    from transformers import DynamicCache

    from generators.runtime.device import cpu_supports_bf16

    cache = DynamicCache(config=model.config)
    fast = model.device.type == "cpu" and model.dtype == torch.float32 and cpu_supports_bf16()
    dtype = torch.bfloat16 if fast else model.dtype
    for index, (keys, values) in enumerate(past or ()):
        cache.update(keys.transpose(-1, -2)[None].to(dtype), values[None].to(dtype), index)
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
