"""The project database schema, as ordered migrations applied through `PRAGMA user_version`."""

from __future__ import annotations

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
)
