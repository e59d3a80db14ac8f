"""Tier 2: ranking with the tiny CLIP: controlled setup, MMR duplicates, threshold, bad candidates."""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pytest

from scoring.ranking import rank
from scoring.ranking_types import Candidate, RankCriteria, RankingError, Status
from scoring.scorer import ClipScorer, EmptyTextError
from tests.scoring.conftest import make_image

CAPTIONS = ["a red square", "a blue circle", "a green stripe", "a yellow star"]


@pytest.fixture(scope="module")
def trained(scorer, tmp_path_factory):
    """A controlled setup: the tiny CLIP fine-tuned for a few steps so each image matches its caption."""
    import torch

    from scoring.preprocess import load_pixels, normalize_batch

    folder = tmp_path_factory.mktemp("pairs")
    paths = [make_image(folder / f"pair{i}.png", seed=10 + i) for i in range(len(CAPTIONS))]
    c = scorer.components
    model = __import__("copy").deepcopy(c.model).float().train()
    model.requires_grad_(True)
    x = normalize_batch([load_pixels(p, scorer.spec) for p in paths], scorer.spec, "cpu", torch.float32)
    tokens = c.tokenizer(CAPTIONS)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    target = torch.arange(len(CAPTIONS))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        for _ in range(40):
            img = torch.nn.functional.normalize(model.encode_image(x), dim=-1)
            txt = torch.nn.functional.normalize(model.encode_text(tokens), dim=-1)
            logits = 10.0 * img @ txt.T
            loss = (
                torch.nn.functional.cross_entropy(logits, target) + torch.nn.functional.cross_entropy(logits.T, target)
            ) / 2
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval().requires_grad_(False)
    ref = replace(scorer.ref, file_hash="fine-tuned-in-test", model_id="vitrine-tiny/clip+test")
    return ClipScorer(replace(c, model=model), ref, cache=scorer.cache), paths


def test_image_ranks_first_against_its_own_caption(trained):
    tuned, paths = trained
    cands = [Candidate.from_path(p) for p in paths]
    for i, caption in enumerate(CAPTIONS):
        result = rank(cands, RankCriteria(texts=(caption,), duplicate_similarity=1.01), scorer=tuned)
        assert result.best.candidate.id == paths[i].name, caption
        assert result.best.reason.startswith("total ") and caption in result.best.reason
        assert result.best.clip_score == pytest.approx(2.5 * max(result.best.cosines["text_consistency"], 0))
    # and captions rank first against their own image (caption ranking for the Words pipeline)
    texts = [Candidate(id=f"c{i}", text=t) for i, t in enumerate(CAPTIONS)]
    for i, p in enumerate(paths):
        assert rank(texts, RankCriteria(source_image=p), scorer=tuned).best.candidate.id == f"c{i}"


def test_mmr_drops_an_exact_duplicate(scorer, image_dir, tmp_path):
    files = sorted(image_dir.iterdir())[:4]
    dup = tmp_path / "copy-of-first.png"
    shutil.copy(files[0], dup)
    cands = [Candidate.from_path(p) for p in [*files, dup]]
    result = rank(cands, RankCriteria(texts=("a red shirt",)), scorer=scorer)  # default duplicate_similarity
    statuses = {r.candidate.id: r.status for r in result.items}
    dropped = [cid for cid, s in statuses.items() if s is Status.DUPLICATE]
    assert len(dropped) == 1 and dropped[0] in {files[0].name, dup.name}
    assert len(result.shown) == 4 and len(result.items) == 5  # hidden, not deleted
    dup_item = next(r for r in result.items if r.status is Status.DUPLICATE)
    assert dup_item.reason.startswith("hidden: near-duplicate of") and dup_item.position == 5


def test_threshold_hides_but_keeps_and_bad_candidate_does_not_sink(scorer, image_dir, tmp_path):
    files = sorted(image_dir.iterdir())
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    cands = [Candidate.from_path(p) for p in [*files, bad]]
    base = rank(cands, RankCriteria(texts=("a red shirt",), duplicate_similarity=1.01), scorer=scorer)
    totals = sorted(r.total for r in base.items if r.total is not None)
    cut = (totals[2] + totals[3]) / 2
    result = rank(cands, RankCriteria(texts=("a red shirt",), threshold=cut, duplicate_similarity=1.01), scorer=scorer)
    assert [r.status for r in result.items].count(Status.BELOW_THRESHOLD) == 3
    assert all(r.total >= cut for r in result.shown) and len(result.items) == len(cands)
    last = result.items[-1]
    assert last.status is Status.FAILED and "broken.jpg" in last.reason
    assert result.provenance.placeholder and result.provenance.models[0].role == "clip"


def test_fidelity_prefers_the_product_image_itself(scorer, image_dir):
    files = sorted(image_dir.iterdir())
    result = rank(
        [Candidate.from_path(p) for p in files],
        RankCriteria(source_image=files[2], duplicate_similarity=1.01),
        scorer=scorer,
    )
    assert result.best.candidate.id == files[2].name
    assert result.best.scores["source_fidelity"] == pytest.approx(100.0, abs=0.1)


def test_refused_requests(scorer, image_dir):
    files = sorted(image_dir.iterdir())
    with pytest.raises(RankingError, match="no candidates"):
        rank([], RankCriteria(texts=("x",)), scorer=scorer)
    with pytest.raises(RankingError, match="needs a prompt"):
        rank([Candidate.from_path(files[0])], RankCriteria(), scorer=scorer)
    with pytest.raises(RankingError, match="needs the product image"):
        rank([Candidate(id="a", text="caption")], RankCriteria(), scorer=scorer)
    captions = [Candidate(id="a", text="a red shirt"), Candidate(id="b", text="  "), Candidate(id="c", text="jeans")]
    result = rank(captions, RankCriteria(source_image=files[0]), scorer=scorer)  # an empty caption does not sink it
    assert [r.status for r in result.items][-1] is Status.FAILED and "'b' is empty" in result.items[-1].reason
    assert len(result.shown) == 2

    with pytest.raises(EmptyTextError):
        rank([Candidate.from_path(files[0])], RankCriteria(texts=("",)), scorer=scorer)


@pytest.mark.parametrize(("native_bf16", "fast_dtype"), [(True, "bfloat16"), (False, "int8")])
def test_fast_dtype_close_calls_are_verified_in_fp32(
    settings, image_dir, tmp_path, force_cpu_bf16, native_bf16, fast_dtype
):
    from scoring.scorer import Precision

    force_cpu_bf16(native_bf16)
    fast = ClipScorer.from_profile("tiny", precision=Precision.FAST, project_dir=tmp_path, settings=settings)
    exact = fast.exact()
    files = sorted(image_dir.iterdir())
    cands = [Candidate.from_path(p) for p in files]
    crit = RankCriteria(texts=("a red shirt",), duplicate_similarity=1.01)
    got = rank(cands, crit, scorer=fast)
    want = rank(cands, replace(crit, verify_fp32=False), scorer=exact)
    assert got.best.candidate.id == want.best.candidate.id
    assert got.provenance.params["dtype"] == fast_dtype
    assert np.isfinite(got.best.total)


def test_order_follows_similarity_even_when_scores_clamp_to_zero(scorer, image_dir):
    files = sorted(image_dir.iterdir())
    result = rank(
        [Candidate.from_path(p) for p in files],
        RankCriteria(texts=("a red shirt",), diversity=0.0, duplicate_similarity=1.01),
        scorer=scorer,
    )
    cos = [r.cosines["text_consistency"] for r in result.items]
    assert cos == sorted(cos, reverse=True)


def test_unreadable_product_image_is_named(scorer, image_dir, tmp_path):
    from generators.runtime.images import ImageLoadError

    missing = tmp_path / "product.jpg"
    with pytest.raises(ImageLoadError, match="product.jpg"):
        rank([Candidate.from_path(sorted(image_dir.iterdir())[0])], RankCriteria(source_image=missing), scorer=scorer)


@pytest.mark.parametrize("native_bf16", [True, False])
def test_rank_each_equals_one_rank_per_prompt_with_one_embedding_pass(
    settings, image_dir, tmp_path, force_cpu_bf16, native_bf16
):
    """Ranking against several prompts at once gives each prompt exactly what its own `rank` call gives,
    while the images are embedded once (fast dtype, fp32 re-check of close calls included)."""
    from PIL import Image

    from scoring.ranking import rank_each
    from scoring.scorer import Precision

    force_cpu_bf16(native_bf16)

    prompts = ["a red shirt", "blue jeans", "a floral summer dress"]
    files = sorted(image_dir.iterdir())
    for f in list(files):  # a near-twin of every image: each prompt's best then has a close call to verify
        twin = Image.open(f).convert("RGB")
        twin.putpixel((0, 0), (0, 0, 0))
        twin.save(tmp_path / f"twin-{f.name}")
        files.append(tmp_path / f"twin-{f.name}")
    cands = [Candidate.from_path(p) for p in files]
    crit = RankCriteria(diversity=0.2, duplicate_similarity=1.01)
    fast = ClipScorer.from_profile("tiny", precision=Precision.FAST, use_cache=False, settings=settings)
    together = rank_each(cands, crit, prompts, scorer=fast)
    assert fast.stats.image_forwards == 1 and fast.stats.images_encoded == len(files)
    assert [r.criteria.texts for r in together] == [(p,) for p in prompts]
    for prompt, got in zip(prompts, together, strict=True):
        alone = rank(cands, replace(crit, texts=(prompt,)), scorer=fast)
        assert [r.candidate.id for r in got.items] == [r.candidate.id for r in alone.items], prompt
        assert [r.total for r in got.items] == [r.total for r in alone.items]
        assert [r.reason for r in got.items] == [r.reason for r in alone.items]
        assert got.provenance.params["verified_fp32"] == alone.provenance.params["verified_fp32"]
        assert got.provenance.params["ranked_together_with"] == len(prompts) - 1
    assert all(r.provenance.params["verified_fp32"] >= 2 for r in together)


def test_rank_each_refuses_texts_and_empty_prompts(scorer, image_dir):
    from scoring.ranking import rank_each

    cands = [Candidate.from_path(p) for p in sorted(image_dir.iterdir())]
    with pytest.raises(RankingError, match="at least one prompt"):
        rank_each(cands, RankCriteria(), [], scorer=scorer)
    with pytest.raises(RankingError, match="image candidates"):
        rank_each([Candidate(id="c", text="a caption")], RankCriteria(), ["x"], scorer=scorer)
    with pytest.raises(EmptyTextError):
        rank_each(cands, RankCriteria(), ["a red shirt", " "], scorer=scorer)


def test_chinese_prompts_on_an_english_only_clip_carry_a_warning(scorer, image_dir):
    files = sorted(image_dir.iterdir())
    cands = [Candidate.from_path(p) for p in files]
    assert not scorer.multilingual  # the tiny CLIP uses open_clip's English BPE, like OpenAI/LAION CLIPs
    zh = rank(cands, RankCriteria(texts=("红色T恤",)), scorer=scorer)
    assert zh.warnings and "reads English only" in zh.warnings[0]
    assert rank(cands, RankCriteria(texts=("a red t-shirt",)), scorer=scorer).warnings == ()
    assert scorer.language_notice(["a red t-shirt", "纯棉"]) is not None
