"""The batch's video step: a VIDEO candidate per product, its MP4 and poster in the asset store."""

from __future__ import annotations

from generators.video.encoder import contract_problems
from studio.batch.recipe import StepName, step_availability
from studio.batch.runner import run_product_steps
from studio.batch.synthetic import write_synthetic_catalog
from studio.batch.video_step import VideoStepOptions
from studio.project.importer import import_catalog
from studio.project.store import Store


def test_the_video_step_renders_each_product_into_the_asset_store(tmp_path):
    assert step_availability(StepName.VIDEO).available
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, write_synthetic_catalog(tmp_path / "cat", 1, image_size=64))
        pid = store.products()[0].id
        options = VideoStepOptions(preset="reels", duration_s=1.0, width=90, height=160)
        ran = run_product_steps(store, pid, ["ingest", "video"], options=options, profile="tiny")
        assert ran == ["ingest", "video"]
        (video,) = store.candidates(pid, "video")
        assert video.params["preset"] == "reels" and video.params["frames"] == 30
        assert contract_problems(store.assets.path_for(video.file_sha), (90, 160), 30, 30) == []
        assert store.assets.path_for(video.params["poster_sha"]).stat().st_size > 0
        assert video.params["copy"]["title"] == store.products()[0].title
        assert run_product_steps(store, pid, ["video"], options=options, profile="tiny") == []  # still fresh
        changed = VideoStepOptions(preset="square", duration_s=1.0, width=96, height=96)
        assert run_product_steps(store, pid, ["video"], options=changed, profile="tiny") == ["video"]


def test_the_video_says_only_copy_the_export_rule_lets_out(tmp_path):
    """A draft whose title the catalog does not support is never overlaid; an approved one is (a person chose it)."""
    from studio.batch.video_step import chosen_copy
    from studio.project.review import approve
    from studio.project.store import CandidateKind, JobState, NewCandidate

    def draft(rank, title, flags=()):
        params = {"platform": "amazon", "language": "en", "title": title, "bullets": ["Soft"], "flags": list(flags)}
        return NewCandidate(CandidateKind.COPY, rank=rank, text=title, params=params)

    unsupported = "title: '500g' (number) is not supported by the product data: Jeans, [[500g]]"
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, write_synthetic_catalog(tmp_path / "cat", 1, image_size=48))
        product = store.products()[0]

        def said(drafts):
            job = store.start_job(product.id, "copy", "")
            store.finish_job(job, JobState.DONE, candidates=drafts)
            earlier = {CandidateKind.COPY: tuple(c for c in store.candidates(product.id, "copy") if not c.superseded)}
            ctx = type("Ctx", (), {"earlier": earlier, "product": product})()
            return chosen_copy(ctx).title

        assert said([draft(0, "Jeans, 500g", [unsupported]), draft(1, "Straight-Leg Jeans")]) == "Straight-Leg Jeans"
        assert said([draft(0, "Jeans, 500g", [unsupported])]) == product.title  # nothing passes: the catalog's
        (flagged,) = [c for c in store.candidates(product.id, "copy") if not c.superseded]
        approve(store, [flagged.id])
        earlier = {CandidateKind.COPY: tuple(c for c in store.candidates(product.id, "copy") if not c.superseded)}
        ctx = type("Ctx", (), {"earlier": earlier, "product": product})()
        assert chosen_copy(ctx).title == "Jeans, 500g"
