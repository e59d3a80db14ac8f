"""Content-addressed blob store with atomic writes.

Every blob lives at `assets/ab/abcdef...<ext>` named by the sha256 of its bytes, so writing the same content
twice is free and a file is either absent or complete: bytes go to a temp file in the same folder, are
fsynced, then renamed into place. Nothing half-written ever carries a final name.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

# atomic_write_text is re-exported for callers that import it from here (studio.batch.session).
from studio.atomic_files import TEMP_PREFIX, atomic_copy, atomic_write_bytes, atomic_write_text

__all__ = ["TEMP_PREFIX", "AssetStore", "atomic_write_text", "sha256_file"]

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _clean_ext(ext: str) -> str:
    ext = ext.lower().lstrip(".")
    return f".{ext}" if ext and ext.isalnum() and len(ext) <= 8 else ""


class AssetStore:
    """Blobs named by sha256 under one folder. Thread-safe: writers race only on identical content."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha: str) -> Path:
        """Path of the blob `sha` (which may carry no extension); raises FileNotFoundError if absent."""
        folder = self.root / sha[:2]
        exact = folder / sha
        if exact.is_file():
            return exact
        try:
            # A plain prefix scan: glob() would compile (and cache) one pattern per sha, growing memory.
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith(sha + ".") and entry.is_file():
                        return Path(entry.path)
        except FileNotFoundError:
            pass
        raise FileNotFoundError(f"asset {sha} is not in the project store")

    def has(self, sha: str) -> bool:
        try:
            self.path_for(sha)
        except FileNotFoundError:
            return False
        return True

    def put_bytes(self, data: bytes, ext: str = "") -> str:
        """Store `data`; return its sha256. The file is named `<sha><ext>` (ext like '.png')."""
        sha = hashlib.sha256(data).hexdigest()
        if not self.has(sha):
            atomic_write_bytes(self.root / sha[:2] / f"{sha}{_clean_ext(ext)}", data)
        return sha

    def put_file(self, src: Path, ext: str | None = None) -> str:
        """Copy the file `src` into the store; return its sha256 (extension taken from `src` by default)."""
        src = Path(src)
        sha = sha256_file(src)
        if not self.has(sha):
            suffix = src.suffix if ext is None else ext
            atomic_copy(src, self.root / sha[:2] / f"{sha}{_clean_ext(suffix)}")
        return sha

    def iter_shas(self) -> Iterator[tuple[str, Path]]:
        """Every stored blob as (sha, path); temp files are skipped."""
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            for p in sorted(folder.iterdir()):
                if p.is_file() and not p.name.startswith(TEMP_PREFIX):
                    yield p.name.split(".", 1)[0], p

    def temp_files(self) -> list[Path]:
        """Leftover temp files (from a process killed mid-write); never visible under a final name."""
        return sorted(p for p in self.root.rglob(f"{TEMP_PREFIX}*") if p.is_file())

    def remove_temp_files(self) -> int:
        """Delete leftover temp files; call only when no other process writes to this store."""
        files = self.temp_files()
        for p in files:
            p.unlink(missing_ok=True)
        return len(files)

    def gc(self, keep: Iterable[str]) -> tuple[int, int]:
        """Delete blobs not in `keep` and leftover temp files; return (files removed, bytes freed)."""
        keep_set = set(keep)
        removed = freed = 0
        doomed = [p for sha, p in self.iter_shas() if sha not in keep_set] + self.temp_files()
        for p in doomed:
            size = p.stat().st_size
            p.unlink(missing_ok=True)
            removed += 1
            freed += size
        return removed, freed
