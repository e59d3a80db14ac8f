"""Scale-out: the same tiny batch on the local executor (1 worker) and on Ray (2 workers). Prints one JSON object.

A 200-product synthetic catalog, the copy recipe (ingest, caption, attributes, copy) with the tiny profile, one
copy candidate for the generic platform. Each run is its own fresh process on its own project, timed from the
start of the batch to its end: model loading is inside the time for both (the Ray workers' process start and
imports too); importing the catalog and starting the local Ray instance are not.

- `local_s`, `ray_2workers_s`, `speedup` (local_s / ray_2workers_s; goal >= 1.3 on a 2-core machine).
- `model_loads`: models the Ray workers loaded, summed over workers; `expected_model_loads`: workers x the
  models one local run loads (goal: equal, i.e. once per worker per role, not once per product).
- `identical_outputs`: both projects recorded the same candidates, attributes, jobs and asset bytes.
- `local_steady_s_per_product`, `ray_steady_s_per_product`, `steady_speedup`: the same from a quarter of the
  jobs on, once the models are loaded: the start-up (two worker processes importing torch and loading their
  models at once) weighs less in a bigger batch.
- `load_avg_1m_before` / `_after`: the machine's load around the runs (the timings are only comparable as a
  ratio within one run on a shared machine).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# `python bench/scale.py` puts bench/ first on sys.path, where bench/scoring.py would shadow the package.
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
PRODUCTS = 200
RAY_WORKERS = 2
JOBS_PER_PRODUCT = 4  # ingest, caption, attributes, copy


def child(mode: str, catalog: Path, project: Path) -> None:
    """Run the batch once in this process and print its time, outputs digest and model loads as JSON."""
    from studio.batch.executor import ExecutorChoice
    from studio.batch.options import CopyStepOptions
    from studio.batch.outputs_digest import batch_outputs
    from studio.batch.recipe import Recipe
    from studio.batch.runner import BatchOptions, run_batch
    from studio.project.importer import import_catalog
    from studio.project.store import Store

    if mode == "ray":
        import ray

        ray.init(num_cpus=RAY_WORKERS, include_dashboard=False, log_to_driver=False)
    options = BatchOptions(
        Recipe.COPY,
        workers=RAY_WORKERS if mode == "ray" else 1,
        profile="tiny",
        step_options=CopyStepOptions(platforms=("generic",), copy_n=1),
        executor=ExecutorChoice(mode),
    )
    with Store.create(project) as store:
        import_catalog(store, catalog)
        ticks: list[float] = []  # when each job finished
        start = time.perf_counter()
        result = run_batch(store, options, progress=lambda p: ticks.append(time.perf_counter()) if p.step else None)
        elapsed = time.perf_counter() - start
        digest = hashlib.sha256(json.dumps(batch_outputs(store), sort_keys=True).encode()).hexdigest()
    if mode == "ray":
        loads = [len(models) for models in result.worker_models]
    else:
        from generators.runtime.loading import MODEL_CACHE

        loads = [len(MODEL_CACHE.keys())]
    # The steady state: from a quarter of the jobs done to the end, once every model is loaded.
    quarter = len(ticks) // 4
    steady = (ticks[-1] - ticks[quarter]) / ((len(ticks) - 1 - quarter) / JOBS_PER_PRODUCT) if ticks else 0.0
    print(
        json.dumps(
            {
                "elapsed_s": elapsed,
                "steady_s_per_product": steady,
                "ran": result.ran,
                "failures": len(result.failures),
                "digest": digest,
                "loads": loads,
            }
        )
    )


def _run_child(mode: str, catalog: Path, project: Path) -> dict:
    from generators.runtime.environment import ENVIRONMENT_DEFAULTS

    env = {**ENVIRONMENT_DEFAULTS, **os.environ, "OMP_WAIT_POLICY": "PASSIVE", "HF_HUB_OFFLINE": "1"}
    env.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # the local Ray instance on loopback only
    cmd = [sys.executable, __file__, "--child", mode, str(catalog), str(project)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"the {mode} batch failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=PRODUCTS)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "CATALOG", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, catalog, project = args.child
        child(mode, Path(catalog), Path(project))
        return
    from bench.machine import machine_fields
    from studio.batch.synthetic import write_synthetic_catalog

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-scale-") as tmp:
        catalog = write_synthetic_catalog(Path(tmp) / "catalog", args.products, image_size=48)
        local = _run_child("local", catalog, Path(tmp) / "local.project")
        on_ray = _run_child("ray", catalog, Path(tmp) / "ray.project")
    out = {
        "products": args.products,
        "recipe": "copy (tiny profile, 1 candidate, generic)",
        "local_s": round(local["elapsed_s"], 1),
        "ray_2workers_s": round(on_ray["elapsed_s"], 1),
        "speedup": round(local["elapsed_s"] / on_ray["elapsed_s"], 2),
        # Once models are loaded (the start-up, the same in any batch, weighs less in a bigger one):
        "local_steady_s_per_product": round(local["steady_s_per_product"], 3),
        "ray_steady_s_per_product": round(on_ray["steady_s_per_product"], 3),
        "steady_speedup": round(local["steady_s_per_product"] / on_ray["steady_s_per_product"], 2),
        "model_loads": sum(on_ray["loads"]),
        "expected_model_loads": RAY_WORKERS * local["loads"][0],
        "identical_outputs": local["digest"] == on_ray["digest"] and local["ran"] == on_ray["ran"],
        "jobs": local["ran"],
        "failures": local["failures"] + on_ray["failures"],
        "load_avg_1m_before": round(load_before, 2),
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
    }
    print(json.dumps({**out, **machine_fields()}))


if __name__ == "__main__":
    main()
