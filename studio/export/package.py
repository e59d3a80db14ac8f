"""The export entry point: picks candidates, writes each platform folder and report.html into one atomic package."""

from __future__ import annotations

import csv
import json
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterable, Sequence, Sized
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from generators.runtime.errors import VitrineError
from generators.runtime.progress import ProgressFn, report
from studio import atomic_files
from studio.export.bundle import (
    CopyCandidate,
    ExportProduct,
    ExportRequest,
    ExportResult,
    MediaCandidate,
    Platform,
    _Candidate,
)
from studio.export.csv_safe import escape_cell, escaped_rows
from studio.export.images import ImageSpec, PreparedImage, prepare, strip_video_metadata
from studio.project.review import ExportMode, exported, rank_key

C = TypeVar("C", bound=_Candidate)


class ExportError(VitrineError):
    """The package could not be written (unreadable image, no space, bad folder)."""


def ranked(cands: Sequence[C]) -> list[C]:
    """All candidates in rank order, rejected ones last (for the report)."""
    return sorted((c for c in cands if not c.rejected), key=rank_key) + [c for c in cands if c.rejected]


def copy_for(
    product: ExportProduct, platform: str, mode: ExportMode, language: str | None = None
) -> CopyCandidate | None:
    """The copy to use on a platform: written for it, else generic copy, else the best copy for another platform.

    `language` keeps only copy in that language ("en", "zh"), so Chinese copy never lands in an English listing.
    """
    out = [c for c in exported(product.copy, mode) if language is None or c.language.lower().startswith(language)]
    for wanted in (platform, "", "generic"):
        pick = [c for c in out if c.platform.lower() == wanted]
        if pick:
            return pick[0]
    return out[0] if out else None


def alt_text(product: ExportProduct, mode: ExportMode) -> str:
    """The best caption that goes out (what the image shows) for alt text; the title when there is none."""
    caps = [c for c in exported(product.captions, mode) if c.language.lower().startswith("en")]
    return caps[0].text if caps else product.title


def chosen_media(cands: Sequence[MediaCandidate], mode: ExportMode) -> list[MediaCandidate]:
    """Every generated image or video that goes out (photos all belong in a listing), best first."""
    return exported(cands, mode)


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

    @property
    def warnings(self) -> list[str]:
        """Every warning, stage by stage (platforms in order, then the package checks)."""
        return [w for ws in self._stages.values() for w in ws]

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


def _writers() -> dict[Platform, Callable[[PackageWriter], PlatformWriter]]:
    from studio.export import amazon, generic, shopify, taobao

    return {
        Platform.SHOPIFY: shopify.Writer,
        Platform.AMAZON: amazon.Writer,
        Platform.TAOBAO: taobao.Writer,
        Platform.GENERIC: generic.Writer,
    }


def _write_manifest(pw: PackageWriter, platforms: tuple[Platform, ...], skus: list[str]) -> None:
    """manifest.json: what the package holds, for scripts and for the GUI's export history."""
    doc = {
        "format": "vitrine-export/1",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "review_mode": pw.mode.value,
        "platforms": [p.value for p in platforms],
        "products": skus,
        "files": [*sorted(pw.rel_files), "manifest.json"],
        "warnings": pw.warnings,
    }
    pw.write("manifest.json", json.dumps(doc, ensure_ascii=False, indent=2).encode())


CHECKS_STAGE = "checks"


def export_packages(request: ExportRequest, progress: ProgressFn | None = None) -> ExportResult:
    """Write the export package `<out_dir>/<package_name>` atomically and return what was written.

    Products stream through: each one is written to every platform folder and to report.html before the next
    is read, so `request.products` may be a generator and memory stays flat however many products there are.

    Args:
        request: products, platforms, review mode and destination.
        progress: optional callback; one step per product plus one for report.html (total 0 = unknown while
            the products come from a generator).

    Returns:
        ExportResult with absolute paths of every file in the final package, warnings for a person to check
        (non-white main image, upscaled photos, missing copy, placeholder outputs) and the report path.
    """
    from studio.export import report as report_mod

    platforms = tuple(dict.fromkeys(Platform(p) for p in request.platforms))
    final = Path(request.out_dir) / request.package_name
    factories = _writers()
    products = request.products
    total = len(products) + 1 if isinstance(products, Sized) else 0
    skus: list[str] = []
    with atomic_files.staged_dir(final) as tmp:
        pw = PackageWriter(tmp, request)
        for stage in (*(p.value for p in platforms), CHECKS_STAGE):
            pw._stages[stage] = []
        writers = []
        for platform in platforms:
            pw.stage = platform.value
            writers.append((platform, factories[platform](pw)))
        pw.stage = ""
        rep = report_mod.ReportWriter(pw)
        for i, product in enumerate(products):
            report(progress, i, total, f"exporting {product.sku}")
            pw.begin_product()
            for platform, writer in writers:
                pw.stage = platform.value
                writer.add(product)
            pw.stage = CHECKS_STAGE
            if not product.images and not product.image_candidates:
                pw.warn(product.sku, "no images to export")
            rep.add(product)
            skus.append(product.sku)
        count = len(skus)
        total = count + 1
        report(progress, count, total, "writing report.html")
        for platform, writer in writers:
            pw.stage = platform.value
            writer.close()
        pw.stage = CHECKS_STAGE
        report_path = rep.close(count)
        _write_manifest(pw, platforms, skus)
        staged = list(pw.rel_files)
    report(progress, total, total, "export done")
    return ExportResult(
        package_dir=final,
        files=tuple(final / p for p in staged),
        warnings=tuple(pw.warnings),
        report_html=final / report_path.relative_to(tmp),
    )
