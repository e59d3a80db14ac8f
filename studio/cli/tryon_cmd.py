"""`vitrine tryon --catalog CATALOG --sku SKU [--person PHOTO] [--mask MASK.png] --out DIR`: virtual try-on.

Without `--person`, the product's own person photo (the catalog's `person_images` column) is dressed. The
candidates (PNG, at the person photo's size, best first), the mask (`mask.png`, white = redrawn) and
`DIR/tryon.json` are written into a temporary folder that replaces `DIR` in one rename, so an error or Ctrl-C
leaves nothing half-written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from studio.cli.progress_bar import progress_bar
from studio.cli.result_folder import check_result_folder, print_summary_head, write_result_folder

PLACEHOLDER_NOTICE = (
    "PLACEHOLDER inpainting model (random weights): the try-on images are noise, labelled and never exported; "
    "run `vitrine models pull inpaint` for real ones"
)
RESULT_FILE = "tryon.json"
MASK_FILE = "mask.png"
MAX_CANDIDATES = 16


def register(sub: argparse._SubParsersAction) -> None:
    from generators.diffusion import QualityMode
    from generators.person_layout import GarmentType

    p = sub.add_parser("tryon", help="virtual try-on: a product garment on a person photo")
    p.add_argument("--catalog", required=True, help="catalog CSV/TSV/JSON, or a folder of photos named by SKU")
    p.add_argument("--sku", required=True, help="the garment to put on")
    p.add_argument("--out", required=True, help="folder for the images, mask.png and tryon.json (replaced whole)")
    p.add_argument("--person", default=None, help="person photo (default: the product's person_images)")
    p.add_argument("--mask", default=None, help="painted mask PNG at the photo's size (white = redraw)")
    p.add_argument("--person-index", type=int, default=0, help="which person when there are several (0: largest)")
    p.add_argument(
        "--garment-type", choices=[g.value for g in GarmentType], default=None, help="default: from the category"
    )
    p.add_argument("--n", type=int, default=4, help="candidates to make")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=2, help="denoising steps per candidate")
    p.add_argument("--resolution", type=int, default=None, help="side the model draws the crop at (default: its own)")
    p.add_argument("--quality", choices=[q.value for q in QualityMode], default=QualityMode.FAST.value)
    p.add_argument("--profile", default=None, help="model profile (default: settings.profile): auto, tiny, ...")
    p.add_argument("--project", default=None, help="project folder: CLIP embeddings are cached inside it")
    p.add_argument("--json", action="store_true", help="print tryon.json instead of a summary")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_tryon)


def _tryon(args: argparse.Namespace) -> int:
    from generators.diffusion import QualityMode
    from generators.factory import SharedModels
    from generators.person_layout import GarmentType
    from generators.tryon import TryOnError, TryOnRequest

    if not 1 <= args.n <= MAX_CANDIDATES:
        raise TryOnError(f"--n must be between 1 and {MAX_CANDIDATES}; got {args.n}")
    if not 1 <= args.steps <= 50 or (
        args.resolution is not None and (not 64 <= args.resolution <= 1024 or args.resolution % 8)
    ):
        raise TryOnError("--steps must be 1-50 and --resolution a multiple of 8 between 64 and 1024")
    if args.person_index < 0:
        raise TryOnError("--person-index counts from 0 (the largest person)")
    out = Path(args.out).expanduser().resolve()
    check_result_folder(out, RESULT_FILE, "try-on")
    catalog = Path(args.catalog).expanduser()
    product, person = _product_and_person(catalog, args.sku, args.person)
    mask = Path(args.mask).expanduser().resolve() if args.mask else None
    request = TryOnRequest(
        product,
        person,
        garment_type=GarmentType(args.garment_type) if args.garment_type else None,
        mask=mask,
        person_index=args.person_index,
        n=args.n,
        seed=args.seed,
        steps=args.steps,
        resolution=args.resolution,
        mode=QualityMode(args.quality),
    )
    pipe = SharedModels(args.profile, project_dir=args.project).pipeline("tryon")
    progress, close = progress_bar(args, "try-on")
    try:
        result = pipe.run(request, progress=progress)
    finally:
        close()
    summary = write_result_folder(out, "try-on", lambda tmp: write_tryon(result, tmp, sku=args.sku, person=person))
    return _print(args, summary, out)


def _product_and_person(catalog: Path, sku: str, person: str | None) -> tuple[Any, Path]:
    """The garment product from the catalog and the person photo (given, or the product's first person photo)."""
    from generators.runtime.errors import VitrineError
    from studio.project.catalog_product import catalog_product, find_row
    from studio.project.importer import PERSON_COLUMN, ImageRejected, resolve_image_path

    found = catalog_product(catalog, sku)  # an unknown SKU lists some that exist
    if not found.product.images:
        problems = "; ".join(found.problems) or "the images column is empty"
        raise VitrineError(f"'{sku}' has no product photo to take the garment from ({problems})")
    if person:
        path = Path(person).expanduser().resolve()
        if not path.is_file():
            raise VitrineError(f"person photo '{person}' does not exist")
        return found.product, path
    base = catalog if catalog.is_dir() else catalog.parent
    problems = []
    for _column, ref in find_row(catalog, sku).image_refs(PERSON_COLUMN):
        try:
            return found.product, resolve_image_path(ref, base)
        except ImageRejected as exc:
            problems.append(str(exc))
    why = f" ({'; '.join(problems)})" if problems else ""
    raise VitrineError(f"'{sku}' has no person photo in the catalog{why}; give one with --person PHOTO")


def write_tryon(result: Any, folder: Path, *, sku: str, person: Path) -> dict[str, Any]:
    """Write the candidates (PNG, numbered best first), the mask and `tryon.json` into `folder`."""
    result.mask.save(folder / MASK_FILE)
    candidates = []
    for rank, c in enumerate(result.candidates, start=1):
        name = f"{rank:02d}-seed{c.seed}.png"
        c.image.save(folder / name)  # a new image: no EXIF of the person photo is carried over
        candidates.append(
            {
                "file": name,
                "mask": MASK_FILE,
                "scores": {str(k): v for k, v in c.scores.items()},
                "flags": list(c.flags),
                "seed": c.seed,
                "placeholder": result.placeholder,
                "hidden": c.hidden,
                "fidelity": c.fidelity.to_dict(),
            }
        )
    summary = {
        "sku": sku,
        "person": str(person),
        "garment_type": result.garment_type.value,
        "mask_source": result.mask_source,
        "prompt": result.prompt,
        "placeholder": result.placeholder,
        "warnings": list(result.warnings),
        "candidates": candidates,
        "provenance": result.provenance.to_dict(),
    }
    (folder / RESULT_FILE).write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    return summary


def _print(args: argparse.Namespace, summary: dict[str, Any], out: Path) -> int:
    if print_summary_head(summary, args.json, PLACEHOLDER_NOTICE):
        return 0
    for c in summary["candidates"]:
        badge = " [PLACEHOLDER]" if c["placeholder"] else ""
        hidden = " (hidden)" if c["hidden"] else ""
        drift = [f for f in c["flags"] if "placeholder" not in f]
        flags = f" — {'; '.join(drift)}" if drift else ""
        fidelity = f"fidelity {round(100 * c['scores']['fidelity'])}/100 (ΔE {c['scores']['delta_e']})"
        print(f"{c['file']}: {fidelity}{badge}{hidden}{flags}")
    print(f"wrote {len(summary['candidates'])} images, {MASK_FILE} and {RESULT_FILE} to {out}")
    return 0
