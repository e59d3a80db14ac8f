"""The shared pipeline contract (tests/pipeline_contract.py) for the scoring pipelines: zero-shot attributes
and CLIP ranking, on the tiny fp32 CLIP without an embedding cache (each run really embeds)."""

from __future__ import annotations

import pytest

from scoring.attributes import AttributeRequest
from scoring.ranking import Candidate, RankCriteria, RankRequest
from tests.pipeline_contract import PipelineContract
from tests.scoring.conftest import make_image


@pytest.fixture(scope="module")
def uncached_scorer(settings):
    from scoring.scorer import ClipScorer, Precision

    return ClipScorer.from_profile("tiny", precision=Precision.EXACT, settings=settings, use_cache=False)


class TestAttributeClassifierContract(PipelineContract):
    @pytest.fixture(scope="class")
    @classmethod
    def pipe(cls, uncached_scorer):
        from scoring.attributes import AttributeClassifier

        return AttributeClassifier(uncached_scorer)

    def get_dummy_request(self, folder, seed=0):
        path = folder / f"photo{seed}.png"
        if not path.exists():
            make_image(path, seed=seed)
        return AttributeRequest(image=path, groups=("colour", "material"), top_k=2)

    def signature(self, result):
        return {name: g.probabilities for name, g in result.groups.items()}


class TestRankerContract(PipelineContract):
    @pytest.fixture(scope="class")
    @classmethod
    def pipe(cls, uncached_scorer):
        from scoring.ranking import Ranker

        return Ranker(uncached_scorer)

    def get_dummy_request(self, folder, seed=0):
        paths = []
        for i in range(3):
            path = folder / f"cand{i}.png"
            if not path.exists():
                make_image(path, seed=seed + i)
            paths.append(path)
        candidates = tuple(Candidate(id=p.name, image=p, meta={"n": i}) for i, p in enumerate(paths))
        return RankRequest(candidates, RankCriteria(texts=("a red shirt",), source_image=paths[0], diversity=0.2))

    def signature(self, result):
        return [(r.candidate.id, r.status, r.total, r.reason) for r in result.items]


def test_the_clip_scorer_has_the_shape_generators_rank_with(uncached_scorer):
    """Generators type their scorer as `ImageTextScorer` (attributes and retrieval: `EmbeddingScorer`)."""
    from generators.runtime.pipeline import EmbeddingScorer, ImageTextScorer

    assert isinstance(uncached_scorer, ImageTextScorer) and isinstance(uncached_scorer, EmbeddingScorer)
    assert not isinstance(object(), ImageTextScorer)
