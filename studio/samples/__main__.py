"""`python -m studio.samples [--footage] [OUT_DIR]`: re-render the sample catalog (default: assets/sample_catalog).

The product shots are committed; the footage clip is not (rendered media stay out of git), so `--footage`
makes just the clip from the committed shots, which `make demo` does on first run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PIL import Image

from assets import ASSETS_DIR
from studio.samples.footage import write_runway
from studio.samples.render_products import PRODUCTS, render_all


def write_footage(root: Path) -> Path:
    """The runway clip, made from the catalog's rendered tops and dresses."""
    runway = [Image.open(root / p.images[0]) for p in PRODUCTS if p.category in ("tops", "dresses")]
    return write_runway(runway, root / "footage" / "runway.mp4")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    footage_only = "--footage" in args
    args = [a for a in args if a != "--footage"]
    root = Path(args[0]) if args else ASSETS_DIR / "sample_catalog"
    start = time.perf_counter()
    written = [] if footage_only else render_all(root, progress=lambda sku: print(f"rendered {sku}", flush=True))
    written.append(write_footage(root))
    total = sum(p.stat().st_size for p in written)
    print(f"{len(written)} files, {total / 1e6:.2f} MB, {time.perf_counter() - start:.0f} s -> {root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
