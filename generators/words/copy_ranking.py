"""Ranking of checked copy candidates: CLIPScore against the product photo, grounding, brand rules and
completeness, combined (`generators.words.ranking`), with MiniLM near-duplicates dropped and a reason each."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from generators.product import Product
from generators.runtime.lexicon import has_cjk
from generators.words.copy_style import style_summary
from generators.words.copy_types import CandidateStatus, CopyCandidate, CopyRequest
from generators.words.presets import Language, preset_for
from generators.words.ranking import ScoreParts, combined_score, near_duplicates, reason_for
from scoring.scores import ScoreKey

if TYPE_CHECKING:
    from generators.runtime.pipeline import ImageTextScorer


class CopyRanker:
    """Ranks one request's candidates.

    Args:
        scorer: a CLIP scorer (optional): CLIPScore of each candidate against the product photo.
        embedder: the loaded `text_embedder` role (optional): drops near-identical candidates.
        copywriter_placeholder: the copy came from a random-weight model (then a placeholder CLIP may rank it).
    """

    def __init__(self, scorer: ImageTextScorer | None, embedder: Any, *, copywriter_placeholder: bool) -> None:
        self.scorer = scorer
        self.embedder = embedder
        self.copywriter_placeholder = copywriter_placeholder

    def clip_scores(self, product: Product, texts: list[str], warnings: list[str], chinese: bool) -> list[float | None]:
        """CLIPScore (0..1) of each text against the product photo; None each when CLIP cannot judge them
        (no scorer or photo, a placeholder CLIP on real copy, Chinese copy on an English-only CLIP)."""
        if self.scorer is None or product.image is None or not texts:
            return [None] * len(texts)
        if getattr(self.scorer, "placeholder", False) and not self.copywriter_placeholder:
            # Random CLIP scores would reorder real copy arbitrarily.
            warnings.append("CLIP is a placeholder model (random weights): not used for ranking real copy")
            return [None] * len(texts)
        if chinese and not self.scorer.multilingual:  # an English-only CLIP would rank Chinese copy by noise
            warnings.append(f"CLIP not used for ranking: {self.scorer.ref.model_id} reads English only")
            return [None] * len(texts)
        try:
            table = self.scorer.score([product.image], texts)
        except Exception as exc:
            warnings.append(f"CLIP scoring skipped: {exc}")
            return [None] * len(texts)
        if table.errors:
            warnings.append(f"CLIP scoring skipped: {next(iter(table.errors.values()))}")
            return [None] * len(texts)
        return [min(1.0, 2.5 * max(0.0, float(c))) for c in table.cos[0]]

    def rank(
        self, candidates: list[CopyCandidate], product: Product, request: CopyRequest, warnings: list[str]
    ) -> list[CopyCandidate]:
        """The candidates in order: ranked ones (best first, each with scores and a reason), then the hidden
        ones (rejected, dropped, near-duplicates) in generation order."""
        live = [c for c in candidates if c.status.shown]
        texts = [f"{c.fields.title}. {c.fields.description}" for c in live]
        chinese = (request.language or preset_for(request.platform).language) is Language.ZH
        clip = self.clip_scores(product, texts, warnings, chinese or any(has_cjk(t) for t in texts))
        parts = {
            c.index: ScoreParts(
                s,
                float(c.scores[ScoreKey.GROUNDING]),
                float(c.scores[ScoreKey.BRAND]),
                float(c.scores[ScoreKey.COMPLETENESS]),
            )
            for c, s in zip(live, clip, strict=True)
        }
        flags = {c.index: len(c.flags) for c in live}
        # Each flag (unverified claim, wrong language, missing sections, a repeated sentence, a filler phrase,
        # a copied catalog description) costs a little more on top.
        totals = {i: max(0.0, combined_score(p) - 0.05 * flags[i]) for i, p in parts.items()}
        order = sorted(totals, key=lambda i: -totals[i])
        dupes: dict[int, int] = {}
        if len(live) > 1:
            by_index = {c.index: c for c in live}
            if self.embedder is not None:
                vecs = self.embedder.components.embed([by_index[i].text for i in order])
                sim_small = (vecs @ vecs.T).tolist()
                pos = {i: k for k, i in enumerate(order)}
                sim = {i: {j: sim_small[pos[i]][pos[j]] for j in order} for i in order}
            else:  # exact repeats only
                sim = {i: {j: float(by_index[i].text == by_index[j].text) for j in order} for i in order}
            # Random-weight (placeholder) embedders call everything similar: only exact repeats count then.
            placeholder = self.embedder is not None and self.embedder.placeholder
            dupes = near_duplicates(order, sim, 0.9999 if placeholder else request.duplicate_threshold)
        best = ScoreParts(
            max((p.clip for p in parts.values() if p.clip is not None), default=None),
            max((p.grounding for p in parts.values()), default=0.0),
            max((p.brand for p in parts.values()), default=0.0),
            max((p.completeness for p in parts.values()), default=0.0),
        )
        out: dict[int, CopyCandidate] = {c.index: c for c in candidates}
        rank = 0
        for i in order:
            c, p = out[i], parts[i]
            scores = {
                ScoreKey.CLIP_SCORE: p.clip,
                ScoreKey.GROUNDING: p.grounding,
                ScoreKey.BRAND: p.brand,
                ScoreKey.COMPLETENESS: p.completeness,
                ScoreKey.TOTAL: totals[i],
            }
            if i in dupes:
                out[i] = replace(
                    c,
                    status=CandidateStatus.DUPLICATE,
                    scores=scores,
                    reason=f"nearly identical to candidate {dupes[i]}",
                )
                continue
            rank += 1
            reason = reason_for(p, best, len(c.issues), c.fixes, style_summary(list(c.style)))
            out[i] = replace(c, scores=scores, rank=rank, reason=reason)
        shown = sorted((c for c in out.values() if c.rank is not None), key=lambda c: c.rank)
        hidden = sorted((c for c in out.values() if c.rank is None), key=lambda c: c.index)
        return shown + hidden
