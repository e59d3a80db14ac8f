"""Weights hygiene: safetensors only (never pickle), and truncated files caught with a clear message."""

from __future__ import annotations

import contextlib
import hashlib
import json
import struct
from pathlib import Path

from generators.runtime.errors import CorruptModelFileError, ModelNotAvailableError, UnsafeModelFileError

PICKLE_SUFFIXES = {".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"}
HASH_SIDECAR = ".vitrine-hash.json"


def check_safetensors_file(path: Path) -> None:
    """Validate the header and that the file holds every byte the header promises."""
    size = path.stat().st_size
    try:
        with path.open("rb") as fh:
            raw = fh.read(8)
            if len(raw) < 8:
                raise CorruptModelFileError(f"weights file '{path}' is truncated (no header)")
            (header_len,) = struct.unpack("<Q", raw)
            if header_len <= 0 or 8 + header_len > size:
                raise CorruptModelFileError(f"weights file '{path}' is truncated or not a safetensors file")
            header = json.loads(fh.read(header_len))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CorruptModelFileError(f"weights file '{path}' has a damaged header") from None
    end = max((int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"), default=0)
    if 8 + header_len + end > size:
        missing = 8 + header_len + end - size
        raise CorruptModelFileError(f"weights file '{path}' is truncated ({missing:,} bytes missing); pull it again")


def check_model_folder(folder: Path) -> list[Path]:
    """Return the folder's safetensors files, after checking them; refuse pickle-only folders.

    A folder with both (many hub repos ship both) is fine: only the safetensors are ever loaded.
    """
    if not folder.is_dir():
        raise ModelNotAvailableError(f"model folder '{folder}' does not exist")
    files = [p for p in folder.rglob("*") if p.is_file()]
    safe = sorted(p for p in files if p.suffix == ".safetensors")
    pickled = sorted(p for p in files if p.suffix in PICKLE_SUFFIXES)
    if not safe and pickled:
        raise UnsafeModelFileError(
            f"refusing '{pickled[0]}': pickle-based weights can run arbitrary code; "
            "Vitrine loads only .safetensors files"
        )
    for path in safe:
        check_safetensors_file(path)
    return safe


def folder_hash(folder: Path, files: list[Path] | None = None) -> str:
    """sha256 over the folder's safetensors files, cached in a sidecar keyed by size and mtime."""
    files = sorted(files if files is not None else folder.rglob("*.safetensors"))
    stamp = [[p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns] for p in files]
    sidecar = folder / HASH_SIDECAR
    if sidecar.is_file():
        try:
            cached = json.loads(sidecar.read_text())
            if cached.get("stamp") == stamp:
                return str(cached["sha256"])
        except (json.JSONDecodeError, KeyError, OSError):
            pass
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode())
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    value = digest.hexdigest()
    # A read-only model folder (e.g. inside site-packages) just gets hashed again next time.
    with contextlib.suppress(OSError):
        sidecar.write_text(json.dumps({"stamp": stamp, "sha256": value}))
    return value
