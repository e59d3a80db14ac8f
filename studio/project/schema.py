"""The project database schema, as ordered migrations applied through `PRAGMA user_version`."""

from __future__ import annotations

import json
from collections.abc import Callable

# Each entry upgrades the schema from version i to i+1; never edit a shipped entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE products (
        id INTEGER PRIMARY KEY,
        sku TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL DEFAULT '',
        fields TEXT NOT NULL DEFAULT '{}',
        content_hash TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        source_row INTEGER,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        role TEXT NOT NULL DEFAULT 'product',
        position INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        source_path TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        format TEXT NOT NULL,
        UNIQUE (product_id, role, position)
    );
    CREATE TABLE attribute_values (
        id INTEGER PRIMARY KEY,
        product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        source TEXT NOT NULL,
        confidence REAL,
        UNIQUE (product_id, name, source)
    );
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        step TEXT NOT NULL,
        state TEXT NOT NULL,
        input_hash TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        started_at REAL,
        finished_at REAL,
        UNIQUE (product_id, step)
    );
    CREATE INDEX jobs_state ON jobs(state);
    CREATE TABLE candidates (
        id INTEGER PRIMARY KEY,
        product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        kind TEXT NOT NULL,
        rank INTEGER NOT NULL DEFAULT 0,
        text TEXT,
        file_sha TEXT,
        params TEXT NOT NULL DEFAULT '{}',
        provenance TEXT NOT NULL DEFAULT '{}',
        scores TEXT NOT NULL DEFAULT '{}',
        score REAL,
        state TEXT NOT NULL DEFAULT 'proposed',
        created_at REAL NOT NULL
    );
    CREATE INDEX candidates_product ON candidates(product_id, kind, rank);
    CREATE TABLE approvals (
        id INTEGER PRIMARY KEY,
        candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
        decision TEXT NOT NULL,
        actor TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        decided_at REAL NOT NULL
    );
    CREATE TABLE exports (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        out_dir TEXT NOT NULL,
        state TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        files TEXT NOT NULL DEFAULT '[]',
        created_at REAL NOT NULL
    );
    """,
    # 2: one name per score (`scoring.scores.ScoreKey`): older copy stored its CLIPScore as "clip".
    """
    UPDATE candidates SET scores = vitrine_score_keys_v2(scores)
    WHERE scores LIKE '%"clip"%' OR scores LIKE '%"clipscore"%';
    """,
)


def _score_keys_v2(scores_json: str | None) -> str | None:
    """Migration 2: a candidate's scores with "clipscore" / "clip" renamed "clip_score"; nothing else changes.

    The spellings are written out here, not taken from `ScoreKey`, because a shipped migration must never change.
    When several spellings are present the one readers used to prefer wins (clip_score, clipscore, clip).
    """
    legacy = ("clipscore", "clip")
    try:
        scores = json.loads(scores_json) if scores_json else None
    except ValueError:
        return scores_json
    if not isinstance(scores, dict) or not any(k in scores for k in legacy):
        return scores_json
    renamed = {k: v for k, v in scores.items() if k not in legacy}
    for old in legacy:
        if old in scores and "clip_score" not in renamed:
            renamed["clip_score"] = scores[old]
    # The same encoding the store writes with (`rows.dumps_json`), so a migrated row reads like a new one.
    return json.dumps(renamed, ensure_ascii=False, sort_keys=True, default=str)


#: SQL functions the migrations call (registered on every connection before migrating). Python, not SQLite's
#: JSON functions: those re-print numbers with 15 digits and older SQLite builds lack some of them.
SQL_FUNCTIONS: dict[str, Callable[[str | None], str | None]] = {"vitrine_score_keys_v2": _score_keys_v2}
