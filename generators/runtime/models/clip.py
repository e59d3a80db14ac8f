"""The `clip` role: open_clip models saved as `open_clip_model.safetensors` + `open_clip_config.json`.

Every profile loads through open_clip's own `create_model_and_transforms("local-dir:" + folder)`, so a tiny
placeholder, a perf ViT-B-32 with random weights and a pulled hub model take the same path. The tokenizer
is always the real CLIP BPE that open_clip bundles (works offline).
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.runtime.roles import Profile, Role

if TYPE_CHECKING:
    import torch

    from generators.runtime.settings import Settings

CONFIG_FILE = "open_clip_config.json"
WEIGHTS_FILE = "open_clip_model.safetensors"
TINY_ARCH = "vitrine-tiny-clip"
PERF_ARCH = "ViT-B-32"

# Small enough to build in well under a second; vocab_size stays 49408 so the real tokenizer fits.
# Average pooling: with random weights the class token barely sees the image (distinct images came out at
# cosine ~0.97); pooled patch tokens keep different images apart (~0.6-0.85), so placeholder rankings and
# duplicate detection behave like a real model's.
TINY_MODEL_CFG: dict[str, Any] = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 32, "layers": 2, "width": 64, "head_width": 32, "patch_size": 8, "pool_type": "avg"},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}
# OpenAI CLIP's preprocessing (what every ViT-B-32 checkpoint on the hub declares).
_PREPROCESS_CFG: dict[str, Any] = {
    "mean": [0.48145466, 0.4578275, 0.40821073],
    "std": [0.26862954, 0.26130258, 0.27577711],
    "interpolation": "bicubic",
    "resize_mode": "shortest",
}


@dataclass(frozen=True)
class ClipComponents:
    """A loaded open_clip model, frozen in eval mode, with what a scorer needs to feed it.

    Attributes:
        model: the open_clip `CLIP` module (eval, no grad), on `device` in `dtype`.
        preprocess: open_clip's inference transform (PIL image -> normalized tensor).
        tokenizer: open_clip tokenizer (list of str -> LongTensor [n, context_length]).
        model_id: the architecture/model name recorded in the folder's config.
        image_size: side of the square input, pixels.
        context_length: text tokens per sequence (77 for every CLIP).
        mean: per-channel normalization mean.
        std: per-channel normalization std.
        interpolation: resize filter name from the model's preprocess config.
        device: torch device string.
        dtype: torch dtype the weights are held in.
        resize_mode: how a non-square image is fitted: shortest (centre crop), squash or longest (pad).
    """

    model: Any
    preprocess: Any
    tokenizer: Any
    model_id: str
    image_size: int
    context_length: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    interpolation: str
    device: str
    dtype: Any
    resize_mode: str = "shortest"


def _tiny_arch_registered() -> None:
    """Register the tiny config with open_clip (`add_model_config`) so it is a named architecture."""
    import open_clip

    if TINY_ARCH in open_clip.list_models():
        return
    cfg_dir = Path(tempfile.mkdtemp(prefix="vitrine-open-clip-cfg-"))
    (cfg_dir / f"{TINY_ARCH}.json").write_text(json.dumps(TINY_MODEL_CFG))
    open_clip.add_model_config(cfg_dir)


class ClipAdapter:
    """RoleAdapter for `clip`."""

    role = Role.CLIP
    builder_version = "2"

    def build(self, dest: Path, profile: Profile, seed: int = 0) -> None:
        """Write a seeded random-weight open_clip model (tiny config or ViT-B-32) into `dest`."""
        import open_clip
        import torch
        from safetensors.torch import save_file

        if profile is Profile.TINY:
            _tiny_arch_registered()
            arch = TINY_ARCH
        elif profile is Profile.PERF:
            arch = PERF_ARCH
        else:
            raise ValueError(f"only tiny and perf clip models are built locally, not {profile.value}")
        model_cfg = open_clip.get_model_config(arch)
        quiet = logging.getLogger()  # open_clip warns that a random model has no pretrained weights: intended here
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                model = open_clip.create_model(arch, pretrained=None)
        finally:
            quiet.setLevel(level)
        state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
        dest.mkdir(parents=True, exist_ok=True)
        save_file(state, str(dest / WEIGHTS_FILE), metadata={"format": "pt"})
        preprocess = {**_PREPROCESS_CFG, "size": model_cfg["vision_cfg"]["image_size"]}
        config = {
            "model_cfg": model_cfg,
            "preprocess_cfg": preprocess,
            "vitrine": {"model_id": f"vitrine-{profile.value}/clip", "architecture": arch, "seed": seed},
        }
        (dest / CONFIG_FILE).write_text(json.dumps(config, indent=1))

    def packaged_folder(self, settings: Settings) -> Path | None:
        """No registry package carries CLIP weights."""
        return None

    def load(self, folder: Path, device: torch.device, dtype: torch.dtype) -> ClipComponents:
        """Load through open_clip's `local-dir:` schema; weights are cast to `dtype` and frozen."""
        import open_clip

        folder = Path(folder)
        config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        id_ = str(config.get("vitrine", {}).get("model_id") or config.get("model_id") or folder.name)
        model, _, preprocess = open_clip.create_model_and_transforms(f"local-dir:{folder}", device="cpu")
        model = model.to(device=device, dtype=dtype).eval()
        model.requires_grad_(False)
        tokenizer = open_clip.get_tokenizer(f"local-dir:{folder}")
        pre = {**_PREPROCESS_CFG, **config.get("preprocess_cfg", {})}
        size = model.visual.image_size
        size = int(size[0] if isinstance(size, (tuple, list)) else size)
        return ClipComponents(
            model=model,
            preprocess=preprocess,
            tokenizer=tokenizer,
            model_id=id_,
            image_size=size,
            context_length=int(getattr(tokenizer, "context_length", 77)),
            mean=tuple(float(x) for x in pre["mean"]),  # type: ignore[arg-type]
            std=tuple(float(x) for x in pre["std"]),  # type: ignore[arg-type]
            interpolation=str(pre.get("interpolation", "bicubic")),
            device=str(device),
            dtype=dtype,
            resize_mode=str(pre.get("resize_mode", "shortest")),
        )

    def smoke(self, components: ClipComponents) -> str:
        """Encode one grey image and two texts; report the embedding size and the two similarities."""
        import torch

        c = components
        image = torch.zeros(1, 3, c.image_size, c.image_size, device=c.device, dtype=c.dtype)
        tokens = c.tokenizer(["a product photo", "a red shirt"]).to(c.device)
        with torch.inference_mode():
            img = torch.nn.functional.normalize(c.model.encode_image(image).float(), dim=-1)
            txt = torch.nn.functional.normalize(c.model.encode_text(tokens).float(), dim=-1)
        sims = (img @ txt.T).squeeze(0).tolist()
        return f"clip {c.model_id}: embed dim {img.shape[-1]}, cos(image, texts) = {sims[0]:.3f}, {sims[1]:.3f}"


ADAPTER = ClipAdapter()
