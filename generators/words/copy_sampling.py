"""Sampling copy drafts: `n` completions of one chat prompt in one batched call, with one stop rule.

Every engine shares the stop rule (a draft stops once it has every section its platform needs, or repeats a
line), progress and cancel: transformers' `generate`, whose prompt KV cache is computed once and repeated for
every draft, and the engines of `generators.runtime.llm_engine` (the int4 decode loop, CTranslate2). `generators.copywriter` builds the prompt
and checks, grounds and ranks what comes back.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from generators.runtime.progress import Cancelled, CancelToken, ProgressFn, check, report
from generators.words.copy_types import CopyRequest
from generators.words.parsing import parse_copy
from generators.words.presets import Layout, PlatformPreset, preset_for
from generators.words.prompts import ASSISTANT_PREFIX

if TYPE_CHECKING:
    from generators.runtime.llm_spec import SamplingEngine


# transformers samples from torch's one global generator: products generating side by side (batch workers)
# take turns, so that a seed gives the same text whatever runs beside it.
_TORCH_SAMPLING = threading.Lock()


class StopRule:
    """Per-sequence stopping for batched generation, checked only when a line ends (cheap).

    A sequence stops once it has every section the platform needs, or as soon as it repeats a line (small
    models loop: "BULLET: Easy care" x 20). Also reports token progress and raises Cancelled between tokens.
    """

    def __init__(
        self,
        tokenizer: Any,
        preset: PlatformPreset,
        prompt_len: int,
        total: int,
        progress: ProgressFn | None,
        cancel: CancelToken | None,
        newline_ids: set[int],
        enabled: bool = True,
    ) -> None:
        self.tokenizer, self.preset, self.prompt_len, self.total = tokenizer, preset, prompt_len, total
        self.progress, self.cancel, self.enabled = progress, cancel, enabled
        self.newline_ids = newline_ids

    def _complete(self, text: str) -> bool:
        lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
        if len(lines) != len(set(lines)):
            return True
        fields = parse_copy(ASSISTANT_PREFIX + text).fields
        if self.preset.layout is Layout.POST:
            return bool(fields.title and fields.description and fields.hashtags)
        need_tags = self.preset.tags_max > 0
        return bool(
            fields.title
            and fields.description
            and len(fields.bullets) >= self.preset.bullets
            and (fields.tags or not need_tags)
        )

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        check(self.cancel)
        done = input_ids.shape[1] - self.prompt_len
        if done % 16 == 0:
            report(self.progress, done, self.total, "writing")
        stop = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
        if not self.enabled:
            return stop
        for row in range(input_ids.shape[0]):
            if int(input_ids[row, -1]) in self.newline_ids:
                stop[row] = self.wants_stop(input_ids[row, self.prompt_len :])
        return stop

    def wants_stop(self, new_ids: Any) -> bool:
        """Whether a sequence whose new tokens are `new_ids` (ending on a line break) should stop now."""
        return self.enabled and self._complete(self.tokenizer.decode(new_ids, skip_special_tokens=True))


def _assistant_texts(texts: list[str], cut: list[bool]) -> list[str]:
    """The completions with the assistant prefix; a row `cut` by the token budget loses its last partial word."""
    out = []
    for text, was_cut in zip(texts, cut, strict=True):
        if was_cut and " " in text.strip():
            # Cut off by max_new_tokens mid-line: its last word may be partial ("#je" for "#jeans").
            text = text.rstrip().rsplit(" ", 1)[0]
        out.append(ASSISTANT_PREFIX + text)
    return out


class CopySampler:
    """Samples `n` completions of one chat prompt in a single batched call, on one of the engines.

    Args:
        model: the copywriter's causal LM (transformers), used for sampling when `engine` is None.
        tokenizer: its tokenizer (with the chat template).
        engine: an engine that samples instead of the model's own `generate` (`llm_engine.SamplingEngine`), or None.
    """

    def __init__(self, model: Any, tokenizer: Any, engine: SamplingEngine | None = None) -> None:
        self.model, self.tokenizer, self.engine = model, tokenizer, engine
        self._prompt_cache: dict[str, Any] = {}
        self._newlines: set[int] | None = None
        self._kv: tuple[tuple[int, ...], Any] | None = None

    def newline_ids(self) -> set[int]:
        if self._newlines is None:  # token ids whose text holds a line break: where stopping is checked
            vocab = self.tokenizer.get_vocab()
            strings = self.tokenizer.convert_ids_to_tokens(list(vocab.values()))
            decoded = {
                i: self.tokenizer.convert_tokens_to_string([t])
                for i, t in zip(vocab.values(), strings, strict=True)
                if "\u010a" in t or "\n" in t or "<0x0A>" in t
            }
            self._newlines = {i for i, text in decoded.items() if "\n" in text}
        return self._newlines

    def prompt_ids(self, messages: list[dict[str, str]]) -> Any:
        key = repr(messages)
        ids = self._prompt_cache.get(key)
        if ids is None:  # re-runs (retries, more seeds) skip templating and tokenizing
            text = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            text += ASSISTANT_PREFIX
            ids = self.tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
            self._prompt_cache = {key: ids}  # one assignment: batch workers may call this side by side
        return ids

    def sample(
        self,
        prompt_ids: Any,
        n: int,
        seed: int,
        request: CopyRequest,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> tuple[list[str], int]:
        """`n` sampled completions of one prompt in a single batched call; returns (texts, new tokens)."""
        if self.engine is not None:
            return self._sample_engine(prompt_ids, n, seed, request, progress, cancel)
        import torch
        from transformers import StoppingCriteriaList

        preset = preset_for(request.platform)
        prompt = prompt_ids.to(self.model.device)
        ids = prompt.expand(n, -1)
        mask = torch.ones_like(ids)
        cache = self._prompt_cache_kv(prompt, n)  # the prompt is encoded once for all n candidates
        stop = StopRule(
            self.tokenizer,
            preset,
            ids.shape[1],
            request.max_new_tokens,
            progress,
            cancel,
            self.newline_ids(),
            enabled=request.min_new_tokens == 0,
        )
        with _TORCH_SAMPLING, torch.inference_mode():
            torch.manual_seed(seed)
            out = self.model.generate(
                input_ids=ids,
                attention_mask=mask,
                do_sample=True,
                temperature=request.temperature,
                top_p=request.top_p,
                max_new_tokens=request.max_new_tokens,
                min_new_tokens=request.min_new_tokens,
                pad_token_id=self.tokenizer.pad_token_id,
                eos_token_id=self.tokenizer.eos_token_id,
                use_cache=True,
                cache=cache,
                stopping_criteria=StoppingCriteriaList([stop]),
            )
        new = out[:, ids.shape[1] :]
        eos = self.tokenizer.eos_token_id
        tokens = int(sum(int((row != eos).sum()) for row in new))
        texts = self.tokenizer.batch_decode(new, skip_special_tokens=True)
        done = {eos, self.tokenizer.pad_token_id, *self.newline_ids()}
        cut = [request.min_new_tokens == 0 and int(row[-1]) not in done for row in new]
        return _assistant_texts(texts, cut), tokens

    def _sample_engine(
        self,
        prompt_ids: Any,
        n: int,
        seed: int,
        request: CopyRequest,
        progress: ProgressFn | None,
        cancel: CancelToken | None,
    ) -> tuple[list[str], int]:
        """`sample` on `self.engine`: the same stop rule, progress and cancel, checked per token."""
        from generators.runtime.llm_engine import SampleSpec

        assert self.engine is not None
        check(cancel)
        newlines = self.newline_ids()
        stop = StopRule(
            self.tokenizer,
            preset_for(request.platform),
            0,
            request.max_new_tokens,
            progress,
            cancel,
            newlines,
            enabled=request.min_new_tokens == 0,
        )
        rows: list[list[int]] = [[] for _ in range(n)]
        cancelled = False

        def on_token(row: int, step: int, token: int) -> bool:
            nonlocal cancelled
            if cancelled or (cancel is not None and cancel.cancelled):
                cancelled = True
                return True  # every row stops at its next token; Cancelled is raised once the call returns
            rows[row].append(token)
            if row == 0 and (step + 1) % 16 == 0:
                report(progress, step + 1, request.max_new_tokens, "writing")
            return token in newlines and stop.wants_stop(rows[row])

        spec = SampleSpec(
            prompt_ids[0].tolist(),
            n,
            seed,
            request.max_new_tokens,
            request.min_new_tokens,
            request.temperature,
            request.top_p,
        )
        out = self.engine.sample(spec, on_token)
        if cancelled:
            check(cancel)
            raise Cancelled("cancelled by the user")
        eos = self.tokenizer.eos_token_id
        out = [[t for t in row if t != eos] for row in out]
        texts = self.tokenizer.batch_decode(out, skip_special_tokens=True)
        # A row that ends below the budget ended on the end token or a complete line (the stop rule).
        cut = [
            request.min_new_tokens == 0 and len(row) >= request.max_new_tokens and row[-1] not in newlines
            for row in out
        ]
        return _assistant_texts(texts, cut), sum(len(row) for row in out)

    def _prompt_cache_kv(self, prompt: Any, n: int) -> Any:
        """KV cache of all prompt tokens but the last, computed once (batch 1) and repeated for `n` sequences.

        The prefill is the costly part of a long few-shot prompt; it is kept across calls (retries reuse it).
        An fp32 model still prefills under bf16 autocast where the CPU has native bf16 (about 3x faster).
        """
        import copy

        from generators.runtime.llm_decode import prefill

        key = tuple(prompt[0].tolist())
        kept = self._kv  # read once: another batch worker may replace it meanwhile
        if kept is None or kept[0] != key:
            kept = self._kv = (key, prefill(self.model, prompt[:, :-1]))
        cache = copy.deepcopy(kept[1])
        if n > 1:
            cache.batch_repeat_interleave(n)
        return cache
