"""The model roles, profiles and weight sources."""

from __future__ import annotations

from enum import StrEnum

from generators.runtime.names import NamedChoice


class Role(NamedChoice):
    """What a model is used for. Each role resolves through a profile to a local folder."""

    CLIP = "clip"
    CAPTIONER = "captioner"
    COPYWRITER = "copywriter"
    TXT2IMG = "txt2img"  # also used for img2img, sharing the loaded parts
    INPAINT = "inpaint"
    PERSON_MASK = "person_mask"
    TEXT_EMBEDDER = "text_embedder"

    @classmethod
    def normalize(cls, name: str) -> str:
        return name.strip().lower().replace("-", "_")


class Profile(NamedChoice):
    """Which weights to use for a role."""

    TINY = "tiny"  # random weights, small configs, real tokenizers: tests and CI
    PERF = "perf"  # full-size architectures, random weights: benchmarks
    PACKAGED = "packaged"  # real weights shipped inside registry packages
    STANDARD = "standard"  # real hub models, after `vitrine models pull`
    AUTO = "auto"  # per role: local real weights -> packaged -> tiny


class Source(StrEnum):
    """Where the loaded weights came from; PLACEHOLDER output must be labelled as such."""

    REAL = "real"
    PACKAGED = "packaged"
    PLACEHOLDER = "placeholder"

    @property
    def is_placeholder(self) -> bool:
        return self is Source.PLACEHOLDER
