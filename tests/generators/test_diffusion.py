"""Fast Stable Diffusion (tiny models through the real diffusers pipelines): seeds, decoders, previews, cancel."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from generators.diffusion import DiffusionCall, FastDiffusion, QualityMode
from generators.runtime.progress import Cancelled, CancelToken

CALL = DiffusionCall("a red tee", seed=3, steps=2, width=64, height=64)


@pytest.fixture(scope="module")
def txt2img():
    from generators.runtime.loading import load_model

    return FastDiffusion(load_model("txt2img", "tiny").components)


@pytest.fixture(scope="module")
def inpainter():
    from generators.runtime.loading import load_model

    return FastDiffusion(load_model("inpaint", "tiny").components)


def test_same_seed_same_image_other_seed_other_image(txt2img):
    a, b = txt2img.txt2img(CALL), txt2img.txt2img(CALL)
    assert a.size == (64, 64) and a.tobytes() == b.tobytes()
    other = txt2img.txt2img(DiffusionCall("a red tee", seed=4, steps=2, width=64, height=64))
    assert other.tobytes() != a.tobytes()


def test_fast_mode_decodes_with_the_tiny_autoencoder(txt2img):
    assert txt2img.has_tiny_decoder
    fast = np.asarray(txt2img.txt2img(CALL), float)
    best = np.asarray(txt2img.txt2img(DiffusionCall(**{**CALL.__dict__, "mode": QualityMode.BEST})), float)
    assert np.abs(fast - best).mean() > 1.0  # two different decoders drew the same latents


def test_prompt_embeddings_are_computed_once(txt2img):
    calls = []
    encoder = txt2img.pipe.text_encoder
    hook = encoder.register_forward_hook(lambda *a: calls.append(1))
    try:
        for seed in range(3):
            txt2img.txt2img(DiffusionCall("a navy denim jacket", seed=seed, steps=1, width=64, height=64))
    finally:
        hook.remove()
    assert len(calls) == 1


def test_previews_come_between_steps_and_progress_reaches_the_total(txt2img):
    events = []
    txt2img.txt2img(DiffusionCall("a red tee", seed=1, steps=3, width=64, height=64), progress=events.append)
    assert [(e.step, e.total) for e in events] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert [e.preview is not None for e in events] == [False, True, True, False]
    assert isinstance(events[1].preview, Image.Image)


def test_cancel_stops_within_one_step(txt2img):
    token, steps = CancelToken(), []

    def progress(p):
        steps.append(p.step)
        if p.step == 1:
            token.cancel()

    with pytest.raises(Cancelled):
        txt2img.txt2img(
            DiffusionCall("a red tee", seed=1, steps=4, width=64, height=64), progress=progress, cancel=token
        )
    assert max(steps) == 1


def test_img2img_and_inpaint(txt2img, inpainter):
    init = Image.new("RGB", (64, 64), (200, 30, 30))
    call = DiffusionCall("a red tee", seed=2, steps=4, width=64, height=64, strength=0.5)
    assert txt2img.img2img(call, init).size == (64, 64)
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (16, 16, 48, 48))
    assert inpainter.inpaint(call, init, mask).tobytes() == inpainter.inpaint(call, init, mask).tobytes()
    with pytest.raises(ValueError, match="9-channel"):
        txt2img.inpaint(call, init, mask)


@pytest.mark.parametrize("native_bf16", [True, False])
def test_dtype_policy_follows_the_cpu(native_bf16):
    import torch

    from generators.diffusion import load_fast_diffusion, preferred_dtype
    from generators.runtime.device import forced_cpu_bf16

    with forced_cpu_bf16(native_bf16):
        assert preferred_dtype("cpu") == (torch.bfloat16 if native_bf16 else torch.float32)
        assert preferred_dtype("cuda") == torch.float16
        if not native_bf16:  # the int8 branch: the UNet's Linear layers become dynamic int8, and it still runs
            from generators.runtime.loading import load_model

            fast = FastDiffusion(load_model("txt2img", "tiny", use_cache=False).components)
            assert fast.int8_unet
            linears = [m for m in fast.pipe.unet.modules() if type(m).__name__ == "Linear"]
            assert linears and all(type(m).__module__.startswith("torch.ao.nn.quantized.dynamic") for m in linears)
            assert fast.txt2img(CALL).size == (64, 64)
        else:
            assert load_fast_diffusion("txt2img", "tiny").components.dtype == torch.bfloat16
