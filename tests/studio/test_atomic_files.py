"""studio.atomic_files: final files and folders get the umask's normal mode, not mkstemp's private 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from studio.atomic_files import atomic_copy, atomic_write_bytes, atomic_write_text, current_umask, staged_dir


@pytest.fixture(params=[0o022, 0o027])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_files_and_staged_folders_get_umask_mode(tmp_path: Path, umask: int):
    assert current_umask() == umask
    written = atomic_write_bytes(tmp_path / "a" / "data.bin", b"x")
    text = atomic_write_text(tmp_path / "a" / "note.txt", "héllo")
    copied = atomic_copy(written, tmp_path / "b" / "copy.bin")
    assert copied.read_bytes() == b"x" and text.read_text(encoding="utf-8") == "héllo"
    with staged_dir(tmp_path / "pkg") as tmp:
        atomic_write_text(tmp / "report.html", "<html></html>")
    for f in (written, text, copied, tmp_path / "pkg" / "report.html"):
        assert _mode(f) == 0o666 & ~umask, f
    assert _mode(tmp_path / "pkg") == 0o777 & ~umask
    # Nothing temporary is left beside the results.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "pkg"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["data.bin", "note.txt"]


def test_staged_dir_replaces_whole_folder_or_nothing(tmp_path: Path):
    final = tmp_path / "pkg"
    with staged_dir(final) as tmp:
        (tmp / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), staged_dir(final) as tmp:
        (tmp / "new.txt").write_text("new")
        raise RuntimeError("crash mid-export")
    assert [p.name for p in final.iterdir()] == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]
