"""Atomic files and folders: a reader sees the old file (or folder) or the new one, never half of either.

A file is written to a temp file in the same folder, fsynced, then renamed over its final name, and the folder
is fsynced so the rename itself survives a crash. `staged_dir` does the same for a whole folder. Temp files
made by `tempfile` are private (0600, folders 0700); what ends up under a final name gets the mode a plain
`open()`/`mkdir()` would give under the user's umask instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_PREFIX = ".tmp-"
_CHUNK = 1 << 20


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (os.umask() alone must set it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    # Fallback: set and restore at once (racy only against another thread creating files in that instant).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Mode of a newly created file: 0o666 less the umask."""
    return 0o666 & ~current_umask()


def dir_mode() -> int:
    """Mode of a newly created folder: 0o777 less the umask."""
    return 0o777 & ~current_umask()


def fsync_dir(folder: Path) -> None:
    """Make renames inside `folder` durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fill_atomically(dest: Path, fill, durable: bool = True) -> Path:  # fill(binary file) writes the content
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), file_mode())
            else:  # pragma: no cover - Windows
                os.chmod(tmp, file_mode())
            fill(fh)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(dest.parent)
    return dest


def atomic_write_bytes(dest: Path, data: bytes, *, durable: bool = True) -> Path:
    """Write `data` to `dest` atomically: temp file in the same folder, fsync, rename, fsync the folder.

    `durable=False` skips both fsyncs, for caches: a reader still never sees half a file, but an entry may be
    lost in a crash (and is then made again).
    """
    return _fill_atomically(dest, lambda fh: fh.write(data), durable)


def atomic_write_text(dest: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `dest` atomically (UTF-8 by default)."""
    return atomic_write_bytes(dest, text.encode(encoding))


def atomic_copy(src: Path, dest: Path) -> Path:
    """Copy `src` to `dest` atomically (the destination never holds a partial copy)."""
    with Path(src).open("rb") as inp:
        return _fill_atomically(dest, lambda fh: shutil.copyfileobj(inp, fh, _CHUNK))


@contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """Build a folder in a temp sibling; on success it replaces `final` in one rename, on error it vanishes.

    An existing `final` is first moved aside and deleted only after the new folder is in place, so a crash
    at any point leaves either the old folder or the new one under the final name. Files inside can be
    written plainly: all of them (and their folders) are fsynced once before the rename.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent))
    try:
        os.chmod(tmp, dir_mode())
        yield tmp
        # Every file and folder inside is made durable once, here; files in it need no atomic writes of their own.
        for root, _dirs, files in os.walk(tmp):
            for name in files:
                with open(Path(root) / name, "rb") as f:
                    os.fsync(f.fileno())
            fsync_dir(Path(root))
        old = None
        if final.exists():
            old = final.parent / f".{final.name}.old-{os.getpid()}"
            if old.exists():
                shutil.rmtree(old)
            os.replace(final, old)
        os.replace(tmp, final)
        fsync_dir(final.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
