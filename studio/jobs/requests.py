"""Every job the studio sends to its worker process, as one frozen, picklable request dataclass.

A request holds everything its job needs (typed: no dicts of options) and knows how to run itself in the
worker, `request.run(progress, cancel)`, and how its job card is titled, `request.label`. Each run opens its
own connection to the project (sqlite in WAL mode serves both processes) and imports the ML stack only
when it runs, in the worker. `profile=None` means the model profile in the settings when the job runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generators.runtime.progress import CancelToken, ProgressFn, report
from studio.batch.executor import ExecutorChoice
from studio.batch.options import CopyStepOptions, NoOptions, StepOptions, StepOptionSet
from studio.batch.recipe import Recipe, StepName, step_spec
from studio.project.review import ExportMode
from studio.project.search import SearchKind, SearchQuery

#: Steps the product page's Generate buttons run (the last one is always redone).
CAPTION_STEPS = (StepName.INGEST, StepName.CAPTION, StepName.ATTRIBUTES)
COPY_STEPS = Recipe.COPY.steps


@dataclass(frozen=True)
class Named:
    """Stored values in a label (platform keys, a recipe…) that the translation table names as `group.key`.

    `english` is how the English card shows them; other languages show each key's name from the table.
    """

    group: str
    keys: tuple[str, ...]
    english: str

    def __str__(self) -> str:
        return self.english


@dataclass(frozen=True)
class JobLabel:
    """What a job card says: the translation key (`job.copy`), its English template and the values in it.

    `text` is the English line; the studio shows the key's template in the UI language, with `Named` values
    translated.
    """

    key: str
    template: str
    params: tuple[tuple[str, str | Named], ...] = ()

    @classmethod
    def of(cls, key: str, template: str, **params: object) -> JobLabel:
        return cls(key, template, tuple((k, v if isinstance(v, Named) else str(v)) for k, v in params.items()))

    @property
    def values(self) -> dict[str, str]:
        """Every value as the English card shows it."""
        return {k: str(v) for k, v in self.params}

    @property
    def text(self) -> str:
        return self.template.format(**self.values).strip()


def platform_names(platforms: tuple[str, ...]) -> Named:
    """Platforms as a card shows them: "shopify", "amazon" -> "Shopify, Amazon"; none -> "all platforms"."""
    if not platforms:
        return Named("platform", ("all",), "all platforms")
    return Named("platform", tuple(platforms), ", ".join(p.replace("_", " ").title() for p in platforms))


def named(group: str, key: str) -> Named:
    """One stored value shown as is in English ("full", "zh", "tiny"), by its table name elsewhere."""
    return Named(group, (key,) if key else (), key)


@dataclass(frozen=True)
class JobRequest(ABC):
    """Base of every studio job: a frozen dataclass whose fields are all the job needs."""

    @property
    @abstractmethod
    def label(self) -> JobLabel:
        """The job card's title, built from this request's fields."""

    @abstractmethod
    def run(self, progress: ProgressFn, cancel: CancelToken) -> Any:
        """Do the job in the worker process; report `progress`, check `cancel` between steps."""


def _profile(profile: str | None) -> str:
    from generators.runtime.settings import get_settings

    return profile or get_settings().profile


# ---- models ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelStatusRequest(JobRequest):
    """Every role's status row for `profile`: resolved only, or (`load`) loaded with one forward pass."""

    profile: str
    load: bool = False

    @property
    def label(self) -> JobLabel:
        if self.load:
            return JobLabel.of("job.load_models", "Load models · {profile}", profile=named("profile", self.profile))
        return JobLabel.of("job.model_status", "Model status · {profile}", profile=named("profile", self.profile))

    def run(self, progress: ProgressFn, cancel: CancelToken) -> list:
        from studio.models_status import role_statuses

        return role_statuses(self.profile, load=self.load, progress=progress, cancel=cancel)


@dataclass(frozen=True)
class PullModelRequest(JobRequest):
    """Download a role's standard weights (needs a network)."""

    role: str

    @property
    def label(self) -> JobLabel:
        return JobLabel.of("job.pull_model", "Download · {role}", role=named("role", self.role))

    def run(self, progress: ProgressFn, cancel: CancelToken) -> Any:
        from generators.runtime.pull import pull_role

        return pull_role(self.role, progress=progress, show_bar=False)


# ---- catalog --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogImportRequest(JobRequest):
    """Import a catalog file or image folder into the project; returns the ImportReport."""

    project: Path
    catalog: Path

    @property
    def label(self) -> JobLabel:
        return JobLabel.of("job.import", "Import · {file}", file=Path(self.catalog).name)

    def run(self, progress: ProgressFn, cancel: CancelToken) -> Any:
        from studio.project.importer import import_catalog
        from studio.project.store import Store

        report(progress, 0, 1, f"reading {Path(self.catalog).name}")
        with Store.open(self.project) as store:
            result = import_catalog(store, Path(self.catalog))
        report(progress, 1, 1, result.summary())
        return result


@dataclass(frozen=True)
class CatalogSearchRequest(JobRequest):
    """Rank the project's products for `query` with CLIP; returns the SearchResult."""

    project: Path
    query: SearchQuery
    profile: str | None = None

    @property
    def label(self) -> JobLabel:
        if self.query.kind is SearchKind.SIMILAR:
            return JobLabel.of("job.find_similar", "Find similar · {sku}", sku=self.query.sku)
        return JobLabel.of("job.search_look", "Search by look · {query}", query=self.query.text)

    def run(self, progress: ProgressFn, cancel: CancelToken) -> Any:
        from studio.project.search import search_catalog
        from studio.project.store import Store

        with Store.open(self.project) as store:
            return search_catalog(store, self.query, profile=_profile(self.profile), progress=progress, cancel=cancel)


@dataclass(frozen=True)
class CompleteLookRequest(JobRequest):
    """The best items of each complementary category for the product `sku`; returns the LookResult."""

    project: Path
    sku: str
    profile: str | None = None

    @property
    def label(self) -> JobLabel:
        return JobLabel.of("job.complete_look", "Complete the look · {sku}", sku=self.sku)

    def run(self, progress: ProgressFn, cancel: CancelToken) -> Any:
        from studio.project.search import complete_the_look
        from studio.project.store import Store

        with Store.open(self.project) as store:
            return complete_the_look(store, self.sku, profile=_profile(self.profile), progress=progress, cancel=cancel)


# ---- one product's steps --------------------------------------------------------------------------
def _run_product_steps(
    request: ProductCaptionsRequest | ProductCopyRequest | ProductStepRequest,
    steps: tuple[StepName, ...],
    options: StepOptions,
    progress: ProgressFn,
    cancel: CancelToken,
) -> list[str]:
    from studio.batch.runner import run_product_steps
    from studio.project.store import Store

    with Store.open(request.project) as store:
        return run_product_steps(
            store,
            request.product_id,
            list(steps),
            options=options,
            force=list(steps[-1:]),
            profile=_profile(request.profile),
            progress=progress,
            cancel=cancel,
        )


@dataclass(frozen=True)
class ProductCaptionsRequest(JobRequest):
    """Caption one product's photo and predict its attributes; returns the steps that ran."""

    project: Path
    product_id: int
    sku: str  # for the card; the product is found by id
    profile: str | None = None

    @property
    def label(self) -> JobLabel:
        return JobLabel.of("job.captions", "Captions · {sku}", sku=self.sku)

    def run(self, progress: ProgressFn, cancel: CancelToken) -> list[str]:
        return _run_product_steps(self, CAPTION_STEPS, NoOptions(), progress, cancel)


@dataclass(frozen=True)
class ProductCopyRequest(JobRequest):
    """Write ranked sales copy for one product with `options` (platform, tone, language); returns the steps
    that ran."""

    project: Path
    product_id: int
    sku: str  # for the card; the product is found by id
    options: CopyStepOptions = field(default_factory=CopyStepOptions)
    profile: str | None = None

    @property
    def label(self) -> JobLabel:
        return JobLabel.of(
            "job.copy",
            "Copy · {sku} · {platforms} {language}",
            sku=self.sku,
            platforms=platform_names(self.options.platforms),
            language=named("lang", self.options.language or ""),
        )

    def run(self, progress: ProgressFn, cancel: CancelToken) -> list[str]:
        return _run_product_steps(self, COPY_STEPS, self.options, progress, cancel)


#: Steps a capability's panel runs for one product: photos first, then the panel's step (always redone).
PANEL_PREREQUISITES = (StepName.INGEST,)


@dataclass(frozen=True)
class ProductStepRequest(JobRequest):
    """Run one capability's step (pairing, try-on, video) for one product with its typed `options`; returns
    the steps that ran. The step is always redone: a panel's Generate is an explicit request for new
    candidates (earlier ones are superseded, never deleted)."""

    project: Path
    product_id: int
    sku: str  # for the card; the product is found by id
    step: StepName
    options: StepOptions = field(default_factory=NoOptions)
    profile: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "step", StepName(self.step))

    @property
    def label(self) -> JobLabel:
        shown = Named("step", (self.step.value,), step_spec(self.step).label.capitalize())
        return JobLabel.of("job.product_step", "{step} · {sku}", step=shown, sku=self.sku)

    def run(self, progress: ProgressFn, cancel: CancelToken) -> list[str]:
        steps = tuple(s for s in PANEL_PREREQUISITES if s != self.step) + (self.step,)
        return _run_product_steps(self, steps, self.options, progress, cancel)


# ---- the whole catalog ----------------------------------------------------------------------------
@dataclass(frozen=True)
class BatchRequest(JobRequest):
    """Run (or resume) `recipe` over every product of the project; returns the BatchResult."""

    project: Path
    recipe: Recipe
    step_options: StepOptionSet = field(default_factory=StepOptionSet)
    product_count: int = 0  # for the card: how many products the batch covers
    profile: str | None = None
    executor: ExecutorChoice = field(default_factory=ExecutorChoice)  # local, or a Ray cluster (same progress)

    def __post_init__(self) -> None:
        object.__setattr__(self, "recipe", Recipe.parse(self.recipe))

    @property
    def label(self) -> JobLabel:
        return JobLabel.of(
            "job.batch",
            "Batch · {recipe} · {count} products",
            recipe=named("recipe", self.recipe.value),
            count=self.product_count,
        )

    def run(self, progress: ProgressFn, cancel: CancelToken) -> Any:
        from studio.batch.runner import BatchOptions, run_batch
        from studio.project.store import Store

        with Store.open(self.project) as store:
            batch = BatchOptions(
                recipe=self.recipe,
                profile=_profile(self.profile),
                step_options=self.step_options,
                executor=self.executor,
            )
            return run_batch(store, batch, progress=progress, cancel=cancel)


@dataclass(frozen=True)
class ExportRequest(JobRequest):
    """Write export packages for `platforms` into `out_dir`; returns the ExportOutcome."""

    project: Path
    out_dir: Path
    platforms: tuple[str, ...]
    mode: ExportMode = ExportMode.BEST
    include_weak: bool = False  # also what the quality gate holds back

    def __post_init__(self) -> None:
        object.__setattr__(self, "platforms", tuple(self.platforms))
        object.__setattr__(self, "mode", ExportMode(self.mode))

    @property
    def label(self) -> JobLabel:
        return JobLabel.of("job.export", "Export · {platforms}", platforms=platform_names(self.platforms))

    def run(self, progress: ProgressFn, cancel: CancelToken) -> Any:
        from studio.batch.export_bridge import export_batch
        from studio.project.store import Store

        report(progress, 0, 1, "exporting")
        with Store.open(self.project) as store:
            outcome = export_batch(
                store, Path(self.out_dir), platforms=self.platforms, mode=self.mode, include_weak=self.include_weak
            )
        report(progress, 1, 1, outcome.state)
        return outcome
