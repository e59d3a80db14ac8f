"""What a capability declares, and how its parts are found from the declaration.

Every part is named by a `module:attribute` string and imported only when used, so reading the registry is
cheap (no torch, no Qt) and a part that is not written yet makes its capability unavailable with the reason
instead of breaking an import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from generators.factory import Availability, import_target, pipeline_availability, target_availability

if TYPE_CHECKING:
    from studio.batch.context import StepContext, StepOutput
    from studio.batch.options import StepOptions

NO_OPTIONS = "studio.batch.options:NoOptions"


@dataclass(frozen=True)
class Capability:
    """One capability (captions, copy, try-on …) as the batch, the CLI and the studio find it.

    Attributes:
        name: the batch step's name (a `studio.batch.recipe.StepName` value) and the jobs' `step` column.
        label: what people read ("sales copy").
        step: `module:function` of the batch step, `function(ctx: StepContext) -> StepOutput`.
        pipeline: the name `generators.factory.build_pipeline` builds for the step (None: no model, e.g. ingest).
        options: `module:class` of the step's options (a frozen `StepOptions` dataclass).
        version: bump when the step's output changes: finished jobs of an older version are redone.
        needs: further `module:attribute`s that must import for the step to run.
        project_inputs: (option field, `module:function(project_folder) -> str`) pairs the runner fills once per run
            (e.g. the brand kit's digest: editing the kit redoes the step).
        cli: module with `register(subparsers)` adding the capability's commands (None: batch only).
        gui_panel: `module:class` of its panel in the studio (None: none yet); only the studio imports it.
    """

    name: str
    label: str
    step: str
    pipeline: str | None = None
    options: str = NO_OPTIONS
    version: str = "1"
    needs: tuple[str, ...] = ()
    project_inputs: tuple[tuple[str, str], ...] = ()
    cli: str | None = None
    gui_panel: str | None = None

    def step_function(self) -> Callable[[StepContext], StepOutput]:
        return import_target(self.step)

    def options_type(self) -> type[StepOptions]:
        return import_target(self.options)

    def project_input_readers(self) -> dict[str, Callable[[Any], str]]:
        return {name: import_target(path) for name, path in self.project_inputs}


@cache
def capability_availability(capability: Capability) -> Availability:
    """Whether `capability` can run here: its pipeline, step function and `needs` all import (heavy imports
    happen here, once per process); otherwise the reason, e.g. "generators.tryon… is not built yet"."""
    if capability.pipeline is not None:
        found = pipeline_availability(capability.pipeline)
        if not found.available:
            return found
    for path, what in ((capability.step, "batch step"), *((n, "pipeline") for n in capability.needs)):
        found = target_availability(path, what)
        if not found.available:
            return found
    return Availability(True)
