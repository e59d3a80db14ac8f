"""Qt-free entry points the CLI, GUI, batch and other pipelines call to score and rank.

scorer = get_scorer("auto", project_dir=project.folder)   # one per job; models are cached anyway
table = score_images(["a.jpg", "b.jpg"], ["a red linen shirt"], scorer=scorer)
result = rank_images(paths, prompt="a red linen shirt", source_image="product.jpg", scorer=scorer)
per_prompt = rank_images_each(paths, ["a red linen shirt", "a linen shirt on a beach"], scorer=scorer)
captions = rank_texts(["caption one", "caption two"], image="product.jpg", scorer=scorer)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.runtime.progress import CancelToken, ProgressFn
from generators.runtime.provenance import Provenance
from scoring.ranking import rank, rank_each
from scoring.ranking_types import Candidate, RankCriteria, RankResult
from scoring.scores import clip_score, clip_score_display

if TYPE_CHECKING:
    from generators.runtime.settings import Settings
    from scoring.scorer import ClipScorer, Precision

PLACEHOLDER_NOTICE = "PLACEHOLDER MODEL (random weights): scores are meaningless"


def get_scorer(
    profile: str | None = None,
    *,
    project_dir: str | Path | None = None,
    precision: Precision | None = None,
    settings: Settings | None = None,
    use_cache: bool = True,
) -> ClipScorer:
    """A `ClipScorer` for the `clip` role in `profile` (default: `settings.profile`), caching embeddings
    inside `project_dir` when given, else in the user cache dir."""
    from scoring.scorer import ClipScorer, Precision

    return ClipScorer.from_profile(
        profile, precision=precision or Precision.FAST, project_dir=project_dir, settings=settings, use_cache=use_cache
    )


@dataclass(frozen=True)
class ScoreRow:
    """One image against one text."""

    image: str
    text: str
    cos: float | None
    clip_score: float | None  # Hessel et al. 2021
    score: float | None  # 0–100 display
    windowed: bool
    error: str | None = None


@dataclass(frozen=True)
class ScoreReport:
    rows: tuple[ScoreRow, ...]
    provenance: Provenance
    warnings: tuple[str, ...] = ()  # e.g. Chinese text given to an English-only CLIP

    @property
    def placeholder(self) -> bool:
        return self.provenance.placeholder


def _name(source: Any, i: int) -> str:
    return str(source) if isinstance(source, (str, Path)) else f"image {i + 1}"


def score_images(
    images: Sequence[Any],
    texts: Sequence[str],
    *,
    scorer: ClipScorer | None = None,
    profile: str | None = None,
    project_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ScoreReport:
    """CLIPScore of every image against every text. Unreadable images become rows with `error` set."""
    start = time.perf_counter()
    scorer = scorer or get_scorer(profile, project_dir=project_dir)
    names = [_name(s, i) for i, s in enumerate(images)]
    table = scorer.score(images, texts, names=names, progress=progress, cancel=cancel)
    rows = []
    for i, name in enumerate(names):
        for j, text in enumerate(texts):
            if i in table.errors:
                rows.append(ScoreRow(name, text, None, None, None, table.windowed[j], str(table.errors[i])))
                continue
            c = float(table.cos[i, j])
            rows.append(ScoreRow(name, text, c, clip_score(c), round(clip_score_display(c), 1), table.windowed[j]))
    prov = Provenance(
        models=(scorer.ref,),
        params={"images": names, "texts": list(texts), "dtype": scorer.dtype_name},
        timings={"score": time.perf_counter() - start},
        scores={f"{r.image} | {r.text[:40]}": r.clip_score for r in rows if r.clip_score is not None},
    )
    notice = scorer.language_notice(texts)
    return ScoreReport(tuple(rows), prov, (notice,) if notice else ())


def rank_images(
    images: Sequence[Any],
    prompt: str | Sequence[str] | None = None,
    *,
    source_image: Any = None,
    criteria: RankCriteria | None = None,
    scorer: ClipScorer | None = None,
    profile: str | None = None,
    project_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> RankResult:
    """Rank image candidates (paths/bytes/PIL) against a prompt and/or the product image."""
    texts = (prompt,) if isinstance(prompt, str) else tuple(prompt or ())
    crit = criteria or RankCriteria()
    crit = replace(
        crit,
        texts=texts or crit.texts,
        source_image=source_image if source_image is not None else crit.source_image,
    )
    scorer = scorer or get_scorer(profile, project_dir=project_dir)
    return rank(_image_candidates(images), crit, scorer=scorer, progress=progress, cancel=cancel)


def rank_images_each(
    images: Sequence[Any],
    prompts: Sequence[str],
    *,
    source_image: Any = None,
    criteria: RankCriteria | None = None,
    scorer: ClipScorer | None = None,
    profile: str | None = None,
    project_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[RankResult]:
    """Rank the same image candidates separately against each prompt: one result per prompt, in order.

    Each result is what `rank_images(images, prompt)` gives; the images are embedded only once.
    """
    crit = criteria or RankCriteria()
    if source_image is not None:
        crit = replace(crit, source_image=source_image)
    scorer = scorer or get_scorer(profile, project_dir=project_dir)
    return rank_each(_image_candidates(images), crit, prompts, scorer=scorer, progress=progress, cancel=cancel)


def _image_candidates(images: Sequence[Any]) -> list[Candidate]:
    """Candidates named by file name (full path when two folders hold the same name), else 'image N'."""
    cands = [
        Candidate(id=Path(s).name if isinstance(s, (str, Path)) else f"image {i + 1}", image=s)
        for i, s in enumerate(images)
    ]
    if len({c.id for c in cands}) != len(cands):
        cands = [Candidate(id=_name(s, i), image=s) for i, s in enumerate(images)]
    return cands


def rank_texts(
    texts: Sequence[str],
    image: Any,
    *,
    ids: Sequence[str] | None = None,
    criteria: RankCriteria | None = None,
    scorer: ClipScorer | None = None,
    profile: str | None = None,
    project_dir: str | Path | None = None,
) -> RankResult:
    """Rank text candidates (captions, copy) by how well CLIP finds them in the product `image`."""
    crit = criteria or RankCriteria()
    crit = replace(crit, source_image=image)
    names = list(ids) if ids is not None else [f"text {i + 1}" for i in range(len(texts))]
    cands = [Candidate(id=n, text=t) for n, t in zip(names, texts, strict=True)]
    scorer = scorer or get_scorer(profile, project_dir=project_dir)
    return rank(cands, crit, scorer=scorer)
