"""Schema migrations of existing projects, and the store's edit methods (the only SQL outside the store's own
queries used to live in the GUI)."""

from __future__ import annotations

import json
import sqlite3
import time

from scoring.scores import ScoreKey
from studio.project.schema import MIGRATIONS
from studio.project.store import DB_NAME, CandidateState, JobState, NewCandidate, Store

# The copy candidate a schema-1 project holds: CLIPScore stored as "clip", a person's edit and approval.
OLD_COPY_SCORES = {"clip": 0.30000000000000004, "grounding": 1.0, "total": 0.7123456789012345}
OLD_PARAMS = {"platform": "amazon", "original_text": "model text", "edited": True}


def _schema_1_project(folder) -> None:
    """A project as a Vitrine with schema 1 left it (written with plain SQL, not with today's store)."""
    folder.mkdir()
    conn = sqlite3.connect(folder / DB_NAME)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version=1")
    now = time.time()
    conn.execute(
        "INSERT INTO products (id, sku, title, created_at, updated_at) VALUES (1, 'S1', 'Tee', ?, ?)", (now, now)
    )
    conn.execute("INSERT INTO jobs (id, product_id, step, state) VALUES (1, 1, 'copy', 'done')")
    rows = [
        (1, "copy", "my edit", json.dumps(OLD_PARAMS), json.dumps(OLD_COPY_SCORES), 0.71, "approved"),
        (2, "caption", "a tee", "{}", json.dumps({"clip_score": 0.5}), 0.5, "proposed"),
        (3, "copy", "x", "{}", json.dumps({"clipscore": 0.2, "clip": 0.1, "total": 0.4}), 0.4, "rejected"),
        (4, "copy", "y", "{}", "{}", None, "proposed"),
    ]
    for cid, kind, text, params, scores, score, state in rows:
        conn.execute(
            "INSERT INTO candidates (id, product_id, job_id, kind, text, params, provenance, scores, score, state,"
            " created_at) VALUES (?, 1, 1, ?, ?, ?, '{\"placeholder\": false}', ?, ?, ?, ?)",
            (cid, kind, text, params, scores, score, state, now),
        )
    conn.execute(
        "INSERT INTO approvals (candidate_id, decision, actor, note, decided_at) VALUES (1, 'approved', 'ann', '', ?)",
        (now,),
    )
    conn.commit()
    conn.close()


def _rows(folder) -> dict[int, dict]:
    conn = sqlite3.connect(folder / DB_NAME)
    conn.row_factory = sqlite3.Row
    rows = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM candidates")}
    conn.close()
    return rows


def test_old_score_keys_are_renamed_and_nothing_else_changes(tmp_path):
    folder = tmp_path / "old"
    _schema_1_project(folder)
    before = _rows(folder)
    with Store.open(folder) as store:
        assert store.schema_version == len(MIGRATIONS)
        copy, caption, both, empty = (store.candidate(i) for i in (1, 2, 3, 4))
        expected = {"clip_score": OLD_COPY_SCORES["clip"], "grounding": 1.0, "total": OLD_COPY_SCORES["total"]}
        assert copy.scores == expected  # every digit kept
        assert copy.scores[ScoreKey.CLIP_SCORE] == 0.30000000000000004
        assert caption.scores == {"clip_score": 0.5} and empty.scores == {}
        assert both.scores == {"clip_score": 0.2, "total": 0.4}  # the spelling readers preferred wins
        # A person's work survives: the approval, its history, the edited text and the model's original.
        assert copy.state is CandidateState.APPROVED and copy.text == "my edit" and copy.params == OLD_PARAMS
        assert store.approvals(1)[0][:2] == ("approved", "ann")
    after = _rows(folder)
    for cid, row in before.items():
        assert {k: v for k, v in after[cid].items() if k != "scores"} == {k: v for k, v in row.items() if k != "scores"}
    assert after[2]["scores"] == before[2]["scores"] and after[4]["scores"] == before[4]["scores"]  # untouched
    with Store.open(folder) as store:  # opening again migrates nothing more
        assert store.candidate(1).scores == expected


def test_store_edits_candidate_text_and_user_attributes(tmp_path):
    with Store.create(tmp_path / "p") as store:
        product, _ = store.upsert_product("S1", title="t", attributes={"color": "red"})
        job = store.start_job(product.id, "copy", "")
        made = store.finish_job(job, JobState.DONE, candidates=[NewCandidate("copy", text="model text")])
        store.set_candidate_text(made[0].id, "my text")
        edited = store.candidate(made[0].id)
        assert edited.text == "my text" and edited.params == {"original_text": "model text", "edited": True}
        store.set_candidate_text(made[0].id, "model text")  # undoing the edit
        assert store.candidate(made[0].id).params["edited"] is False

        store.set_attribute_value(product.id, "color", "blue", "user")
        store.set_attribute_value(product.id, "color", "navy", "user")
        values = {(a.source, a.value) for a in store.attributes(product.id)}
        assert values == {("catalog", "red"), ("user", "navy")}
        store.remove_attribute_value(product.id, "color", "user")
        assert [(a.source, a.value) for a in store.attributes(product.id)] == [("catalog", "red")]
