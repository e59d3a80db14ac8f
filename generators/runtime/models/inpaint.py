"""inpaint role: a Stable Diffusion inpainting pipeline (9-channel UNet), built by the shared builder."""

from __future__ import annotations

from typing import Any, ClassVar

from generators.runtime.models.stable_diffusion import DiffusionComponents, InpaintComponents, StableDiffusionAdapter
from generators.runtime.roles import Role


class InpaintAdapter(StableDiffusionAdapter):
    """`StableDiffusionInpaintPipeline`; its UNet reads latents (4) + mask (1) + masked-image latents (4)."""

    role: ClassVar[Role] = Role.INPAINT
    builder_version: ClassVar[str] = "1"
    pipeline_class_name: ClassVar[str] = "StableDiffusionInpaintPipeline"
    components_class = InpaintComponents
    unet_in_channels: ClassVar[int] = 9

    def smoke_inputs(self, components: DiffusionComponents, size: int) -> dict[str, Any]:
        """A grey image with its centre square masked."""
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (size, size), (128, 128, 128))
        mask = Image.new("L", (size, size), 0)
        ImageDraw.Draw(mask).rectangle((size // 4, size // 4, 3 * size // 4, 3 * size // 4), fill=255)
        return {"image": image, "mask_image": mask}


ADAPTER = InpaintAdapter()
