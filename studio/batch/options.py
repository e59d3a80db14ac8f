"""Typed options of the batch steps: one frozen dataclass per step, parsed once where the user gave them.

The CLI (`vitrine batch`), the studio (its Generate buttons and Batch page) and tests build these and hand
them to `run_product_steps` / `BatchOptions.step_options`; each step receives the instance of its own type
(`StepContext.options`). A finished job stays fresh while the fields of its step's options are unchanged
(`StepOptions.freshness`), so changing the tone redoes copy and nothing else.

Fields marked `project_input` are not given by the user: the runner fills them from the project folder once
per run (the brand kit's digest), so editing the brand kit also redoes copy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from generators.runtime.errors import VitrineError

OptionsT = TypeVar("OptionsT", bound="StepOptions")

# Field metadata key: the runner fills the field from the project folder (see `studio.capabilities`).
PROJECT_INPUT = "project_input"


def project_input(default: str = "") -> Any:
    """A field the runner derives from the project folder (e.g. the brand kit's digest), not the user."""
    return field(default=default, metadata={PROJECT_INPUT: True})


@dataclass(frozen=True)
class StepOptions:
    """Base of every step's options. A step that reads none uses `NoOptions`."""

    def freshness(self) -> dict[str, Any]:
        """The values a finished job's freshness depends on: every field, as plain data."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def project_inputs(cls) -> tuple[str, ...]:
        """Names of the fields the runner fills from the project folder."""
        return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get(PROJECT_INPUT))

    @classmethod
    def from_mapping(cls: type[OptionsT], values: Mapping[str, Any]) -> OptionsT:
        """Build from loose key/values (e.g. a saved form); keys this type does not have are ignored."""
        names = {f.name for f in dataclasses.fields(cls) if not f.metadata.get(PROJECT_INPUT)}
        return cls(**{k: v for k, v in values.items() if k in names and v is not None})


@dataclass(frozen=True)
class NoOptions(StepOptions):
    """Options of a step that reads none (ingest, captions, attributes)."""


@dataclass(frozen=True)
class CopyStepOptions(StepOptions):
    """What the copy step writes.

    Attributes:
        platforms: the export platforms copy is for (each maps to its copy platforms); () = all.
        copy_n: candidates per platform; None = the step's default.
        tone: a tone preset name; None = the copywriter's default.
        language: "en" or "zh"; None = each platform's own language.
        max_new_tokens: cap per candidate; None = the platform's budget.
        brand_kit: digest of the project's brand kit, filled by the runner (editing the kit redoes copy).
    """

    platforms: tuple[str, ...] = ()
    copy_n: int | None = None
    tone: str | None = None
    language: str | None = None
    max_new_tokens: int | None = None
    brand_kit: str = project_input()

    def __post_init__(self) -> None:
        # Lists from a form or JSON become a tuple, so the options stay hashable and compare equal.
        object.__setattr__(self, "platforms", tuple(self.platforms or ()))

    @classmethod
    def parse(
        cls,
        *,
        platforms: Iterable[str] = (),
        copy_n: int | None = None,
        tone: str | None = None,
        language: str | None = None,
        max_new_tokens: int | None = None,
    ) -> CopyStepOptions:
        """Checked options from what a person typed: a bad count, tone or language fails here, before work."""
        from generators.words.presets import Language, tones

        if copy_n is not None and int(copy_n) < 1:
            raise VitrineError(f"--copy-n must be at least 1 (got {copy_n})")
        if tone is not None and tone not in tones():
            raise VitrineError(f"unknown tone '{tone}'; choose one of: {', '.join(sorted(tones()))}")
        if max_new_tokens is not None and int(max_new_tokens) < 1:
            raise VitrineError(f"max new tokens must be at least 1 (got {max_new_tokens})")
        return cls(
            platforms=tuple(platforms or ()),
            copy_n=int(copy_n) if copy_n is not None else None,
            tone=tone,
            language=Language.parse(language).value if language else None,
            max_new_tokens=int(max_new_tokens) if max_new_tokens is not None else None,
        )


@dataclass(frozen=True)
class StepOptionSet:
    """The options given for a run, at most one instance per options type; a step without any given gets its
    type's defaults. Build with `StepOptionSet.of(CopyStepOptions(...), ...)`."""

    items: tuple[StepOptions, ...] = ()

    def __post_init__(self) -> None:
        kinds = [type(o) for o in self.items]
        if len(set(kinds)) != len(kinds):
            raise ValueError("give at most one options object per step options type")

    @classmethod
    def of(cls, *options: StepOptions | StepOptionSet | None) -> StepOptionSet:
        items: list[StepOptions] = []
        for o in options:
            if isinstance(o, StepOptionSet):
                items.extend(o.items)
            elif o is not None:
                items.append(o)
        return cls(tuple(items))

    def get(self, kind: type[OptionsT]) -> OptionsT:
        """The given options of `kind`, else its defaults."""
        for o in self.items:
            if type(o) is kind:
                return o
        return kind()

    def with_options(self, options: StepOptions) -> StepOptionSet:
        """This set with `options` replacing any of the same type."""
        return StepOptionSet((*(o for o in self.items if type(o) is not type(options)), options))


StepOptionsInput = StepOptionSet | StepOptions | Iterable[StepOptions] | None


def option_set(options: StepOptionsInput | Mapping[str, Any]) -> StepOptionSet:
    """Any accepted form of step options as a `StepOptionSet` (a mapping is parsed by `options_from_mapping`)."""
    if options is None:
        return StepOptionSet()
    if isinstance(options, StepOptionSet):
        return options
    if isinstance(options, StepOptions):
        return StepOptionSet((options,))
    if isinstance(options, Mapping):
        return options_from_mapping(options)
    return StepOptionSet.of(*options)


def options_from_mapping(values: Mapping[str, Any]) -> StepOptionSet:
    """Typed options of every declared step from loose key/values (a saved form, older callers), parsed once.

    Each step's options type takes the keys it has; other keys are ignored.
    """
    from studio.capabilities import CAPABILITIES

    kinds = dict.fromkeys(c.options_type() for c in CAPABILITIES)
    return StepOptionSet(tuple(k.from_mapping(values) for k in kinds if k is not NoOptions))
