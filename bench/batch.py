"""Batch throughput and memory at 100 and 1000 products (tiny profile), one fresh process per size.

Prints one JSON object: products_per_min_100, products_per_min_1000, peak_rss_mb_100, peak_rss_mb_1000, plus
the recipe and the ratios (goal: throughput within 15 % and peak RSS within 10 % between the two sizes).
Each child first warms up on a 3-product catalog (imports, model loading), then imports the catalog and runs
the whole batch (import → steps → export), reporting its own time and peak RSS (`ru_maxrss`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# `python bench/batch.py` puts bench/ first on sys.path, where bench/scoring.py would shadow the package.
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
SIZES = (100, 1000)


def child(catalog: Path, out: Path, recipe: str, workers: int, platforms: tuple[str, ...]) -> None:
    from studio.batch.recipe import Recipe
    from studio.batch.session import BatchRequest, run_catalog_batch
    from studio.batch.synthetic import write_synthetic_catalog

    # Warm up on a separate 3-product catalog: imports, model loads and caches are not per-product costs.
    warm = write_synthetic_catalog(out.parent / f"{out.name}-warmup", 3, image_size=96, seed=1)
    run_catalog_batch(
        BatchRequest(warm, out.parent / f"{out.name}-warmup-out", Recipe(recipe), profile="tiny", platforms=platforms)
    )
    start = time.perf_counter()
    summary = run_catalog_batch(
        BatchRequest(catalog, out, Recipe(recipe), workers=workers, profile="tiny", platforms=platforms)
    )
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "elapsed_s": elapsed,
                "peak_rss_mb": peak_kb / 1024,
                "products": summary.result.products,
                "ran": summary.result.ran,
                "failures": len(summary.result.failures),
                "unavailable": sorted(summary.result.unavailable),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--recipe",
        default="images",
        help="batch recipe (default: images — ingest runs; steps whose pipelines are missing are reported unavailable)",
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--platform", action="append", default=[], help="export platforms (default: all)")
    parser.add_argument("--child", nargs=2, metavar=("CATALOG", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.recipe, args.workers, tuple(args.platform))
        return
    from studio.batch.synthetic import write_synthetic_catalog

    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    result: dict[str, object] = {
        "profile": "tiny",
        "recipe": args.recipe,
        "workers": args.workers,
        "platforms": args.platform or "all",
    }
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-batch-") as tmp:
        for n in SIZES:
            catalog = write_synthetic_catalog(Path(tmp) / f"cat{n}", n, image_size=96)
            cmd = [
                sys.executable,
                __file__,
                "--recipe",
                args.recipe,
                "--workers",
                str(args.workers),
                "--child",
                str(catalog),
                str(Path(tmp) / f"out{n}"),
            ]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
            if proc.returncode != 0:
                raise SystemExit(f"batch of {n} failed:\n{proc.stderr[-4000:]}")
            data = json.loads(proc.stdout.strip().splitlines()[-1])
            result[f"products_per_min_{n}"] = round(n / data["elapsed_s"] * 60, 1)
            result[f"peak_rss_mb_{n}"] = round(data["peak_rss_mb"], 1)
            result[f"failures_{n}"] = data["failures"]
            result["unavailable_steps"] = data["unavailable"]
    a, b = SIZES
    result["throughput_ratio"] = round(result[f"products_per_min_{b}"] / result[f"products_per_min_{a}"], 3)
    result["rss_ratio"] = round(result[f"peak_rss_mb_{b}"] / result[f"peak_rss_mb_{a}"], 3)
    from bench.machine import machine_fields

    result.update(machine_fields())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
