"""The export entry point: picks candidates, writes each platform folder and report.html into one atomic package."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

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
    ReviewMode,
    _Candidate,
)
from studio.export.images import ImageSpec, PreparedImage, prepare, strip_video_metadata

C = TypeVar("C", bound=_Candidate)


class ExportError(VitrineError):
    """The package could not be written (unreadable image, no space, bad folder)."""


def eligible(cands: Iterable[C], mode: ReviewMode) -> list[C]:
    """Candidates that may go out, best first: approved only (REVIEW) or every non-rejected one (BEST)."""
    keep = [c for c in cands if (c.approved if mode is ReviewMode.REVIEW else not c.rejected)]
    return sorted(keep, key=lambda c: (c.rank is None, c.rank or 0, -max(c.scores.values(), default=0.0)))


def ranked(cands: Iterable[C]) -> list[C]:
    """All candidates in rank order (for the report)."""
    return eligible(cands, ReviewMode.BEST) + [c for c in cands if c.rejected]


def copy_for(
    product: ExportProduct, platform: str, mode: ReviewMode, language: str | None = None
) -> CopyCandidate | None:
    """The copy to use on a platform: written for it, else generic copy, else the best copy for another platform.

    `language` keeps only copy in that language ("en", "zh"), so Chinese copy never lands in an English listing.
    """
    cands = [c for c in product.copy if language is None or c.language.lower().startswith(language)]
    for wanted in (platform, "", "generic"):
        pick = eligible([c for c in cands if c.platform.lower() == wanted], mode)
        if pick:
            return pick[0]
    pick = eligible(cands, mode)
    return pick[0] if pick else None


def alt_text(product: ExportProduct, mode: ReviewMode) -> str:
    """The best caption (what the image shows) for alt text; the title when there is none."""
    caps = eligible([c for c in product.captions if c.language.lower().startswith("en")], mode)
    return caps[0].text if caps else product.title


def chosen_media(cands: Sequence[MediaCandidate], mode: ReviewMode) -> list[MediaCandidate]:
    """Every generated image or video that may go out (photos all belong in a listing), best first."""
    return eligible(cands, mode)


def slug(text: str, fallback: str = "item") -> str:
    """ASCII file/handle name: lowercase letters, digits and dashes."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
    return s[:80] or fallback


@dataclass
class PackageWriter:
    """Shared by the platform writers: writes into the staging folder and remembers files and warnings."""

    root: Path
    request: ExportRequest
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _images: dict[tuple[Path, str, str], PreparedImage] = field(default_factory=dict)

    @property
    def mode(self) -> ReviewMode:
        return self.request.review_mode

    def write(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        atomic_files.atomic_write_bytes(path, data)
        self.files.append(path)
        return path

    def warn(self, sku: str, message: str) -> None:
        line = f"{sku}: {message}" if sku else message
        if line not in self.warnings:
            self.warnings.append(line)

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
        done = PreparedImage(path, info.width, info.height, info.upscaled, info.white_fraction, info.flags)
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
        self.files.append(path)
        return path

    def rel(self, path: Path, start: str = "") -> str:
        """`path` relative to the package root (or to the sub-folder `start`), with forward slashes."""
        base = self.root / start if start else self.root
        return path.relative_to(base).as_posix()


def _writers() -> dict[Platform, Callable[[PackageWriter], None]]:
    from studio.export import amazon, generic, shopify, taobao

    return {
        Platform.SHOPIFY: shopify.write,
        Platform.AMAZON: amazon.write,
        Platform.TAOBAO: taobao.write,
        Platform.GENERIC: generic.write,
    }


def _write_manifest(pw: PackageWriter, platforms: tuple[Platform, ...]) -> None:
    """manifest.json: what the package holds, for scripts and for the GUI's export history."""
    files = sorted(pw.rel(p) for p in pw.files)
    doc = {
        "format": "vitrine-export/1",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "review_mode": pw.mode.value,
        "platforms": [p.value for p in platforms],
        "products": [p.sku for p in pw.request.products],
        "files": [*files, "manifest.json"],
        "warnings": pw.warnings,
    }
    pw.write("manifest.json", json.dumps(doc, ensure_ascii=False, indent=2).encode())


def export_packages(request: ExportRequest, progress: ProgressFn | None = None) -> ExportResult:
    """Write the export package `<out_dir>/<package_name>` atomically and return what was written.

    Args:
        request: products, platforms, review mode and destination.
        progress: optional callback; one step per platform plus one for report.html.

    Returns:
        ExportResult with absolute paths of every file in the final package, warnings for a person to check
        (non-white main image, upscaled photos, missing copy, placeholder outputs) and the report path.
    """
    from studio.export import report as report_mod

    platforms = tuple(dict.fromkeys(Platform(p) for p in request.platforms))
    final = Path(request.out_dir) / request.package_name
    writers = _writers()
    total = len(platforms) + 1
    with atomic_files.staged_dir(final) as tmp:
        pw = PackageWriter(tmp, request)
        for i, platform in enumerate(platforms):
            report(progress, i, total, f"writing {platform.value} package")
            writers[platform](pw)
        report(progress, len(platforms), total, "writing report.html")
        for product in request.products:
            if not product.images and not product.image_candidates:
                pw.warn(product.sku, "no images to export")
        report_path = report_mod.write(pw)
        _write_manifest(pw, platforms)
        staged = [p.relative_to(tmp) for p in pw.files]
    report(progress, total, total, "export done")
    return ExportResult(
        package_dir=final,
        files=tuple(final / p for p in staged),
        warnings=tuple(pw.warnings),
        report_html=final / report_path.relative_to(tmp),
    )
