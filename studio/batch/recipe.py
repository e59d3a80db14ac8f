"""Recipes: the ordered steps a batch runs for every product, and whether each step's pipeline is there.

Each step is a capability declared in `studio.capabilities.declared` (its label, version, options, step
function and pipeline). A step whose pipeline module (or model role) cannot be loaded is reported as
unavailable with the reason; its output is never faked.
"""

from __future__ import annotations

from enum import StrEnum

from generators.runtime.names import NamedChoice
from studio.capabilities import Availability, Capability, availability, capability


class StepName(StrEnum):
    """One step of a batch, run per product in this order."""

    INGEST = "ingest"  # normalize catalog photos (orientation, RGB, size, no EXIF) into listing images
    CAPTION = "caption"
    ATTRIBUTES = "attributes"
    COPY = "copy"
    PAIRING = "pairing"
    TRYON = "tryon"
    VIDEO = "video"


class Recipe(NamedChoice):
    """What a batch makes: everything, only words, only images, or only videos."""

    FULL = "full"
    COPY = "copy"
    IMAGES = "images"
    VIDEO = "video"

    @property
    def steps(self) -> tuple[StepName, ...]:
        return RECIPE_STEPS[self]


RECIPE_STEPS: dict[Recipe, tuple[StepName, ...]] = {
    Recipe.FULL: tuple(StepName),
    Recipe.COPY: (StepName.INGEST, StepName.CAPTION, StepName.ATTRIBUTES, StepName.COPY),
    Recipe.IMAGES: (StepName.INGEST, StepName.PAIRING, StepName.TRYON),
    Recipe.VIDEO: (StepName.INGEST, StepName.VIDEO),
}


def step_spec(step: StepName | str) -> Capability:
    """The capability declaration behind a step: label, version, options type, pipeline, CLI, panel."""
    return capability(StepName(step).value)


def step_availability(step: StepName | str) -> Availability:
    """Whether a step can run here: its pipeline, step function and needs import; else the reason."""
    return availability(StepName(step).value)


def unavailable_message(step: StepName | str) -> str:
    """What people read when `step` cannot run here, e.g. "Try-on: not available yet" ("" when it can).

    The one wording for the batch page, job messages and the CLI. The technical reason (which module is
    missing) stays in `step_availability(step).reason`, for logs and the capability tests.
    """
    found = step_availability(step)
    if found.available:
        return ""
    label = step_spec(step).label
    label = label[:1].upper() + label[1:]
    if "not built yet" in found.reason:
        return f"{label}: not available yet"
    return f"{label}: not available on this installation (a library it needs does not load)"
