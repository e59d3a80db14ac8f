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
from generators.runtime.progress import Cancelled, CancelToken, ProgressFn, check, report
from generators.runtime.provenance import Provenance, Stopwatch, request_params
from generators.words.attributes import AttributeSheet, build_attribute_sheet
from generators.words.constraints import apply_constraints, render_text
from generators.words.copy_ranking import CopyRanker
from generators.words.copy_sampling import CopySampler
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
from generators.words.prompts import build_messages, copied_example_phrases
from scoring.scores import ScoreKey

if TYPE_CHECKING:
    from generators.runtime.llm_spec import SamplingEngine
    from generators.runtime.loading import LoadedModel
    from generators.runtime.pipeline import ImageTextScorer


def preferred_dtype(device: Any) -> Any:
    """The dtype to load the copywriter in: bf16 on CPUs with native bf16, else the device default.

    Measured here (SmolLM2-135M, 2 cores, avx512_bf16), ms per decode step, interleaved runs: fp32 batch 1
    ~65, fp32 batch 3 ~135-150, bf16 batch 3 ~75-110; a 600-token prefill ~2.4 s fp32 vs ~0.8 s bf16.
    """
    from generators.runtime.device import cpu_bf16_or_default

    return cpu_bf16_or_default(device)


class CopyPipeline:
    """Writes, checks and ranks listing copy.

    Args:
        copywriter: the loaded `copywriter` role (any chat LM with a chat template).
        embedder: the loaded `text_embedder` role, for dropping near-identical candidates (optional).
        scorer: a CLIP scorer, for CLIPScore of copy vs product image (optional).
        engine: an engine that samples instead of the model's own `generate` (the factory decides:
            `generators.runtime.llm_engine.copy_engine_name`); None samples with transformers.
    """

    def __init__(
        self,
        copywriter: LoadedModel,
        *,
        embedder: LoadedModel | None = None,
        scorer: ImageTextScorer | None = None,
        engine: SamplingEngine | None = None,
    ) -> None:
        self.copywriter = copywriter
        self.engine = engine
        self.model = copywriter.components.model
        self.tokenizer = copywriter.components.tokenizer
        self.embedder = embedder
        self.scorer = scorer
        self.ranker = CopyRanker(scorer, embedder, copywriter_placeholder=copywriter.placeholder)
        self.sampler = CopySampler(self.model, self.tokenizer, engine)

    def _description_budget(self, request: CopyRequest, messages_without: list[dict[str, str]]) -> int:
        base = len(self.sampler.prompt_ids(messages_without)[0])
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
            prompt_ids = self.sampler.prompt_ids(
                build_messages(product, sheet, preset, language, tone, request.brand, description)
            )
        total_steps = 3 + request.max_retries
        report(progress, 0, total_steps, "writing candidates")
        start = time.perf_counter()
        with sw("generate"):
            raws, tokens = self.sampler.sample(prompt_ids, request.n, request.seed, request, progress, cancel)
        parsed = [parse_copy(r) for r in raws]
        for attempt in range(1, request.max_retries + 1):
            bad = [i for i, p in enumerate(parsed) if not self._usable(p.fields, preset)]
            if not bad:
                break
            check(cancel)
            report(progress, attempt, total_steps, f"rewriting {len(bad)} malformed candidate(s)")
            with sw("generate"):
                again, more = self.sampler.sample(
                    prompt_ids, len(bad), request.seed + 7919 * attempt, request, None, cancel
                )
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
            dtype=self.copywriter.dtype if self.engine is None else self.engine.compute,
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
