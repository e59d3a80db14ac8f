"""`vitrine score IMAGE... --text "..."` and `vitrine rank DIR --prompt "..."`."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from studio.cli.progress_bar import progress_bar

PLACEHOLDER_BANNER = "PLACEHOLDER MODEL (random weights): scores are meaningless"


def register(sub: argparse._SubParsersAction) -> None:
    score = sub.add_parser("score", help="CLIPScore of images against one or more texts")
    score.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    score.add_argument("--text", "-t", action="append", required=True, help="text to score against (repeatable)")
    add_scoring_options(score)
    score.set_defaults(func=_score)

    rnk = sub.add_parser("rank", help="rank the images of a folder against a prompt, with reasons")
    rnk.add_argument("folder", metavar="DIR", help="folder of candidate images (or image files)", nargs="+")
    rnk.add_argument("--prompt", "-p", action="append", default=[], help="prompt/copy the images should match")
    rnk.add_argument("--source", help="the product image: candidates are also judged on fidelity to it")
    rnk.add_argument("--threshold", type=float, default=0.0, help="hide candidates whose total (0–100) is below")
    rnk.add_argument("--diversity", type=float, default=0.3, help="0 = relevance only; higher favours variety")
    rnk.add_argument("--duplicate", type=float, default=0.98, help="similarity at which an image is a duplicate")
    rnk.add_argument("--all", action="store_true", help="also list hidden and failed candidates")
    rnk.add_argument(
        "--each", action="store_true", help="one ranking per --prompt (default: the prompts are averaged into one)"
    )
    add_scoring_options(rnk)
    rnk.set_defaults(func=_rank)


def add_scoring_options(p: argparse.ArgumentParser) -> None:
    """--profile, --project, --json and --quiet: shared by every command that runs CLIP."""
    p.add_argument("--profile", default=None, help="model profile (default: settings.profile): auto, tiny, perf, ...")
    p.add_argument("--project", default=None, help="project folder: embeddings are cached inside it")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _banner(placeholder: bool) -> None:
    if placeholder:
        print(f"*** {PLACEHOLDER_BANNER} ***", file=sys.stderr)


def _warn(warnings: tuple[str, ...] | list[str]) -> None:
    for line in dict.fromkeys(warnings):
        print(f"warning: {line}", file=sys.stderr)


def _score(args: argparse.Namespace) -> int:
    from scoring.api import get_scorer, score_images

    scorer = get_scorer(args.profile, project_dir=args.project)
    progress, close = progress_bar(args, "embedding images")
    try:
        report = score_images([Path(p) for p in args.images], args.text, scorer=scorer, progress=progress)
    finally:
        close()
    if args.json:
        print(
            json.dumps(
                {
                    "placeholder": report.placeholder,
                    "notice": PLACEHOLDER_BANNER if report.placeholder else None,
                    "model": report.provenance.models[0].model_id,
                    "warnings": list(report.warnings),
                    "rows": [asdict(r) for r in report.rows],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0 if all(r.error is None for r in report.rows) else 1
    _banner(report.placeholder)
    _warn(report.warnings)
    from rich.console import Console
    from rich.table import Table

    ref = report.provenance.models[0]
    title = f"CLIPScore — {ref.model_id}" + (" [PLACEHOLDER]" if report.placeholder else "")
    table = Table(title=title)
    for col in ("image", "text", "cosine", "CLIPScore", "score /100", "note"):
        table.add_column(col, overflow="fold")
    for r in report.rows:
        text = r.text if len(r.text) <= 50 else r.text[:49] + "…"
        if r.error:
            table.add_row(r.image, text, "-", "-", "-", f"[red]{r.error}[/]")
            continue
        note = "long text: averaged over 77-token windows" if r.windowed else ""
        table.add_row(r.image, text, f"{r.cos:.4f}", f"{r.clip_score:.4f}", f"{r.score:.1f}", note)
    Console(width=max(Console().width, 120)).print(table)
    return 0 if all(r.error is None for r in report.rows) else 1


def _rank(args: argparse.Namespace) -> int:
    from generators.runtime.errors import VitrineError
    from generators.runtime.images import IMAGE_SUFFIXES, list_images
    from scoring.api import get_scorer, rank_images, rank_images_each
    from scoring.query_translation import clip_query
    from scoring.ranking_types import RankCriteria

    paths: list[Path] = []
    for entry in args.folder:
        p = Path(entry)
        if p.is_dir():
            paths.extend(list_images(p))
        elif p.exists() or p.suffix.lower() in IMAGE_SUFFIXES:
            paths.append(p)
        else:
            raise VitrineError(f"'{entry}' is neither a folder nor an image file")
    if not paths:
        raise VitrineError(f"no images found in {', '.join(args.folder)}")
    if args.each and not args.prompt:
        raise VitrineError("--each ranks against each --prompt: give at least one")
    crit = RankCriteria(threshold=args.threshold, diversity=args.diversity, duplicate_similarity=args.duplicate)
    scorer = get_scorer(args.profile, project_dir=args.project)
    # Chinese prompts meet an English-only CLIP translated term by term (said on stderr)
    asked = [clip_query(scorer, p) for p in args.prompt]
    prompts = [a.text for a in asked]
    progress, close = progress_bar(args, "embedding candidates")
    kwargs = {"source_image": args.source, "criteria": crit, "scorer": scorer, "progress": progress}
    try:
        if args.each:
            results = rank_images_each(paths, prompts, **kwargs)
        else:
            results = [rank_images(paths, prompts or None, **kwargs)]
    finally:
        close()
    for a in asked:
        if a.note():
            print(f"note: '{a.original}': {a.note('ranked against')}", file=sys.stderr)
    placeholder = results[0].placeholder
    if args.json:
        rankings = [_ranking_json(r) for r in results]
        head = {"placeholder": placeholder, "notice": PLACEHOLDER_BANNER if placeholder else None}
        body = {"rankings": rankings} if args.each else rankings[0]
        print(json.dumps({**head, **body}, indent=2, ensure_ascii=False, default=str))
        return 0
    _banner(placeholder)
    _warn([w for r in results for w in r.warnings])
    for result in results:
        _print_ranking(result, args.all, prompt=result.criteria.texts[0] if args.each else None)
    return 0


def _ranking_json(result) -> dict:
    return {
        "texts": list(result.criteria.texts),
        "warnings": list(result.warnings),
        "items": [
            {
                "position": r.position,
                "id": r.candidate.id,
                "path": str(r.candidate.image),
                "status": r.status.value,
                "total": r.total,
                "scores": r.scores,
                "cosines": r.cosines,
                "clip_score": r.clip_score,
                "reason": r.reason,
            }
            for r in result.items
        ],
        "provenance": result.provenance.to_dict(),
    }


def _print_ranking(result, show_all: bool, prompt: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    ref = result.provenance.models[0]
    title = f"Ranking — {ref.model_id}" + (" [PLACEHOLDER]" if result.placeholder else "")
    if prompt is not None:
        title += f"\nprompt: {prompt}"
    table = Table(title=title)
    for col in ("#", "candidate", "status", "total", "reason"):
        table.add_column(col, overflow="fold")
    for r in (r for r in result.items if show_all or r.visible):
        colour = {"shown": "green", "failed": "red"}.get(r.status.value, "yellow")
        table.add_row(
            str(r.position),
            r.candidate.id,
            f"[{colour}]{r.status.value}[/]",
            "-" if r.total is None else f"{r.total:.1f}",
            r.reason,
        )
    console = Console(width=max(Console().width, 140))
    console.print(table)
    hidden = len(result.items) - len(result.shown)
    if hidden and not show_all:
        console.print(f"{hidden} candidate(s) hidden or unreadable; add --all to list them.")
