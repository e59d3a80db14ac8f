"""txt2img (and img2img) role: a Stable Diffusion pipeline; tiny/perf placeholders built by the shared builder."""

from __future__ import annotations

from typing import ClassVar

from generators.runtime.models.stable_diffusion import StableDiffusionAdapter, Txt2ImgComponents
from generators.runtime.roles import Role


class Txt2ImgAdapter(StableDiffusionAdapter):
    """`StableDiffusionPipeline` with a 4-channel UNet; `components.img2img()` shares its parts."""

    role: ClassVar[Role] = Role.TXT2IMG
    builder_version: ClassVar[str] = "1"
    pipeline_class_name: ClassVar[str] = "StableDiffusionPipeline"
    components_class = Txt2ImgComponents
    unet_in_channels: ClassVar[int] = 4


ADAPTER = Txt2ImgAdapter()
