"""A batch step run in another process (a Ray worker), with the project database written only by the driver.

The driver turns the runner's `StepContext` into a `StepJob` (plain, picklable data: the product, its images,
earlier candidates, the step's options and function). The worker runs the step against the project opened
read-only, its models held in one `PipelineCache` for the worker's life, and with asset writes going to a
staging folder of its own. It sends back the `StepOutput` and the bytes of every asset the step made; the
driver puts those into the content-addressed store (once: a blob already there is not written again) and the
runner records the output as for a local step. The worker never writes to the project: a crash there
leaves nothing behind, and SQLite keeps one writer.

Nothing here imports Ray: the Ray executor wraps `StepWorker` in an actor.
"""

from __future__ import annotations

import pickle
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from generators.runtime.errors import VitrineError, describe_error
from generators.runtime.progress import CancelToken
from studio.batch.context import PipelineCache, StepContext, StepOutput
from studio.batch.options import NoOptions, StepOptions
from studio.batch.recipe import StepName
from studio.project.assets import AssetStore
from studio.project.rows import Candidate, ImageRow, Product
from studio.project.store import ASSETS_DIR, DB_NAME, Store

__all__ = ["StagingAssets", "StepJob", "StepJobResult", "StepWorker", "land_result", "open_read_only", "step_job"]


@dataclass(frozen=True)
class StepJob:
    """One (product, step) job as it travels to a worker: everything `run_step` read from the store."""

    step: StepName
    function: object  # the step function (pickled by reference: module and name)
    product: Product
    images: tuple[ImageRow, ...]
    earlier: dict[str, tuple[Candidate, ...]]
    options: StepOptions = field(default_factory=NoOptions)


@dataclass(frozen=True)
class StepJobResult:
    """What a worker sends back: the step's output, or the exception it raised; and the assets it made.

    Attributes:
        output: the step's output (None when it raised).
        error: what the step raised, re-raised by the driver (`Cancelled` included).
        blobs: (file name `<sha><ext>`, bytes) of each asset the step wrote.
    """

    output: StepOutput | None = None
    error: BaseException | None = None
    blobs: tuple[tuple[str, bytes], ...] = ()


def step_job(step: StepName, function: object, ctx: StepContext) -> StepJob:
    """The driver's side: `ctx` as data a worker can rebuild it from."""
    return StepJob(step, function, ctx.product, ctx.images, dict(ctx.earlier), ctx.options)


def land_result(store: Store, result: StepJobResult) -> StepOutput:
    """The driver's side: put the worker's assets into the project store, then return its output (or raise).

    A candidate naming an asset that neither the worker sent nor the store holds is an error, so a job is
    never recorded with a dangling file.
    """
    if result.error is not None:
        raise result.error
    assert result.output is not None
    for name, data in result.blobs:
        sha, _, ext = name.partition(".")
        if store.assets.put_bytes(data, f".{ext}" if ext else "") != sha:
            raise VitrineError(f"asset {name} arrived damaged from a worker; the step will be redone")
    for c in result.output.candidates:
        if c.file_sha and not store.assets.has(c.file_sha):
            raise VitrineError(f"asset {c.file_sha} is missing: the worker that made it did not send it")
    return result.output


class StagingAssets(AssetStore):
    """The project's assets for reading; new blobs go to a staging folder until `take()` hands them over.

    Args:
        project_root: the project's asset folder (only read).
        staging_root: where this worker writes what its steps make.
    """

    def __init__(self, project_root: Path, staging_root: Path) -> None:
        super().__init__(staging_root)
        self.project = AssetStore(project_root)

    def path_for(self, sha: str) -> Path:
        try:
            return super().path_for(sha)
        except FileNotFoundError:
            return self.project.path_for(sha)

    def take(self) -> tuple[tuple[str, bytes], ...]:
        """Every staged blob as (file name, bytes), removed from staging (each step sends only its own)."""
        blobs = []
        for _, path in self.iter_shas():
            blobs.append((path.name, path.read_bytes()))
            path.unlink()
        return tuple(blobs)


def open_read_only(folder: Path, staging: Path) -> Store:
    """The project in `folder`, opened for reading only; its asset writes go to `staging`.

    Raises:
        VitrineError: `folder` holds no project this worker can read (e.g. not shared with this machine).
    """
    folder = Path(folder)
    db = folder / DB_NAME
    if not db.is_file():
        raise VitrineError(
            f"this worker cannot read the project '{folder}' (no {DB_NAME} there): every Ray worker must see "
            "the project folder at the same path (see docs/scale-out.md)"
        )
    conn = sqlite3.connect(
        f"file:{quote(str(db))}?mode=ro", uri=True, timeout=30, check_same_thread=False, isolation_level=None
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout=30000")
    store = Store(folder, conn)  # not Store.open: that migrates, which writes
    store.assets = StagingAssets(folder / ASSETS_DIR, staging)
    return store


class StepWorker:
    """What one worker holds for a whole batch: the project (read-only), the models, a staging folder.

    Models load once per worker: every step this worker runs shares one `PipelineCache` (one
    `generators.factory.SharedModels`), so the second product reuses what the first loaded.

    Args:
        project_dir: the project folder, at the same path the driver has it.
        profile: model profile.
    """

    def __init__(self, project_dir: str | Path, profile: str) -> None:
        self._scratch = Path(tempfile.mkdtemp(prefix="vitrine-worker-"))
        self.store = open_read_only(Path(project_dir), self._scratch / "staging")
        # CLIP embeddings are a disposable cache: this worker keeps its own rather than writing to the project.
        self.pipelines = PipelineCache(profile, self._scratch)
        self.cancel = CancelToken()

    def run(self, job: StepJob) -> StepJobResult:
        """Run one step; never raises (the driver re-raises the step's exception)."""
        ctx = StepContext(
            self.store,
            job.product,
            job.images,
            job.earlier,
            self.pipelines,
            self.pipelines.profile,
            cancel=self.cancel,
            options=job.options,
        )
        assets = self.store.assets
        assert isinstance(assets, StagingAssets)
        assets.take()  # a step an earlier cancel cut short may have left blobs: they are not this step's
        try:
            output = job.function(ctx)  # type: ignore[operator]
        except BaseException as exc:
            assets.take()
            return StepJobResult(error=_sendable(exc))
        return StepJobResult(output=output, blobs=assets.take())

    def loaded_models(self) -> list[str]:
        """The models this worker's process has loaded (role, folder, device, dtype), for checks and benches."""
        from generators.runtime.loading import MODEL_CACHE

        return sorted(" ".join(map(str, key)) for key in MODEL_CACHE.keys())  # noqa: SIM118 - not a dict

    def close(self) -> None:
        self.store.close()
        shutil.rmtree(self._scratch, ignore_errors=True)


def _sendable(exc: BaseException) -> BaseException:
    """`exc` if it survives pickling, else a VitrineError with its one-line description."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return VitrineError(describe_error(exc))
    return exc
