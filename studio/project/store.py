"""The project store: one folder holding `project.sqlite` and a content-addressed `assets/` store.

stdlib sqlite3 in WAL mode with foreign keys on; the schema is migrated through `PRAGMA user_version`.
One connection is shared by the threads of a process and serialised by a lock, so a batch's workers can
record results while the main thread reads. Rows come back as frozen dataclasses.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from studio.project.assets import AssetStore
from studio.project.candidates_store import PIPELINE_ACTOR, CandidateQueries
from studio.project.rows import (
    AttributeValue,
    Candidate,
    CandidateKind,
    CandidateState,
    ExportRow,
    ExportSet,
    ImageRole,
    ImageRow,
    Job,
    JobState,
    NewCandidate,
    NewImage,
    Product,
    ProjectError,
    ProjectSetting,
    dumps_json,
    loads_json,
    product_content_hash,
)
from studio.project.schema import MIGRATIONS, SQL_FUNCTIONS

__all__ = [
    "AttributeValue",
    "Candidate",
    "CandidateKind",
    "CandidateState",
    "ExportRow",
    "ExportSet",
    "ImageRole",
    "ImageRow",
    "Job",
    "JobState",
    "NewCandidate",
    "NewImage",
    "Product",
    "ProjectError",
    "Store",
    "product_content_hash",
]

DB_NAME = "project.sqlite"
ASSETS_DIR = "assets"


class Store(CandidateQueries):
    """An open project. Create with `Store.create(folder)`, open with `Store.open(folder)`; close when done.

    The one way into the project database: nothing else runs SQL on it. Candidate queries and edits live in
    `CandidateQueries` (its own module, to keep each file readable) and are methods of this class.
    """

    def __init__(self, folder: Path, conn: sqlite3.Connection) -> None:
        self.folder = Path(folder)
        self._conn = conn
        self._lock = threading.RLock()
        self.assets = AssetStore(self.folder / ASSETS_DIR)

    # -- lifecycle -------------------------------------------------------------------------------------
    @classmethod
    def create(cls, folder: Path) -> Store:
        """Create (or open) the project in `folder`, migrating its schema to the latest version."""
        folder = Path(folder).expanduser().resolve()
        folder.mkdir(parents=True, exist_ok=True)
        return cls._connect(folder)

    @classmethod
    def open(cls, folder: Path) -> Store:
        """Open an existing project; raises ProjectError when `folder` holds none."""
        folder = Path(folder).expanduser().resolve()
        if not (folder / DB_NAME).is_file():
            raise ProjectError(
                f"'{folder}' is not a Vitrine project (no {DB_NAME}); create it with `vitrine project init`"
            )
        return cls._connect(folder)

    @classmethod
    def _connect(cls, folder: Path) -> Store:
        conn = sqlite3.connect(folder / DB_NAME, timeout=30, check_same_thread=False, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, never corrupt
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        for name, fn in SQL_FUNCTIONS.items():  # the migrations' data rewrites call these
            conn.create_function(name, 1, fn, deterministic=True)
        store = cls(folder, conn)
        store._migrate()
        return store

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise ProjectError(f"project '{self.folder}' was made by a newer Vitrine (schema {version})")
        with self._lock:
            for i in range(version, len(MIGRATIONS)):
                # One transaction per migration: schema and version move together or not at all.
                self._conn.executescript(f"BEGIN IMMEDIATE; {MIGRATIONS[i]}; PRAGMA user_version={i + 1}; COMMIT;")

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Serialise and wrap the block in one IMMEDIATE transaction: all of it is committed or none."""
        with self._lock:
            if self._conn.in_transaction:  # nested: the outer block commits
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- products --------------------------------------------------------------------------------------
    @staticmethod
    def _product(r: sqlite3.Row) -> Product:
        return Product(
            r["id"],
            r["sku"],
            r["title"],
            r["description"],
            r["category"],
            loads_json(r["fields"], {}),
            r["content_hash"],
            r["source"],
            r["source_row"],
        )

    def upsert_product(
        self,
        sku: str,
        *,
        title: str = "",
        description: str = "",
        category: str = "",
        fields: dict[str, str] | None = None,
        images: Sequence[NewImage] = (),
        attributes: dict[str, str] | None = None,
        source: str = "",
        source_row: int | None = None,
    ) -> tuple[Product, bool]:
        """Insert or update the product `sku` with its images and catalog attributes, in one transaction.

        Returns (product, changed): `changed` is False when a re-import brought identical content.
        """
        fields = dict(fields or {})
        named = {
            "title": title,
            "description": description,
            "category": category,
            **fields,
            "attributes": attributes or {},
            "roles": [i.role.value for i in images],
        }
        digest = product_content_hash(named, [i.sha256 for i in images])
        now = time.time()
        with self.transaction() as c:
            row = c.execute("SELECT id, content_hash FROM products WHERE sku=?", (sku,)).fetchone()
            if row is not None and row["content_hash"] == digest:
                c.execute("UPDATE products SET source=?, source_row=? WHERE id=?", (source, source_row, row["id"]))
                return self.product(row["id"]), False
            if row is None:
                pid = c.execute(
                    "INSERT INTO products (sku, title, description, category, fields, content_hash, source, source_row,"
                    " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (sku, title, description, category, dumps_json(fields), digest, source, source_row, now, now),
                ).lastrowid
            else:
                pid = row["id"]
                c.execute(
                    "UPDATE products SET title=?, description=?, category=?, fields=?, content_hash=?, source=?,"
                    " source_row=?, updated_at=? WHERE id=?",
                    (title, description, category, dumps_json(fields), digest, source, source_row, now, pid),
                )
                c.execute("DELETE FROM images WHERE product_id=?", (pid,))
                c.execute("DELETE FROM attribute_values WHERE product_id=? AND source='catalog'", (pid,))
            counters: dict[ImageRole, int] = {}
            for img in images:
                pos = counters.get(img.role, 0)
                counters[img.role] = pos + 1
                c.execute(
                    "INSERT INTO images (product_id, role, position, sha256, source_path, width, height, format)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    (pid, img.role.value, pos, img.sha256, img.source_path, img.width, img.height, img.format),
                )
            for name, value in (attributes or {}).items():
                c.execute(
                    "INSERT INTO attribute_values (product_id, name, value, source) VALUES (?,?,?, 'catalog')",
                    (pid, name, value),
                )
            return self.product(int(pid)), True

    def product(self, product_id: int) -> Product:
        rows = self._query("SELECT * FROM products WHERE id=?", (product_id,))
        if not rows:
            raise ProjectError(f"no product with id {product_id}")
        return self._product(rows[0])

    def product_by_sku(self, sku: str) -> Product | None:
        rows = self._query("SELECT * FROM products WHERE sku=?", (sku,))
        return self._product(rows[0]) if rows else None

    def products(self) -> list[Product]:
        """All products in import order."""
        return [self._product(r) for r in self._query("SELECT * FROM products ORDER BY id")]

    def iter_products(self, page: int = 256) -> Iterator[Product]:
        """All products in import order, read a page at a time (for catalogs of any size)."""
        last = 0
        while True:
            rows = self._query("SELECT * FROM products WHERE id > ? ORDER BY id LIMIT ?", (last, page))
            if not rows:
                return
            for r in rows:
                yield self._product(r)
            last = rows[-1]["id"]

    def count_products(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM products")[0][0])

    def images(self, product_id: int, role: ImageRole | None = None) -> list[ImageRow]:
        sql = "SELECT * FROM images WHERE product_id=?" + (" AND role=?" if role else "") + " ORDER BY role, position"
        rows = self._query(sql, (product_id, role.value) if role else (product_id,))
        return [
            ImageRow(
                r["id"],
                r["product_id"],
                ImageRole(r["role"]),
                r["position"],
                r["sha256"],
                r["source_path"],
                r["width"],
                r["height"],
                r["format"],
            )
            for r in rows
        ]

    def set_attribute_value(self, product_id: int, name: str, value: str, source: str) -> None:
        """Set the value `source` gives attribute `name` (e.g. what a person typed); no confidence."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO attribute_values (product_id, name, value, source, confidence) VALUES (?,?,?,?,NULL)"
                " ON CONFLICT(product_id, name, source) DO UPDATE SET value=excluded.value",
                (product_id, name, value, source),
            )

    def remove_attribute_value(self, product_id: int, name: str, source: str) -> None:
        """Forget the value `source` gave attribute `name` (the other sources' values stay)."""
        with self.transaction() as c:
            c.execute(
                "DELETE FROM attribute_values WHERE product_id=? AND name=? AND source=?", (product_id, name, source)
            )

    def attributes(self, product_id: int, source: str | None = None) -> list[AttributeValue]:
        sql = "SELECT * FROM attribute_values WHERE product_id=?" + (" AND source=?" if source else "")
        rows = self._query(sql + " ORDER BY source, name", (product_id, source) if source else (product_id,))
        return [AttributeValue(r["product_id"], r["name"], r["value"], r["source"], r["confidence"]) for r in rows]

    # -- jobs ------------------------------------------------------------------------------------------
    @staticmethod
    def _job(r: sqlite3.Row) -> Job:
        return Job(
            r["id"],
            r["product_id"],
            r["step"],
            JobState(r["state"]),
            r["input_hash"],
            r["attempts"],
            r["message"],
            r["started_at"],
            r["finished_at"],
        )

    def job(self, product_id: int, step: str) -> Job | None:
        rows = self._query("SELECT * FROM jobs WHERE product_id=? AND step=?", (product_id, step))
        return self._job(rows[0]) if rows else None

    def jobs(self, state: JobState | None = None, step: str | None = None) -> list[Job]:
        where, params = [], []
        if state is not None:
            where.append("state=?")
            params.append(state.value)
        if step is not None:
            where.append("step=?")
            params.append(step)
        sql = "SELECT * FROM jobs" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY product_id, id"
        return [self._job(r) for r in self._query(sql, params)]

    def job_counts(self) -> dict[JobState, int]:
        rows = self._query("SELECT state, COUNT(*) FROM jobs GROUP BY state")
        return {JobState(r[0]): int(r[1]) for r in rows}

    def job_counts_by_step(self) -> dict[tuple[str, JobState], int]:
        """{(step, state): number of jobs}."""
        rows = self._query("SELECT step, state, COUNT(*) FROM jobs GROUP BY step, state ORDER BY step, state")
        return {(r[0], JobState(r[1])): int(r[2]) for r in rows}

    def start_job(self, product_id: int, step: str, input_hash: str) -> Job:
        """Mark (product, step) running; a crash leaves it running until `reset_interrupted_jobs`."""
        now = time.time()
        with self.transaction() as c:
            c.execute(
                "INSERT INTO jobs (product_id, step, state, input_hash, attempts, started_at) VALUES (?,?,?,?,1,?)"
                " ON CONFLICT(product_id, step) DO UPDATE SET state=excluded.state, input_hash=excluded.input_hash,"
                " attempts=attempts+1, message='', started_at=excluded.started_at, finished_at=NULL",
                (product_id, step, JobState.RUNNING.value, input_hash, now),
            )
            job = self.job(product_id, step)
        assert job is not None
        return job

    def finish_job(
        self,
        job: Job,
        state: JobState,
        message: str = "",
        *,
        candidates: Sequence[NewCandidate] = (),
        attributes: Sequence[AttributeValue] = (),
    ) -> list[Candidate]:
        """Record a job's outcome with everything it produced, atomically.

        Generations add, never replace: the job's earlier drafts of the same generation group (kind, platform,
        language, tone) that nobody touched become SUPERSEDED, kept and viewable; approved, edited and
        person-rejected ones stay as they are. A draft the pipeline rejected is stored REJECTED, its reason
        in the approvals log. A cancelled or failed run supersedes nothing: the earlier drafts stay current.
        """
        now = time.time()
        with self.transaction() as c:
            if state in (JobState.DONE, JobState.SKIPPED):
                self._supersede(c, job, candidates)
            ids = []
            for n in candidates:
                cid = c.execute(
                    "INSERT INTO candidates (product_id, job_id, kind, rank, text, file_sha, params, provenance,"
                    " scores, score, state, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        job.product_id,
                        job.id,
                        CandidateKind(n.kind).value,
                        n.rank,
                        n.text,
                        n.file_sha,
                        dumps_json(n.params),
                        dumps_json(n.provenance),
                        dumps_json(n.scores),
                        n.score,
                        CandidateState(n.state).value,
                        now,
                    ),
                ).lastrowid
                if n.state is not CandidateState.PROPOSED:
                    c.execute(
                        "INSERT INTO approvals (candidate_id, decision, actor, note, decided_at) VALUES (?,?,?,?,?)",
                        (cid, n.state.value, PIPELINE_ACTOR, str(n.params.get("reason", "")), now),
                    )
                ids.append(cid)
            for a in attributes:
                c.execute(
                    "INSERT INTO attribute_values (product_id, name, value, source, confidence) VALUES (?,?,?,?,?)"
                    " ON CONFLICT(product_id, name, source) DO UPDATE SET value=excluded.value,"
                    " confidence=excluded.confidence",
                    (a.product_id, a.name, a.value, a.source, a.confidence),
                )
            c.execute(
                "UPDATE jobs SET state=?, message=?, finished_at=? WHERE id=?", (state.value, message, now, job.id)
            )
            return [self.candidate(int(i)) for i in ids]

    # -- project settings (the meta table) ------------------------------------------------------------
    def setting(self, key: ProjectSetting) -> str:
        """A project setting's value ("" when unset)."""
        rows = self._query("SELECT value FROM meta WHERE key=?", (ProjectSetting(key).value,))
        return str(rows[0][0]) if rows else ""

    def set_setting(self, key: ProjectSetting, value: str) -> None:
        """Set (or, with "", clear) a project setting, after checking it (`ProjectSetting.check`)."""
        key = ProjectSetting(key)
        value = key.check(value)
        with self.transaction() as c:
            if value:
                c.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                    (key.value, value),
                )
            else:
                c.execute("DELETE FROM meta WHERE key=?", (key.value,))

    def reset_interrupted_jobs(self) -> int:
        """Jobs left `running` by a killed process go back to pending; returns how many."""
        with self.transaction() as c:
            return c.execute(
                "UPDATE jobs SET state='pending', message='interrupted; will be redone' WHERE state='running'"
            ).rowcount

    # -- exports and housekeeping ----------------------------------------------------------------------
    def record_export(
        self, platform: str, out_dir: str, state: str, message: str = "", files: Iterable[str] = ()
    ) -> int:
        with self.transaction() as c:
            return int(
                c.execute(
                    "INSERT INTO exports (platform, out_dir, state, message, files, created_at) VALUES (?,?,?,?,?,?)",
                    (platform, out_dir, state, message, dumps_json(list(files)), time.time()),
                ).lastrowid
            )

    def exports(self) -> list[ExportRow]:
        return [
            ExportRow(
                r["id"],
                r["platform"],
                r["out_dir"],
                r["state"],
                r["message"],
                loads_json(r["files"], []),
                r["created_at"],
            )
            for r in self._query("SELECT * FROM exports ORDER BY id")
        ]

    def referenced_shas(self) -> set[str]:
        """Every asset sha the database points at; anything else in the asset store is an orphan."""
        rows = self._query("SELECT sha256 FROM images UNION SELECT file_sha FROM candidates WHERE file_sha IS NOT NULL")
        shas = {r[0] for r in rows}
        for c in self._query("SELECT params FROM candidates WHERE params LIKE '%\"assets\"%'"):
            shas.update(loads_json(c[0], {}).get("assets", []))  # multi-file candidates list extra blobs here
        return shas

    def gc(self) -> tuple[int, int]:
        """Remove orphan blobs and leftover temp files; returns (files removed, bytes freed)."""
        with self._lock:
            return self.assets.gc(self.referenced_shas())
