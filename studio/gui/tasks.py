"""The studio's jobs as picklable, Qt-free functions `task(..., progress, cancel)` for the worker process.

Pages bind the arguments with `functools.partial`; the worker calls the result with (progress, cancel).
Each task opens its own connection to the project (sqlite in WAL mode serves both processes) and imports
the ML stack only when it runs, in the worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generators.runtime.progress import CancelToken, ProgressFn, report


def model_status(profile: str, load: bool, progress: ProgressFn, cancel: CancelToken) -> list:
    """Every role's status row (resolving; with `load`, loading and one forward pass)."""
    from studio.models_status import role_statuses

    return role_statuses(profile, load=load, progress=progress, cancel=cancel)


def pull_model(role: str, progress: ProgressFn, cancel: CancelToken) -> Any:
    """Download a role's standard weights (needs a network)."""
    from generators.runtime.pull import pull_role

    return pull_role(role, progress=progress, show_bar=False)


def import_catalog(project: Path, catalog: Path, progress: ProgressFn, cancel: CancelToken) -> Any:
    """Import a catalog file or image folder into the project; returns the ImportReport."""
    from studio.project.importer import import_catalog as _import
    from studio.project.store import Store

    report(progress, 0, 1, f"reading {Path(catalog).name}")
    with Store.open(project) as store:
        result = _import(store, Path(catalog))
    report(progress, 1, 1, result.summary())
    return result


def product_steps(
    project: Path,
    product_id: int,
    steps: Sequence[str],
    options: dict[str, Any],
    progress: ProgressFn,
    cancel: CancelToken,
) -> list[str]:
    """Run batch steps for one product (the last one always redone, with `options`); returns what ran."""
    from generators.runtime.settings import get_settings
    from studio.batch.runner import run_product_steps
    from studio.project.store import Store

    with Store.open(project) as store:
        return run_product_steps(
            store,
            product_id,
            list(steps),
            options=options,
            force=list(steps[-1:]),
            profile=get_settings().profile,
            progress=progress,
            cancel=cancel,
        )


def run_batch(project: Path, recipe: str, options: dict[str, Any], progress: ProgressFn, cancel: CancelToken) -> Any:
    """Run (or resume) a recipe over every product of the project; returns the BatchResult."""
    from generators.runtime.settings import get_settings
    from studio.batch.recipe import Recipe
    from studio.batch.runner import BatchOptions
    from studio.batch.runner import run_batch as _run
    from studio.project.store import Store

    with Store.open(project) as store:
        batch = BatchOptions(recipe=Recipe(recipe), profile=get_settings().profile, step_options=options)
        return _run(store, batch, progress=progress, cancel=cancel)


def export(
    project: Path, out_dir: Path, platforms: Sequence[str], mode: str, progress: ProgressFn, cancel: CancelToken
) -> Any:
    """Write export packages for the chosen platforms; returns the ExportOutcome."""
    from studio.batch.export_bridge import export_batch
    from studio.project.review import ExportMode
    from studio.project.store import Store

    report(progress, 0, 1, "exporting")
    with Store.open(project) as store:
        outcome = export_batch(store, Path(out_dir), platforms=tuple(platforms), mode=ExportMode(mode))
    report(progress, 1, 1, outcome.state)
    return outcome


def search_catalog(project: Path, query: Any, progress: ProgressFn, cancel: CancelToken) -> Any:
    """Rank the project's products for a `SearchQuery` with CLIP; returns the SearchResult."""
    from generators.runtime.settings import get_settings
    from studio.project.search import search_catalog as _search
    from studio.project.store import Store

    with Store.open(project) as store:
        return _search(store, query, profile=get_settings().profile, progress=progress, cancel=cancel)


def complete_the_look(project: Path, sku: str, progress: ProgressFn, cancel: CancelToken) -> Any:
    """The best items of each complementary category for the product `sku`; returns the LookResult."""
    from generators.runtime.settings import get_settings
    from studio.project.search import complete_the_look as _look
    from studio.project.store import Store

    with Store.open(project) as store:
        return _look(store, sku, profile=get_settings().profile, progress=progress, cancel=cancel)
