"""One complete batch, as `vitrine batch` and the GUI run it: import → run the recipe → review → export.

The project database holds all state, so calling this again after a crash or `kill -9` resumes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generators.runtime.progress import CancelToken, ProgressFn
from studio.batch.executor import ExecutorChoice
from studio.batch.export_bridge import ExportOutcome, check_output_folder, export_batch, parse_platforms
from studio.batch.options import CopyStepOptions
from studio.batch.recipe import Recipe
from studio.batch.runner import BatchOptions, BatchResult, run_batch
from studio.project.assets import atomic_write_text
from studio.project.importer import ImportReport, import_catalog
from studio.project.review import AutoApprove, ExportMode, auto_approve
from studio.project.store import ProjectSetting, Store

SUMMARY_NAME = "batch_summary.json"


@dataclass(frozen=True)
class BatchRequest:
    """Everything a batch needs. `project_dir` defaults to `<out_dir>.project` beside the package folder
    (the export rebuilds `out_dir` itself atomically, so the project cannot live inside it)."""

    catalog: Path
    out_dir: Path
    recipe: Recipe = Recipe.FULL
    project_dir: Path | None = None
    workers: int = 0  # 0: BatchOptions' auto choice (`studio.batch.runner.resolved_workers`)
    platforms: tuple[str, ...] = ()
    copy_n: int | None = None  # copy candidates per platform (None: the step's default)
    tone: str | None = None  # copy tone (None: the copywriter's default)
    language: str | None = None  # copy language (None: each platform's own)
    auto_approve: AutoApprove | None = None
    review: bool = False  # export only approved candidates
    include_weak: bool = False  # export what the quality gate holds back (weak, contradicting, placeholder)
    image_base_url: str | None = None  # set the project's image base URL (None: keep what it has)
    profile: str = "auto"
    memory_budget_mb: int = 8192
    executor: ExecutorChoice = field(default_factory=ExecutorChoice)  # local (default) or a Ray cluster

    @property
    def project(self) -> Path:
        if self.project_dir:
            return Path(self.project_dir)
        out = Path(self.out_dir).resolve()
        return out.with_name(out.name + ".project")


@dataclass
class BatchSummary:
    """The outcome of a batch: import report, job results, export outcome, and where the summary is."""

    import_report: ImportReport
    result: BatchResult
    export: ExportOutcome
    summary_path: Path
    approved: list[int] = field(default_factory=list)


def _summary_data(store: Store, request: BatchRequest, summary: BatchSummary) -> dict:
    jobs: dict[str, dict[str, int]] = {}
    for (step, state), n in store.job_counts_by_step().items():
        jobs.setdefault(step, {})[state.value] = n
    imp = summary.import_report
    return {
        "catalog": str(request.catalog),
        "recipe": request.recipe.value,
        "project": str(request.project),
        "import": {
            "rows": imp.rows,
            "imported": imp.imported,
            "rejected_rows": imp.rejected_rows,
            "problems": [str(p) for p in imp.problems],
        },
        "unavailable_steps": summary.result.unavailable,
        "failures": [asdict(f) for f in summary.result.failures],
        "export": summary.export.to_dict(),
        "products": store.count_products(),
        "jobs": jobs,
    }


def _step_options(request: BatchRequest) -> CopyStepOptions:
    """The options the steps read (copy: platforms, candidates, tone, language), checked once."""
    return CopyStepOptions.parse(
        platforms=request.platforms, copy_n=request.copy_n, tone=request.tone, language=request.language
    )


def run_catalog_batch(
    request: BatchRequest, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> BatchSummary:
    """Import the catalog into the project, run (or resume) the recipe, approve if asked, export, summarize."""
    out_dir = Path(request.out_dir)
    check_output_folder(out_dir)  # fail before the work, not after it
    parse_platforms(request.platforms)
    _step_options(request)  # a bad tone, language or count fails here, before the import
    if request.image_base_url is not None:
        ProjectSetting.IMAGE_BASE_URL.check(request.image_base_url)  # so does a malformed URL
    with Store.create(request.project) as store:
        if request.image_base_url is not None:  # checked before anything runs; remembered for the project
            store.set_setting(ProjectSetting.IMAGE_BASE_URL, request.image_base_url)
        imp = import_catalog(store, Path(request.catalog))
        options = BatchOptions(
            recipe=request.recipe,
            workers=request.workers,
            profile=request.profile,
            memory_budget_mb=request.memory_budget_mb,
            step_options=_step_options(request),
            executor=request.executor,
        )
        result = run_batch(store, options, progress=progress, cancel=cancel)
        approved = auto_approve(store, request.auto_approve) if request.auto_approve and not result.cancelled else []
        mode = ExportMode.REVIEW if request.review or request.auto_approve else ExportMode.BEST
        if result.cancelled:
            export = ExportOutcome(state="skipped", message="batch cancelled; run it again to resume")
        else:
            export = export_batch(
                store, out_dir, platforms=request.platforms, mode=mode, include_weak=request.include_weak
            )
        summary = BatchSummary(imp, result, export, out_dir / SUMMARY_NAME, approved)
        atomic_write_text(
            summary.summary_path,
            json.dumps(_summary_data(store, request, summary), indent=2, ensure_ascii=False, sort_keys=True),
        )
    return summary
