"""Tier 2: ClipScorer with the tiny CLIP: hand-computed CLIPScore, windows, cache, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from generators.runtime.images import ImageLoadError
from scoring.scorer import ClipScorer, EmptyTextError
from tests.scoring.conftest import ForwardCounter, make_image


def test_clip_score_equals_hand_computation(scorer, tmp_path):
    import torch

    size = scorer.components.image_size
    path = make_image(tmp_path / "sq.png", seed=3, size=(size, size))  # model-sized: preprocessing is exact
    text = "a product photo of a red linen shirt"
    c = scorer.components
    # by hand, with open_clip's own transform and tokenizer
    with torch.inference_mode():
        img = c.model.encode_image(c.preprocess(Image.open(path)).unsqueeze(0))
        txt = c.model.encode_text(c.tokenizer([text]))
    cos = torch.nn.functional.cosine_similarity(img, txt).item()
    assert scorer.clip_score(path, text) == pytest.approx(2.5 * max(cos, 0.0), abs=1e-5)
    # and from the scorer's own embeddings
    e_img, e_txt = scorer.embed_images([path]), scorer.embed_texts([text])
    assert torch.allclose(e_img.norm(dim=-1), torch.ones(1)) and torch.allclose(e_txt.norm(dim=-1), torch.ones(1))
    own = float(ClipScorer.similarity(e_img, e_txt)[0, 0])
    assert own == pytest.approx(cos, abs=1e-5)
    table = scorer.score([path], [text])
    assert table.clip_score[0, 0] == pytest.approx(2.5 * max(own, 0))
    assert table.display[0, 0] == pytest.approx(min(100.0, 250 * max(own, 0)))


def test_long_text_is_windowed_not_truncated(scorer):
    words = [f"word{i}" for i in range(200)]
    long_text = " ".join(words)
    emb = scorer.encode_texts(["a red shirt", long_text])
    assert emb.windowed == (False, True)
    assert emb.n_tokens[1] > 200 and emb.windows[1] >= 4
    # the end of the text matters: change only its last word and the vector changes
    tail = scorer.embed_texts([" ".join([*words[:-1], "zebra"])])
    assert not np.allclose(tail.numpy(), emb.vectors[1:].numpy())


def test_empty_text_is_refused(scorer):
    with pytest.raises(EmptyTextError, match="text 2 is empty"):
        scorer.encode_texts(["ok", "   "])


def test_cache_hit_makes_zero_forwards_and_models_never_share_vectors(scorer, image_dir, tmp_path):
    from scoring.cache import EmbeddingCache

    files = sorted(image_dir.iterdir())
    cache = EmbeddingCache(tmp_path / "fresh.sqlite")
    cold = ClipScorer(scorer.components, scorer.ref, cache=cache)
    counter = ForwardCounter(scorer.components.model)
    try:
        first = cold.score(files, ["a red shirt", "blue jeans"])
        assert counter.image >= 1 and counter.text >= 1
        counter.image = counter.text = 0
        warm = ClipScorer(scorer.components, scorer.ref, cache=EmbeddingCache(tmp_path / "fresh.sqlite"))
        second = warm.score(files, ["a red shirt", "blue jeans"])
        assert counter.total == 0  # served entirely from the on-disk cache
        assert np.allclose(first.cos, second.cos)
        # another model identity (e.g. a new revision) must not be served these vectors
        from dataclasses import replace

        other = ClipScorer(scorer.components, replace(scorer.ref, revision="v2"), cache=cache)
        other.score(files[:1], ["a red shirt"])
        assert counter.image == 1 and counter.text == 1
    finally:
        counter.close()


def test_bad_images_are_reported_not_fatal(scorer, image_dir, tmp_path):
    import io

    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    buf = io.BytesIO()
    Image.fromarray((np.random.default_rng(1).random((40, 40, 3)) * 255).astype(np.uint8)).save(buf, "JPEG")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(buf.getvalue()[:300])
    tiny = tmp_path / "one.png"
    Image.new("LA", (1, 1), (10, 128)).save(tiny)
    good = sorted(image_dir.iterdir())[0]
    res = scorer.encode_images([good, bad, cut, tiny])
    assert set(res.errors) == {1, 2}
    assert "notes.txt" in str(res.errors[1]) and "cut.jpg" in str(res.errors[2])
    assert np.allclose(res.vectors[[0, 3]].norm(dim=-1).numpy(), 1.0, atol=1e-5)
    with pytest.raises(ImageLoadError, match="notes.txt"):
        scorer.embed_images([good, bad])


@pytest.mark.parametrize(("native_bf16", "fast_dtype"), [(True, "bfloat16"), (False, "int8")])
def test_fast_precision_scorer_loads(settings, tmp_path, force_cpu_bf16, native_bf16, fast_dtype):
    """bf16 where the CPU has it natively; elsewhere an int8 image tower. Either way an fp32 twin checks."""
    from scoring.scorer import Precision

    force_cpu_bf16(native_bf16)
    fast = ClipScorer.from_profile("tiny", precision=Precision.FAST, project_dir=tmp_path, settings=settings)
    assert fast.dtype_name == fast_dtype
    assert fast.refine_tolerance > 0  # its close calls are re-checked in fp32
    assert fast.exact().dtype_name == "float32"
    assert fast.model_key != fast.exact().model_key  # different precisions never share cached vectors


def test_int8_image_tower_stays_close_to_fp32_and_leaves_the_fp32_model_alone(settings, force_cpu_bf16, image_dir):
    from scoring.clip_int8 import Int8SelfAttention, has_int8_image_tower
    from scoring.scorer import Precision

    force_cpu_bf16(False)
    fast = ClipScorer.from_profile("tiny", precision=Precision.FAST, use_cache=False, settings=settings)
    exact = fast.exact()
    assert has_int8_image_tower(fast.components.model) and not has_int8_image_tower(exact.components.model)
    assert any(isinstance(m, Int8SelfAttention) for m in fast.components.model.visual.modules())
    assert fast.components.model.visual is not exact.components.model.visual  # the cached fp32 model is untouched
    assert fast.components.model.transformer is exact.components.model.transformer  # the text tower is shared
    files = sorted(image_dir.iterdir())
    got, want = fast.embed_images(files), exact.embed_images(files)
    assert (got * want).sum(dim=1).min() > 0.99
    assert not np.allclose(got.numpy(), want.numpy(), atol=1e-6)  # it really ran in int8
    texts = ["a red shirt", "blue jeans"]
    assert np.allclose(fast.embed_texts(texts).numpy(), exact.embed_texts(texts).numpy(), atol=1e-6)  # text: fp32
    again = ClipScorer.from_profile("tiny", precision=Precision.FAST, use_cache=False, settings=settings)
    assert again.components.model is fast.components.model  # quantised once per loaded model


def test_edited_file_is_never_served_a_stale_vector(scorer, tmp_path):
    import os

    path = make_image(tmp_path / "edit.png", seed=1)
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))  # old enough to be remembered
    before = scorer.embed_images([path])
    assert scorer.cache.known_file_hashes(
        {str(path): (path.stat().st_size, path.stat().st_mtime_ns, path.stat().st_ino)}
    )
    make_image(path, seed=2)  # new content, new mtime
    after = scorer.embed_images([path])
    assert not np.allclose(before.numpy(), after.numpy())


def test_class_token_shortcut_matches_open_clip_exactly():
    """The ViT shortcut (last block computed for the class token only) equals open_clip's encode_image."""
    import copy
    import json

    import open_clip
    import torch

    from generators.runtime.models.clip import TINY_MODEL_CFG
    from scoring.clip_fast_paths import encode_pixels

    cfg = json.loads(json.dumps(TINY_MODEL_CFG))
    cfg["vision_cfg"]["pool_type"] = "tok"  # the real CLIP layout
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = open_clip.model.CLIP(**cfg).eval()
    x = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    last_block_calls = []
    hook = model.visual.transformer.resblocks[-1].register_forward_hook(lambda *a: last_block_calls.append(1))
    with torch.inference_mode():
        got = encode_pixels(model, x)
        assert not last_block_calls  # the shortcut ran, not the library's full last block
        hook.remove()
        assert torch.allclose(got, model.encode_image(x), atol=1e-5)
        # and in bf16 (the fast dtype on CPUs with native bf16) it agrees with the library's own bf16 forward
        half = copy.deepcopy(model).to(torch.bfloat16)
        got = encode_pixels(half, x.to(torch.bfloat16)).float()
        want = half.encode_image(x.to(torch.bfloat16)).float()
        assert torch.nn.functional.cosine_similarity(got, want).min() > 0.999


def test_class_token_shortcut_runs_on_the_int8_tower():
    """On the int8 tower (the fast path without native bf16) the shortcut agrees with the library's own forward
    through the same int8 layers, and both stay close to fp32."""
    import json

    import open_clip
    import torch

    from generators.runtime.models.clip import TINY_MODEL_CFG
    from scoring.clip_fast_paths import encode_pixels
    from scoring.clip_int8 import int8_image_tower

    cfg = json.loads(json.dumps(TINY_MODEL_CFG))
    cfg["vision_cfg"]["pool_type"] = "tok"
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = open_clip.model.CLIP(**cfg).eval()
    q = int8_image_tower(model)
    x = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    last_block_calls = []
    q.visual.transformer.resblocks[-1].register_forward_hook(lambda *a: last_block_calls.append(1))
    with torch.inference_mode():
        got = encode_pixels(q, x)
        assert not last_block_calls
        library = q.encode_image(x)  # every block through Int8SelfAttention.forward
        assert last_block_calls
        fp32 = model.encode_image(x)
    cos = torch.nn.functional.cosine_similarity
    # activations are quantised per call, so the one-token path rounds differently: close, not identical
    assert cos(got, library).min() > 0.999
    assert cos(got, fp32).min() > 0.99 and cos(library, fp32).min() > 0.99
