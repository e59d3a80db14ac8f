"""Stable Diffusion speed on this machine: a stock diffusers call vs Vitrine's fast path; prints one JSON object.

    python bench/images.py [--runs 3] [--skip-inpaint] [--tryon]

One 512x512 image in 1 step with SD-Turbo-sized components (the `perf` profile: full-size architectures,
random weights, built on first use). Each configuration runs in its own process, so its peak memory is its own:

- stock: `StableDiffusionPipeline` (and `StableDiffusionInpaintPipeline`) as a user would call it: loaded in
  the library's default dtype (fp32), full VAE, the prompt encoded on every call; same step count, no guidance.
- ours: `generators.diffusion.FastDiffusion` in fast mode (tiny autoencoder, cached prompt embeddings, the
  device policy's dtype); `speedup_full_vae` is the same with the full VAE (best quality mode).

- tryon (with `--tryon`): `tryon_s`, one full try-on of the 512-px astronaut (sample catalog) in the red tee:
  the offline person mask, one 1-step candidate at 512 px with the perf inpainting model, the paste back and
  the ranking with the perf CLIP.

Times are medians of `--runs` calls after one warm-up call, wall clock; `speedup` = stock_s / ours_s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROMPT = "a red cotton t-shirt with blue jeans and white sneakers, flat lay, studio light"
SIZE = 512


def _folder(role: str) -> Path:
    from generators.runtime.resolve import build_placeholder
    from generators.runtime.roles import Profile, Role

    return build_placeholder(Role(role), Profile.PERF)


def _inputs(role: str) -> dict:
    from PIL import Image

    if role != "inpaint":
        return {}
    mask = Image.new("L", (SIZE, SIZE), 0)
    mask.paste(255, (128, 96, 384, 416))
    return {"image": Image.new("RGB", (SIZE, SIZE), (200, 190, 180)), "mask_image": mask}


def _stock(role: str, runs: int) -> list[float]:
    import diffusers
    import torch

    cls = diffusers.StableDiffusionInpaintPipeline if role == "inpaint" else diffusers.StableDiffusionPipeline
    pipe = cls.from_pretrained(str(_folder(role)), local_files_only=True, use_safetensors=True, dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        pipe(PROMPT, num_inference_steps=1, guidance_scale=0.0, height=SIZE, width=SIZE, **_inputs(role))
        if i:  # the first call warms up allocators and kernels
            times.append(time.perf_counter() - start)
    return times


def _ours(role: str, runs: int, mode: str) -> list[float]:
    from generators.diffusion import DiffusionCall, QualityMode, load_fast_diffusion

    fast = load_fast_diffusion(role, "perf")
    times = []
    for i in range(runs + 1):
        call = DiffusionCall(PROMPT, seed=i, steps=1, width=SIZE, height=SIZE, strength=1.0, mode=QualityMode(mode))
        start = time.perf_counter()
        if role == "inpaint":
            inputs = _inputs(role)
            fast.inpaint(call, inputs["image"], inputs["mask_image"])
        else:
            fast.txt2img(call)
        if i:
            times.append(time.perf_counter() - start)
    return times


def _tryon(runs: int, profile: str = "perf") -> list[float]:
    from generators.factory import SharedModels, build_pipeline
    from generators.product import Product
    from generators.tryon import TryOnRequest

    samples = ROOT / "assets" / "sample_catalog"
    tee = Product(
        "VT-TEE-RED",
        "Classic Crew-Neck T-Shirt, Red",
        attributes={"color": "red", "material": "cotton"},
        images=(samples / "images" / "vt-tee-red-1.jpg",),
        category="tops",
    )
    pipe = build_pipeline("tryon", shared=SharedModels(profile))
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        pipe.run(TryOnRequest(tee, samples / "people" / "astronaut.jpg", n=1, seed=i, steps=1, resolution=SIZE))
        if i:
            times.append(time.perf_counter() - start)
    return times


def _worker(kind: str, role: str, runs: int) -> None:
    if kind == "tryon":
        times = _tryon(runs)
    else:
        times = _stock(role, runs) if kind == "stock" else _ours(role, runs, kind.removeprefix("ours-"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"s": statistics.median(times), "runs": [round(t, 3) for t in times], "peak_rss_mb": peak_mb}))


def _measure(kind: str, role: str, runs: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", kind, "--role", role, "--runs", str(runs)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=os.environ.copy())
    if done.returncode != 0:
        raise SystemExit(f"{kind} {role} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-inpaint", action="store_true")
    parser.add_argument("--tryon", action="store_true", help="also time one full try-on (tryon_s)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--role", default="txt2img", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, args.role, args.runs)
        return 0

    for role in ("txt2img",) if args.skip_inpaint else ("txt2img", "inpaint"):
        _folder(role)  # build the perf placeholder once, outside the timed processes
    stock = _measure("stock", "txt2img", args.runs)
    ours = _measure("ours-fast", "txt2img", args.runs)
    best = _measure("ours-best", "txt2img", args.runs)
    out: dict = {
        "size": SIZE,
        "steps": 1,
        "stock_s": round(stock["s"], 2),
        "ours_s": round(ours["s"], 2),
        "speedup": round(stock["s"] / ours["s"], 2),
        "ours_full_vae_s": round(best["s"], 2),
        "speedup_full_vae": round(stock["s"] / best["s"], 2),
        "peak_rss_mb": round(ours["peak_rss_mb"]),
        "stock_peak_rss_mb": round(stock["peak_rss_mb"]),
        "stock_runs_s": stock["runs"],
        "ours_runs_s": ours["runs"],
        "inpaint_stock_s": None,
        "inpaint_ours_s": None,
        "inpaint_speedup": None,
    }
    if not args.skip_inpaint:
        stock_in = _measure("stock", "inpaint", args.runs)
        ours_in = _measure("ours-fast", "inpaint", args.runs)
        out |= {
            "inpaint_stock_s": round(stock_in["s"], 2),
            "inpaint_ours_s": round(ours_in["s"], 2),
            "inpaint_speedup": round(stock_in["s"] / ours_in["s"], 2),
        }
    if args.tryon:
        _folder("inpaint")
        out["tryon_s"] = round(_measure("tryon", "inpaint", args.runs)["s"], 2)
    from bench.machine import machine_fields

    print(json.dumps({**out, **machine_fields()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
