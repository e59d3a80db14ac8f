"""`vitrine video --catalog CATALOG --preset douyin --out DIR [--sku SKU]`: a product video per catalog row.

Each product gets `DIR/<SKU>/<preset>.mp4`, its poster (`<preset>.jpg`), subtitles (`<preset>.srt`) and
`video.json` (inputs, shots with their CLIP scores, warnings, provenance). A video that already passes the
output contract is skipped, so an interrupted run picks up where it stopped; a product that fails is reported
and the run goes on.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studio.cli.progress_bar import progress_bar

VIDEO_JSON = "video.json"
BYTES_PER_JOB = 1_500_000_000  # a 1080×1920 render with x264 peaks near 1 GB; keep headroom


@dataclass(frozen=True)
class ProductJob:
    """Everything one product's render needs (plain data: it crosses to worker processes)."""

    sku: str
    title: str
    description: str
    attributes: dict[str, str]
    photos: tuple[str, ...]
    footage: tuple[str, ...]
    problems: tuple[str, ...] = field(default=())


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("video", help="render a short product video per catalog product (Douyin, Reels, …)")
    p.add_argument("--catalog", required=True, help="catalog CSV/TSV/JSON or folder; a 'videos' column adds footage")
    p.add_argument("--sku", default=None, help="only this product")
    p.add_argument(
        "--preset", default="douyin", help="douyin, tiktok, reels, shorts, square, youtube, taobao, taobao_3x4"
    )
    p.add_argument("--out", required=True, help="output folder (one sub-folder per SKU)")
    p.add_argument("--duration", type=float, default=None, help="target seconds (6, 15, 30; default: the preset's)")
    p.add_argument("--music", default=None, help="background music file (looped when shorter, faded out)")
    p.add_argument("--demo-music", action="store_true", help="a short synthesized track instead of a music file")
    p.add_argument("--logo", default=None, help="brand logo / watermark image")
    p.add_argument("--size", default=None, metavar="WxH", help="frame size override, e.g. 540x960 for previews")
    p.add_argument("--x264-preset", default="veryfast", help="libx264 speed preset")
    p.add_argument("--jobs", type=int, default=1, help="products rendered in parallel (capped by memory and CPUs)")
    p.add_argument("--no-clip", action="store_true", help="do not rank footage shots with CLIP")
    p.add_argument("--force", action="store_true", help="render again even when a finished video exists")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--profile", default=None, help="model profile for the CLIP scorer (default: settings.profile)")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_video)


def catalog_jobs(catalog: Path, sku: str | None = None) -> list[ProductJob]:
    """One job per catalog product (photos and footage resolved inside the catalog's folder)."""
    from studio.project.catalog_formats import ERROR_KEY, CatalogError, read_catalog
    from studio.project.importer import FOOTAGE_COLUMN, ImageRejected, check_columns, parse_row, resolve_image_path

    raw = read_catalog(catalog)
    check_columns(raw)
    base = catalog if catalog.is_dir() else catalog.parent
    jobs = []
    for rec in raw.records:
        if ERROR_KEY in rec.cells:
            continue
        row = parse_row(rec)
        if not row.sku or (sku is not None and row.sku != sku):
            continue
        photos, footage, problems = [], [], []
        for _column, ref in row.image_refs():
            try:
                photos.append(str(resolve_image_path(ref, base)))
            except ImageRejected as exc:
                problems.append(str(exc))
        for _column, ref in row.image_refs(FOOTAGE_COLUMN):  # the importer's footage columns (`videos`)
            try:
                footage.append(str(resolve_image_path(ref, base, "video")))
            except ImageRejected as exc:
                problems.append(str(exc))
        attributes = {**row.fields, **row.attributes}
        jobs.append(
            ProductJob(row.sku, row.title, row.description, attributes, tuple(photos), tuple(footage), tuple(problems))
        )
    if sku is not None and not jobs:
        raise CatalogError(f"SKU '{sku}' is not in the catalog '{catalog}'")
    return jobs


def finished(folder: Path, preset: str) -> bool:
    """Whether `folder` holds a video for `preset` that keeps the output contract (and its record)."""
    from generators.video.encoder import contract_problems

    record = folder / VIDEO_JSON
    video = folder / f"{preset}.mp4"
    if not (record.is_file() and video.is_file()):
        return False
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        size, fps, frames = tuple(data["size"]), int(data["fps"]), int(data["frames"])
    except (ValueError, KeyError, TypeError):
        return False
    return data.get("preset") == preset and contract_problems(video, size, fps, frames) == []


_PIPELINES: dict[Any, Any] = {}  # per process: the pipeline with / without CLIP, built once


def _pipeline(profile: str | None, clip: bool) -> Any:
    from generators.factory import SharedModels

    if (profile, clip) not in _PIPELINES:
        shared = _PIPELINES.setdefault(("shared", profile), SharedModels(profile))
        _PIPELINES[(profile, clip)] = shared.pipeline("video", clip=clip)
    return _PIPELINES[(profile, clip)]


def render_product(job: ProductJob, options: dict[str, Any], progress: Any = None) -> dict[str, Any]:
    """Render one product's video into `options["out"]/<SKU>/` and write its `video.json`; returns a summary."""
    from generators.video import VideoRequest
    from generators.video.copy_plan import video_copy
    from studio.atomic_files import atomic_write_text

    folder = Path(options["out"]) / job.sku
    preset = options["preset"]
    if not options["force"] and finished(folder, preset):
        return {"sku": job.sku, "status": "skipped", "video": str(folder / f"{preset}.mp4")}
    copy = video_copy(title=job.title, description=job.description, attributes=job.attributes)
    warnings = list(job.problems)
    pipe = _pipeline(options["profile"], not options["no_clip"])  # CLIP loads only for footage
    request = VideoRequest(
        out_path=folder / f"{preset}.mp4",
        photos=tuple(Path(p) for p in job.photos),
        footage=tuple(Path(p) for p in job.footage),
        preset=preset,
        duration_s=options["duration"],
        title=copy.title,
        bullets=copy.bullets,
        price=copy.price,
        call_to_action=copy.call_to_action,
        product_text=f"{job.title}. {job.description}".strip(". "),
        music=Path(options["music"]) if options["music"] else None,
        logo=Path(options["logo"]) if options["logo"] else None,
        frame_size=options["size"],
        x264_preset=options["x264_preset"],
        seed=options["seed"],
    )
    result = pipe.run(request, progress=progress)
    warnings.extend(result.warnings)
    record = {
        "sku": job.sku,
        "preset": result.preset,
        "video": result.path.name,
        "poster": result.poster.name,
        "subtitles": result.subtitles.name if result.subtitles else None,
        "size": list(result.size),
        "fps": result.fps,
        "frames": result.frames,
        "duration_s": result.duration_s,
        "inputs": {
            "photos": list(job.photos),
            "footage": list(job.footage),
            "music": options["music"],
            "logo": options["logo"],
            "copy": asdict(copy),
        },
        "timeline": list(result.timeline),
        "shots": [asdict(s) for s in result.shots],
        "overlays": list(result.overlays),
        "warnings": warnings,
        "provenance": result.provenance.to_dict(),
    }
    atomic_write_text(folder / VIDEO_JSON, json.dumps(record, ensure_ascii=False, indent=2))
    return {"sku": job.sku, "status": "rendered", "video": str(result.path), "warnings": warnings}


def _safe_render(job: ProductJob, options: dict[str, Any], progress: Any = None) -> dict[str, Any]:
    try:
        return render_product(job, options, progress)
    except Exception as exc:  # one product's failure is reported; the others still render
        return {"sku": job.sku, "status": "failed", "error": f"{type(exc).__name__}: {exc}"}


def _parse_size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    w, _, h = text.lower().partition("x")
    return int(w), int(h)


def _jobs_allowed(requested: int) -> int:
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        available = BYTES_PER_JOB
    return max(1, min(requested, os.cpu_count() or 1, available // BYTES_PER_JOB))


def _video(args: argparse.Namespace) -> int:
    from generators.runtime.progress import Progress
    from generators.video.encoder import synthesize_music
    from generators.video.presets import check_duration, get_preset

    preset = get_preset(args.preset)  # an unknown preset fails here, listing the valid ones
    if args.duration is not None:
        check_duration(preset, args.duration)
    out = Path(args.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    music = args.music
    if args.demo_music and not music:
        music = str(synthesize_music(out / "demo-music.wav", 8.0, seed=args.seed))
    options = {
        "out": str(out),
        "preset": preset.name,
        "duration": args.duration,
        "music": music,
        "logo": args.logo,
        "size": _parse_size(args.size),
        "x264_preset": args.x264_preset,
        "no_clip": args.no_clip,
        "force": args.force,
        "seed": args.seed,
        "profile": args.profile,
    }
    jobs = catalog_jobs(Path(args.catalog).expanduser(), args.sku)
    bar, close = progress_bar(args, f"video ({preset.name})")
    results: list[dict[str, Any]] = []
    total = len(jobs) * 100
    try:
        workers = _jobs_allowed(args.jobs)
        if workers > 1 and len(jobs) > 1:
            # spawn: a forked worker would inherit whatever threads and models this process already holds
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                futures = [pool.submit(_safe_render, job, options) for job in jobs]
                for future in as_completed(futures):
                    results.append(future.result())
                    bar(Progress(len(results) * 100, total, results[-1]["sku"]))
        else:
            for i, job in enumerate(jobs):

                def frames(p: Progress, i: int = i, sku: str = job.sku) -> None:
                    bar(Progress(i * 100 + round(100 * p.fraction), total, sku))

                results.append(_safe_render(job, options, frames))
                bar(Progress((i + 1) * 100, total, job.sku))
    finally:
        close()
    failed = [r for r in results if r["status"] == "failed"]
    if args.json:
        print(json.dumps({"preset": preset.name, "out": str(out), "products": results}, ensure_ascii=False, indent=2))
    else:
        for r in sorted(results, key=lambda r: r["sku"]):
            line = r.get("video") or r.get("error", "")
            print(f"{r['sku']}: {r['status']} {line}")
            for warning in r.get("warnings", ()):
                print(f"  warning: {warning}")
        counts = {s: sum(r["status"] == s for r in results) for s in ("rendered", "skipped", "failed")}
        print(
            f"{counts['rendered']} rendered, {counts['skipped']} skipped (already finished), {counts['failed']} failed"
        )
    if failed:
        print(f"{len(failed)} product(s) failed: " + ", ".join(r["sku"] for r in failed), file=sys.stderr)
    return 1 if failed else 0
