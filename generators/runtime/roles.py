"""The model roles, profiles and weight sources."""

from __future__ import annotations

from enum import StrEnum

from generators.runtime.errors import UnknownNameError


class Role(StrEnum):
    """What a model is used for. Each role resolves through a profile to a local folder."""

    CLIP = "clip"
    CAPTIONER = "captioner"
    COPYWRITER = "copywriter"
    TXT2IMG = "txt2img"  # also used for img2img, sharing the loaded parts
    INPAINT = "inpaint"
    PERSON_MASK = "person_mask"
    TEXT_EMBEDDER = "text_embedder"

    @classmethod
    def parse(cls, name: str | Role) -> Role:
        if isinstance(name, Role):
            return name
        try:
            return cls(name.strip().lower().replace("-", "_"))
        except ValueError:
            raise UnknownNameError("role", name, [r.value for r in cls]) from None


class Profile(StrEnum):
    """Which weights to use for a role."""

    TINY = "tiny"  # random weights, small configs, real tokenizers: tests and CI
    PERF = "perf"  # full-size architectures, random weights: benchmarks
    PACKAGED = "packaged"  # real weights shipped inside registry packages
    STANDARD = "standard"  # real hub models, after `vitrine models pull`
    AUTO = "auto"  # per role: local real weights -> packaged -> tiny

    @classmethod
    def parse(cls, name: str | Profile) -> Profile:
        if isinstance(name, Profile):
            return name
        try:
            return cls(name.strip().lower())
        except ValueError:
            raise UnknownNameError("profile", name, [p.value for p in cls]) from None


class Source(StrEnum):
    """Where the loaded weights came from; PLACEHOLDER output must be labelled as such."""

    REAL = "real"
    PACKAGED = "packaged"
    PLACEHOLDER = "placeholder"

    @property
    def is_placeholder(self) -> bool:
        return self is Source.PLACEHOLDER
