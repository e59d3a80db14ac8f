"""Recipes: the ordered steps a batch runs for every product, and whether each step's pipeline is there.

A step whose pipeline module (or model role) cannot be loaded is reported as unavailable with the reason;
its output is never faked.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from generators.runtime.errors import UnknownNameError


class StepName(StrEnum):
    """One step of a batch, run per product in this order."""

    INGEST = "ingest"  # normalize catalog photos (orientation, RGB, size, no EXIF) into listing images
    CAPTION = "caption"
    ATTRIBUTES = "attributes"
    COPY = "copy"
    PAIRING = "pairing"
    TRYON = "tryon"
    VIDEO = "video"


class Recipe(StrEnum):
    """What a batch makes: everything, only words, only images, or only videos."""

    FULL = "full"
    COPY = "copy"
    IMAGES = "images"
    VIDEO = "video"

    @classmethod
    def parse(cls, name: str | Recipe) -> Recipe:
        try:
            return cls(name)
        except ValueError:
            raise UnknownNameError("recipe", str(name), [r.value for r in cls]) from None

    @property
    def steps(self) -> tuple[StepName, ...]:
        return RECIPE_STEPS[self]


RECIPE_STEPS: dict[Recipe, tuple[StepName, ...]] = {
    Recipe.FULL: tuple(StepName),
    Recipe.COPY: (StepName.INGEST, StepName.CAPTION, StepName.ATTRIBUTES, StepName.COPY),
    Recipe.IMAGES: (StepName.INGEST, StepName.PAIRING, StepName.TRYON),
    Recipe.VIDEO: (StepName.INGEST, StepName.VIDEO),
}


@dataclass(frozen=True)
class StepSpec:
    """What a step needs: the modules and attributes of its pipelines (all must import)."""

    name: StepName
    needs: tuple[tuple[str, str], ...]  # (module, attribute)
    label: str
    version: str = "1"  # bump when a step's output changes: finished jobs of an older version are redone
    options: tuple[str, ...] = ()  # batch options the step reads: changing one redoes the step


STEP_SPECS: dict[StepName, StepSpec] = {
    StepName.INGEST: StepSpec(StepName.INGEST, (), "normalize photos"),
    StepName.CAPTION: StepSpec(
        StepName.CAPTION,
        (("generators.caption", "CaptionPipeline"), ("scoring.api", "get_scorer")),
        "captions",
    ),
    StepName.ATTRIBUTES: StepSpec(
        StepName.ATTRIBUTES,
        (("scoring.api", "get_scorer"), ("scoring.attributes", "AttributeClassifier")),
        "attributes",
    ),
    StepName.COPY: StepSpec(
        StepName.COPY,
        (("generators.copywriter", "CopyPipeline"), ("scoring.api", "get_scorer")),
        "sales copy",
        version="2",  # 2: grounding checks fit and invented figures; ranking weighs completeness
        # brand_kit: a digest of the project's brand kit, which the runner adds (steps.PROJECT_OPTIONS).
        options=("platforms", "copy_n", "tone", "language", "max_new_tokens", "brand_kit"),
    ),
    StepName.PAIRING: StepSpec(StepName.PAIRING, (("generators.pairing", "PairingPipeline"),), "outfit pairing"),
    StepName.TRYON: StepSpec(StepName.TRYON, (("generators.tryon", "TryOnPipeline"),), "try-on"),
    StepName.VIDEO: StepSpec(StepName.VIDEO, (("generators.video", "VideoPipeline"),), "video"),
}


@dataclass(frozen=True)
class Availability:
    """Whether a step can run here; `reason` says why not."""

    available: bool
    reason: str = ""


@cache
def step_availability(step: StepName) -> Availability:
    """Import each pipeline the step needs (heavy imports happen here, once); report what is missing."""
    for module_name, attribute in STEP_SPECS[step].needs:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                return Availability(False, f"{module_name}.{attribute} (pipeline) is not built yet")
            return Availability(False, f"{module_name} cannot be imported: {exc}")
        except ImportError as exc:
            return Availability(False, f"{module_name} cannot be imported: {exc}")
        if not hasattr(module, attribute):
            return Availability(False, f"{module_name}.{attribute} (pipeline) is not built yet")
    return Availability(True)
