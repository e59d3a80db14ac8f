"""`vitrine caption IMAGE...` and `vitrine copy --sku SKU --platform amazon --lang en --n 4`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from studio.cli.progress_bar import progress_bar

PLACEHOLDER_BANNER = "PLACEHOLDER MODEL (random weights): the text below is noise, not copy"


def _sample_catalog() -> Path:
    from importlib import resources

    return Path(str(resources.files("assets").joinpath("sample_catalog", "catalog.csv")))


def register(sub: argparse._SubParsersAction) -> None:
    cap = sub.add_parser("caption", help="caption product images with BLIP, ranked by CLIPScore")
    cap.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    cap.add_argument("--prompt", default="a product photo of", help='caption prompt; "" for unconditional')
    cap.add_argument("--n", type=int, default=3, help="captions per image")
    cap.add_argument("--sample", action="store_true", help="seeded sampling instead of beam search")
    cap.add_argument("--seed", type=int, default=0)
    cap.add_argument("--batch-size", type=int, default=8)
    cap.add_argument("--max-new-tokens", type=int, default=20)
    cap.add_argument("--no-clip", action="store_true", help="do not rank with CLIP")
    _common(cap)
    cap.set_defaults(func=_caption)

    cp = sub.add_parser("copy", help="write listing copy for one product, checked and ranked")
    src = cp.add_argument_group("product (a catalog row, or given directly)")
    src.add_argument(
        "--catalog", default=None, help="catalog CSV/TSV/JSON or folder, as import reads it (default: the sample)"
    )
    src.add_argument("--sku", default=None, help="SKU in the catalog")
    src.add_argument("--title", default=None)
    src.add_argument("--description", default=None)
    src.add_argument("--image", action="append", default=[], help="product image (repeatable)")
    src.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE", help="attribute, e.g. color=red")
    cp.add_argument("--platform", default="amazon", help="amazon, shopify, taobao, tmall, xiaohongshu, douyin, ...")
    cp.add_argument("--lang", default=None, help="en or zh (default: the platform's usual language)")
    cp.add_argument("--tone", default="professional", help="professional, playful, luxury, minimal, warm, bold")
    cp.add_argument("--brand-kit", default=None, help="brand kit JSON (default: the bundled one)")
    cp.add_argument("--no-brand-kit", action="store_true", help="no brand rules")
    cp.add_argument("--n", type=int, default=4, help="candidates to write")
    cp.add_argument("--seed", type=int, default=0)
    cp.add_argument("--max-new-tokens", type=int, default=256)
    cp.add_argument("--flag-contradictions", action="store_true", help="flag instead of reject contradicting copy")
    cp.add_argument("--drop-banned", action="store_true", help="drop candidates with banned words instead of fixing")
    cp.add_argument("--no-clip", action="store_true", help="do not rank with CLIP")
    cp.add_argument("--all", action="store_true", help="also print rejected, dropped and duplicate candidates")
    _common(cp)
    cp.set_defaults(func=_copy)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", default=None, help="model profile (default: settings.profile): auto, tiny, ...")
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _caption(args: argparse.Namespace) -> int:
    from generators.caption import CaptionRequest, Decoding
    from generators.factory import build_pipeline

    pipe = build_pipeline("caption", args.profile, clip=not args.no_clip)
    request = CaptionRequest(
        images=tuple(Path(p) for p in args.images),
        prompt=args.prompt or None,
        n=args.n,
        decoding=Decoding.SAMPLE if args.sample else Decoding.BEAM,
        max_new_tokens=args.max_new_tokens,
        batch_size=args.batch_size,
        seed=args.seed,
    )
    result = _run(args, pipe, request, "captioning")
    placeholder = result.provenance.placeholder
    if args.json:
        return _print_json(result)
    if placeholder:
        print(f"*** {PLACEHOLDER_BANNER} ***", file=sys.stderr)
    for item in result.items:
        print(item.image)
        if item.error:
            print(f"  error: {item.error}")
        for c in item.captions:
            score = f"{c.clip_score:.3f}" if c.clip_score is not None else "  -  "
            print(f"  {c.rank}. [{score}] {c.text}")
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 1 if any(it.error for it in result.items) and not any(it.captions for it in result.items) else 0


def _product(args: argparse.Namespace) -> Any:
    """The product to write for: a catalog row read as `vitrine project import` reads it, or given directly."""
    from studio.project.catalog_formats import CatalogError
    from studio.project.catalog_product import catalog_product, row_product
    from studio.project.importer import CatalogRow

    attrs = {}
    for pair in args.attr:
        if "=" not in pair:
            raise CatalogError(f"--attr needs KEY=VALUE, got '{pair}'")
        key, value = pair.split("=", 1)
        attrs[key.strip()] = value.strip()
    images = tuple(Path(p) for p in args.image)
    if args.sku:
        found = catalog_product(Path(args.catalog) if args.catalog else _sample_catalog(), args.sku, attrs)
        for problem in found.problems:
            print(f"warning: image left out: {problem}", file=sys.stderr)
        product = found.product
        if args.title or args.description or images:
            from dataclasses import replace

            product = replace(
                product,
                title=args.title or product.title,
                description=args.description or product.description,
                images=images or product.images,
            )
        return product
    if args.title is None and args.description is None and not args.image:
        raise CatalogError("give --sku (with --catalog, default the sample catalog) or --title/--description/--image")
    row = CatalogRow(0, {}, "cli", "", args.title or "", args.description or "")
    return row_product(row, images, attrs)


def _zero_shot(shared: Any, image: Path | None) -> dict[str, dict[str, float]] | None:
    """CLIP zero-shot attributes of the product image for the attribute sheet (real CLIP only)."""
    if image is None or shared.scorer().placeholder:
        return None
    from scoring.attributes import AttributeRequest

    result = shared.pipeline("attributes").run(AttributeRequest(image=image))
    return {name: dict(g.probabilities) for name, g in result.groups.items()}


def _copy(args: argparse.Namespace) -> int:
    from generators.copywriter import CopyRequest, GroundingPolicy
    from generators.factory import SharedModels
    from generators.words.constraints import BannedWordPolicy
    from generators.words.model_fit import SMALL_MODEL_LABEL
    from generators.words.presets import EMPTY_BRAND_KIT, Language, Platform, default_brand_kit
    from scoring.scores import ScoreKey as K
    from studio.project.brand_kit import read_brand_kit_file

    product = _product(args)
    platform = Platform.parse(args.platform)
    language = Language.parse(args.lang) if args.lang else None
    if args.no_brand_kit:
        brand = EMPTY_BRAND_KIT
    elif args.brand_kit:
        brand = read_brand_kit_file(Path(args.brand_kit))
    else:
        brand = default_brand_kit()
    shared = SharedModels(args.profile)
    clip = product.image is not None and not args.no_clip  # CLIP needs the product photo to judge copy
    pipe = shared.pipeline("copy", clip=clip)
    request = CopyRequest(
        product=product,
        platform=platform,
        language=language,
        tone=args.tone,
        brand=brand,
        n=args.n,
        seed=args.seed,
        max_new_tokens=args.max_new_tokens,
        grounding_policy=GroundingPolicy.FLAG if args.flag_contradictions else GroundingPolicy.REJECT,
        banned_policy=BannedWordPolicy.DROP if args.drop_banned else BannedWordPolicy.REMOVE,
        clip_attributes=_zero_shot(shared, product.image) if clip else None,
    )
    result = _run(args, pipe, request, "writing")
    placeholder = result.provenance.placeholder
    if args.json:
        return _print_json(result)
    if placeholder:
        print(f"*** {PLACEHOLDER_BANNER} ***", file=sys.stderr)
    model = result.provenance.models[0]
    print(f"{product.sku} · {result.preset.label} · {result.language.value} · {request.tone} · model {model.model_id}")
    # The small-model notice comes last, after the drafts it is about, where the reader ends up.
    small = [w for w in result.warnings if w.startswith(SMALL_MODEL_LABEL)]
    for w in result.warnings:
        if w not in small:
            print(f"warning: {w}")
    for c in result.candidates:
        if not c.status.shown and not args.all:
            continue
        s = c.scores
        clip = f"{s[K.CLIP_SCORE]:.3f}" if s.get(K.CLIP_SCORE) is not None else "-"
        head = f"#{c.rank}" if c.rank else c.status.value.upper()
        total = f"{s[K.TOTAL]:.3f}" if s.get(K.TOTAL) is not None else "-"
        grounding = f"{s[K.GROUNDING]:.2f}" if s.get(K.GROUNDING) is not None else "-"
        print(
            f"\n=== {head} (candidate {c.index}) total {total} · clip {clip} · grounding {grounding} "
            f"· brand {s.get(K.BRAND, 0):.2f} · complete {s.get(K.COMPLETENESS, 1):.0%} · {c.status.value}"
        )
        print(f"reason: {c.reason}")
        print(c.text)
        for flag in c.flags:
            print(f"  ! {flag}")
    hidden = sum(1 for c in result.candidates if not c.status.shown)
    if hidden and not args.all:
        print(f"\n({hidden} candidate(s) rejected, dropped or duplicate; --all shows them)")
    for w in small:
        print(f"\n*** {w}")
    return 0 if result.ranked else 1


def _run(args: argparse.Namespace, pipe: Any, request: Any, label: str) -> Any:
    """Run a pipeline with a progress bar that is closed whatever happens."""
    progress, close = progress_bar(args, label)
    try:
        return pipe.run(request, progress=progress)
    finally:
        close()


def _print_json(result: Any) -> int:
    data = result.to_dict()
    data["placeholder"] = result.provenance.placeholder
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    return 0
