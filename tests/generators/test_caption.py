"""Tier 2: the caption pipeline with tiny BLIP and tiny CLIP."""

from __future__ import annotations

import pytest
from PIL import Image

from generators.caption import CaptionPipeline, CaptionRequest, Decoding
from generators.runtime.loading import load_model
from generators.runtime.progress import Cancelled, CancelToken
from tests.pipeline_contract import PipelineContract


@pytest.fixture(scope="module")
def pipe():
    from scoring.scorer import ClipScorer

    return CaptionPipeline(load_model("captioner", "tiny"), scorer=ClipScorer.from_profile("tiny", use_cache=False))


def _images(k: int) -> tuple[Image.Image, ...]:
    return tuple(Image.new("RGB", (40 + i, 30), (40 * i, 90, 200 - 30 * i)) for i in range(k))


def test_batches_progress_and_ranked_captions(pipe, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    steps = []
    request = CaptionRequest((*_images(5), broken), n=3, batch_size=2, max_new_tokens=6)
    result = pipe.run(request, progress=steps.append)
    assert [(p.step, p.total) for p in steps] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert result.items[-1].error and not result.items[-1].captions and "broken.jpg" in result.items[-1].error
    for item in result.items[:5]:
        assert 1 <= len(item.captions) <= 3 and [c.rank for c in item.captions] == list(
            range(1, len(item.captions) + 1)
        )
        scores = [c.clip_score for c in item.captions]
        assert all(s is not None for s in scores) and scores == sorted(scores, reverse=True)
    assert result.provenance.placeholder and result.provenance.params["batch_size"] == 2
    assert result.provenance.timings["images_per_s"] > 0


def test_unconditional_sampling_is_seeded(pipe):
    request = CaptionRequest(_images(2), prompt=None, n=2, decoding=Decoding.SAMPLE, seed=5, max_new_tokens=6)
    first, second = pipe.run(request), pipe.run(request)
    assert [c.text for i in first.items for c in i.captions] == [c.text for i in second.items for c in i.captions]


def test_cancel_between_batches(pipe):
    token = CancelToken()

    def cancel_after_first_batch(p):
        if p.step == 1:
            token.cancel()

    with pytest.raises(Cancelled):
        pipe.run(
            CaptionRequest(_images(4), batch_size=2, max_new_tokens=4), progress=cancel_after_first_batch, cancel=token
        )


class TestCaptionPipelineContract(PipelineContract):
    """The shared pipeline contract, on tiny BLIP + tiny CLIP (the module's `pipe`)."""

    def get_dummy_request(self, folder, seed=0):
        paths = []
        for i, image in enumerate(_images(2)):
            path = folder / f"photo{i}.png"
            if not path.exists():
                image.save(path)
            paths.append(path)
        return CaptionRequest(tuple(paths), n=2, decoding=Decoding.SAMPLE, batch_size=1, max_new_tokens=4, seed=seed)

    def signature(self, result):
        return [(c.text, c.clip_score, c.rank) for item in result.items for c in item.captions]
