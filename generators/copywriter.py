"""Copywriter pipeline: N seeded candidates in one batched `generate`, constrained, grounded and ranked.

Flow: attribute sheet -> chat prompt (product text as delimited data) -> one batched sampling call
(KV cache, same prompt tokens reused) -> robust parse (retry malformed ones once) -> brand rules and
platform limits -> grounding against the sheet -> CLIPScore vs the product image, grounding, brand
compliance -> near-duplicates dropped with MiniLM embeddings -> ranked candidates with scores and reasons.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from generators.runtime.lexicon import has_cjk
from generators.runtime.llm_engine import CT2_COMPUTE
from generators.runtime.progress import Cancelled, CancelToken, ProgressFn, check, report
from generators.runtime.provenance import Provenance, Stopwatch, request_params
from generators.words.attributes import AttributeSheet, build_attribute_sheet
from generators.words.constraints import apply_constraints, render_text
from generators.words.copy_ranking import CopyRanker
from generators.words.copy_style import style_issues
from generators.words.copy_types import (
    CandidateStatus,
    CopyCandidate,
    CopyRequest,
    CopyResult,
    GroundingPolicy,
)
from generators.words.fact_bullets import repair_bullets
from generators.words.grounding import check_grounding, mark_phrase
from generators.words.model_fit import small_model_notice
from generators.words.parsing import CopyFields, parse_copy
from generators.words.presets import (
    Language,
    Layout,
    PlatformPreset,
    preset_for,
    tone_description,
)
from generators.words.prompts import ASSISTANT_PREFIX, build_messages, copied_example_phrases
from scoring.scores import ScoreKey

if TYPE_CHECKING:
    from generators.runtime.llm_engine import Ct2Engine
    from generators.runtime.loading import LoadedModel
    from generators.runtime.pipeline import ImageTextScorer


def preferred_dtype(device: Any) -> Any:
    """The dtype to load the copywriter in: bf16 on CPUs with native bf16, else the device default.

    Measured here (SmolLM2-135M, 2 cores, avx512_bf16), ms per decode step, interleaved runs: fp32 batch 1
    ~65, fp32 batch 3 ~135-150, bf16 batch 3 ~75-110; a 600-token prefill ~2.4 s fp32 vs ~0.8 s bf16.
    """
    from generators.runtime.device import cpu_bf16_or_default

    return cpu_bf16_or_default(device)


class _StopCriteria:
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


class CopyPipeline:
    """Writes, checks and ranks listing copy.

    Args:
        copywriter: the loaded `copywriter` role (any chat LM with a chat template).
        embedder: the loaded `text_embedder` role, for dropping near-identical candidates (optional).
        scorer: a CLIP scorer, for CLIPScore of copy vs product image (optional).
        engine: a CTranslate2 engine that samples instead of the model's own `generate` (the factory decides:
            `generators.runtime.llm_engine.copy_engine_name`); None samples with transformers.
    """

    def __init__(
        self,
        copywriter: LoadedModel,
        *,
        embedder: LoadedModel | None = None,
        scorer: ImageTextScorer | None = None,
        engine: Ct2Engine | None = None,
    ) -> None:
        self.copywriter = copywriter
        self.engine = engine
        self.model = copywriter.components.model
        self.tokenizer = copywriter.components.tokenizer
        self.embedder = embedder
        self.scorer = scorer
        self.ranker = CopyRanker(scorer, embedder, copywriter_placeholder=copywriter.placeholder)
        self._prompt_cache: dict[str, Any] = {}
        self._newlines: set[int] | None = None
        self._kv: tuple[tuple[int, ...], Any] | None = None

    # ---- generation -----------------------------------------------------------------------------------
    def _newline_ids(self) -> set[int]:
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

    def _prompt_ids(self, messages: list[dict[str, str]]) -> Any:
        key = repr(messages)
        ids = self._prompt_cache.get(key)
        if ids is None:  # re-runs (retries, more seeds) skip templating and tokenizing
            text = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            text += ASSISTANT_PREFIX
            ids = self.tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
            self._prompt_cache = {key: ids}  # one assignment: batch workers may call this side by side
        return ids

    def generate(
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
            return self._generate_ct2(prompt_ids, n, seed, request, progress, cancel)
        import torch
        from transformers import StoppingCriteriaList

        preset = preset_for(request.platform)
        prompt = prompt_ids.to(self.model.device)
        ids = prompt.expand(n, -1)
        mask = torch.ones_like(ids)
        cache = self._prompt_cache_kv(prompt, n)  # the prompt is encoded once for all n candidates
        torch.manual_seed(seed)
        stop = _StopCriteria(
            self.tokenizer,
            preset,
            ids.shape[1],
            request.max_new_tokens,
            progress,
            cancel,
            self._newline_ids(),
            enabled=request.min_new_tokens == 0,
        )
        with torch.inference_mode():
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
        done = {eos, self.tokenizer.pad_token_id, *self._newline_ids()}
        cut = [request.min_new_tokens == 0 and int(row[-1]) not in done for row in new]
        return _assistant_texts(texts, cut), tokens

    def _generate_ct2(
        self,
        prompt_ids: Any,
        n: int,
        seed: int,
        request: CopyRequest,
        progress: ProgressFn | None,
        cancel: CancelToken | None,
    ) -> tuple[list[str], int]:
        """`generate` on the CTranslate2 engine: the same stop rule, progress and cancel, checked per token."""
        from generators.runtime.llm_engine import SampleSpec

        assert self.engine is not None
        check(cancel)
        newlines = self._newline_ids()
        stop = _StopCriteria(
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

        import torch
        from transformers import DynamicCache

        key = tuple(prompt[0].tolist())
        kept = self._kv  # read once: another batch worker may replace it meanwhile
        if kept is None or kept[0] != key:
            from generators.runtime.device import cpu_supports_bf16

            cache = DynamicCache(config=self.model.config)
            fast = self.model.device.type == "cpu" and self.model.dtype == torch.float32 and cpu_supports_bf16()
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=fast):
                self.model(input_ids=prompt[:, :-1], cache=cache, use_cache=True)
            if fast:  # decode runs in the model's fp32
                for layer in cache.layers:
                    layer.keys, layer.values = layer.keys.float(), layer.values.float()
            kept = self._kv = (key, cache)
        cache = copy.deepcopy(kept[1])
        if n > 1:
            cache.batch_repeat_interleave(n)
        return cache

    def _description_budget(self, request: CopyRequest, messages_without: list[dict[str, str]]) -> int:
        base = len(self._prompt_ids(messages_without)[0])
        return max(32, request.max_prompt_tokens - base)

    def _truncate(self, text: str, max_tokens: int) -> tuple[str, bool]:
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) <= max_tokens:
            return text, False
        return self.tokenizer.decode(ids[:max_tokens], skip_special_tokens=True).rstrip() + " …", True

    # ---- the job --------------------------------------------------------------------------------------
    def run(
        self, request: CopyRequest, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> CopyResult:
        """Generate `request.n` candidates and return them checked and ranked."""
        sw = Stopwatch()
        preset, language, sheet, warnings = self._prepare(request)
        product = request.product
        tone = tone_description(request.tone, language)

        check(cancel)
        with sw("prompt"):
            bare = build_messages(product, sheet, preset, language, tone, request.brand, "")
            description, truncated = self._truncate(product.description, self._description_budget(request, bare))
            if truncated:
                warnings.append("the description was too long for the model's context and was truncated")
            prompt_ids = self._prompt_ids(
                build_messages(product, sheet, preset, language, tone, request.brand, description)
            )
        total_steps = 3 + request.max_retries
        report(progress, 0, total_steps, "writing candidates")
        start = time.perf_counter()
        with sw("generate"):
            raws, tokens = self.generate(prompt_ids, request.n, request.seed, request, progress, cancel)
        parsed = [parse_copy(r) for r in raws]
        for attempt in range(1, request.max_retries + 1):
            bad = [i for i, p in enumerate(parsed) if not self._usable(p.fields, preset)]
            if not bad:
                break
            check(cancel)
            report(progress, attempt, total_steps, f"rewriting {len(bad)} malformed candidate(s)")
            with sw("generate"):
                again, more = self.generate(prompt_ids, len(bad), request.seed + 7919 * attempt, request, None, cancel)
            tokens += more
            for i, text in zip(bad, again, strict=True):
                candidate = parse_copy(text)
                if self._usable(candidate.fields, preset) or not self._usable(parsed[i].fields, preset):
                    raws[i], parsed[i] = text, candidate
        gen_s = time.perf_counter() - start
        report(progress, total_steps - 2, total_steps, "checking candidates")
        timings = {"tokens_per_s": tokens / gen_s if gen_s > 0 else 0.0, "new_tokens": float(tokens)}
        return self._finish(request, raws, parsed, sheet, warnings, sw, timings, progress, cancel)

    def review(self, request: CopyRequest, texts: list[str], *, cancel: CancelToken | None = None) -> CopyResult:
        """Check and rank copy that was not generated here (edited by a person, or from another tool).

        `texts` use the same line format the model writes (TITLE:/BULLET:/DESCRIPTION:/HASHTAGS:).
        """
        _, _, sheet, warnings = self._prepare(request)
        parsed = [parse_copy(t) for t in texts]
        return self._finish(request, list(texts), parsed, sheet, warnings, Stopwatch(), {}, None, cancel, repair=False)

    def _prepare(self, request: CopyRequest) -> tuple[PlatformPreset, Language, AttributeSheet, list[str]]:
        preset = preset_for(request.platform)
        language = request.language or preset.language
        product = request.product
        warnings: list[str] = []
        if not product.title and not product.description and not product.attributes:
            warnings.append("the product has no title, description or attributes: the copy can only be generic")
        elif not product.description and not product.attributes:
            warnings.append("the product has only a title: expect generic copy")
        if product.image is None:
            warnings.append("the product has no image: CLIP ranking is not used")
        sheet = build_attribute_sheet(product, request.clip_attributes, request.captions)
        warnings += [c.message for c in sheet.conflicts]
        return preset, language, sheet, warnings

    def _finish(
        self,
        request: CopyRequest,
        raws: list[str],
        parsed: list[Any],
        sheet: AttributeSheet,
        warnings: list[str],
        sw: Stopwatch,
        extra_timings: dict[str, float],
        progress: ProgressFn | None,
        cancel: CancelToken | None,
        *,
        repair: bool = True,
    ) -> CopyResult:
        """Check and rank parsed candidates. `repair`: rewrite weak bullets from the sheet (never a person's)."""
        preset = preset_for(request.platform)
        language = request.language or preset.language
        product = request.product
        total_steps = 3 + request.max_retries
        check(cancel)
        with sw("constrain"):
            candidates = [
                self._check(i, raw, p.fields, p.repairs, preset, language, request, sheet, repair=repair)
                for i, (raw, p) in enumerate(zip(raws, parsed, strict=True))
            ]
        check(cancel)
        report(progress, total_steps - 1, total_steps, "ranking")
        with sw("rank"):
            candidates = self.ranker.rank(candidates, product, request, warnings)
        report(progress, total_steps, total_steps, "done")
        if not self.copywriter.placeholder:  # a placeholder's copy is labelled as meaningless already
            notice = small_model_notice(self.copywriter.resolved.model_id, self._parameter_count(), language)
            if notice:
                warnings.append(notice)
        refs = [self.copywriter.ref()]
        if self.embedder is not None:
            refs.append(self.embedder.ref())
        clip_used = any(c.scores.get(ScoreKey.CLIP_SCORE) is not None for c in candidates)
        if clip_used and getattr(self.scorer, "ref", None) is not None:
            refs.append(self.scorer.ref)
        # Every request field (the product and brand kit by content); the resolved language beside it.
        params = request_params(
            request,
            resolved_language=language.value,
            dtype=self.copywriter.dtype if self.engine is None else CT2_COMPUTE,
            engine=self.engine.name if self.engine is not None else "transformers",
        )
        timings = {**sw.timings, **extra_timings}
        best = next((c for c in candidates if c.rank == 1), None)
        scores = {k: float(v) for k, v in (best.scores if best else {}).items() if v is not None}
        prov = Provenance(tuple(refs), request.seed, params, timings, scores)
        return CopyResult(tuple(candidates), sheet, preset, language, tuple(dict.fromkeys(warnings)), prov)

    def _parameter_count(self) -> int:
        """The copywriter's parameter count (0 when the model cannot tell): the small-model notice reads it."""
        if getattr(self, "_parameters", None) is None:
            params = getattr(self.model, "parameters", None)
            self._parameters = sum(int(p.numel()) for p in params()) if callable(params) else 0
        return self._parameters

    @staticmethod
    def _usable(fields: CopyFields, preset: PlatformPreset) -> bool:
        if not fields.title:
            return False
        if preset.layout is Layout.LISTING and preset.bullets:
            return bool(fields.bullets) or bool(fields.description)
        return bool(fields.description)

    def _check(
        self,
        index: int,
        raw: str,
        fields: CopyFields,
        repairs: tuple[str, ...],
        preset: PlatformPreset,
        language: Language,
        request: CopyRequest,
        sheet: AttributeSheet,
        *,
        repair: bool = True,
    ) -> CopyCandidate:
        if repair and preset.layout is Layout.LISTING:
            fields, written = repair_bullets(fields, sheet, language, preset.bullets)
            repairs = (*repairs, *written)
        outcome = apply_constraints(fields, preset, request.brand, banned_policy=request.banned_policy)
        fixes = (*repairs, *outcome.fixes)
        if outcome.dropped:
            return CopyCandidate(
                index,
                CandidateStatus.DROPPED,
                outcome.fields,
                render_text(outcome.fields, preset),
                raw,
                {"brand": outcome.brand_compliance},
                None,
                outcome.drop_reason,
                (),
                fixes,
            )
        fields = outcome.fields
        texts = fields.field_texts()
        report_ = check_grounding(texts, sheet)
        flags = [f"{i.message}: {mark_phrase(texts[i.field], i, context=40)}" for i in report_.issues]
        flags += list(outcome.notes)
        style = tuple(style_issues(fields, request.product.description))
        flags += [s.message for s in style]
        body = fields.title + fields.description + "".join(fields.bullets)
        cjk_share = sum(1 for ch in body if has_cjk(ch)) / max(1, len(body.replace(" ", "")))
        if language is Language.ZH and cjk_share < 0.3:
            flags.append(f"asked for Chinese but only {cjk_share:.0%} of the text is Chinese")
        elif language is Language.EN and cjk_share > 0.3:
            flags.append("asked for English but the text is mostly Chinese")
        copied = copied_example_phrases(fields.all_text(), sheet.text)
        if copied:
            flags.append(
                "repeats the prompt's worked example, not this product: " + ", ".join(f"'{c}'" for c in copied)
            )
        status = CandidateStatus.RANKED if not flags else CandidateStatus.FLAGGED
        if (not report_.ok or copied) and request.grounding_policy is GroundingPolicy.REJECT:
            status = CandidateStatus.REJECTED
        scores: dict[str, float | None] = {
            ScoreKey.GROUNDING: report_.score,
            ScoreKey.BRAND: outcome.brand_compliance,
            ScoreKey.COMPLETENESS: outcome.completeness,
        }
        reason = ""
        if status is CandidateStatus.REJECTED:
            reason = "copies the worked example" if report_.ok else report_.reason
        return CopyCandidate(
            index,
            status,
            fields,
            render_text(fields, preset),
            raw,
            scores,
            None,
            reason,
            tuple(flags),
            fixes,
            report_.issues,
            style,
        )


__all__ = [
    "CandidateStatus",
    "Cancelled",
    "CopyCandidate",
    "CopyPipeline",
    "CopyRequest",
    "CopyResult",
    "GroundingPolicy",
    "preferred_dtype",
]
