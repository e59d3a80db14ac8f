"""What every platform writer builds on: the package's staging folder, streamed text, CSV and JSON files, slugs.

The platform writers and the report import this module and `package` imports them, so imports inside
`studio.export` point one way: package -> writers -> package_writer / selection -> bundle, images, csv_safe.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from generators.runtime.errors import VitrineError
from studio import atomic_files
from studio.export.bundle import ExportProduct, ExportRequest
from studio.export.csv_safe import escape_cell, escaped_rows
from studio.export.images import ImageSpec, PreparedImage, prepare, strip_video_metadata
from studio.project.review import ExportMode, ExportPolicy


class ExportError(VitrineError):
    """The package could not be written (unreadable image, no space, bad folder)."""


def slug(text: str, fallback: str = "item") -> str:
    """ASCII file/handle name: lowercase letters, digits and dashes."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
    return s[:80] or fallback


@dataclass
class PackageWriter:
    """Shared by the platform writers: writes into the staging folder and remembers files and warnings.

    Products stream through one at a time, so only small summaries stay here: file names (relative), the
    warnings (kept per stage, so their order is the same as writing each platform for every product in turn)
    and the current product's warnings for the report.
    """

    root: Path
    request: ExportRequest
    rel_files: list[str] = field(default_factory=list)
    stage: str = ""
    product_warnings: list[str] = field(default_factory=list)
    global_warnings: list[str] = field(default_factory=list)
    _stages: dict[str, list[str]] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)
    _images: dict[tuple[Path, str, str], PreparedImage] = field(default_factory=dict)

    @property
    def mode(self) -> ExportMode:
        return self.request.review_mode

    def image_url(self, path: Path) -> str:
        """Where a platform fetches an image written at `path`: `<image base URL>/<file name>` when the export has
        a base URL, else the file's path inside the package (then UPLOAD.md says what to upload where)."""
        base = self.request.image_base_url.rstrip("/")
        return f"{base}/{path.name}" if base else self.rel(path)

    @property
    def policy(self) -> ExportPolicy:
        """What goes out: the review mode, and whether the quality gate's weak candidates may."""
        return ExportPolicy(self.request.review_mode, self.request.include_weak)

    @property
    def warnings(self) -> list[str]:
        """Every warning, stage by stage (platforms in order, then the package checks)."""
        return [w for ws in self._stages.values() for w in ws]

    def stage_warnings(self, stage: str) -> list[str]:
        """The warnings written while `stage` (a platform's value, or "checks") was current, in order."""
        return list(self._stages.get(stage, ()))

    def begin_product(self) -> None:
        """Forget the previous product's warnings and image cache (image targets are per product)."""
        self.product_warnings = []
        self._images.clear()

    def add_file(self, path: Path) -> Path:
        self.rel_files.append(self.rel(path))
        return path

    def write(self, rel: str, data: bytes) -> Path:
        # A plain write: the staging folder is what is atomic (staged_dir fsyncs every file and folder once
        # before the rename), so a temp file + fsync + rename per file would only triple the fsyncs.
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return self.add_file(path)

    def warn(self, sku: str, message: str) -> None:
        line = f"{sku}: {message}" if sku else message
        if line in self._seen:
            return
        self._seen.add(line)
        self._stages.setdefault(self.stage, []).append(line)
        if sku:
            self.product_warnings.append(message)
        else:
            self.global_warnings.append(line)

    def image(self, sku: str, src: Path, spec: ImageSpec, rel: str) -> PreparedImage:
        """Write `src` prepared to `spec` at `rel` (once per source/spec/target); flags become warnings."""
        key = (Path(src), spec.name, rel)
        if key in self._images:
            return self._images[key]
        try:
            data, info = prepare(Path(src), spec)
        except VitrineError:
            raise
        except OSError as exc:
            raise ExportError(f"{sku}: image '{src}' cannot be read ({exc})") from exc
        path = self.write(rel, data)
        for flag in info.flags:
            self.warn(sku, f"{rel}: {flag}")
        done = replace(info, path=path)  # the report of `prepare`, at the written path
        self._images[key] = done
        return done

    def video(self, sku: str, src: Path, rel: str) -> Path:
        """Copy a video with its metadata (GPS, device, dates) removed; a plain copy, flagged, if ffmpeg can't."""
        path = self.root / rel
        if not Path(src).is_file():
            raise ExportError(f"{sku}: video '{src}' does not exist")
        if not strip_video_metadata(Path(src), path):
            shutil.copyfile(src, path)
            self.warn(sku, f"{rel}: copied as is (its metadata could not be removed)")
        return self.add_file(path)

    def rel(self, path: Path, start: str = "") -> str:
        """`path` relative to the package root (or to the sub-folder `start`), with forward slashes."""
        base = self.root / start if start else self.root
        return path.relative_to(base).as_posix()


class StagedText:
    """A package file written piece by piece to a temp name in its folder, renamed into place on `close()`."""

    def __init__(self, pw: PackageWriter, rel: str, encoding: str = "utf-8") -> None:
        self.pw = pw
        self.path = pw.root / rel
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(f"{atomic_files.TEMP_PREFIX}{self.path.name}")
        # newline="" so the csv module's \r\n and JSON/Markdown \n are written exactly as given.
        self.fh = self._tmp.open("w", encoding=encoding, newline="")

    def write(self, text: str) -> None:
        self.fh.write(text)

    def close(self) -> Path:
        self.fh.close()
        self._tmp.replace(self.path)
        return self.pw.add_file(self.path)

    def move_into(self, other: StagedText) -> None:
        """Append everything written here to `other` and delete this file (it never gets its final name)."""
        self.fh.close()
        with self._tmp.open(encoding=self.fh.encoding, newline="") as src:
            shutil.copyfileobj(src, other.fh, 1 << 20)
        self._tmp.unlink()


class CsvStream(StagedText):
    """A CSV file appended row by row; every cell escaped against formulas (see csv_safe)."""

    def __init__(self, pw: PackageWriter, rel: str, header: Sequence[str], encoding: str = "utf-8") -> None:
        super().__init__(pw, rel, encoding)
        self._width = len(header)
        self._csv = csv.writer(self.fh, lineterminator="\r\n")
        self._csv.writerow([escape_cell(h) for h in header])

    def rows(self, rows: Iterable[Sequence[object]]) -> None:
        self._csv.writerows(escaped_rows(rows, self._width))


class JsonArrayStream(StagedText):
    """`json.dumps({**head, key: items}, ensure_ascii=False, indent=2)`, written one item at a time."""

    def __init__(self, pw: PackageWriter, rel: str, head: dict[str, Any], key: str) -> None:
        super().__init__(pw, rel)
        shell = json.dumps({**head, key: []}, ensure_ascii=False, indent=2)
        cut = shell.rindex("[]")  # the array is the last member, so its "[]" is the last one
        self._prefix, self._suffix = shell[: cut + 1], shell[cut + 1 :]
        self._count = 0

    def add(self, item: Any) -> None:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        self.write((self._prefix if self._count == 0 else ",") + "\n    " + text)
        self._count += 1

    def close(self) -> Path:
        self.write(self._prefix + self._suffix if self._count == 0 else "\n  " + self._suffix)
        return super().close()


class PlatformWriter(Protocol):
    """One platform folder, fed one product at a time, finished by `close()`."""

    def add(self, product: ExportProduct) -> None: ...

    def close(self) -> None: ...
