"""Batch throughput and memory, one fresh process per measured batch. Prints one JSON object.

Default (any recipe but copy): 100 and 1000 products with the tiny profile: products_per_min_100,
products_per_min_1000, peak_rss_mb_100, peak_rss_mb_1000, plus the ratios (goal: throughput within 15 % and
peak RSS within 10 % between the two sizes).

`--recipe copy`: the copy recipe (ingest, caption, attributes, copy) with the default install's models
(profile auto: the packaged SmolLM2-135M copywriter; placeholder BLIP/CLIP) for one platform (`--platform`,
default amazon). `products_per_min` and `cpu_utilisation` (process CPU time / wall time / cores) for
`--products` products on the engine the factory chooses with `--workers` (default: what `vitrine batch`
chooses, `studio.batch.runner.resolved_workers`), and the same
for `--baseline-products` products on the transformers engine with one worker (how `vitrine batch` ran copy
before its CPU engines) and on our engine with one worker (`one_worker_*`), in the same run.

Each child first warms up on a small catalog (imports, model loading and conversion), then imports the
catalog and runs the whole batch (import → steps → export), reporting its own time, CPU time and peak RSS.
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


def child(
    catalog: Path, out: Path, recipe: str, workers: int, platforms: tuple[str, ...], profile: str, warm_n: int
) -> None:
    from studio.batch.recipe import Recipe
    from studio.batch.session import BatchRequest, run_catalog_batch
    from studio.batch.synthetic import write_synthetic_catalog

    # Warm up on a separate 3-product catalog: imports, model loads and caches are not per-product costs.
    warm = write_synthetic_catalog(out.parent / f"{out.name}-warmup", warm_n, image_size=96, seed=1)
    run_catalog_batch(
        BatchRequest(warm, out.parent / f"{out.name}-warmup-out", Recipe(recipe), profile=profile, platforms=platforms)
    )
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    summary = run_catalog_batch(
        BatchRequest(catalog, out, Recipe(recipe), workers=workers, profile=profile, platforms=platforms)
    )
    elapsed = time.perf_counter() - start
    cpu_s = _cpu_seconds() - cpu_before
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "elapsed_s": elapsed,
                "cpu_s": cpu_s,
                "peak_rss_mb": peak_kb / 1024,
                "products": summary.result.products,
                "ran": summary.result.ran,
                "failures": len(summary.result.failures),
                "unavailable": sorted(summary.result.unavailable),
            }
        )
    )


def _cpu_seconds() -> float:
    """User + system CPU time of this process, all threads (native ones included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _run_child(catalog: Path, out: Path, args: argparse.Namespace, workers: int, profile: str, env: dict) -> dict:
    cmd = [sys.executable, __file__, "--recipe", args.recipe, "--workers", str(workers), "--profile", profile]
    cmd += [f"--platform={p}" for p in args.platform]
    cmd += ["--warmup-products", str(args.warmup_products), "--child", str(catalog), str(out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"batch of {catalog} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_copy_recipe(args: argparse.Namespace, env: dict) -> dict[str, object]:
    """The copy recipe on our engine (`vitrine batch`'s workers unless given) and on the transformers engine
    (1 worker)."""
    from studio.batch.synthetic import write_synthetic_catalog

    cores = _cores()
    from studio.batch.recipe import Recipe
    from studio.batch.runner import BatchOptions, resolved_workers

    workers = args.workers or resolved_workers(BatchOptions(Recipe.COPY))
    result: dict[str, object] = {"recipe": "copy", "profile": "auto", "platforms": args.platform, "cores": cores}
    runs = [("", args.products, workers, {})]
    if args.baseline_products:
        runs.append(("one_worker_", args.baseline_products, 1, {}))  # our engine as `vitrine batch` runs by default
        runs.append(("baseline_", args.baseline_products, 1, {"VITRINE_COPY_ENGINE": "transformers"}))
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-batch-") as tmp:
        for prefix, n, run_workers, extra in runs:
            catalog = write_synthetic_catalog(Path(tmp) / f"{prefix}cat{n}", n, image_size=96)
            data = _run_child(catalog, Path(tmp) / f"{prefix}out{n}", args, run_workers, "auto", {**env, **extra})
            result[f"{prefix}products"] = n
            result[f"{prefix}workers"] = run_workers
            result[f"{prefix}engine"] = extra.get(
                "VITRINE_COPY_ENGINE", "chosen by the factory (the quantized decode loop on CPUs)"
            )
            result[f"{prefix}products_per_min"] = round(n / data["elapsed_s"] * 60, 2)
            result[f"{prefix}cpu_utilisation"] = round(data["cpu_s"] / data["elapsed_s"] / cores, 3)
            result[f"{prefix}cores_busy"] = round(data["cpu_s"] / data["elapsed_s"], 2)
            result[f"{prefix}elapsed_s"] = round(data["elapsed_s"], 1)
            result[f"{prefix}peak_rss_mb"] = round(data["peak_rss_mb"], 1)
            result[f"{prefix}failures"] = data["failures"]
            result[f"{prefix}unavailable_steps"] = data["unavailable"]
    if args.baseline_products:
        result["speedup_products_per_min"] = round(
            float(result["products_per_min"]) / float(result["baseline_products_per_min"]),
            2,  # type: ignore[arg-type]
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--recipe",
        default="images",
        help="batch recipe (default: images — ingest runs; steps whose pipelines are missing are reported unavailable)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="default: 1, or vitrine batch's own choice for --recipe copy"
    )
    parser.add_argument(
        "--platform", action="append", default=[], help="export platforms (default: all; amazon for copy)"
    )
    parser.add_argument("--profile", default="tiny", help=argparse.SUPPRESS)
    parser.add_argument("--products", type=int, default=24, help="--recipe copy: products on our engine")
    parser.add_argument(
        "--baseline-products", type=int, default=6, help="--recipe copy: products on the transformers engine (0: skip)"
    )
    parser.add_argument("--warmup-products", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, metavar=("CATALOG", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    copy = args.recipe == "copy"
    if args.warmup_products is None:
        args.warmup_products = 1 if copy else 3
    if args.child:
        child(
            Path(args.child[0]),
            Path(args.child[1]),
            args.recipe,
            args.workers or 1,
            tuple(args.platform),
            args.profile,
            args.warmup_products,
        )
        return
    from bench.machine import machine_fields
    from generators.runtime.environment import ENVIRONMENT_DEFAULTS
    from studio.batch.synthetic import write_synthetic_catalog

    env = {
        **ENVIRONMENT_DEFAULTS,
        **os.environ,
        "OMP_WAIT_POLICY": "PASSIVE",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(REPO),
    }
    if copy:
        args.platform = args.platform or ["amazon"]
        out = bench_copy_recipe(args, env)
        out.update(machine_fields())
        print(json.dumps(out))
        return
    args.workers = args.workers or 1
    result: dict[str, object] = {
        "profile": "tiny",
        "recipe": args.recipe,
        "workers": args.workers,
        "platforms": args.platform or "all",
    }
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-batch-") as tmp:
        for n in SIZES:
            catalog = write_synthetic_catalog(Path(tmp) / f"cat{n}", n, image_size=96)
            data = _run_child(catalog, Path(tmp) / f"out{n}", args, args.workers, "tiny", env)
            result[f"products_per_min_{n}"] = round(n / data["elapsed_s"] * 60, 1)
            result[f"peak_rss_mb_{n}"] = round(data["peak_rss_mb"], 1)
            result[f"failures_{n}"] = data["failures"]
            result["unavailable_steps"] = data["unavailable"]
    a, b = SIZES
    result["throughput_ratio"] = round(result[f"products_per_min_{b}"] / result[f"products_per_min_{a}"], 3)
    result["rss_ratio"] = round(result[f"peak_rss_mb_{b}"] / result[f"peak_rss_mb_{a}"], 3)

    result.update(machine_fields())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
