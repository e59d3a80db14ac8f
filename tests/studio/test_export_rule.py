"""The one export rule (`studio.project.review.export_decisions`): its verdicts and reasons, and the project,
the batch bridge and the written package agreeing on what goes out."""

from __future__ import annotations

import json

import pytest

from studio.batch.export_bridge import export_batch, export_product
from studio.batch.recipe import Recipe
from studio.batch.runner import BatchOptions, run_batch
from studio.batch.synthetic import write_synthetic_catalog
from studio.project.importer import import_catalog
from studio.project.review import ExportMode, HoldReason, approve, export_decisions, exportable, reject
from studio.project.store import CandidateKind, JobState, NewCandidate, Store


def _copy(rank: int, platform: str, language: str = "en") -> NewCandidate:
    title = f"{platform}-{language}-{rank}"
    params = {"platform": platform, "language": language, "title": title, "bullets": [], "description": "d"}
    return NewCandidate(CandidateKind.COPY, rank=rank, text=title, params=params)


@pytest.fixture()
def project(tmp_path):
    """One product with two ingested photos, three captions and copy for two platforms (and Chinese copy)."""
    catalog = write_synthetic_catalog(tmp_path / "cat", 1, image_size=48, images_per_product=2)
    store = Store.create(tmp_path / "project")
    import_catalog(store, catalog)
    run_batch(store, BatchOptions(Recipe.IMAGES))  # ingest makes the photo candidates; pairing/try-on may be absent
    product = store.products()[0]
    captions = [
        NewCandidate(CandidateKind.CAPTION, rank=r, text=f"caption {r}", params={"language": "en"}) for r in range(3)
    ]
    copies = (
        [_copy(r, "amazon") for r in range(3)] + [_copy(r, "shopify") for r in range(2)] + [_copy(0, "taobao", "zh")]
    )
    for step, made in (("caption", captions), ("copy", copies)):
        store.finish_job(store.start_job(product.id, step, ""), JobState.DONE, candidates=made)
    yield store, product
    store.close()


def test_decisions_say_what_goes_out_and_why_not(project):
    store, product = project
    by_text = {c.text: c for c in store.candidates(product.id) if c.text}
    photos = store.candidates(product.id, CandidateKind.IMAGE)
    reject(store, [by_text["amazon-en-0"].id, photos[0].id])
    approve(store, [by_text["amazon-en-2"].id, by_text["caption 1"].id])
    cands = store.candidates(product.id)

    best = {d.candidate.id: d.held for d in export_decisions(cands, ExportMode.BEST)}
    assert best[by_text["amazon-en-0"].id] is HoldReason.REJECTED
    assert best[by_text["amazon-en-1"].id] is None  # the best copy left for Amazon
    assert best[by_text["amazon-en-2"].id] is HoldReason.OUTRANKED
    assert best[by_text["shopify-en-0"].id] is None and best[by_text["taobao-zh-0"].id] is None  # own sets
    assert best[by_text["caption 0"].id] is None and best[by_text["caption 1"].id] is HoldReason.OUTRANKED
    assert best[photos[0].id] is HoldReason.REJECTED and best[photos[1].id] is None  # every photo not rejected

    review = {d.candidate.id: d.held for d in export_decisions(cands, ExportMode.REVIEW)}
    assert review[by_text["amazon-en-2"].id] is None and review[by_text["caption 1"].id] is None
    assert review[by_text["amazon-en-1"].id] is HoldReason.NOT_APPROVED
    assert review[by_text["amazon-en-0"].id] is HoldReason.REJECTED
    assert review[photos[1].id] is HoldReason.NOT_APPROVED


@pytest.mark.parametrize("mode", list(ExportMode))
def test_project_bridge_and_package_agree(project, tmp_path, mode):
    store, product = project
    by_text = {c.text: c for c in store.candidates(product.id) if c.text}
    photos = store.candidates(product.id, CandidateKind.IMAGE)
    reject(store, [by_text["amazon-en-0"].id, by_text["caption 0"].id])
    approve(store, [by_text["amazon-en-2"].id, by_text["shopify-en-1"].id, by_text["caption 2"].id, photos[1].id])

    chosen = exportable(store, product.id, mode)  # the project's view
    bridged = export_product(store, product, mode)  # the batch bridge (photos are chosen there)
    outcome = export_batch(store, tmp_path / "out", platforms=("generic",), mode=mode)  # the written package
    assert outcome.state == "done", outcome.message
    written = json.loads((tmp_path / "out" / "generic" / "products.json").read_text())["products"][0]

    assert [c["text"] for c in written["captions"]] == [c.text for c in chosen[CandidateKind.CAPTION]]
    assert {c["title"] for c in written["copy"]} == {c.params["title"] for c in chosen[CandidateKind.COPY]}
    photos_out = [i for i in written["images"] if i["source"] == "catalog"]
    assert len(photos_out) == len(bridged.images) == len(chosen.get(CandidateKind.IMAGE, []))
    if mode is ExportMode.BEST:
        assert [c.text for c in chosen[CandidateKind.CAPTION]] == ["caption 1"]
        assert {c.text for c in chosen[CandidateKind.COPY]} == {"amazon-en-1", "shopify-en-0", "taobao-zh-0"}
        assert len(photos_out) == 2
    else:
        assert [c.text for c in chosen[CandidateKind.CAPTION]] == ["caption 2"]
        assert {c.text for c in chosen[CandidateKind.COPY]} == {"amazon-en-2", "shopify-en-1"}
        assert len(photos_out) == 1


def test_quality_gate_holds_back_placeholder_contradicting_weak_and_unsupported_titles():
    from dataclasses import dataclass, field

    from studio.project.review import ExportMode, ExportPolicy, HoldReason, export_decisions
    from studio.project.rows import CandidateKind, ExportSet

    @dataclass(frozen=True)
    class Draft:
        name: str
        rank: int
        scores: dict = field(default_factory=lambda: {"total": 0.9})
        flags: tuple = ()
        written_by_placeholder: bool = False
        approved: bool = False
        rejected: bool = False
        superseded: bool = False

        @property
        def export_set(self) -> ExportSet:
            return ExportSet(CandidateKind.COPY, self.name.split("/")[0], "en")

    drafts = [
        Draft("a/placeholder", 0, written_by_placeholder=True),
        Draft("b/contradicts", 0, flags=("title: 'wool' contradicts the product's material (cotton)",)),
        Draft("c/title", 0, flags=("title: '2019' (number) is not supported by the product data: …",)),
        Draft("d/weak", 0, scores={"total": 0.3}),
        Draft("e/fine", 0, flags=("bullet 1: '2019' (number) is not supported by the product data: …",)),
        Draft("f/approved-weak", 0, scores={"total": 0.3}, approved=True),
        Draft("g/approved-placeholder", 0, written_by_placeholder=True, approved=True),
    ]
    held = {d.candidate.name: d.held for d in export_decisions(drafts, ExportMode.BEST)}
    assert held == {
        "a/placeholder": HoldReason.PLACEHOLDER,
        "b/contradicts": HoldReason.CONTRADICTS,
        "c/title": HoldReason.UNSUPPORTED_TITLE,
        "d/weak": HoldReason.WEAK,
        "e/fine": None,  # an unsupported figure in a bullet lowers its score; only the title is gated
        "f/approved-weak": None,  # a person chose to keep it
        "g/approved-placeholder": HoldReason.PLACEHOLDER,  # never published, approved or not
    }
    let_out = export_decisions(drafts, ExportPolicy(ExportMode.BEST, include_weak=True))
    assert all(d.goes_out for d in let_out)
