"""The export entry point: picks candidates, writes each platform folder and report.html into one atomic package."""

from __future__ import annotations

import json
from collections.abc import Callable, Sized
from datetime import UTC, datetime
from pathlib import Path

from generators.runtime.progress import ProgressFn, report
from studio import atomic_files
from studio.export import amazon, generic, shopify, taobao
from studio.export import report as report_mod
from studio.export.bundle import ExportProduct, ExportRequest, ExportResult, Platform
from studio.export.package_writer import PackageWriter, PlatformWriter
from studio.project.review import ExportPolicy, HoldReason, export_decisions


def _writers() -> dict[Platform, Callable[[PackageWriter], PlatformWriter]]:
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
GATE_REASONS = frozenset(
    {HoldReason.PLACEHOLDER, HoldReason.CONTRADICTS, HoldReason.UNSUPPORTED_TITLE, HoldReason.WEAK}
)


# Platforms that fetch listing images from public URLs, and the package folder whose files must be served there.
URL_PLATFORMS = {Platform.SHOPIFY: ("Shopify", "shopify/images"), Platform.AMAZON: ("Amazon", "amazon/images")}


def _write_upload_guide(pw: PackageWriter, platforms: tuple[Platform, ...]) -> None:
    """UPLOAD.md: which image folders to upload where, so the listings' image URLs resolve."""
    base = pw.request.image_base_url.rstrip("/")
    rows = []
    for platform in platforms:
        if platform in URL_PLATFORMS:
            label, folder = URL_PLATFORMS[platform]
            count = sum(1 for f in pw.rel_files if f.startswith(folder + "/"))
            if count:
                rows.append(f"| {label} | `{folder}/` ({count} files) | {f'`{base}/`' if base else '(not set)'} |")
    if not rows:
        return
    lines = [
        "# Uploading the images",
        "",
        "Shopify and Amazon import product images from public web addresses, not from files in this package.",
        "",
        "| platform | upload the files of | so that they are served under |",
        "|---|---|---|",
        *rows,
        "",
    ]
    if base:
        lines.append(f"The listings already name each image as `{base}/<file name>`.")
    else:
        lines += [
            "No image base URL is set, so the listings name each image by its path inside this package. Upload the",
            "folders above to your image host (a CDN, or Shopify Files), then set the base URL and export again:",
            "`vitrine batch CATALOG --out OUT --image-base-url https://cdn.example.com/shop` (the project remembers it),",
            "or the Image base URL field on the studio's Batch & export page.",
        ]
        pw.warn("", "Shopify and Amazon fetch images by URL: no image base URL is set (UPLOAD.md says what to upload)")
    if Platform.TAOBAO in platforms:
        lines += [
            "",
            "Taobao/Tmall and Douyin: upload `taobao/images/` through the seller centre's image space (图片空间).",
        ]
    pw.write("UPLOAD.md", ("\n".join(lines) + "\n").encode())


def held_back(product: ExportProduct, policy: ExportPolicy) -> list[str]:
    """What the quality gate kept out of the package, one line per set and reason: "copy for amazon (en): 2 held
    back: below the quality bar"."""
    from collections import Counter

    counts: Counter[tuple[str, str]] = Counter()
    cands = (*product.copy, *product.captions, *product.image_candidates, *product.video_candidates)
    for d in export_decisions(cands, policy):
        if d.held in GATE_REASONS:
            where = d.candidate.export_set
            target = f" for {where.platform}" if where.platform else ""
            lang = f" ({where.language})" if where.language else ""
            counts[(f"{where.kind.value}{target}{lang}", d.held.value)] += 1
    return [
        f"{what}: {n} held back: {why} (--include-weak exports {'it' if n == 1 else 'them'})"
        for (what, why), n in counts.items()
    ]


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
            for line in held_back(product, pw.policy):
                pw.warn(product.sku, line)
            rep.add(product)
            skus.append(product.sku)
        count = len(skus)
        total = count + 1
        report(progress, count, total, "writing report.html")
        for platform, writer in writers:
            pw.stage = platform.value
            writer.close()
        pw.stage = CHECKS_STAGE
        _write_upload_guide(pw, platforms)
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
