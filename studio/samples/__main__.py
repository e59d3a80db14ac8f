"""`python -m studio.samples [OUT_DIR]`: re-render the sample catalog (default: assets/sample_catalog)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PIL import Image

from assets import ASSETS_DIR
from studio.samples.footage import write_runway
from studio.samples.render_products import PRODUCTS, render_all


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else ASSETS_DIR / "sample_catalog"
    start = time.perf_counter()
    written = render_all(root, progress=lambda sku: print(f"rendered {sku}", flush=True))
    runway = [Image.open(root / p.images[0]) for p in PRODUCTS if p.category in ("tops", "dresses")]
    written.append(write_runway(runway, root / "footage" / "runway.mp4"))
    total = sum(p.stat().st_size for p in written)
    print(f"{len(written)} files, {total / 1e6:.2f} MB, {time.perf_counter() - start:.0f} s -> {root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
