"""`vitrine project init|import|gc|info`, `vitrine batch` and `vitrine review`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from studio.project.review import AutoApprove
from studio.project.rows import CandidateKind, CandidateState


def register(sub: argparse._SubParsersAction) -> None:
    project = sub.add_parser("project", help="project folders: create, import a catalog, inspect, clean up")
    psub = project.add_subparsers(dest="project_command", metavar="ACTION")
    init = psub.add_parser("init", help="create a project folder (project.sqlite + assets/)")
    init.add_argument("project", type=Path)
    init.set_defaults(func=_init)
    imp = psub.add_parser("import", help="import a catalog (CSV/TSV, JSON or a folder of images); re-import upserts")
    imp.add_argument("project", type=Path)
    imp.add_argument("catalog", type=Path)
    imp.add_argument("--json", action="store_true", help="print the import report as JSON")
    imp.set_defaults(func=_import)
    gc = psub.add_parser("gc", help="delete asset files nothing refers to, and leftover temp files")
    gc.add_argument("project", type=Path)
    gc.set_defaults(func=_gc)
    info = psub.add_parser("info", help="products, jobs and candidates in a project")
    info.add_argument("project", type=Path)
    info.add_argument("--json", action="store_true")
    info.set_defaults(func=_info)
    project.set_defaults(func=lambda args: (project.print_help(), 2)[1])

    batch = sub.add_parser("batch", help="turn a catalog into listing content; resumes after an interruption")
    batch.add_argument("catalog", type=Path, help="catalog CSV/TSV, JSON, or a folder of images")
    batch.add_argument("--recipe", default="full", help="full (default), copy, images or video")
    batch.add_argument("--out", type=Path, required=True, help="output folder for the export packages")
    batch.add_argument("--project", type=Path, default=None, help="project folder (default: OUT.project, beside OUT)")
    batch.add_argument(
        "--workers",
        type=int,
        default=0,
        help="products processed in parallel (default: one per core for the copy recipe, else 1)",
    )
    batch.add_argument("--platform", action="append", default=[], help="export platform (repeatable; default all)")
    batch.add_argument("--copy-n", type=int, default=None, metavar="N", help="copy candidates per platform (default 4)")
    batch.add_argument("--tone", default=None, help="copy tone, e.g. professional (default), playful, luxury")
    batch.add_argument("--lang", default=None, choices=["en", "zh"], help="copy language (default: the platform's)")
    batch.add_argument(
        "--auto-approve",
        choices=[a.value for a in AutoApprove],
        default=None,
        help="approve each set's best, unattended",
    )
    batch.add_argument("--review", action="store_true", help="export only candidates approved in review")
    batch.add_argument(
        "--include-weak",
        action="store_true",
        help="also export what the quality gate holds back (weak, contradicting or placeholder-written drafts)",
    )
    batch.add_argument(
        "--image-base-url",
        default=None,
        metavar="URL",
        help="where the exported images will be served from, e.g. https://cdn.example.com/shop: Shopify and Amazon "
        "listings name images by URL (remembered for the project; '' clears it)",
    )
    batch.add_argument("--profile", default=None, help="model profile: auto (default), tiny, perf, packaged, standard")
    batch.add_argument("--memory-budget-mb", type=int, default=None, help="start no new product above this RSS")
    batch.add_argument(
        "--executor",
        choices=["local", "ray"],
        default="local",
        help="where the steps run: local (default, this process) or ray (model-holding workers on a Ray cluster; "
        "pip install 'vitrine[ray]'; see docs/scale-out.md)",
    )
    batch.add_argument(
        "--address",
        default=None,
        metavar="auto|ray://HOST:PORT",
        help="the Ray cluster to join (default: start one on this machine for the run)",
    )
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    batch.set_defaults(func=_batch)

    review = sub.add_parser("review", help="list candidates of a project, approve or reject them")
    review.add_argument("project", type=Path)
    review.add_argument("--approve", type=int, nargs="+", default=[], metavar="ID")
    review.add_argument("--reject", type=int, nargs="+", default=[], metavar="ID")
    review.add_argument(
        "--auto-approve", choices=[a.value for a in AutoApprove], default=None, help="approve each set's best"
    )
    review.add_argument("--sku", default=None, help="only this product")
    review.add_argument("--kind", choices=[k.value for k in CandidateKind], default=None, help="only this kind")
    review.add_argument("--state", choices=[s.value for s in CandidateState], default=None)
    review.add_argument("--json", action="store_true")
    review.set_defaults(func=_review)


def _init(args: argparse.Namespace) -> int:
    from studio.project.store import Store

    with Store.create(args.project) as store:
        print(f"project ready: {store.folder} (schema {store.schema_version})")
    return 0


def _print_import(report, as_json: bool) -> None:
    if as_json:
        data = {
            "summary": report.summary(),
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected_rows": report.rejected_rows,
            "encoding": report.encoding,
            "delimiter": report.delimiter,
            "problems": [
                {"row": p.row, "column": p.column, "severity": p.severity.value, "message": p.message}
                for p in report.problems
            ],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    print(report.summary())
    for p in report.problems:
        print(f"  {p}")


def _import(args: argparse.Namespace) -> int:
    from studio.project.importer import import_catalog
    from studio.project.store import Store

    with Store.create(args.project) as store:
        report = import_catalog(store, args.catalog)
    _print_import(report, args.json)
    return 0


def _gc(args: argparse.Namespace) -> int:
    from studio.project.store import Store

    with Store.open(args.project) as store:
        removed, freed = store.gc()
    print(f"removed {removed} unreferenced files ({freed / 2**20:.1f} MB)")
    return 0


def _info(args: argparse.Namespace) -> int:
    from studio.project.store import Store

    with Store.open(args.project) as store:
        data = {
            "project": str(store.folder),
            "schema": store.schema_version,
            "products": store.count_products(),
            "jobs": {k.value: v for k, v in sorted(store.job_counts().items())},
            "candidates": {},
            "exports": len(store.exports()),
        }
        for c in store.candidates():
            data["candidates"].setdefault(c.state.value, 0)
            data["candidates"][c.state.value] += 1
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            print(f"{key:>10}: {value}")
    return 0


def _batch(args: argparse.Namespace) -> int:
    from generators.runtime.settings import get_settings
    from studio.batch.executor import ExecutorChoice
    from studio.batch.progress import BatchProgressBar
    from studio.batch.recipe import Recipe
    from studio.batch.session import BatchRequest, run_catalog_batch

    settings = get_settings()
    request = BatchRequest(
        catalog=args.catalog,
        out_dir=args.out,
        recipe=Recipe.parse(args.recipe),
        project_dir=args.project,
        workers=args.workers,
        platforms=tuple(args.platform),
        copy_n=args.copy_n,
        tone=args.tone,
        language=args.lang,
        auto_approve=AutoApprove(args.auto_approve) if args.auto_approve else None,
        review=args.review,
        include_weak=args.include_weak,
        image_base_url=args.image_base_url,
        profile=args.profile or settings.profile,
        memory_budget_mb=args.memory_budget_mb or settings.memory_budget_mb,
        executor=ExecutorChoice(args.executor, address=args.address),
    )
    with BatchProgressBar(f"{request.recipe.value}", disable=args.quiet) as bar:
        summary = run_catalog_batch(request, progress=bar)
    imp, result = summary.import_report, summary.result
    print(f"import: {imp.summary()}")
    for p in imp.problems:
        print(f"  {p}")
    print(
        f"batch: {result.products} products, {result.ran} jobs run, {result.resumed_done} already done"
        + (f", {result.reset_interrupted} interrupted jobs redone" if result.reset_interrupted else "")
        + f", {len(result.failures)} failed, {result.elapsed_s:.1f} s"
    )
    for step, reason in result.unavailable.items():
        print(f"  {reason} (step '{step}' skipped)")
    for f in result.failures:
        print(f"  {f.sku} / {f.step}: {f.message}", file=sys.stderr)
    print(f"export: {summary.export.state}" + (f" ({summary.export.message})" if summary.export.message else ""))
    held = [w for w in summary.export.warnings if " held back: " in w]
    if held:
        print(f"  {len(held)} held back by the quality gate (listed in report.html; --include-weak exports them):")
        for line in held[:8]:
            print(f"    {line}")
        if len(held) > 8:
            print(f"    … and {len(held) - 8} more")
    print(f"summary: {summary.summary_path}")
    if summary.export.report_html:
        print(summary.export.report_html)
    return 130 if result.cancelled else 0


def _review(args: argparse.Namespace) -> int:
    from studio.project.review import approve, auto_approve, reject
    from studio.project.store import Store

    with Store.open(args.project) as store:
        approve(store, args.approve, actor="cli")
        reject(store, args.reject, actor="cli")
        if args.auto_approve:
            n = len(auto_approve(store, AutoApprove(args.auto_approve)))
            print(f"auto-approved {n} candidates", file=sys.stderr)
        product = store.product_by_sku(args.sku) if args.sku else None
        if args.sku and product is None:
            from generators.runtime.errors import VitrineError

            raise VitrineError(f"no product with SKU '{args.sku}' in this project")
        state = CandidateState(args.state) if args.state else None
        rows = store.candidates(product.id if product else None, args.kind, state)
        skus = {p.id: p.sku for p in store.products()}
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": c.id,
                        "sku": skus[c.product_id],
                        "kind": c.kind,
                        "platform": c.params.get("platform"),
                        "rank": c.rank,
                        "state": c.state.value,
                        "score": c.score,
                        "text": c.text,
                        "file_sha": c.file_sha,
                        "placeholder": c.placeholder,
                    }
                    for c in rows
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    for c in rows:
        what = (c.text or "").replace("\n", " ")[:60] if c.text else f"file {c.file_sha[:12]}" if c.file_sha else ""
        score = f"{c.score:.3f}" if c.score is not None else "-"
        flag = " [placeholder]" if c.placeholder else ""
        kind = f"{c.kind}:{c.params['platform']}" if c.params.get("platform") else c.kind
        print(
            f"{c.id:>6}  {skus[c.product_id]:<14} {kind:<16} #{c.rank:<2} {c.state.value:<9} {score:>6}  {what}{flag}"
        )
    return 0
