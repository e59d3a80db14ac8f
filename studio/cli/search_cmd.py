"""`vitrine search CATALOG --text/--image` and `vitrine look CATALOG --sku SKU` (complete the look)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from studio.cli.progress_bar import progress_bar
from studio.cli.scoring_cmd import PLACEHOLDER_BANNER, add_scoring_options


def register(sub: argparse._SubParsersAction) -> None:
    search = sub.add_parser("search", help="find catalog products by a text description or a similar photo")
    search.add_argument("catalog", metavar="CATALOG", help="catalog CSV/TSV/JSON, or a folder of photos named by SKU")
    query = search.add_mutually_exclusive_group(required=True)
    query.add_argument("--text", "-t", help='what to look for, e.g. "a red cotton t-shirt"')
    query.add_argument("--image", "-i", help="a photo: find the catalog products that look most like it")
    search.add_argument("-k", type=int, default=8, help="how many products to list")
    add_scoring_options(search)
    search.set_defaults(func=_search)

    look = sub.add_parser("look", help="complete the look: the best items of complementary categories")
    look.add_argument("catalog", metavar="CATALOG", help="catalog CSV/TSV/JSON, or a folder of photos named by SKU")
    look.add_argument("--sku", required=True, help="the anchor product")
    look.add_argument("--per-category", type=int, default=3, help="suggestions per complementary category")
    add_scoring_options(look)
    look.set_defaults(func=_look)


def _index(args: argparse.Namespace) -> Any:
    """The catalog's photos embedded (from the cache after the first time); skipped rows go to stderr."""
    from generators.runtime.errors import VitrineError
    from scoring.api import get_scorer
    from scoring.retrieval import CatalogImage, CatalogIndex
    from studio.project.catalog_images import catalog_photos

    found = catalog_photos(Path(args.catalog))
    for problem in found.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    if not found.photos:
        raise VitrineError(f"'{args.catalog}' has no product photos to search")
    scorer = get_scorer(args.profile, project_dir=args.project)
    progress, close = progress_bar(args, "embedding catalog photos")
    try:
        index = CatalogIndex(scorer, [CatalogImage(p.sku, p.path, p.category) for p in found.photos], progress=progress)
    finally:
        close()
    for sku, error in index.errors.items():
        print(f"skipped: {sku}: {error}", file=sys.stderr)
    return index


def _hit_dict(hit: Any) -> dict:
    return {
        "rank": hit.rank,
        "sku": hit.item_id,
        "category": hit.category,
        "score": hit.score,
        "cos": hit.cos,
        "image": str(hit.image),
    }


def _print_hits(title: str, hits: list, placeholder: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title + (" [PLACEHOLDER]" if placeholder else ""))
    for col in ("#", "SKU", "category", "score /100", "photo"):
        table.add_column(col, overflow="fold")
    for h in hits:
        table.add_row(str(h.rank), h.item_id, h.category or "-", f"{h.score:.1f}", str(h.image))
    Console(width=max(Console().width, 120)).print(table)


def _search(args: argparse.Namespace) -> int:
    from generators.runtime.errors import VitrineError

    if args.k < 1:
        raise VitrineError("-k must be at least 1")
    if args.text is not None and not args.text.strip():
        raise VitrineError("--text is empty: describe what to look for")
    from scoring.query_translation import clip_query

    index = _index(args)
    placeholder = index.scorer.placeholder
    warnings: list[str] = []
    note = None
    if args.text is not None:
        asked = clip_query(index.scorer, args.text)
        hits = index.search_text(asked.text, args.k)
        query = {"text": args.text, "searched_as": asked.text, "not_understood": list(asked.unknown)}
        note = asked.note()
        language = index.scorer.language_notice([asked.text])
        warnings += [language] if language else []
    else:
        hits = index.search_image(args.image, args.k)
        query = {"image": args.image}
    if args.json:
        notice = PLACEHOLDER_BANNER if placeholder else None
        hits_json = [_hit_dict(h) for h in hits]
        out = {"placeholder": placeholder, "notice": notice, "warnings": warnings, "query": query, "hits": hits_json}
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    if placeholder:
        print(f"*** {PLACEHOLDER_BANNER} ***", file=sys.stderr)
    if note:
        print(f"note: {note}", file=sys.stderr)
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    what = f"'{args.text}'" if args.text is not None else f"photos like {Path(args.image).name}"
    _print_hits(f"Search — {what} — {index.scorer.ref.model_id}", hits, placeholder)
    return 0


def _look(args: argparse.Namespace) -> int:
    from generators.runtime.errors import VitrineError

    if args.per_category < 1:
        raise VitrineError("--per-category must be at least 1")
    index = _index(args)
    placeholder = index.scorer.placeholder
    look = index.complete_the_look(args.sku, args.per_category)
    if args.json:
        out = {
            "placeholder": placeholder,
            "notice": PLACEHOLDER_BANNER if placeholder else None,
            "anchor": look.anchor_id,
            "anchor_category": look.anchor_category,
            "by_category": {cat: [_hit_dict(h) for h in hits] for cat, hits in look.by_category.items()},
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    if placeholder:
        print(f"*** {PLACEHOLDER_BANNER} ***", file=sys.stderr)
    print(f"Complete the look for {look.anchor_id} ({look.anchor_category or 'unknown category'})")
    if not look.by_category:
        print("No complementary items in this catalog.")
    for cat, hits in look.by_category.items():
        _print_hits(f"{cat}", list(hits), placeholder)
    return 0
