"""Tier 2: the tiny txt2img/img2img and inpaint models load through the runtime and sample reproducibly."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from generators.runtime.loading import load_model

PROMPT = "a blue denim jacket on a hanger"


@pytest.fixture(scope="module")
def txt2img():
    return load_model("txt2img", "tiny")


@pytest.fixture(scope="module")
def inpaint():
    return load_model("inpaint", "tiny")


def _sample(pipe, seed: int, components, **kwargs) -> np.ndarray:
    out = pipe(
        prompt=PROMPT,
        num_inference_steps=2,
        guidance_scale=0.0,
        generator=components.generator(seed),
        output_type="np",
        **kwargs,
    )
    return out.images


def test_txt2img_is_a_labelled_placeholder(txt2img) -> None:
    ref = txt2img.ref()
    assert ref.placeholder and ref.source == "placeholder" and ref.profile == "tiny"
    assert ref.file_hash  # safetensors were found and hashed


def test_txt2img_shapes_and_determinism(txt2img) -> None:
    c = txt2img.components
    assert c.default_size == 64
    first = _sample(c.txt2img, 7, c, height=64, width=64, num_images_per_prompt=2)
    again = _sample(c.txt2img, 7, c, height=64, width=64, num_images_per_prompt=2)
    other = _sample(c.txt2img, 8, c, height=64, width=64, num_images_per_prompt=2)
    assert first.shape == (2, 64, 64, 3)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_img2img_shares_loaded_parts(txt2img) -> None:
    c = txt2img.components
    img2img = c.img2img()
    assert img2img is c.img2img()  # built once
    assert img2img.unet is c.pipe.unet and img2img.vae is c.pipe.vae and img2img.text_encoder is c.pipe.text_encoder
    source = Image.new("RGB", (64, 64), (200, 40, 40))
    first = _sample(img2img, 3, c, image=source, strength=1.0)
    assert first.shape == (1, 64, 64, 3)
    assert np.array_equal(first, _sample(img2img, 3, c, image=source, strength=1.0))


def test_tiny_decoder_matches_vae_scale(txt2img) -> None:
    import torch

    c = txt2img.components
    assert c.vae_tiny is not None
    latents = torch.zeros(1, 4, 32, 32, dtype=c.dtype)  # 64 px / the tiny VAE's scale factor 2
    with torch.inference_mode():
        assert tuple(c.vae_tiny.decode(latents).sample.shape) == (1, 3, 64, 64)


def test_inpaint_shapes_and_determinism(inpaint) -> None:
    c = inpaint.components
    assert inpaint.ref().placeholder
    assert c.inpaint.unet.config.in_channels == 9
    image = Image.new("RGB", (64, 64), (90, 120, 160))
    mask = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(mask).rectangle((16, 16, 47, 47), fill=255)
    first = _sample(c.inpaint, 11, c, image=image, mask_image=mask, height=64, width=64)
    assert first.shape == (1, 64, 64, 3)
    assert np.array_equal(first, _sample(c.inpaint, 11, c, image=image, mask_image=mask, height=64, width=64))


@pytest.mark.parametrize("role", ["txt2img", "inpaint"])
def test_smoke(role: str) -> None:
    from generators.runtime.adapter import adapter_for
    from generators.runtime.roles import Role

    assert adapter_for(Role(role)).smoke(load_model(role, "tiny").components) == "1 image 64x64"


def test_loads_a_pulled_fp16_variant_folder(txt2img, tmp_path) -> None:
    """`vitrine models pull` fetches only `*.fp16.safetensors` (no tiny decoder): load must find them."""
    from generators.runtime.models.txt2img import ADAPTER

    txt2img.components.pipe.save_pretrained(str(tmp_path), safe_serialization=True, variant="fp16")
    assert not (tmp_path / "unet" / "diffusion_pytorch_model.safetensors").exists()
    c = ADAPTER.load(tmp_path, txt2img.components.device, txt2img.components.dtype)
    assert c.vae_tiny is None and c.default_size == 64
    assert np.array_equal(_sample(c.txt2img, 5, c), _sample(txt2img.components.txt2img, 5, txt2img.components))
