"""Batch runner: per-product failures recorded and reported, unavailable steps never faked, resume rules."""

from __future__ import annotations

import pytest

from generators.runtime.errors import VitrineError
from generators.runtime.progress import CancelToken, Progress
from studio.batch.options import CopyStepOptions
from studio.batch.recipe import Recipe, StepName, step_availability, unavailable_message
from studio.batch.runner import BatchOptions, run_batch, run_product_steps
from studio.batch.session import BatchRequest, run_catalog_batch
from studio.batch.steps import run_ingest
from studio.batch.synthetic import write_synthetic_catalog
from studio.project.importer import import_catalog
from studio.project.review import AutoApprove, auto_approve
from studio.project.store import CandidateState, JobState, Store


@pytest.fixture()
def store(tmp_path):
    catalog = write_synthetic_catalog(tmp_path / "cat", 6, image_size=48, images_per_product=2)
    s = Store.create(tmp_path / "project")
    import_catalog(s, catalog)
    yield s
    s.close()


def jobs_per_product() -> int:
    """Jobs the images recipe runs per product here: ingest, plus each image step that is built."""
    return 1 + sum(step_availability(s).available for s in (StepName.PAIRING, StepName.TRYON))


def test_failure_is_recorded_and_the_batch_goes_on(store):
    def flaky_ingest(ctx):
        if ctx.product.sku == "SKU-00002":
            raise ValueError("bad pixels")
        return run_ingest(ctx)

    seen: list[Progress] = []
    result = run_batch(
        store, BatchOptions(Recipe.IMAGES, step_functions={StepName.INGEST: flaky_ingest}), progress=seen.append
    )
    assert [(f.sku, f.step, f.message) for f in result.failures] == [("SKU-00002", "ingest", "ValueError: bad pixels")]
    # Every product's other steps still run: 5 ingests, plus the jobs of each image step built here.
    k = jobs_per_product()
    assert result.ran == 5 + 6 * (k - 1)
    assert seen[-1].step == seen[-1].total == 6 * k  # one tick per job that can run
    assert store.job_counts()[JobState.FAILED] == 1
    assert len(store.candidates(kind="image")) == 10
    # A step the registry reports unavailable here (pairing and try-on until they are built) is recorded as
    # unavailable with the registry's reason, and no candidates are made; an available one runs.
    for step in (StepName.PAIRING, StepName.TRYON):
        availability = step_availability(step)
        jobs = store.jobs(step=step.value)
        assert len(jobs) == 6
        if availability.available:
            assert step.value not in result.unavailable and JobState.UNAVAILABLE not in {j.state for j in jobs}
        else:
            message = unavailable_message(step)  # "Try-on: not available yet", never a module path
            assert message.endswith("not available yet") and "generators." not in message
            assert result.unavailable[step.value] == message
            assert all(j.state is JobState.UNAVAILABLE and j.message == message for j in jobs)
    # A re-run retries only the failed job.
    again = run_batch(store, BatchOptions(Recipe.IMAGES))
    assert (again.ran, again.resumed_done, again.failures) == (1, 5 + 6 * (k - 1), [])


def test_changed_product_is_redone_and_workers_agree(store, tmp_path):
    k = jobs_per_product()
    first = run_batch(store, BatchOptions(Recipe.IMAGES, workers=3))
    assert first.ran == 6 * k
    shas = sorted(c.file_sha for c in store.candidates(kind="image"))
    product = store.product_by_sku("SKU-00001")
    store.upsert_product(product.sku, title="renamed", images=[])
    second = run_batch(store, BatchOptions(Recipe.IMAGES, workers=2))
    # No photos left: each of its jobs is redone and skipped, saying why.
    assert (second.ran, second.resumed_done, second.skipped) == (k, 5 * k, k)
    assert store.job(product.id, "ingest").message == "no product photos"
    # The product without photos keeps its earlier listing photos, superseded (history), not deleted.
    current = [c for c in store.candidates(kind="image") if not c.superseded]
    assert len(current) == 10 and len(store.candidates(kind="image")) == 12
    assert set(shas) == {c.file_sha for c in store.candidates()}


def test_cancel_leaves_jobs_pending(store):
    token = CancelToken()

    def cancel_after_two(p: Progress) -> None:
        if p.step >= 2:
            token.cancel()

    result = run_batch(store, BatchOptions(Recipe.IMAGES), progress=cancel_after_two, cancel=token)
    assert result.cancelled and result.ran == 2
    assert store.job_counts().get(JobState.RUNNING, 0) == 0
    assert run_batch(store, BatchOptions(Recipe.IMAGES)).ran == 6 * jobs_per_product() - 2


def test_run_product_steps_for_the_gui(store):
    pid = store.product_by_sku("SKU-00000").id
    assert run_product_steps(store, pid, ["ingest"]) == ["ingest"]
    assert run_product_steps(store, pid, ["ingest"]) == []
    assert run_product_steps(store, pid, ["ingest"], force=["ingest"]) == ["ingest"]
    images = store.candidates(pid, "image")  # a forced re-run adds a generation; the older one is kept
    assert len(images) == 4 and [c.superseded for c in images].count(True) == 2
    if not step_availability(StepName.VIDEO).available:
        with pytest.raises(VitrineError, match="Video: not available yet"):
            run_product_steps(store, pid, ["ingest", "video"])


def test_session_auto_approves_and_writes_summary(tmp_path):
    catalog = write_synthetic_catalog(tmp_path / "cat", 3, image_size=32)
    out = tmp_path / "out"
    (tmp_path / ".out.x1.partial").mkdir()  # what an export killed mid-write leaves beside the package
    summary = run_catalog_batch(BatchRequest(catalog, out, Recipe.IMAGES, auto_approve=AutoApprove.TOP1))
    assert not (tmp_path / ".out.x1.partial").exists()
    assert summary.summary_path.is_file() and len(summary.approved) == 3
    assert (out / "report.html").is_file() and (out / "batch_summary.json").is_file()
    with Store.open(tmp_path / "out.project") as store:
        assert {c.state for c in store.candidates()} == {CandidateState.APPROVED}
        assert store.exports()[-1].state == "done"
    stranger = tmp_path / "documents"
    (stranger / "thesis.txt").parent.mkdir()
    (stranger / "thesis.txt").write_text("precious")
    with pytest.raises(VitrineError, match="not empty and holds no Vitrine package"):
        run_catalog_batch(BatchRequest(catalog, stranger, Recipe.IMAGES))
    assert (stranger / "thesis.txt").read_text() == "precious"


def test_copy_recipe_with_tiny_models(tmp_path):
    catalog = write_synthetic_catalog(tmp_path / "cat", 2, image_size=64)
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, catalog)
        options = BatchOptions(Recipe.COPY, profile="tiny", step_options=CopyStepOptions(("amazon",), copy_n=2))
        result = run_batch(store, options)
        assert result.failures == [] and result.ran == 8 and result.unavailable == {}
        pid = store.product_by_sku("SKU-00000").id
        captions = store.candidates(pid, "caption")
        assert captions and [c.rank for c in captions] == list(range(len(captions)))
        assert all(c.placeholder and "clip_score" in c.scores for c in captions)  # labelled, and scored
        assert not store.attributes(pid, "clip")  # a random-weight CLIP's guesses are kept apart, labelled
        clip = store.attributes(pid, "clip:placeholder")
        assert clip and all(0.0 <= (a.confidence or 0) <= 1.0 for a in clip)
        assert "color" in {a.name for a in clip}  # the vocabulary's "colour" is stored under the catalog's name
        copies = store.candidates(pid, "copy")
        assert {c.params["platform"] for c in copies} <= {"amazon"} and all(c.placeholder for c in copies)
        assert run_batch(store, options).ran == 0  # resumed: nothing redone
        other = BatchOptions(Recipe.COPY, profile="tiny", step_options=CopyStepOptions(("shopify",), copy_n=2))
        assert run_batch(store, other).ran == 2  # only copy reads the platforms: only copy is redone
        # A second platform's run adds its drafts and keeps the first platform's, untouched.
        after = store.candidates(pid, "copy")
        assert {c.params["platform"] for c in after} == {"amazon", "shopify"}
        assert {c.id: c.state for c in after if c.params["platform"] == "amazon"} == {c.id: c.state for c in copies}
        approved = auto_approve(store, AutoApprove.TOP1)
        assert len([c for c in store.candidates(pid, "caption") if c.id in approved]) == 1


def test_editing_the_brand_kit_redoes_copy_and_nothing_else(tmp_path):
    """Copy is fresh only for the brand kit it followed: editing `brand_kit.json` redoes copy, not captions or
    attributes; another run without edits redoes nothing."""
    import json

    catalog = write_synthetic_catalog(tmp_path / "cat", 1, image_size=64)
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, catalog)
        pid = store.product_by_sku("SKU-00000").id
        # Random tiny weights: a fixed budget keeps their (seeded) output parseable into shown candidates.
        step_options = CopyStepOptions(("amazon",), copy_n=2, tone="playful", language="zh", max_new_tokens=256)
        options = BatchOptions(Recipe.COPY, profile="tiny", step_options=step_options)
        first = run_batch(store, options)
        assert (first.ran, first.failures) == (4, [])
        assert {c.provenance["params"]["brand"]["name"] for c in store.candidates(pid, "copy")} == {"Default"}
        before = {step: store.job(pid, step) for step in ("ingest", "caption", "attributes", "copy")}
        captions = [c.id for c in store.candidates(pid, "caption")]

        kit = {"name": "Acme Test Kit", "voice_words": ["crisp"], "banned_words": ["cheap"], "required_phrases": []}
        (store.folder / "brand_kit.json").write_text(json.dumps(kit), encoding="utf-8")
        second = run_batch(store, options)
        assert (second.ran, second.resumed_done, second.failures) == (1, 3, [])
        for step in ("ingest", "caption", "attributes"):
            assert store.job(pid, step) == before[step], step  # not restarted: same attempt, same times
        assert [c.id for c in store.candidates(pid, "caption")] == captions
        copy_job = store.job(pid, "copy")
        assert copy_job.state is JobState.DONE and copy_job.started_at > before["copy"].finished_at
        assert copy_job.input_hash != before["copy"].input_hash
        copies = [c for c in store.candidates(pid, "copy") if not c.superseded]
        # The brand kit's content is in the provenance, not only its name; the old drafts are superseded, kept.
        assert copies and {c.provenance["params"]["brand"]["name"] for c in copies} == {"Acme Test Kit"}
        old = [c for c in store.candidates(pid, "copy") if c.superseded]
        assert old and {c.provenance["params"]["brand"]["name"] for c in old} == {"Default"}
        assert all(c.provenance["params"]["brand"]["banned_words"] == ["cheap"] for c in copies)

        third = run_batch(store, options)
        assert (third.ran, third.resumed_done) == (0, 4)
        assert store.job(pid, "copy") == copy_job


def test_brand_kit_digest_follows_the_kit_copy_reads(tmp_path):
    """The project's file when there is one (any edit counts), else the shipped default; only copy reads it."""
    import hashlib
    from dataclasses import replace

    from generators.words.presets import DEFAULT_BRAND_KIT_FILE, preset_asset
    from studio.batch.runner import input_hash
    from studio.batch.steps import with_project_options
    from studio.batch.words_steps import brand_kit_digest

    shipped = hashlib.sha256(preset_asset(DEFAULT_BRAND_KIT_FILE).read_bytes()).hexdigest()[:16]
    assert brand_kit_digest(tmp_path) == shipped
    kit = tmp_path / "brand_kit.json"
    kit.write_text('{"name": "A", "banned_words": ["cheap"]}', encoding="utf-8")
    edited = brand_kit_digest(tmp_path)
    assert edited != shipped
    kit.write_text('{"name": "A", "banned_words": ["cheap", "miracle"]}', encoding="utf-8")
    assert brand_kit_digest(tmp_path) not in (edited, shipped)
    kit.write_text("{not json", encoding="utf-8")  # the copy step reports a broken kit; the digest never raises
    assert len(brand_kit_digest(tmp_path)) == 16

    catalog = write_synthetic_catalog(tmp_path / "cat", 1, image_size=32)
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, catalog)
        product = store.products()[0]
        plain = with_project_options(store.folder, CopyStepOptions(tone="warm"))
        assert plain.get(CopyStepOptions) == CopyStepOptions(tone="warm", brand_kit=shipped)
        other = plain.with_options(replace(plain.get(CopyStepOptions), brand_kit=edited))
        assert input_hash(product, StepName.COPY, plain) != input_hash(product, StepName.COPY, other)
        for step in (StepName.INGEST, StepName.CAPTION, StepName.ATTRIBUTES, StepName.TRYON):
            assert input_hash(product, step, plain) == input_hash(product, step, other), step


def test_memory_budget_limits_parallel_products(store):
    import threading

    lock, state = threading.Lock(), {"now": 0, "max": 0}

    def counting_ingest(ctx):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        try:
            return run_ingest(ctx)
        finally:
            with lock:
                state["now"] -= 1

    functions = {StepName.INGEST: counting_ingest}
    result = run_batch(store, BatchOptions(Recipe.IMAGES, workers=4, memory_budget_mb=1, step_functions=functions))
    # Over budget: one product at a time, but every one done.
    assert result.ran == 6 * jobs_per_product() and state["max"] == 1


def test_workers_run_products_in_parallel_within_budget(store):
    import threading

    barrier = threading.Barrier(2, timeout=30)  # passes only when two products are in flight at once

    def paired_ingest(ctx):
        if ctx.product.sku in ("SKU-00000", "SKU-00001"):
            barrier.wait()
        return run_ingest(ctx)

    functions = {StepName.INGEST: paired_ingest}
    result = run_batch(
        store, BatchOptions(Recipe.IMAGES, workers=2, memory_budget_mb=100_000, step_functions=functions)
    )
    assert result.ran == 6 * jobs_per_product() and result.failures == []


def test_copy_options_reach_the_copywriter_as_the_gui_passes_them(tmp_path):
    """Tone, language and the project's brand kit (as Settings saves it) reach the request; changing the tone
    redoes copy; copy reports progress."""
    import json
    from dataclasses import replace

    from studio.batch.runner import input_hash

    catalog = write_synthetic_catalog(tmp_path / "cat", 1, image_size=64)
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, catalog)
        kit = {"name": "Acme Test Kit", "voice_words": ["crisp"], "banned_words": ["cheap"], "required_phrases": []}
        (store.folder / "brand_kit.json").write_text(json.dumps(kit), encoding="utf-8")
        pid = store.product_by_sku("SKU-00000").id
        # What the product page's Generate copy submits. Random tiny weights: a fixed budget keeps its (seeded)
        # output parseable into shown candidates.
        options = CopyStepOptions.parse(
            platforms=["amazon"], tone="playful", language="zh", copy_n=2, max_new_tokens=256
        )
        seen: list[Progress] = []
        steps = ["ingest", "caption", "attributes", "copy"]
        ran = run_product_steps(
            store, pid, steps, options=options, force=["copy"], profile="tiny", progress=seen.append
        )
        assert ran == steps
        assert any(p.message == "writing" for p in seen)  # the copywriter's own token progress
        copies = store.candidates(pid, "copy")
        assert copies
        for c in copies:
            used = c.provenance["params"]
            assert (used["tone"], used["language"], used["brand"]["name"]) == ("playful", "zh", "Acme Test Kit")
            assert c.params["tone"] == "playful" and c.params["language"] == "zh"
        product = store.product(pid)
        warm = replace(options, tone="warm")
        assert input_hash(product, StepName.COPY, options) != input_hash(product, StepName.COPY, warm)
        assert input_hash(product, StepName.CAPTION, options) == input_hash(product, StepName.CAPTION, None)
        assert run_product_steps(store, pid, steps, options=options, profile="tiny") == []  # fresh: nothing redone
        ran = run_product_steps(store, pid, steps, options=warm, profile="tiny")
        assert ran == ["copy"]
        # Another tone is another generation group: the playful drafts stay current beside the warm ones.
        tones = {c.provenance["params"]["tone"] for c in store.candidates(pid, "copy") if not c.superseded}
        assert tones == {"playful", "warm"}
        assert store.job(pid, "copy").state is JobState.DONE


def test_batch_request_checks_copy_options_before_work(tmp_path):
    catalog = write_synthetic_catalog(tmp_path / "cat", 1, image_size=32)
    with pytest.raises(VitrineError, match="unknown tone"):
        run_catalog_batch(BatchRequest(catalog, tmp_path / "out", Recipe.COPY, tone="sarcastic"))
    with pytest.raises(VitrineError, match="copy-n"):
        run_catalog_batch(BatchRequest(catalog, tmp_path / "out", Recipe.COPY, copy_n=0))
    assert not (tmp_path / "out.project").exists()


def test_copy_token_budgets_fit_the_platform_and_language():
    from studio.batch.words_steps import copy_token_budget

    amazon, instagram = copy_token_budget("amazon"), copy_token_budget("instagram")
    assert instagram < amazon  # a short post needs less than title + 5 bullets + description
    assert copy_token_budget("taobao") > amazon and copy_token_budget("douyin") > instagram  # Chinese costs more
    assert copy_token_budget("amazon", "zh") == copy_token_budget("taobao")
