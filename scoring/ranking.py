"""Rank candidates (images or texts) by weighted CLIP criteria, drop near-duplicates with MMR, hide weak ones.

Criteria:
- text consistency: an image candidate against the prompt/copy/caption texts (CLIPScore, averaged over texts),
  or a text candidate (a caption) against the product image;
- source fidelity: an image candidate against the product image (image–image similarity);
- diversity: maximal marginal relevance; an item (near-)identical to one ranked above it is dropped.
Hidden items (below the threshold, duplicates) stay in the result, after the shown ones; an item that could
not be read is listed last with its error: one bad candidate never sinks the ranking.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from generators.runtime.progress import CancelToken, ProgressFn, check
from generators.runtime.provenance import Provenance, request_params
from scoring.diversity import maximal_marginal_relevance
from scoring.ranking_types import (
    Candidate,
    Criterion,
    RankCriteria,
    RankedCandidate,
    RankingError,
    RankRequest,
    RankResult,
    Status,
)
from scoring.scores import clip_score, clip_score_display, distinctness_display, similarity_display

if TYPE_CHECKING:
    from scoring.scorer import ClipScorer


def _source_name(source: Any) -> str:
    return str(source) if isinstance(source, (str, Path)) else "product image"


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


@dataclass
class _Features:
    """One scoring pass over the candidates, before any weighting.

    `text_cos[i, t]` is candidate i against criteria text t (text mode: the candidate text against the
    product image, one column); `fidelity[i]` is an image candidate against the product image.
    """

    feats: np.ndarray  # [n, d]
    text_cos: np.ndarray | None  # [n, T]
    fidelity: np.ndarray | None  # [n]
    windowed: np.ndarray  # [n, T] bool
    errors: dict[int, str]

    def cosines(self, cols: tuple[int, ...]) -> dict[Criterion, np.ndarray]:
        """Per-criterion cosines when the image should match the texts `cols` (averaged over them)."""
        cos: dict[Criterion, np.ndarray] = {}
        if self.text_cos is not None and cols:
            cos[Criterion.TEXT_CONSISTENCY] = self.text_cos[:, list(cols)].mean(axis=1)
        if self.fidelity is not None:
            cos[Criterion.SOURCE_FIDELITY] = self.fidelity.copy()
        return cos

    def windowed_for(self, cols: tuple[int, ...]) -> list[bool]:
        if not cols or self.windowed.shape[1] == 0:
            return [False] * len(self.feats)
        return list(self.windowed[:, list(cols)].any(axis=1))


@dataclass
class _Group:
    """One ranking to produce: which criteria texts it averages, and its working scores."""

    cols: tuple[int, ...]
    criteria: RankCriteria
    feats: np.ndarray
    cos: dict[Criterion, np.ndarray]
    rel: list[float]
    key: list[float]
    close: list[int] = field(default_factory=list)


class Ranker:
    """Ranks candidate sets with one `ClipScorer`.

    `run(request)` ranks once (several criteria texts are averaged); `run_each(request, prompts)` ranks the
    same candidates separately against each prompt, sharing one embedding pass and one fp32 check.
    """

    def __init__(self, scorer: ClipScorer) -> None:
        self.scorer = scorer

    def run(
        self, request: RankRequest, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> RankResult:
        """Score, verify close calls in fp32 if needed, order with MMR, and explain every placement."""
        texts = request.criteria.texts
        groups = [(request.criteria, tuple(range(len(texts))))]
        return self._run(request.candidates, request.criteria, groups, progress, cancel)[0]

    def run_each(
        self,
        request: RankRequest,
        prompts: Sequence[str],
        *,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[RankResult]:
        """One ranking per prompt (same as `run` with `texts=(prompt,)` for each), in the order given.

        Images are embedded once and the close calls of every prompt are re-checked in one fp32 pass, so
        ranking a set against 8 prompts costs little more than against one.
        """
        if not prompts:
            raise RankingError("give at least one prompt to rank against")
        if any(c.is_text for c in request.candidates):
            raise RankingError("ranking against each prompt is for image candidates")
        crit = replace(request.criteria, texts=tuple(prompts))
        groups = [(replace(crit, texts=(p,)), (t,)) for t, p in enumerate(prompts)]
        return self._run(request.candidates, crit, groups, progress, cancel)

    def _run(
        self,
        candidates: Sequence[Candidate],
        crit: RankCriteria,
        groups_spec: list[tuple[RankCriteria, tuple[int, ...]]],
        progress: ProgressFn | None,
        cancel: CancelToken | None,
    ) -> list[RankResult]:
        start = time.perf_counter()
        cands = list(candidates)
        text_mode = self._validate(cands, crit)
        if text_mode:
            groups_spec = [(c, (0,)) for c, _ in groups_spec]
        feats = self._features(self.scorer, cands, crit, text_mode, progress, cancel)
        weights = {Criterion.TEXT_CONSISTENCY: crit.text_weight, Criterion.SOURCE_FIDELITY: crit.fidelity_weight}
        groups = []
        for group_crit, cols in groups_spec:
            cos = feats.cosines(cols)
            groups.append(
                _Group(cols, group_crit, feats.feats, cos, self._relevance(cos, weights), self._order_key(cos, weights))
            )
        self._verify_close_calls(cands, crit, text_mode, feats.errors, groups, weights, cancel)
        elapsed = time.perf_counter() - start
        results = []
        for g in groups:
            windowed = feats.windowed_for(g.cols)
            items = self._order(cands, g.criteria, g.feats, g.cos, g.rel, g.key, windowed, feats.errors, text_mode)
            prov = Provenance(
                models=(self.scorer.ref,),
                params=request_params(
                    RankRequest(tuple(cands), g.criteria),
                    n_candidates=len(cands),
                    dtype=self.scorer.dtype_name,
                    verified_fp32=len(g.close),
                    ranked_together_with=len(groups) - 1,
                ),
                timings={"rank": elapsed},
                scores={r.candidate.id: r.total for r in items if r.total is not None},
            )
            notice = self.scorer.language_notice([*g.criteria.texts, *(c.text or "" for c in cands)])
            results.append(RankResult(tuple(items), g.criteria, prov, (notice,) if notice else ()))
        return results

    @staticmethod
    def _validate(cands: list[Candidate], crit: RankCriteria) -> bool:
        """Refuse impossible requests; returns True when the candidates are texts."""
        if not cands:
            raise RankingError("there are no candidates to rank")
        ids = [c.id for c in cands]
        if len(set(ids)) != len(ids):
            raise RankingError("candidate ids must be unique")
        kinds = {c.is_text for c in cands}
        if len(kinds) > 1:
            raise RankingError("rank images and texts separately: this set mixes both")
        text_mode = cands[0].is_text
        if text_mode and crit.source_image is None:
            raise RankingError("ranking texts needs the product image to judge them against")
        if not text_mode and not crit.texts and crit.source_image is None:
            raise RankingError("ranking images needs a prompt text or a product image to compare them with")
        return text_mode

    def _verify_close_calls(self, cands, crit, text_mode, errors, groups, weights, cancel) -> None:
        """Re-score, in fp32, the candidates whose fast-dtype score is within rounding of each group's best.

        A faster dtype must never change the winner: items closer to the best than the dtype's error could
        bridge are re-scored with the fp32 twin (one pass for the close calls of every group).
        """
        tol = self.scorer.refine_tolerance
        if not crit.verify_fp32 or tol <= 0:
            return
        ok = [i for i in range(len(cands)) if i not in errors]
        if not ok:
            return
        for g in groups:
            best = max(g.key[i] for i in ok)
            close = [i for i in ok if g.key[i] >= best - 2.5 * tol]
            g.close = close if len(close) > 1 else []
        union = sorted({i for g in groups for i in g.close})
        if not union:
            return
        sub = [cands[i] for i in union]
        exact = self._features(self.scorer.exact(), sub, crit, text_mode, None, cancel)
        at = {i: j for j, i in enumerate(union)}
        for g in groups:
            if not g.close:
                continue
            c2 = exact.cosines(g.cols)
            r2, k2 = self._relevance(c2, weights), self._order_key(c2, weights)
            g.feats = g.feats.copy()
            for i in g.close:
                j = at[i]
                if j in exact.errors:
                    continue
                for k in g.cos:
                    g.cos[k][i] = c2[k][j]
                g.feats[i] = exact.feats[j]
                g.rel[i], g.key[i] = r2[j], k2[j]

    # ---- features -----------------------------------------------------------------------------------
    @staticmethod
    def _features(scorer, cands, crit, text_mode, progress, cancel) -> _Features:
        """Embeddings and raw cosines of every candidate against every criteria text and the product image."""
        n = len(cands)
        if text_mode:
            src = scorer.encode_images([crit.source_image], names=[_source_name(crit.source_image)])
            if src.errors:
                raise src.errors[0]
            errors = {i: f"text '{c.id}' is empty" for i, c in enumerate(cands) if not (c.text or "").strip()}
            good = [i for i in range(n) if i not in errors]
            feats = np.zeros((n, src.vectors.shape[1]), dtype=np.float32)
            windowed = np.zeros((n, 1), dtype=bool)
            if good:
                txt = scorer.encode_texts([cands[i].text for i in good], cancel=cancel)
                feats[good] = txt.vectors.numpy()
                windowed[good, 0] = txt.windowed
            text_cos = (feats @ src.vectors.numpy()[0]).astype(np.float64)[:, None]
            return _Features(feats, text_cos, None, windowed, errors)
        img = scorer.encode_images(
            [c.image for c in cands], names=[c.id for c in cands], progress=progress, cancel=cancel
        )
        feats = img.vectors.numpy()
        errors = {i: str(e) for i, e in img.errors.items()}
        text_cos, fidelity = None, None
        windowed = np.zeros((n, len(crit.texts)), dtype=bool)
        if crit.texts:
            check(cancel)
            txt = scorer.encode_texts(list(crit.texts), cancel=cancel)
            text_cos = (feats @ txt.vectors.numpy().T).astype(np.float64)
            windowed[:] = np.asarray(txt.windowed, dtype=bool)[None, :]
        if crit.source_image is not None:
            src = scorer.encode_images([crit.source_image], names=[_source_name(crit.source_image)])
            if src.errors:
                raise src.errors[0]
            fidelity = (feats @ src.vectors.numpy()[0]).astype(np.float64)
        return _Features(feats, text_cos, fidelity, windowed, errors)

    @staticmethod
    def _display(criterion: Criterion, value: float) -> float:
        if criterion is Criterion.TEXT_CONSISTENCY:
            return clip_score_display(value)
        return similarity_display(value)

    @staticmethod
    def _relevance(cos: dict[Criterion, np.ndarray], weights: dict[Criterion, float]) -> list[float]:
        """Weighted mean of the per-criterion display scores (see `scoring.scores`), in [0, 1]."""
        total_w = sum(weights[k] for k in cos) or 1.0
        acc = 0.0
        for k, v in cos.items():
            scale = 2.5 if k is Criterion.TEXT_CONSISTENCY else 1.0  # CLIPScore weight for text–image
            acc = acc + weights[k] * np.minimum(1.0, scale * np.maximum(np.asarray(v, dtype=np.float64), 0.0))
        return list(np.asarray(acc, dtype=np.float64) / total_w)

    @staticmethod
    def _order_key(cos: dict[Criterion, np.ndarray], weights: dict[Criterion, float]) -> list[float]:
        """The same weighting without clamping at 0 or capping at 100: orders items the displayed total ties.

        With a weak match every CLIPScore may clamp to 0; the order must still follow the similarities.
        """
        total_w = sum(weights[k] for k in cos) or 1.0
        acc = 0.0
        for k, v in cos.items():
            scale = 2.5 if k is Criterion.TEXT_CONSISTENCY else 1.0
            acc = acc + weights[k] * scale * np.asarray(v, dtype=np.float64)
        return list(np.asarray(acc, dtype=np.float64) / total_w)

    # ---- ordering -----------------------------------------------------------------------------------
    def _order(self, cands, crit, feats, cos, rel, key, windowed, errors, text_mode):
        n = len(cands)
        ok = [i for i in range(n) if i not in errors]
        below = {i for i in ok if rel[i] * 100.0 < crit.threshold}
        pool = sorted((i for i in ok if i not in below), key=lambda i: -key[i])
        lam = 1.0 - min(max(crit.diversity, 0.0), 1.0)
        selected, max_sim, dup_of = maximal_marginal_relevance(pool, feats, key, lam, crit.duplicate_similarity)
        order = (
            [(i, Status.SHOWN) for i in selected]
            + [(i, Status.DUPLICATE) for i in sorted(dup_of, key=lambda i: -key[i])]
            + [(i, Status.BELOW_THRESHOLD) for i in sorted(below, key=lambda i: -key[i])]
            + [(i, Status.FAILED) for i in sorted(errors)]
        )
        out = []
        for pos, (i, status) in enumerate(order, start=1):
            cand = cands[i]
            if status is Status.FAILED:
                out.append(
                    RankedCandidate(cand, pos, status, None, {}, {}, None, False, f"failed: {errors[i]}", errors[i])
                )
                continue
            scores = {k.value: round(self._display(k, float(v[i])), 1) for k, v in cos.items()}
            raw = {k.value: float(v[i]) for k, v in cos.items()}
            if status is Status.SHOWN:
                scores[Criterion.DIVERSITY.value] = round(distinctness_display(max_sim[i]), 1)
            total = round(rel[i] * 100.0, 1)
            tc = raw.get(Criterion.TEXT_CONSISTENCY.value)
            cs = clip_score(tc) if tc is not None else None
            reason = self._reason(cands, crit, i, status, scores, total, dup_of, text_mode, windowed[i])
            out.append(RankedCandidate(cand, pos, status, total, scores, raw, cs, windowed[i], reason))
        return out

    @staticmethod
    def _reason(cands, crit, i, status, scores, total, dup_of, text_mode, windowed) -> str:
        parts = []
        tc = scores.get(Criterion.TEXT_CONSISTENCY.value)
        if tc is not None:
            what = (
                "product image"
                if text_mode
                else f"'{_short(crit.texts[0])}'" + (f" (+{len(crit.texts) - 1} more)" if len(crit.texts) > 1 else "")
            )
            parts.append(f"matches {what} {tc:.0f}/100")
        fid = scores.get(Criterion.SOURCE_FIDELITY.value)
        if fid is not None:
            parts.append(f"product fidelity {fid:.0f}/100")
        div = scores.get(Criterion.DIVERSITY.value)
        if div is not None and div < 100:
            parts.append(f"distinct from those above {div:.0f}/100")
        if windowed:
            parts.append("long text scored over 77-token windows")
        detail = ", ".join(parts)
        if status is Status.DUPLICATE:
            j, sim = dup_of[i]
            return f"hidden: near-duplicate of '{cands[j].id}' (similarity {sim:.3f}); {detail}"
        if status is Status.BELOW_THRESHOLD:
            return f"hidden: total {total:.0f} is below the threshold {crit.threshold:.0f}; {detail}"
        return f"total {total:.0f}/100: {detail}"


def rank(
    candidates: Sequence[Candidate],
    criteria: RankCriteria,
    *,
    scorer: ClipScorer | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> RankResult:
    """Rank `candidates` by `criteria` (loads the default CLIP scorer when none is given)."""
    if scorer is None:
        from scoring.scorer import ClipScorer

        scorer = ClipScorer.from_profile()
    return Ranker(scorer).run(RankRequest(tuple(candidates), criteria), progress=progress, cancel=cancel)


def rank_each(
    candidates: Sequence[Candidate],
    criteria: RankCriteria,
    prompts: Sequence[str],
    *,
    scorer: ClipScorer | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[RankResult]:
    """Rank image `candidates` separately against each of `prompts` (one result per prompt, in order).

    Equivalent to calling `rank` with `texts=(prompt,)` once per prompt, but every image is embedded once
    and the close calls of all prompts are re-checked in one fp32 pass. `criteria.texts` is ignored.
    """
    if scorer is None:
        from scoring.scorer import ClipScorer

        scorer = ClipScorer.from_profile()
    request = RankRequest(tuple(candidates), criteria)
    return Ranker(scorer).run_each(request, prompts, progress=progress, cancel=cancel)
