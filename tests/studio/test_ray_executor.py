"""The Ray executor, on a Ray instance this module starts on loopback with 2 CPUs.

The same batch on Ray and on the local executor leaves byte-identical results; a worker that dies mid-step
is retried and the batch finishes; a second run redoes nothing; Ctrl-C leaves a batch that resumes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import signal
import sys
import threading
import types
from pathlib import Path

import pytest

# Before Ray is imported: this is what makes a local Ray instance use the loopback address only.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
import ray

from generators.runtime.errors import VitrineError
from generators.words.presets import BrandKit
from studio.batch.executor import ExecutorChoice
from studio.batch.outputs_digest import batch_outputs
from studio.batch.recipe import Recipe, StepName
from studio.batch.runner import BatchOptions, run_batch, temp_files_under
from studio.batch.session import BatchRequest, run_catalog_batch
from studio.batch.steps import StepContext, StepOutput, run_ingest
from studio.batch.synthetic import write_synthetic_catalog
from studio.project.attribute_sheet import attribute_sheet
from studio.project.brand_kit import load_brand_kit, save_brand_kit
from studio.project.importer import import_catalog
from studio.project.store import JobState, NewCandidate, Store

RAY = ExecutorChoice("ray")


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    # The step functions below travel to the workers by value: Ray's workers cannot import the tests package.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    ray.shutdown()


def recorded(project: Path) -> dict:
    with Store.open(project) as store:
        return batch_outputs(store)


def package_files(out: Path) -> dict[str, bytes]:
    """The export package's listing files and images (the summary and manifest name paths and times)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "generic").rglob("*")) if p.is_file()}


def test_a_tiny_batch_on_ray_matches_the_local_executor_byte_for_byte_and_a_rerun_redoes_nothing(tmp_path):
    catalog = write_synthetic_catalog(tmp_path / "cat", 20, image_size=48)

    def request(out: str, executor: ExecutorChoice, workers: int) -> BatchRequest:
        return BatchRequest(
            catalog, tmp_path / out, Recipe.COPY, workers=workers, platforms=("generic",), copy_n=1, profile="tiny",
            executor=executor,
        )  # fmt: skip

    local = run_catalog_batch(request("local", ExecutorChoice(), 1))
    ticks: list[int] = []
    on_ray = run_catalog_batch(request("ray", RAY, 2), progress=lambda p: ticks.append(p.step))
    assert local.result.failures == on_ray.result.failures == []
    assert local.result.ran == on_ray.result.ran == 20 * 4
    on_local = recorded(tmp_path / "local.project")
    # The catalog photos and a listing image made from each; a caption, attributes and copy for every product.
    assert len(on_local["assets"]) == 2 * 20 and all(len(p["candidates"]) >= 3 for p in on_local["products"].values())
    assert recorded(tmp_path / "ray.project") == on_local
    assert package_files(tmp_path / "ray") == package_files(tmp_path / "local")
    # The progress callback saw every job, as with the local executor.
    assert sorted(set(ticks)) == list(range(81))
    # Two workers, each loading every model the recipe uses once (the same ones), however many products it ran.
    assert len(on_ray.result.worker_models) == 2
    first, second = on_ray.result.worker_models
    assert first == second and len(first) == len(set(first)) >= 3
    assert temp_files_under(tmp_path / "ray.project") == []

    again = run_catalog_batch(request("ray", RAY, 2))
    assert (again.result.ran, again.result.resumed_done) == (0, 80)
    assert again.result.worker_models == []  # nothing to do: no workers started


def kill_worker_once_then_ingest(markers: Path, ctx: StepContext) -> StepOutput:
    """Ingest, but the first attempt at SKU-00001 kills its worker process (as the OOM killer would).

    `markers` is a folder: a marker there means the worker was killed already.
    """
    marker = markers / ctx.product.sku
    if ctx.product.sku == "SKU-00001" and not marker.exists():
        marker.touch()
        os._exit(1)
    return run_ingest(ctx)


def always_kill_on_sku_2(ctx: StepContext) -> StepOutput:
    if ctx.product.sku == "SKU-00002":
        os._exit(1)
    return StepOutput(JobState.SKIPPED, "nothing to render in this test")


@pytest.fixture()
def store(tmp_path):
    s = Store.create(tmp_path / "project")
    import_catalog(s, write_synthetic_catalog(tmp_path / "cat", 4, image_size=32))
    yield s
    s.close()


def test_a_dying_worker_is_retried_then_the_step_is_that_products_error_and_the_batch_finishes(store, tmp_path):
    (tmp_path / "killed").mkdir()
    kill_once = functools.partial(kill_worker_once_then_ingest, tmp_path / "killed")
    options = BatchOptions(
        Recipe.VIDEO,
        workers=2,
        step_functions={StepName.INGEST: kill_once, StepName.VIDEO: always_kill_on_sku_2},
        executor=ExecutorChoice("ray", max_retries=1),
    )
    result = run_batch(store, options)
    assert (tmp_path / "killed" / "SKU-00001").exists()  # it did die once
    # SKU-00001's ingest was retried on a restarted worker and succeeded; SKU-00002's video step killed its
    # worker on every try and is recorded as that product's failure; everything else ran.
    assert [(f.sku, f.step) for f in result.failures] == [("SKU-00002", "video")]
    assert "died 2 times" in result.failures[0].message
    assert result.ran == 7 and not result.cancelled
    ingested = store.product_by_sku("SKU-00001")
    assert store.job(ingested.id, "ingest").state is JobState.DONE
    assert len(store.candidates(ingested.id, kind="image")) == 1
    assert store.job(store.product_by_sku("SKU-00002").id, "video").state is JobState.FAILED


def skip_video(ctx: StepContext) -> StepOutput:
    return StepOutput(JobState.SKIPPED, "nothing to render in this test")


def video_that_hangs(started: Path, ctx: StepContext) -> StepOutput:
    """Say it started (a file in `started`), then never finish: only a cancel ends the batch."""
    (started / ctx.product.sku).touch()
    threading.Event().wait()
    raise AssertionError("unreachable")


def press_ctrl_c_when_a_file_appears(folder: Path) -> threading.Thread:
    """Ctrl-C as a terminal sends it (SIGINT to the main thread), once a job is known to be running."""

    def watch() -> None:
        while not any(folder.iterdir()):
            threading.Event().wait(0.05)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_ctrl_c_cancels_cleanly_and_the_rerun_finishes_the_rest(store, tmp_path):
    started = tmp_path / "started"
    started.mkdir()
    hang = functools.partial(video_that_hangs, started)
    options = BatchOptions(Recipe.VIDEO, workers=1, step_functions={StepName.VIDEO: hang}, executor=RAY)
    users_handler = signal.getsignal(signal.SIGINT)
    press_ctrl_c_when_a_file_appears(started)
    first = run_batch(store, options)
    assert first.cancelled and first.failures == []
    # The job that was running when Ctrl-C came is pending again, to be redone; none is left running.
    (hung,) = [p.name for p in started.iterdir()]
    job = store.job(store.product_by_sku(hung).id, "video")
    assert (job.state, job.message) == (JobState.PENDING, "cancelled; will be redone")
    assert JobState.RUNNING not in {j.state for j in store.jobs()}
    assert signal.getsignal(signal.SIGINT) is users_handler  # Ctrl-C is the user's again
    rest = run_batch(store, BatchOptions(Recipe.VIDEO, step_functions={StepName.VIDEO: skip_video}, executor=RAY))
    assert (rest.resumed_done, rest.ran, rest.failures) == (first.ran, 8 - first.ran, [])


def read_everything(ctx: StepContext) -> StepOutput:
    """What steps read from the project, written down: product, images' bytes, earlier candidates, the attribute
    sheet, the brand kit, the catalog; plus a new asset made from them."""
    store = ctx.store
    seen = {
        "title": store.product(ctx.product.id).title,
        "photos": [hashlib.sha256(store.assets.path_for(i.sha256).read_bytes()).hexdigest() for i in ctx.images],
        "listing": [c.file_sha for c in store.candidates(ctx.product.id, kind="image")],
        "sheet": [(r.name, r.value) for r in attribute_sheet(store, ctx.product.id)],
        "brand": load_brand_kit(store.folder).name,
        "catalog": [p.sku for p in store.iter_products()],
    }
    text = json.dumps(seen, sort_keys=True)
    sha = store.assets.put_bytes(text.encode(), ".json")
    # Where the step found the photo, as steps record it (a mirror's path must be recorded as the project's).
    where = {"photo": str(store.assets.path_for(ctx.images[0].sha256))}
    return StepOutput(candidates=(NewCandidate("video", text=text, file_sha=sha, params=where),))


def test_workers_on_other_machines_read_the_project_through_the_driver_and_record_the_same(tmp_path):
    """Reads through the driver's machine (as workers on other machines do) give the same results as local ones."""

    def run(folder: Path, executor: ExecutorChoice) -> dict:
        with Store.create(folder) as store:
            import_catalog(store, write_synthetic_catalog(tmp_path / "cat", 3, image_size=32))
            save_brand_kit(store.folder, BrandKit(name="Mirrored Test Kit"))
            functions = {StepName.VIDEO: read_everything}
            result = run_batch(
                store, BatchOptions(Recipe.VIDEO, workers=2, step_functions=functions, executor=executor)
            )
            assert (result.ran, result.failures) == (6, [])
            return batch_outputs(store)

    through_driver = run(tmp_path / "ray", ExecutorChoice("ray", reads_through_driver=True))
    assert through_driver == run(tmp_path / "local", ExecutorChoice())
    text = through_driver["products"]["SKU-00001"]["candidates"][-1][3]
    assert '"brand": "Mirrored Test Kit"' in text and '"catalog": ["SKU-00000", "SKU-00001", "SKU-00002"]' in text


def test_a_project_the_cluster_cannot_read_is_reported_before_any_job(tmp_path):
    from generators.runtime.progress import CancelToken
    from studio.batch.ray_executor import RayExecutor

    # What a Ray Client driver (--address ray://) has when the cluster's head node lacks the project folder.
    elsewhere = types.SimpleNamespace(folder=tmp_path / "not-on-the-cluster")
    with pytest.raises(VitrineError, match="cannot be read here .* must see it at this path"):
        RayExecutor(elsewhere, address=None, workers=1, profile="tiny", cancel=CancelToken())  # type: ignore[arg-type]


def test_address_needs_the_ray_executor():
    with pytest.raises(VitrineError, match="--executor ray"):
        ExecutorChoice("local", address="auto")
