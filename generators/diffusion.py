"""Fast Stable Diffusion on a CPU (and CUDA): the one way pairing and try-on call SD.

What makes it fast, measured on full-size SD-Turbo-sized parts (bench/images.py, ../NOTES): a stock 512² 1-step
call spends ~75 % of its time in the full VAE decoder (2.5 TFLOP against the UNet's 0.8). So:

- **Fast mode** decodes (and, for inpainting and img2img, encodes) with the tiny autoencoder (TAESD,
  `AutoencoderTiny`) that ships beside every Vitrine SD model; **best mode** keeps the full VAE.
- Prompt embeddings are computed once per (prompt, negative prompt) and reused by every seed and retry.
- The parts run in the dtype `preferred_dtype` picks through `generators.runtime.device`: bf16 on CPUs with
  native bf16, fp16 on CUDA, fp32 elsewhere, where the UNet's Linear layers run as dynamic int8 instead
  (`cpu_int8_preferred`; fbgemm/oneDNN int8 runs on AVX2). TAESD runs channels_last; the UNet does not
  (measured slower).
- Few steps (SD-Turbo: 1-4) with no classifier-free guidance unless asked, so one UNet pass per step.

Step previews (TAESD decodes of the current latents, small) go through the progress callback; the cancel token
is checked between steps, so a cancelled job stops within one step and returns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from generators.runtime.progress import CancelToken, ProgressFn, check, report

if TYPE_CHECKING:
    from PIL import Image

    from generators.runtime.models.stable_diffusion import DiffusionComponents

PREVIEW_SIDE = 192  # step previews are small: they are for watching, not for judging


def preferred_dtype(device: Any) -> Any:
    """The dtype to load an SD role in: bf16 on CPUs with native bf16, fp16 on CUDA, else fp32."""
    from generators.runtime.device import cpu_bf16_or_default

    return cpu_bf16_or_default(device)


def load_fast_diffusion(role: str, profile: str = "auto", *, device: Any = None) -> FastDiffusion:
    """Load an SD role (`txt2img` or `inpaint`) in its preferred dtype, ready for fast calls."""
    from generators.runtime.device import pick_device
    from generators.runtime.loading import load_model

    device = device or pick_device()
    return FastDiffusion(load_model(role, profile, device=device, dtype=preferred_dtype(device)).components)


class QualityMode(StrEnum):
    """Which autoencoder turns latents into pixels."""

    FAST = "fast"  # the tiny autoencoder (TAESD): ~3x faster on CPU, slightly softer detail
    BEST = "best"  # the model's full VAE


@dataclass(frozen=True)
class DiffusionCall:
    """One image to make. `strength` applies to img2img and inpainting (how much of the input is redrawn)."""

    prompt: str
    seed: int
    negative_prompt: str = ""
    steps: int = 1
    width: int = 512
    height: int = 512
    guidance_scale: float = 0.0  # SD-Turbo samples without classifier-free guidance
    strength: float = 0.6
    mode: QualityMode = QualityMode.FAST


class FastDiffusion:
    """txt2img, img2img and inpainting over one loaded SD role, with cached prompts and a fast decoder.

    Args:
        components: a loaded `txt2img` or `inpaint` role (`DiffusionComponents`).
    """

    def __init__(self, components: DiffusionComponents) -> None:
        import torch

        from generators.runtime.device import cpu_int8_preferred

        self.components = components
        self.pipe = components.pipe
        self.vae_tiny = components.vae_tiny
        if self.vae_tiny is not None:
            self.vae_tiny = self.vae_tiny.to(memory_format=torch.channels_last)
        self.int8_unet = cpu_int8_preferred(components.device) and components.dtype == torch.float32
        if self.int8_unet:
            # Without native bf16, int8 Linear layers (attention projections, feed-forwards) are the UNet's
            # fast path; convolutions stay fp32. In place: the shared pipeline parts use the same UNet.
            torch.ao.quantization.quantize_dynamic(self.pipe.unet, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
        self._prompts: dict[tuple[str, str, bool], tuple[Any, Any]] = {}
        self._fast: dict[str, Any] = {}

    @property
    def has_tiny_decoder(self) -> bool:
        return self.vae_tiny is not None

    def txt2img(
        self, call: DiffusionCall, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> Image.Image:
        """An image from the prompt alone."""
        return self._run("txt2img", call, {"height": call.height, "width": call.width}, progress, cancel)

    def img2img(
        self,
        call: DiffusionCall,
        image: Image.Image,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> Image.Image:
        """`image` redrawn towards the prompt; `call.strength` of the steps are run (at least one)."""
        image = image.convert("RGB").resize((call.width, call.height))
        return self._run("img2img", call, {"image": image, "strength": call.strength}, progress, cancel)

    def inpaint(
        self,
        call: DiffusionCall,
        image: Image.Image,
        mask: Image.Image,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> Image.Image:
        """`image` with the white part of `mask` redrawn (needs the `inpaint` role's 9-channel UNet)."""
        size = (call.width, call.height)
        inputs = {
            "image": image.convert("RGB").resize(size),
            "mask_image": mask.convert("L").resize(size),
            "height": call.height,
            "width": call.width,
            "strength": call.strength,
        }
        return self._run("inpaint", call, inputs, progress, cancel)

    # ---- internals ------------------------------------------------------------------------------------
    def _pipeline(self, kind: str, mode: QualityMode) -> Any:
        """The diffusers pipeline for `kind`, sharing every loaded part; fast mode swaps in the tiny autoencoder."""
        key = f"{kind}:{mode.value}"
        if key not in self._fast:
            import diffusers

            parts = dict(self.pipe.components)
            if mode is QualityMode.FAST and self.vae_tiny is not None:
                parts["vae"] = self.vae_tiny
            cls = {
                "txt2img": diffusers.StableDiffusionPipeline,
                "img2img": diffusers.StableDiffusionImg2ImgPipeline,
                "inpaint": diffusers.StableDiffusionInpaintPipeline,
            }[kind]
            if kind == "inpaint" and self.pipe.unet.config.in_channels != 9:
                raise ValueError("inpainting needs the inpaint role's 9-channel UNet")
            pipe = cls(**parts, requires_safety_checker=False)
            pipe.set_progress_bar_config(disable=True)
            self._fast[key] = pipe
        return self._fast[key]

    def _embeddings(self, call: DiffusionCall) -> tuple[Any, Any]:
        """(prompt, negative) embeddings, computed once per text pair: the text encoder is not cheap at full size."""
        import torch

        guided = call.guidance_scale > 1.0
        key = (call.prompt, call.negative_prompt, guided)
        if key not in self._prompts:
            with torch.inference_mode():
                positive, negative = self.pipe.encode_prompt(
                    call.prompt,
                    self.components.device,
                    1,
                    guided,
                    negative_prompt=call.negative_prompt or None,
                )
            self._prompts[key] = (positive, negative)
        return self._prompts[key]

    def _preview(self, latents: Any) -> Image.Image | None:
        if self.vae_tiny is None:
            return None
        import torch
        from PIL import Image

        with torch.inference_mode():
            pixels = self.vae_tiny.decode(latents[:1].to(self.vae_tiny.dtype)).sample[0]
        arr = ((pixels.float().clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0).cpu().numpy()
        image = Image.fromarray(arr)
        image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
        return image

    def _run(
        self,
        kind: str,
        call: DiffusionCall,
        inputs: dict[str, Any],
        progress: ProgressFn | None,
        cancel: CancelToken | None,
    ) -> Image.Image:
        import torch

        check(cancel)
        pipe = self._pipeline(kind, call.mode)
        positive, negative = self._embeddings(call)
        steps = max(1, call.steps)
        total = max(1, int(steps * call.strength)) if kind != "txt2img" else steps

        def on_step(_pipe: Any, step: int, _timestep: Any, kwargs: dict) -> dict:
            check(cancel)
            last = step + 1 >= total  # the last step's picture is the result itself: no preview decode for it
            report(progress, step + 1, total, "denoising", None if last else self._preview(kwargs["latents"]))
            return kwargs

        report(progress, 0, total, "denoising")
        with torch.inference_mode():
            out = pipe(
                prompt_embeds=positive,
                negative_prompt_embeds=negative if call.guidance_scale > 1.0 else None,
                num_inference_steps=steps,
                guidance_scale=call.guidance_scale,
                generator=self.components.generator(call.seed),
                callback_on_step_end=on_step,
                callback_on_step_end_tensor_inputs=["latents"],
                **inputs,
            )
        check(cancel)
        return out.images[0]
