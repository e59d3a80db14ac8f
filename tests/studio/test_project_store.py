"""Project store: schema migrations, transactions, candidates and review, atomic assets, gc, CLI."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from studio.atomic_files import atomic_write_bytes
from studio.cli import main
from studio.project.assets import TEMP_PREFIX, AssetStore
from studio.project.review import AutoApprove, ExportMode, auto_approve, exportable, reject
from studio.project.schema import MIGRATIONS
from studio.project.store import CandidateState, JobState, NewCandidate, ProjectError, Store


def test_create_open_wal_foreign_keys_and_version(tmp_path):
    with pytest.raises(ProjectError, match="not a Vitrine project"):
        Store.open(tmp_path / "nope")
    with Store.create(tmp_path / "p") as store:
        assert store.schema_version == len(MIGRATIONS)
    with sqlite3.connect(tmp_path / "p" / "project.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.execute("PRAGMA user_version=99")
    with pytest.raises(ProjectError, match="newer Vitrine"):
        Store.open(tmp_path / "p")


def test_transaction_is_all_or_nothing_and_cascades(tmp_path):
    with Store.create(tmp_path / "p") as store:
        product, _ = store.upsert_product("S1", title="t")
        job = store.start_job(product.id, "ingest", "h")
        with pytest.raises(RuntimeError), store.transaction() as conn:
            conn.execute("UPDATE jobs SET state='done' WHERE id=?", (job.id,))
            raise RuntimeError("crash mid-transaction")
        assert store.job(product.id, "ingest").state is JobState.RUNNING
        assert store.reset_interrupted_jobs() == 1
        assert store.job(product.id, "ingest").state is JobState.PENDING
        store.finish_job(job, JobState.DONE, candidates=[NewCandidate("caption", text="a")])
        with store.transaction() as conn:
            conn.execute("DELETE FROM products WHERE id=?", (product.id,))
        assert store.candidates() == [] and store.jobs() == []


def test_generations_add_and_never_remove_what_a_person_made(tmp_path):
    """A new generation supersedes only untouched drafts of its own group; approved, edited, person-rejected
    and other platforms' drafts stay as they were; nothing is deleted."""
    with Store.create(tmp_path / "p") as store:
        product, _ = store.upsert_product("S1", title="t")

        def generate(platform: str, texts: list[str], **kw) -> list:
            job = store.start_job(product.id, "copy", "h")
            params = {"platform": platform, "language": "en", "tone": "warm"}
            made = [NewCandidate("copy", rank=i, text=t, params=params, **kw) for i, t in enumerate(texts)]
            return store.finish_job(job, JobState.DONE, candidates=made)

        first = generate("amazon", ["a1", "a2", "a3", "a4"])
        store.set_candidate_state(first[0].id, CandidateState.APPROVED, actor="me")
        store.set_candidate_text(first[1].id, "a2, edited by hand")
        store.set_candidate_state(first[2].id, CandidateState.REJECTED, actor="me")
        generate("xiaohongshu", ["x1"])  # another platform: the Amazon drafts are not its business
        states = {c.id: c.state for c in store.candidates(product.id, "copy")}
        assert [states[c.id] for c in first] == [
            CandidateState.APPROVED,
            CandidateState.PROPOSED,
            CandidateState.REJECTED,
            CandidateState.PROPOSED,
        ]
        generate("amazon", ["b1"])
        by_text = {c.text: c.state for c in store.candidates(product.id, "copy")}
        assert by_text == {
            "a1": CandidateState.APPROVED,
            "a2, edited by hand": CandidateState.PROPOSED,
            "a3": CandidateState.REJECTED,
            "a4": CandidateState.SUPERSEDED,  # untouched: history now, still there
            "x1": CandidateState.PROPOSED,
            "b1": CandidateState.PROPOSED,
        }
        assert store.approvals(first[0].id)[0][:2] == ("approved", "me")


def test_a_draft_its_pipeline_rejected_is_kept_with_the_reason_and_can_be_kept_anyway(tmp_path):
    with Store.create(tmp_path / "p") as store:
        product, _ = store.upsert_product("S1", title="t")
        job = store.start_job(product.id, "copy", "h")
        params = {"platform": "amazon", "language": "en", "reason": "contradicts the product data"}
        [bad] = store.finish_job(
            job,
            JobState.DONE,
            candidates=[NewCandidate("copy", text="x", params=params, state=CandidateState.REJECTED)],
        )
        assert bad.rejected and store.approvals(bad.id)[0][:3] == (
            "rejected",
            "pipeline",
            "contradicts the product data",
        )
        store.set_candidate_state(bad.id, CandidateState.APPROVED, actor="me")  # "keep it anyway"
        job = store.start_job(product.id, "copy", "h2")
        store.finish_job(job, JobState.DONE, candidates=[NewCandidate("copy", text="y", params=params)])
        assert store.candidate(bad.id).approved  # a person's choice outlives the next generation


def test_review_auto_approve_top1_and_export_modes(tmp_path):
    with Store.create(tmp_path / "p") as store:
        product, _ = store.upsert_product("S1", title="t")
        job = store.start_job(product.id, "caption", "")
        made = store.finish_job(
            job, JobState.DONE, candidates=[NewCandidate("caption", rank=r, text=f"c{r}") for r in (1, 0, 2)]
        )
        job = store.start_job(product.id, "ingest", "")
        store.finish_job(
            job, JobState.DONE, candidates=[NewCandidate("image", rank=r, file_sha=f"{r}" * 64) for r in range(2)]
        )
        assert exportable(store, product.id, ExportMode.REVIEW) == {}  # nothing approved yet
        best = exportable(store, product.id, ExportMode.BEST)
        assert [c.text for c in best["caption"]] == ["c0"] and len(best["image"]) == 2
        reject(store, [made[1].id])  # the top caption is rejected: top1 must take the next one
        approved = auto_approve(store, AutoApprove.TOP1)
        assert len(approved) == 3
        chosen = exportable(store, product.id, ExportMode.REVIEW)
        assert [c.text for c in chosen["caption"]] == ["c1"] and len(chosen["image"]) == 2
        assert auto_approve(store) == []  # sets with an approval are left alone


def test_atomic_write_never_leaves_partial_file(tmp_path, monkeypatch):
    dest = tmp_path / "out" / "file.bin"
    atomic_write_bytes(dest, b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(dest, b"new content")
    assert dest.read_bytes() == b"old"
    assert [p.name for p in dest.parent.iterdir()] == ["file.bin"]


def test_asset_store_content_addressed_and_gc(tmp_path):
    assets = AssetStore(tmp_path / "assets")
    sha = assets.put_bytes(b"hello", ".txt")
    assert assets.put_bytes(b"hello", ".txt") == sha and assets.path_for(sha).name == f"{sha}.txt"
    other = assets.put_bytes(b"orphan")
    (assets.root / sha[:2] / f"{TEMP_PREFIX}abc").write_bytes(b"half")
    removed, _ = assets.gc(keep={sha})
    assert removed == 2 and assets.has(sha) and not assets.has(other) and assets.temp_files() == []


def test_cli_project_init_import_info_review_gc(tmp_path, capsys):
    project = tmp_path / "proj"
    catalog = tmp_path / "cat.csv"
    catalog.write_text("sku,title\nA,One\nA,Dup\n", encoding="utf-8")
    assert main(["project", "init", str(project)]) == 0
    assert main(["project", "import", str(project), str(catalog), "--json"]) == 0
    report = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert report["rejected_rows"] == [3] and 3 in {p["row"] for p in report["problems"]}
    with Store.open(project) as store:
        product = store.product_by_sku("A")
        made = store.finish_job(
            store.start_job(product.id, "caption", ""), JobState.DONE, candidates=[NewCandidate("caption", text="hi")]
        )
        store.assets.put_bytes(b"orphan")
    assert main(["review", str(project), "--approve", str(made[0].id), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["state"] == "approved"
    assert main(["project", "gc", str(project)]) == 0
    assert "removed 1 " in capsys.readouterr().out
    assert main(["project", "info", str(project), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["products"] == 1 and info["candidates"] == {"approved": 1}
    assert main(["project", "info", str(tmp_path / "missing")]) == 2  # a clear error, no traceback


def test_cli_import_does_not_load_torch(tmp_path):
    catalog = tmp_path / "cat.csv"
    catalog.write_text("sku,title\nA,One\n", encoding="utf-8")
    code = (
        "import sys; from studio.cli import main; main(['project', 'import', sys.argv[1], sys.argv[2]]);"
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "p"), str(catalog)],
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_a_cancelled_or_failed_run_leaves_the_current_drafts_current(tmp_path):
    with Store.create(tmp_path / "p") as store:
        product, _ = store.upsert_product("S1", title="t")
        job = store.start_job(product.id, "tryon", "h")
        (made,) = store.finish_job(job, JobState.DONE, candidates=[NewCandidate("tryon", file_sha="0" * 64)])
        for outcome in (JobState.PENDING, JobState.FAILED):  # a cancel puts the job back to pending
            store.finish_job(store.start_job(product.id, "tryon", "h"), outcome, "stopped")
            assert store.candidate(made.id).state is CandidateState.PROPOSED
        store.finish_job(store.start_job(product.id, "tryon", "h"), JobState.SKIPPED, "no person photo")
        assert store.candidate(made.id).state is CandidateState.SUPERSEDED  # a finished run that made nothing
