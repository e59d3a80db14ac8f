"""On-disk embedding cache: content hash + model identity -> float32 vector, in one sqlite file.

The model key folds in model id, revision, weights hash, dtype and the preprocessing version, so switching
models (or changing how images are prepared) can never serve a stale vector. Vectors are raw float32 bytes
(no pickle). The cache is disposable: a damaged file is moved aside and a fresh one started.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from generators.runtime.settings import Settings

CACHE_FILE = "clip-embeddings.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    key TEXT NOT NULL,
    dim INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS file_hashes (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    sha256 TEXT NOT NULL
) WITHOUT ROWID;
"""
_CHUNK = 500  # sqlite's default limit on bound variables is 999


def model_cache_key(*parts: object) -> str:
    """A short stable key for a model identity (id, revision, weights hash, dtype, preprocessing version)."""
    return hashlib.sha256("|".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:32]


def default_cache_path(project_dir: str | Path | None = None, settings: Settings | None = None) -> Path:
    """`<project>/cache/clip-embeddings.sqlite` inside a project, else the user cache dir."""
    if project_dir is not None:
        return Path(project_dir) / "cache" / CACHE_FILE
    from generators.runtime.settings import get_settings

    return (settings or get_settings()).cache_dir / CACHE_FILE


class EmbeddingCache:
    """Thread-safe sqlite-backed map (model key, content key) -> 1-D float32 vector."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._open()
        except sqlite3.DatabaseError:
            # A damaged cache is not worth an error: keep the file for inspection and start afresh.
            os.replace(self.path, self.path.with_suffix(".damaged"))
            return self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(_SCHEMA)
        return conn

    def get_many(self, model: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """Vectors found for `keys` (missing keys are simply absent)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT key, dim, data FROM vectors WHERE model = ? AND key IN ({marks})", (model, *chunk)
                ).fetchall()
                for key, dim, data in rows:
                    vec = np.frombuffer(data, dtype=np.float32)
                    if vec.shape == (dim,):
                        found[key] = vec
        return found

    def put_many(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Store vectors (overwriting any with the same keys)."""
        rows = []
        for key, vec in vectors.items():
            arr = np.ascontiguousarray(vec, dtype=np.float32).reshape(-1)
            rows.append((model, key, int(arr.shape[0]), arr.tobytes()))
        if not rows:
            return
        with self._lock, self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO vectors (model, key, dim, data) VALUES (?, ?, ?, ?)", rows)

    def known_file_hashes(self, stamps: Mapping[str, tuple[int, int, int]]) -> dict[str, str]:
        """Content hashes remembered for files whose (size, mtime_ns, inode) stamp is unchanged."""
        found: dict[str, str] = {}
        paths = list(stamps)
        with self._lock:
            for i in range(0, len(paths), _CHUNK):
                chunk = paths[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT path, size, mtime_ns, ino, sha256 FROM file_hashes WHERE path IN ({marks})", chunk
                ).fetchall()
                for path, size, mtime_ns, ino, sha in rows:
                    if stamps[path] == (size, mtime_ns, ino):
                        found[path] = sha
        return found

    def remember_file_hashes(self, entries: Mapping[str, tuple[tuple[int, int, int], str]]) -> None:
        """Remember path -> (stamp, sha256) so unchanged files need not be read and hashed again."""
        rows = [(p, st[0], st[1], st[2], sha) for p, (st, sha) in entries.items()]
        if rows:
            with self._lock, self._conn:
                self._conn.executemany("INSERT OR REPLACE INTO file_hashes VALUES (?, ?, ?, ?, ?)", rows)

    def count(self, model: str | None = None) -> int:
        with self._lock:
            if model is None:
                return int(self._conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
            return int(self._conn.execute("SELECT COUNT(*) FROM vectors WHERE model = ?", (model,)).fetchone()[0])

    def clear(self, model: str | None = None) -> None:
        with self._lock, self._conn:
            if model is None:
                self._conn.execute("DELETE FROM vectors")
            else:
                self._conn.execute("DELETE FROM vectors WHERE model = ?", (model,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
