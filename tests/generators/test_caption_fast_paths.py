"""The caption pipeline's fast paths give the stock BLIP results (tiny BLIP, fp32 unless said)."""

from __future__ import annotations

import pytest
import torch
from PIL import Image

from generators.caption import CaptionPipeline, CaptionRequest
from generators.runtime.loading import load_model
from generators.runtime.models.blip_sdpa import share_cross_attention_projections, use_sdpa_vision_attention

PROMPT = "a product photo of"


def _images() -> list[Image.Image]:
    sizes = [(40, 30), (57, 100), (32, 32), (120, 64)]
    images = []
    for k, (w, h) in enumerate(sizes):
        ramp = Image.linear_gradient("L").resize((w, h)).rotate(37 * k)
        images.append(Image.merge("RGB", (ramp, Image.new("L", (w, h), 60 * k), ramp.transpose(0))))
    return images


def _wake_vision(model) -> None:
    """BLIP inits its vision tower with std 1e-10, which makes every image look alike; give it real spread."""
    gen = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for name, p in model.vision_model.named_parameters():
            noise = torch.randn(p.shape, generator=gen) * 0.05
            p.copy_(noise + 1.0 if "layer_norm" in name and name.endswith("weight") else noise)
        # ...and let the text decoder listen to the image (its 0.02-std cross-attention barely does).
        for name, p in model.text_decoder.named_parameters():
            if "crossattention" in name and name.endswith("weight") and p.ndim == 2:
                p.mul_(15.0)


@pytest.fixture(scope="module")
def models():
    from transformers import BlipForConditionalGeneration, BlipProcessor

    loaded = load_model("captioner", "tiny", dtype=torch.float32, use_cache=False)
    folder = loaded.resolved.folder
    stock = BlipForConditionalGeneration.from_pretrained(folder, dtype=torch.float32, local_files_only=True).eval()
    processor = BlipProcessor.from_pretrained(folder, local_files_only=True)
    ours = loaded.components.model
    _wake_vision(stock)
    ours.load_state_dict(stock.state_dict())
    return loaded, stock, processor


def test_loaded_captioner_uses_fused_vision_attention(models):
    loaded, stock, _ = models
    names = {type(m).__name__ for m in loaded.components.model.vision_model.modules()}
    assert "SdpaBlipAttention" in names and "BlipAttention" not in names
    assert "SdpaBlipAttention" not in {type(m).__name__ for m in stock.modules()}


def test_sdpa_vision_features_match_eager(models):
    loaded, stock, processor = models
    pixels = processor(images=_images(), return_tensors="pt")["pixel_values"]
    with torch.inference_mode():
        ours = loaded.components.model.vision_model(pixel_values=pixels)[0]
        ref = stock.vision_model(pixel_values=pixels)[0]
    assert (ref - ref.mean(0)).abs().max() > 0.05  # the features really depend on the image
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=1e-5)


def test_switch_is_idempotent(models):
    loaded, _, _ = models
    assert use_sdpa_vision_attention(loaded.components.model) == 0
    assert share_cross_attention_projections(loaded.components.model) == 0


def test_row_shared_projection_is_exact_and_falls_back(models):
    loaded, _, _ = models
    layer = loaded.components.model.text_decoder.bert.encoder.layer[0].crossattention.self.key
    assert type(layer).__name__ == "RowSharedLinear"
    gen = torch.Generator().manual_seed(3)
    rows = torch.randn(3, 5, layer.in_features, generator=gen)
    for x in (rows.repeat_interleave(4, dim=0), rows, torch.cat([rows[:1], rows[:1], rows[1:2]])):
        want = torch.nn.functional.linear(x, layer.weight, layer.bias)
        torch.testing.assert_close(layer(x), want, atol=1e-6, rtol=1e-6)


def test_beam_search_equals_stock(models):
    loaded, stock, processor = models
    pixels = processor(images=_images(), return_tensors="pt")["pixel_values"]
    ids = processor.tokenizer([PROMPT] * len(_images()), return_tensors="pt")["input_ids"]
    kw = {"max_new_tokens": 8, "num_beams": 4, "num_return_sequences": 3, "return_dict_in_generate": True}
    with torch.inference_mode():
        ours = loaded.components.model.generate(pixel_values=pixels, input_ids=ids.clone(), output_scores=True, **kw)
        ref = stock.generate(pixel_values=pixels, input_ids=ids.clone(), output_scores=True, **kw)
    assert torch.equal(ours.sequences, ref.sequences)
    torch.testing.assert_close(ours.sequences_scores, ref.sequences_scores, atol=1e-5, rtol=1e-5)


def test_fast_preprocessing_matches_processor(models):
    loaded, _, processor = models
    pipe = CaptionPipeline(loaded)
    assert pipe.pixel_spec is not None and pipe.pixel_spec.size == 32
    ref = processor(images=_images(), return_tensors="pt")["pixel_values"]
    diff = (pipe.pixel_values(_images()) - ref).abs()
    # Pillow's bicubic resize is shared; transformers rounds a few resized pixels one uint8 level differently.
    one_level = 1 / 255 / min(pipe.pixel_spec.std) + 1e-4
    assert diff.max() <= one_level and (diff > 1e-5).float().mean() < 0.01


def test_batched_greedy_captions_equal_stock_one_at_a_time(models):
    loaded, stock, processor = models
    images = _images()
    request = CaptionRequest(tuple(images), n=1, num_beams=1, max_new_tokens=8, min_new_tokens=8, batch_size=4)
    ours = [item.best.text for item in CaptionPipeline(loaded, int8_vision=False).run(request).items]
    ref = []
    for image in images:
        inputs = processor(images=image, text=PROMPT, return_tensors="pt")
        with torch.no_grad():
            ids = stock.generate(**inputs, max_new_tokens=8, min_new_tokens=8)
        text = processor.decode(ids[0], skip_special_tokens=True).strip()
        ref.append(text[len(PROMPT) :].strip() if text.lower().startswith(PROMPT) else text)
    assert ours == ref
    assert len(set(ours)) > 1  # different images, different captions: the comparison is not vacuous


def test_bf16_vision_features_stay_close_to_fp32(models):
    """bf16 keeps ~3 significant digits: features agree to ~1e-2 relative; greedy ids may differ on close calls."""
    loaded, stock, processor = models
    bf16 = load_model("captioner", "tiny", dtype=torch.bfloat16, use_cache=False).components.model
    bf16.load_state_dict(stock.state_dict())
    pixels = processor(images=_images(), return_tensors="pt")["pixel_values"]
    with torch.inference_mode():
        ref = stock.vision_model(pixel_values=pixels)[0]
        low = bf16.vision_model(pixel_values=pixels.to(torch.bfloat16))[0].float()
    assert (low - ref).abs().max() < 0.05 * ref.abs().max()


@pytest.mark.parametrize("native_bf16", [True, False])
def test_int8_vision_only_where_bf16_is_not_native(models, force_cpu_bf16, native_bf16):
    from generators.runtime.int8 import has_int8_layers

    loaded, _, _ = models
    force_cpu_bf16(native_bf16)
    pipe = CaptionPipeline(loaded)
    assert pipe.int8_vision is (not native_bf16)
    assert has_int8_layers(pipe.model.vision_model) is (not native_bf16)
    assert not has_int8_layers(loaded.components.model)  # the loaded (cached) model is never changed
    assert pipe.model.text_decoder is loaded.components.model.text_decoder  # the decoder stays fp32, shared
    bf16 = load_model("captioner", "tiny", dtype=torch.bfloat16, use_cache=False)
    assert not CaptionPipeline(bf16).int8_vision  # a model already in a fast dtype is left as it is


def test_int8_vision_keeps_fp32_features_and_captions_run(models):
    loaded, _, _ = models
    images = _images()
    request = CaptionRequest(tuple(images), n=1, num_beams=1, max_new_tokens=8, min_new_tokens=8, batch_size=4)
    fp32, int8 = CaptionPipeline(loaded, int8_vision=False), CaptionPipeline(loaded, int8_vision=True)
    with torch.inference_mode():
        pixels = fp32.pixel_values(images)
        ref = fp32.model.vision_model(pixel_values=pixels)[0]
        low = int8.model.vision_model(pixel_values=pixels)[0]
    assert not torch.equal(low, ref)  # it really ran in int8
    assert torch.nn.functional.cosine_similarity(low.flatten(1), ref.flatten(1)).min() > 0.999
    got, want = int8.run(request), fp32.run(request)
    # Random tiny weights leave the decoder's logits nearly tied, so a 1e-3 change in the image features may flip
    # a greedy token here (bench/words.py compares full-size captions: 8/8 identical); the features are the claim.
    assert len(got.items) == len(want.items) and all(i.best.text for i in got.items)
    assert got.provenance.params["int8_vision"] is True and want.provenance.params["int8_vision"] is False
