"""A batch step run in another process (a Ray worker), with the project database written only by the driver.

The driver turns the runner's `StepContext` into a `StepJob` (plain, picklable data: the product, its images,
earlier candidates, the step's options and function). The worker runs the step against the project opened
read-only, its models held in one `PipelineCache` for the worker's life, and with asset writes going to a
staging folder of its own. It sends back the `StepOutput` and the bytes of every asset the step made; the
driver puts those into the content-addressed store (once: a blob already there is not written again) and the
runner records the output as for a local step. The worker never writes to the project: a crash there
leaves nothing behind, and SQLite keeps one writer.

A worker on the driver's machine opens the project itself (read-only). A worker on another machine cannot:
SQLite's write-ahead log is shared memory, which only processes of one machine share, and the folder may not be
there at all. It works on a `MirroredProject` instead: its store queries go to a `ProjectReader` on the driver's
machine, and each asset it reads is fetched once into a local mirror of the asset store (content-addressed, so
a cached blob is never stale); the project's own files (the brand kit) are copied when it starts.

Nothing here imports Ray: the Ray executor wraps `StepWorker` and `ProjectReader` in actors.
"""

from __future__ import annotations

import functools
import json
import pickle
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from generators.runtime.errors import VitrineError, describe_error
from generators.runtime.progress import CancelToken
from studio.atomic_files import atomic_write_bytes
from studio.batch.context import PipelineCache, StepContext, StepOutput
from studio.batch.options import NoOptions, StepOptions
from studio.batch.recipe import StepName
from studio.project.assets import AssetStore
from studio.project.rows import Candidate, ImageRow, Product
from studio.project.store import ASSETS_DIR, DB_NAME, Store

__all__ = [
    "MirroredProject",
    "ProjectReader",
    "StagingAssets",
    "StepJob",
    "StepJobResult",
    "StepWorker",
    "land_result",
    "open_read_only",
    "step_job",
]

FetchAsset = Callable[[str], tuple[str, bytes]]  # sha -> (file name `<sha><ext>`, bytes)


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
        folder: the project folder as the worker saw it (a mirror's differs from the driver's).
    """

    output: StepOutput | None = None
    error: BaseException | None = None
    blobs: tuple[tuple[str, bytes], ...] = ()
    folder: str = ""


def step_job(step: StepName, function: object, ctx: StepContext) -> StepJob:
    """The driver's side: `ctx` as data a worker can rebuild it from."""
    return StepJob(step, function, ctx.product, ctx.images, dict(ctx.earlier), ctx.options)


def land_result(store: Store, result: StepJobResult) -> StepOutput:
    """The driver's side: put the worker's assets into the project store, then return its output (or raise).

    A candidate naming an asset that neither the worker sent nor the store holds is an error, so a job is
    never recorded with a dangling file. Paths under a worker's mirror of the project are recorded as paths
    under the project, as a local step would have written them.
    """
    if result.error is not None:
        raise result.error
    assert result.output is not None
    output = _in_project(result.output, result.folder, str(store.folder))
    for name, data in result.blobs:
        sha, _, ext = name.partition(".")
        if store.assets.put_bytes(data, f".{ext}" if ext else "") != sha:
            raise VitrineError(f"asset {name} arrived damaged from a worker; the step will be redone")
    for c in output.candidates:
        if c.file_sha and not store.assets.has(c.file_sha):
            raise VitrineError(f"asset {c.file_sha} is missing: the worker that made it did not send it")
    return output


def _in_project(output: StepOutput, seen_as: str, folder: str) -> StepOutput:
    """`output` with the worker's project folder `seen_as` replaced by `folder` in candidates' parameters and
    provenance (the steps record where their inputs were)."""
    if not seen_as or seen_as == folder:
        return output

    def moved(value: dict[str, Any]) -> dict[str, Any]:
        return json.loads(json.dumps(value).replace(json.dumps(seen_as)[1:-1], json.dumps(folder)[1:-1]))

    candidates = tuple(replace(c, params=moved(c.params), provenance=moved(c.provenance)) for c in output.candidates)
    return replace(output, candidates=candidates)


class StagingAssets(AssetStore):
    """The project's assets for reading; new blobs go to a staging folder until `take()` hands them over.

    Args:
        project_root: the project's asset folder (only read), or a worker's local mirror of it.
        staging_root: where this worker writes what its steps make.
        fetch: for a mirror, how to get a blob it does not hold yet (from the driver's machine).
    """

    def __init__(self, project_root: Path, staging_root: Path, fetch: FetchAsset | None = None) -> None:
        super().__init__(staging_root)
        self.project = AssetStore(project_root)
        self._fetch = fetch

    def path_for(self, sha: str) -> Path:
        try:
            return super().path_for(sha)
        except FileNotFoundError:
            pass
        try:
            return self.project.path_for(sha)
        except FileNotFoundError:
            if self._fetch is None:
                raise
        name, data = self._fetch(sha)
        path = self.project.root / sha[:2] / name
        atomic_write_bytes(path, data)
        return path

    def take(self) -> tuple[tuple[str, bytes], ...]:
        """Every staged blob as (file name, bytes), removed from staging (each step sends only its own)."""
        blobs = []
        for _, path in self.iter_shas():
            blobs.append((path.name, path.read_bytes()))
            path.unlink()
        return tuple(blobs)


def open_read_only(folder: Path, staging: Path | None = None) -> Store:
    """The project in `folder`, opened for reading only; its asset writes go to `staging` (None: no writes).

    Raises:
        VitrineError: `folder` holds no project this worker can read (e.g. not shared with this machine).
    """
    folder = Path(folder)
    db = folder / DB_NAME
    if not db.is_file():
        raise VitrineError(
            f"the project '{folder}' cannot be read here (no {DB_NAME}): Ray reads it on the machine that runs "
            "`vitrine batch` (with --address ray://, the head node), which must see it at this path "
            "(see docs/scale-out.md)"
        )
    conn = sqlite3.connect(
        f"file:{quote(str(db))}?mode=ro", uri=True, timeout=30, check_same_thread=False, isolation_level=None
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout=30000")
    store = Store(folder, conn)  # not Store.open: that migrates, which writes
    if staging is not None:
        store.assets = StagingAssets(folder / ASSETS_DIR, staging)
    return store


class ProjectReader:
    """On the driver's machine: answers the reads of workers that cannot open the project themselves.

    Args:
        folder: the project folder (opened read-only; the driver stays its only writer).
    """

    def __init__(self, folder: str | Path) -> None:
        self.store = open_read_only(Path(folder))

    def call(self, name: str, args: tuple, kwargs: dict[str, Any]) -> Any:
        """`store.<name>(*args, **kwargs)`; an iterator comes back as a list."""
        if name.startswith("_"):
            raise VitrineError(f"'{name}' is not a query of the project")
        result = getattr(self.store, name)(*args, **kwargs)
        return list(result) if isinstance(result, Iterator) else result

    def asset(self, sha: str) -> tuple[str, bytes]:
        """The blob `sha` as (file name, bytes)."""
        path = self.store.assets.path_for(sha)
        return path.name, path.read_bytes()

    def project_files(self) -> dict[str, bytes]:
        """The project's own small files (the brand kit …): every top-level file but the database's."""
        return {
            p.name: p.read_bytes()
            for p in self.store.folder.iterdir()
            if p.is_file() and not p.name.startswith(DB_NAME)
        }


class MirroredProject:
    """A worker's stand-in for a project it cannot open: the `Store` queries a step makes are answered by the
    driver's `ProjectReader`; assets are fetched into a local mirror on first use.

    Args:
        call: runs a store query on the driver's machine: `call(name, args, kwargs)`.
        fetch: gets one blob from the driver's machine.
        files: the project's own files (`ProjectReader.project_files`), written into the mirror.
        mirror: a local folder standing in for the project folder.
        staging: where the steps' new assets go (see `StagingAssets`).
    """

    def __init__(
        self,
        call: Callable[[str, tuple, dict], Any],
        fetch: FetchAsset,
        files: dict[str, bytes],
        mirror: Path,
        staging: Path,
    ) -> None:
        self._call = call
        self.folder = Path(mirror)
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            atomic_write_bytes(self.folder / name, data)
        self.assets = StagingAssets(self.folder / ASSETS_DIR, staging, fetch=fetch)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return functools.partial(self._query, name)

    def _query(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, args, kwargs)

    def close(self) -> None:
        pass


class StepWorker:
    """What one worker holds for a whole batch: the project (read-only), the models, a staging folder.

    Models load once per worker: every step this worker runs shares one `PipelineCache` (one
    `generators.factory.SharedModels`), so the second product reuses what the first loaded.

    Args:
        project_dir: the project folder, at the same path the driver has it.
        profile: model profile.
        mirror: for a worker on another machine than the driver: builds its `MirroredProject` from
            (mirror folder, staging folder); None opens `project_dir` read-only.
    """

    def __init__(
        self,
        project_dir: str | Path,
        profile: str,
        mirror: Callable[[Path, Path], MirroredProject] | None = None,
    ) -> None:
        self._scratch = Path(tempfile.mkdtemp(prefix="vitrine-worker-"))
        staging = self._scratch / "staging"
        self.store: Any = (
            mirror(self._scratch / "project", staging) if mirror else open_read_only(Path(project_dir), staging)
        )
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
        return StepJobResult(output=output, blobs=assets.take(), folder=str(self.store.folder))

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
