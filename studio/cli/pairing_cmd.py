"""`vitrine pair --catalog CATALOG --sku SKU [--n 4] [--style casual] [--mode both] --out DIR`: outfit pairing.

The anchor's complements come from complete-the-look retrieval over the catalog's photos (one item per slot:
a bottom, shoes, a layer …); the pairing pipeline makes the flat-lay and the generated looks, ranked. The
images and `DIR/pairing.json` are written into a temporary folder that replaces `DIR` in one rename, so an
error or Ctrl-C leaves no half-written output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from studio.cli.progress_bar import progress_bar
from studio.cli.result_folder import check_result_folder, print_summary_head, write_result_folder

PLACEHOLDER_NOTICE = (
    "PLACEHOLDER Stable Diffusion (random weights): the generated looks are noise, labelled and never exported; "
    "run `vitrine models pull txt2img` for real ones. The flat-lay is made from your photos and is real."
)
RESULT_FILE = "pairing.json"


def register(sub: argparse._SubParsersAction) -> None:
    from generators.diffusion import QualityMode
    from generators.pairing import PairingMode

    p = sub.add_parser("pair", help="outfit pairing: a catalog flat-lay and generated looks for one product")
    p.add_argument("--catalog", required=True, help="catalog CSV/TSV/JSON, or a folder of photos named by SKU")
    p.add_argument("--sku", required=True, help="the product to pair (the anchor)")
    p.add_argument("--out", required=True, help="folder for the images and pairing.json (replaced as a whole)")
    p.add_argument("--n", type=int, default=4, help="generated looks to make")
    p.add_argument("--style", default="casual", help="style preset: casual, office, street, evening, minimalist")
    p.add_argument("--mode", choices=[m.value for m in PairingMode], default=PairingMode.BOTH.value)
    p.add_argument("--quality", choices=[q.value for q in QualityMode], default=QualityMode.FAST.value)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=2, help="denoising steps (SD-Turbo: 1-4)")
    p.add_argument("--size", type=int, default=512, help="side of the generated images in pixels")
    p.add_argument("--profile", default=None, help="model profile (default: settings.profile): auto, tiny, ...")
    p.add_argument("--project", default=None, help="project folder: CLIP embeddings are cached inside it")
    p.add_argument("--json", action="store_true", help="print pairing.json instead of a summary")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_pair)


def _pair(args: argparse.Namespace) -> int:
    from generators.factory import SharedModels
    from generators.pairing import PairingError, PairingMode, PairingRequest, pairing_style

    style = pairing_style(args.style)  # an unknown style fails first, listing the valid ones
    if not 0 <= args.n <= 16:
        raise PairingError(f"--n must be between 0 and 16; got {args.n}")
    if not 1 <= args.steps <= 50 or not 64 <= args.size <= 1024 or args.size % 8:
        raise PairingError("--steps must be 1-50 and --size a multiple of 8 between 64 and 1024")
    out = Path(args.out).expanduser().resolve()
    check_result_folder(out, RESULT_FILE, "pairing")
    mode = PairingMode(args.mode)
    shared = SharedModels(args.profile, project_dir=args.project)
    anchor, attributes, complements, notes = _outfit(Path(args.catalog).expanduser(), args.sku, shared, args)
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    if not complements and mode is PairingMode.FLATLAY:
        raise PairingError(
            f"'{args.sku}' has no complementary items in this catalog, so there is no flat-lay to make; "
            "try --mode generated for generated looks only"
        )
    request = PairingRequest(
        anchor,
        complements,
        style=style.name,
        n=args.n if mode is not PairingMode.FLATLAY else 0,
        seed=args.seed,
        mode=mode,
        quality=args.quality,
        attributes=attributes,
        steps=args.steps,
        size=args.size,
    )
    pipe = shared.pipeline("pairing")
    progress, close = progress_bar(args, "pairing")
    try:
        result = pipe.run(request, progress=progress)
    finally:
        close()
    summary = write_result_folder(out, "pairing", lambda tmp: write_pairing(result, tmp, anchor_sku=args.sku))
    return _print(args, summary, out)


def _outfit(catalog: Path, sku: str, shared: Any, args: argparse.Namespace) -> tuple[Any, tuple, tuple, list[str]]:
    """The anchor, its attribute sheet and its complements (one per slot) from the catalog, plus warnings."""
    from generators.pairing import PairingItem, pick_complements
    from generators.pairing.flatlay import load_photo
    from generators.runtime.errors import VitrineError
    from scoring.retrieval import CatalogImage, CatalogIndex
    from studio.project.catalog_images import catalog_photos
    from studio.project.catalog_product import catalog_product
    from studio.project.search import look_category

    found = catalog_product(catalog, sku)  # an unknown SKU lists some that exist
    product = found.product
    if not product.images:
        raise VitrineError(f"'{sku}' has no product photo in the catalog to pair: {'; '.join(found.problems)}")
    load_photo(product.images[0], 256)  # an unreadable anchor photo is reported before any model loads
    rows = _rows(catalog)
    photos = catalog_photos(catalog)
    notes = [f"skipped: {p}" for p in photos.problems]
    items = [
        CatalogImage(p.sku, p.path, look_category(p.category, rows.get(p.sku, {}).get("title", "")))
        for p in photos.photos
    ]
    progress, close = progress_bar(args, "embedding catalog photos")
    try:
        index = CatalogIndex(shared.scorer(), items, progress=progress)
    finally:
        close()
    notes += [f"skipped: {s}: {e}" for s, e in index.errors.items()]
    look = index.complete_the_look(sku, per_category=3)
    by_cat = {cat: [h.item_id for h in hits] for cat, hits in look.by_category.items()}
    photo_of = {h.item_id: Path(h.image) for hits in look.by_category.values() for h in hits}
    slots = pick_complements(by_cat)
    complements = tuple(
        PairingItem(s.skus[0], photo_of[s.skus[0]], s.category, _label(rows.get(s.skus[0], {}), s.category))
        for s in slots
    )
    category = look.anchor_category or product.category
    anchor = PairingItem(sku, Path(product.images[0]), category, _label(dict(product.attributes), category))
    attributes = tuple((k, str(v)) for k, v in product.attributes.items() if k in ("color", "material", "pattern"))
    return anchor, attributes, complements, notes


def _rows(catalog: Path) -> dict[str, dict[str, str]]:
    """SKU -> its title and colour (for categories by title and prompt words)."""
    from studio.project.catalog_formats import ERROR_KEY, read_catalog
    from studio.project.importer import parse_row

    out: dict[str, dict[str, str]] = {}
    for rec in read_catalog(catalog).records:
        if ERROR_KEY not in rec.cells:
            row = parse_row(rec)
            out.setdefault(row.sku, {"title": row.title, "color": row.attributes.get("color", "")})
    return out


def _label(fields: dict[str, Any], category: str | None) -> str:
    """ "red t-shirt": the catalog's colour and the category, as a prompt names an item."""
    return " ".join(w for w in (str(fields.get("color", "")).strip(), category or "") if w)


def write_pairing(result: Any, folder: Path, *, anchor_sku: str) -> dict[str, Any]:
    """Write each candidate's image (PNG, numbered best first) and `pairing.json` into `folder`."""
    candidates = []
    for c in result.candidates:
        name = f"{c.rank:02d}-{c.kind.value}" + (f"-seed{c.seed}" if c.seed is not None else "") + ".png"
        c.image.save(folder / name)
        candidates.append(
            {
                "file": name,
                "kind": c.kind.value,
                "items": list(c.items),
                "scores": dict(c.scores),
                "score": round(100 * c.scores.get("total", 0.0)),
                "flags": list(c.flags),
                "seed": c.seed,
                "placeholder": c.placeholder,
                "hidden": c.hidden,
                "reason": c.reason,
                "method": c.method,
                "prompt": c.prompt,
                "fidelity": c.provenance.params.get("fidelity"),
                "provenance": c.provenance.to_dict(),
            }
        )
    models = result.provenance.models
    summary = {
        "sku": anchor_sku,
        "style": result.provenance.params.get("style"),
        "placeholder": any(c["placeholder"] for c in candidates),
        "clip_placeholder": any(m.placeholder for m in models if m.role == "clip"),
        "warnings": list(result.warnings),
        "candidates": candidates,
    }
    (folder / RESULT_FILE).write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    return summary


def _print(args: argparse.Namespace, summary: dict[str, Any], out: Path) -> int:
    if print_summary_head(summary, args.json, PLACEHOLDER_NOTICE):
        return 0
    for c in summary["candidates"]:
        badge = " [PLACEHOLDER]" if c["placeholder"] else ""
        hidden = f" (hidden: {c['reason']})" if c["hidden"] else ""
        flags = f" — {'; '.join(c['flags'])}" if c["flags"] else ""
        print(f"{c['file']}: {c['kind']} {c['score']}/100 {' + '.join(c['items'])}{badge}{hidden}{flags}")
    print(f"wrote {len(summary['candidates'])} images and {RESULT_FILE} to {out}")
    return 0
