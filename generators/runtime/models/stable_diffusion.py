"""Shared builder and loader for the Stable Diffusion roles (txt2img/img2img and inpaint).

Both roles are the same three parts (UNet, VAE, CLIP text encoder) plus the real CLIP tokenizer; they
differ only in the pipeline class and the UNet's input channels (4, or 9 for inpainting: latents, mask and
masked-image latents). `StableDiffusionAdapter` holds everything; the role modules configure it.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from generators.runtime.models.clip_tokenizer import CLIP_MAX_LENGTH, CLIP_VOCAB_SIZE, build_clip_tokenizer
from generators.runtime.quiet import quiet_ml_libraries
from generators.runtime.roles import Profile, Role

if TYPE_CHECKING:
    import torch
    from PIL import Image

    from generators.runtime.settings import Settings

TINY_DECODER_FOLDER = "vae_tiny"  # optional TAESD next to the pipeline: ~3x faster decodes/previews (NOTES)

# ---- configs (tiny as diffusers' own tests; perf = SD 2.1 / SD-Turbo, from NOTES.md) ----

_TINY_UNET = dict(
    sample_size=32,
    block_out_channels=(32, 64),
    layers_per_block=1,
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
    cross_attention_dim=32,
    attention_head_dim=8,
    norm_num_groups=32,
)
_PERF_UNET = dict(
    sample_size=64,
    layers_per_block=2,
    block_out_channels=(320, 640, 1280, 1280),
    attention_head_dim=(5, 10, 20, 20),
    cross_attention_dim=1024,
    use_linear_projection=True,
    down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
    up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
    flip_sin_to_cos=True,
    freq_shift=0,
)
_TINY_VAE = dict(
    block_out_channels=(32, 64),
    down_block_types=("DownEncoderBlock2D",) * 2,
    up_block_types=("UpDecoderBlock2D",) * 2,
    latent_channels=4,
    sample_size=64,
)
_PERF_VAE = dict(
    block_out_channels=(128, 256, 512, 512),
    down_block_types=("DownEncoderBlock2D",) * 4,
    up_block_types=("UpDecoderBlock2D",) * 4,
    layers_per_block=2,
    latent_channels=4,
    sample_size=512,
    scaling_factor=0.18215,
)
# A TAESD whose downscale matches the tiny VAE's (2x), so tiny tests can exercise the fast-decoder path.
_TINY_TAESD = dict(
    encoder_block_out_channels=(16, 16),
    decoder_block_out_channels=(16, 16),
    num_encoder_blocks=(1, 1),
    num_decoder_blocks=(1, 1),
)
_PERF_TAESD: dict = {}  # AutoencoderTiny() defaults are TAESD's
_TEXT_COMMON = dict(
    vocab_size=CLIP_VOCAB_SIZE,
    max_position_embeddings=CLIP_MAX_LENGTH,
    bos_token_id=49406,
    eos_token_id=49407,
    pad_token_id=49407,
)
_TINY_TEXT = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, projection_dim=32)
_PERF_TEXT = dict(  # OpenCLIP ViT-H text tower, as SD 2.x uses it (penultimate layer: 23 of 24)
    hidden_size=1024,
    intermediate_size=4096,
    num_hidden_layers=23,
    num_attention_heads=16,
    hidden_act="gelu",
    projection_dim=1024,
)
_SCHEDULER = dict(  # few-step (1-4) sampling, as SD-Turbo ships it
    beta_start=0.00085,
    beta_end=0.012,
    beta_schedule="scaled_linear",
    timestep_spacing="trailing",
    steps_offset=1,
    num_train_timesteps=1000,
)


@dataclass
class DiffusionComponents:
    """A loaded Stable Diffusion pipeline and its optional tiny decoder.

    Attributes:
        pipe: the diffusers pipeline (`StableDiffusionPipeline` or `StableDiffusionInpaintPipeline`),
            progress bar off; call it with `generator=components.generator(seed)`.
        vae_tiny: an `AutoencoderTiny` (TAESD) for fast previews/decodes, or None when the folder has none.
        device: where the parts live.
        dtype: the parts' dtype.
    """

    pipe: Any
    vae_tiny: Any | None
    device: torch.device
    dtype: torch.dtype

    @property
    def default_size(self) -> int:
        """The image side the UNet was trained at (tiny 64, SD 2.1/Turbo 512), in pixels."""
        return int(self.pipe.unet.config.sample_size) * int(self.pipe.vae_scale_factor)

    def generator(self, seed: int) -> torch.Generator:
        """A seeded CPU generator for `pipe(..., generator=...)`: diffusers draws the noise on the CPU and moves it."""
        import torch

        # CPU noise is the same whatever the device, so a seed reproduces on a laptop and a GPU box alike.
        return torch.Generator("cpu").manual_seed(int(seed))


@dataclass
class Txt2ImgComponents(DiffusionComponents):
    """txt2img parts; `img2img()` gives an img2img pipeline that shares the same loaded modules."""

    _img2img: Any = field(default=None, init=False, repr=False)

    @property
    def txt2img(self) -> Any:
        """The `StableDiffusionPipeline`."""
        return self.pipe

    def img2img(self) -> Any:
        """A `StableDiffusionImg2ImgPipeline` over the same UNet/VAE/text encoder (no extra memory)."""
        if self._img2img is None:
            from diffusers import StableDiffusionImg2ImgPipeline

            self._img2img = StableDiffusionImg2ImgPipeline(**self.pipe.components)
            self._img2img.set_progress_bar_config(disable=True)
        return self._img2img


@dataclass
class InpaintComponents(DiffusionComponents):
    """Inpainting parts (9-channel UNet)."""

    @property
    def inpaint(self) -> Any:
        """The `StableDiffusionInpaintPipeline`."""
        return self.pipe


def _seeded(seed: int, build: Any, dtype: torch.dtype) -> Any:
    """Construct a module under a fixed seed (identical builds for a seed), then cast it to `dtype`."""
    import torch

    torch.manual_seed(seed)
    module = build()
    if dtype != torch.float32:
        module = module.to(dtype)
        gc.collect()  # perf: the fp32 originals are gigabytes; free them before the next part (costs ~0.5 s)
    return module


def _variant(folder: Path) -> str | None:
    """Hub folders pulled as the fp16 variant hold only `*.fp16.safetensors`; say so to `from_pretrained`."""
    unet = folder / "unet"
    if not (unet / "diffusion_pytorch_model.safetensors").exists() and any(unet.glob("*.fp16.safetensors")):
        return "fp16"
    return None


class StableDiffusionAdapter:
    """RoleAdapter for a Stable Diffusion role; subclasses set the role, pipeline class and UNet inputs."""

    role: ClassVar[Role]
    builder_version: ClassVar[str]
    pipeline_class_name: ClassVar[str]
    components_class: ClassVar[type[DiffusionComponents]]
    unet_in_channels: ClassVar[int] = 4

    def _pipeline_class(self) -> Any:
        import diffusers

        return getattr(diffusers, self.pipeline_class_name)

    def build(self, dest: Path, profile: Profile, seed: int = 0) -> None:
        """Write a random-weight tiny or perf pipeline (perf stored as bf16) plus a TAESD into `dest`."""
        import torch
        from diffusers import AutoencoderKL, AutoencoderTiny, EulerAncestralDiscreteScheduler, UNet2DConditionModel
        from transformers import CLIPTextConfig, CLIPTextModel

        profile = Profile.parse(profile)
        if profile not in (Profile.TINY, Profile.PERF):
            raise ValueError(f"only tiny and perf {self.role.value} models are built locally, not {profile.value}")
        tiny = profile is Profile.TINY
        # Full-size parts are stored as bf16: half the disk and RAM, and faster on bf16-capable CPUs (NOTES).
        store = torch.float32 if tiny else torch.bfloat16
        unet_cfg = {**(_TINY_UNET if tiny else _PERF_UNET), "in_channels": self.unet_in_channels, "out_channels": 4}
        text_cfg = CLIPTextConfig(**_TEXT_COMMON, **(_TINY_TEXT if tiny else _PERF_TEXT))
        pipe = self._pipeline_class()(
            unet=_seeded(seed, lambda: UNet2DConditionModel(**unet_cfg), store),
            vae=_seeded(seed + 1, lambda: AutoencoderKL(**(_TINY_VAE if tiny else _PERF_VAE)), store),
            text_encoder=_seeded(seed + 2, lambda: CLIPTextModel(text_cfg), store),
            tokenizer=build_clip_tokenizer(),
            scheduler=EulerAncestralDiscreteScheduler(**_SCHEDULER),
            safety_checker=None,
            feature_extractor=None,
            requires_safety_checker=False,
        )
        pipe.save_pretrained(str(dest), safe_serialization=True)
        del pipe
        taesd = _seeded(seed + 3, lambda: AutoencoderTiny(**(_TINY_TAESD if tiny else _PERF_TAESD)), store)
        taesd.save_pretrained(str(dest / TINY_DECODER_FOLDER), safe_serialization=True)

    def packaged_folder(self, settings: Settings) -> Path | None:
        """No registry package ships Stable Diffusion weights."""
        return None

    def load(self, folder: Path, device: torch.device, dtype: torch.dtype) -> DiffusionComponents:
        """Load the pipeline (and `vae_tiny/` if present) from a local folder, safetensors only."""
        from diffusers import AutoencoderTiny

        # `dtype` is diffusers 0.42's name for the deprecated `torch_dtype`.
        pipe = self._pipeline_class().from_pretrained(
            str(folder),
            local_files_only=True,
            use_safetensors=True,
            safety_checker=None,
            requires_safety_checker=False,
            dtype=dtype,
            variant=_variant(folder),
        )
        pipe = pipe.to(device)
        pipe.set_progress_bar_config(disable=True)
        vae_tiny = None
        if (folder / TINY_DECODER_FOLDER / "config.json").is_file():
            # AutoencoderTiny warns on every load about a config key it writes itself: hide that noise only here.
            with quiet_ml_libraries():
                vae_tiny = AutoencoderTiny.from_pretrained(
                    str(folder / TINY_DECODER_FOLDER), local_files_only=True, use_safetensors=True, dtype=dtype
                )
            vae_tiny = vae_tiny.to(device).eval()
        return self.components_class(pipe=pipe, vae_tiny=vae_tiny, device=device, dtype=dtype)

    def smoke_inputs(self, components: DiffusionComponents, size: int) -> dict[str, Any]:
        """Extra pipeline inputs a smoke run needs (e.g. image and mask for inpainting)."""
        return {}

    def smoke(self, components: DiffusionComponents) -> str:
        """One denoising step at a small size with a fixed seed; returns e.g. '1 image 64x64'."""
        size = min(components.default_size, 256)
        out = components.pipe(
            prompt="a linen shirt on a white background",
            height=size,
            width=size,
            num_inference_steps=1,
            guidance_scale=0.0,  # turbo-style sampling: no classifier-free guidance, one UNet pass per step
            generator=components.generator(0),
            **self.smoke_inputs(components, size),
        )
        images: list[Image.Image] = out.images
        return f"{len(images)} image {images[0].width}x{images[0].height}"
