"""The studio's typed jobs without Qt: requests, their labels, card progress, and the worker loop's events."""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import pickle
import queue
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from generators.runtime.errors import UnknownNameError
from generators.runtime.progress import Progress
from studio.batch.options import CopyStepOptions, StepOptionSet
from studio.batch.pairing_step import PairingStepOptions
from studio.batch.recipe import Recipe, StepName
from studio.batch.video_step import VideoStepOptions
from studio.jobs import requests
from studio.jobs.events import FINAL_EVENTS, JobCancelled, JobFailed, JobFinished, JobProgress, JobStarted
from studio.jobs.requests import (
    BatchRequest,
    CatalogImportRequest,
    CatalogSearchRequest,
    CompleteLookRequest,
    ExportRequest,
    JobRequest,
    ModelStatusRequest,
    ProductCaptionsRequest,
    ProductCopyRequest,
    ProductStepRequest,
    PullModelRequest,
)
from studio.jobs.worker import CardProgress, run_one, worker_main
from studio.project.review import ExportMode
from studio.project.search import SearchKind, SearchQuery
from tests.gui import worker_jobs


def one_of_each(folder: Path) -> list[JobRequest]:
    copy = CopyStepOptions(platforms=("xiaohongshu",), tone="playful", language="zh", copy_n=2)
    return [
        ModelStatusRequest("tiny", load=True),
        PullModelRequest("clip"),
        CatalogImportRequest(folder, folder / "catalog.csv"),
        CatalogSearchRequest(folder, SearchQuery(SearchKind.TEXT, text="red dress")),
        CompleteLookRequest(folder, "VT-TEE-RED"),
        ProductCaptionsRequest(folder, 7, "VT-TEE-RED"),
        ProductCopyRequest(folder, 7, "VT-TEE-RED", copy),
        ProductStepRequest(folder, 7, "VT-TEE-RED", StepName.VIDEO, VideoStepOptions(preset="reels")),
        BatchRequest(folder, Recipe.FULL, StepOptionSet.of(copy), product_count=12),
        ExportRequest(folder, folder / "out", ("shopify", "amazon"), ExportMode.REVIEW),
    ]


def test_every_request_type_is_frozen_and_round_trips_through_pickle(tmp_path):
    examples = one_of_each(tmp_path)
    declared = {
        c for c in vars(requests).values() if isinstance(c, type) and issubclass(c, JobRequest) and c is not JobRequest
    }
    assert {type(r) for r in examples} == declared  # a new request type needs an example here
    for request in examples:
        first = dataclasses.fields(request)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(request, first, None)
        back = pickle.loads(pickle.dumps(request))
        assert back == request and type(back) is type(request)
        assert back.label == request.label and back.label.text


def test_labels_name_what_the_job_does(tmp_path):
    copy = CopyStepOptions(platforms=("xiaohongshu",), language="zh")
    assert ProductCopyRequest(tmp_path, 1, "VT-TEE-RED", copy).label.text == "Copy · VT-TEE-RED · Xiaohongshu zh"
    assert ProductCaptionsRequest(tmp_path, 1, "VT-TEE-RED").label.text == "Captions · VT-TEE-RED"
    pairing = ProductStepRequest(tmp_path, 1, "VT-TEE-RED", "pairing", PairingStepOptions(style="office"))
    assert pairing.label.text == "Outfit pairing · VT-TEE-RED" and pairing.step is StepName.PAIRING
    assert BatchRequest(tmp_path, "full", product_count=12).label.text == "Batch · full · 12 products"
    export = ExportRequest(tmp_path, tmp_path / "out", ["shopify", "amazon"], "best")
    assert export.label.text == "Export · Shopify, Amazon"
    assert export.platforms == ("shopify", "amazon") and export.mode is ExportMode.BEST  # normalised, hashable
    similar = CatalogSearchRequest(tmp_path, SearchQuery(SearchKind.SIMILAR, sku="VT-BAG-BLACK"))
    assert similar.label.text == "Find similar · VT-BAG-BLACK"
    assert ModelStatusRequest("tiny").label.text == "Model status · tiny"
    assert ModelStatusRequest("tiny", load=True).label.text == "Load models · tiny"


def test_a_bad_recipe_fails_when_the_request_is_made_not_in_the_worker(tmp_path):
    with pytest.raises(UnknownNameError, match="recipe"):
        BatchRequest(tmp_path, "everything")


# ---- card progress: one unit per card -------------------------------------------------------------
def test_card_progress_keeps_the_first_unit_and_never_goes_back():
    sent: list[JobProgress] = []
    card = CardProgress(4, sent.append, interval=0.0)
    for step in range(3):
        card(Progress(step, 3, f"step {step}"))
    for token in range(11):  # a step's own counter, in another unit
        card(Progress(token, 10, "writing"))
    card(Progress(3, 3, "done"))
    assert all(e.job_id == 4 and e.total == 3 for e in sent)
    steps = [e.step for e in sent]
    assert steps == sorted(steps) and steps[-1] == 3
    writing = [e for e in sent if "writing" in e.message]
    assert writing[5].message == "step 2 · writing (5/10)" and writing[5].step == 2  # halfway through the last step
    assert [e.step for e in writing].count(3) == 1  # the total is reached only when the nested work is


def test_card_progress_drops_bursts_but_keeps_the_final_report_and_previews():
    from PIL import Image

    now = [0.0]
    sent: list[JobProgress] = []
    card = CardProgress(1, sent.append, interval=0.05, clock=lambda: now[0])
    for i in range(100):  # a token loop: 100 reports within a millisecond
        card(Progress(i, 100, "tokens"))
    card(Progress(50, 100, "", preview=Image.new("RGB", (640, 480))))
    card(Progress(100, 100, "done"))
    assert [e.step for e in sent] == [0, 99, 100]
    preview = sent[1].preview
    assert preview is not None and max(preview.size) <= 160  # a thumbnail crosses the pipe, not the frame


# ---- the worker loop --------------------------------------------------------------------------------
def drain(events: queue.Queue) -> list:
    """Every event of one job, up to and including its final one (blocking get: no sleeps)."""
    got = []
    while not got or not isinstance(got[-1], FINAL_EVENTS):
        got.append(events.get(timeout=30))
    return got


def test_a_failed_job_sends_a_typed_failed_event_with_a_readable_message():
    events: queue.Queue = queue.Queue()
    run_one(3, worker_jobs.FailingJob(), events, SimpleNamespace(value=0))
    started, progress, failed = drain(events)
    assert started == JobStarted(3)
    assert isinstance(progress, JobProgress) and (progress.step, progress.total) == (1, 2)
    assert isinstance(failed, JobFailed) and failed.message == "image 'a.jpg' is truncated"
    assert "Traceback" in failed.details and "VitrineError" in failed.details

    run_one(4, worker_jobs.BuggyJob(), events, SimpleNamespace(value=0))
    *_, failed = drain(events)
    assert failed.message == "KeyError: 'missing'"  # a programming error: one line, the traceback in details
    assert "\n" not in failed.message and "Traceback" in failed.details


def test_a_result_that_cannot_cross_the_process_boundary_fails_the_job_readably():
    events: queue.Queue = queue.Queue()
    run_one(5, worker_jobs.UnpicklableResultJob(), events, SimpleNamespace(value=0))
    *_, failed = drain(events)
    assert isinstance(failed, JobFailed) and failed.message.startswith("the job's result cannot be sent back")


def test_cancelling_a_running_job_sends_a_cancelled_event():
    events: queue.Queue = queue.Queue()
    shared = SimpleNamespace(value=0)
    worker = threading.Thread(target=run_one, args=(6, worker_jobs.SlowJob(steps=10_000), events, shared))
    worker.start()
    assert events.get(timeout=30) == JobStarted(6)
    assert isinstance(events.get(timeout=30), JobProgress)  # it is running
    shared.value = 6  # what JobRunner.cancel sets in shared memory
    worker.join(30)
    rest = drain(events)
    assert isinstance(rest[-1], JobCancelled) and not any(isinstance(e, JobFinished) for e in rest)


def test_a_job_cancelled_before_it_starts_never_runs():
    events: queue.Queue = queue.Queue()
    run_one(8, worker_jobs.SlowJob(), events, SimpleNamespace(value=8))
    assert drain(events) == [JobCancelled(8)]


def test_worker_process_answers_typed_events_in_order():
    ctx = mp.get_context("spawn")  # as the studio starts it
    tasks, events, shared = ctx.Queue(), ctx.Queue(), ctx.Value("q", 0, lock=False)
    process = ctx.Process(target=worker_main, args=(tasks, events, shared), daemon=True)
    process.start()
    try:
        tasks.put((1, pickle.dumps(worker_jobs.SlowJob(steps=40, step_s=0.001))))
        tasks.put((2, pickle.dumps(worker_jobs.FailingJob())))
        tasks.put((3, b"not a request"))
        tasks.put(None)
        first, second, third = drain(events), drain(events), drain(events)
        process.join(30)
    finally:
        if process.is_alive():
            process.terminate()
    assert first[0] == JobStarted(1) and first[-1] == JobFinished(1, "finished")
    progress = [e for e in first if isinstance(e, JobProgress)]
    assert [e.step for e in progress] == sorted(e.step for e in progress)
    assert progress[-1].step == progress[-1].total == 40 and {e.total for e in progress} == {40}
    assert isinstance(second[-1], JobFailed) and second[-1].message == "image 'a.jpg' is truncated"
    assert isinstance(third[-1], JobFailed) and third[-1].job_id == 3 and "Traceback" not in third[-1].message
