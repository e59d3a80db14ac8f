"""Words benchmark: prints one JSON object.

Copy: 3 candidates x 120 new tokens with the packaged SmolLM2-135M-Instruct. `copy_3x120_s` is
`CopyPipeline.run` (one batched, KV-cached `generate` of the 3 candidates, bf16 where the CPU has native
bf16, prompt templated and tokenized once); `stock_3x120_s` is a plain transformers
`pipeline("text-generation")` in fp32 producing the same three candidates one after another. Both sample
with the same settings and are forced to exactly 120 new tokens (min_new_tokens) so they do equal work.

Captions: perf BLIP base (random weights; timing does not depend on weight values), 8 images, 20 new
tokens, greedy, prompt "a product photo of": `CaptionPipeline` (bf16, batch 8) vs stock fp32 `generate`
one image at a time. Each timing is the best of `--repeats` runs after one warm-up, measured in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOKENS, N_COPY, N_IMAGES, CAPTION_TOKENS = 120, 3, 8, 20


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _sample_product():
    from importlib import resources

    from generators.product import Product, find_product, read_catalog

    try:
        return find_product(
            read_catalog(resources.files("assets").joinpath("sample_catalog", "catalog.csv")), "VT-TEE-RED"
        )
    except Exception:
        return Product("TEE", "Classic Crew-Neck T-Shirt, Red", "Soft 100% cotton jersey tee.", {"color": "red"})


def bench_copy(repeats: int) -> dict[str, float]:
    import torch
    from transformers import pipeline

    from generators.copywriter import CopyPipeline, CopyRequest, preferred_dtype
    from generators.runtime.loading import load_model
    from generators.words.attributes import build_attribute_sheet
    from generators.words.presets import Platform, preset_for, tone_description
    from generators.words.prompts import build_messages

    product = _sample_product()
    ours = CopyPipeline(load_model("copywriter", "packaged", dtype=preferred_dtype(torch.device("cpu"))))
    request = CopyRequest(
        product, Platform.AMAZON, n=N_COPY, seed=0, max_new_tokens=TOKENS, min_new_tokens=TOKENS, max_retries=0
    )
    ours.run(CopyRequest(product, Platform.AMAZON, n=N_COPY, max_new_tokens=4, max_retries=0))  # warm-up
    copy_s = _best(lambda: ours.run(request), repeats)

    stock_model = load_model("copywriter", "packaged", dtype=torch.float32, use_cache=False).components
    gen = pipeline("text-generation", model=stock_model.model, tokenizer=stock_model.tokenizer)
    preset = preset_for(Platform.AMAZON)
    messages = build_messages(
        product,
        build_attribute_sheet(product),
        preset,
        preset.language,
        tone_description("professional", preset.language),
        request.brand,
        product.description,
    )
    kwargs = {"do_sample": True, "temperature": 0.7, "top_p": 0.9, "max_new_tokens": TOKENS, "min_new_tokens": TOKENS}
    gen(messages, **{**kwargs, "max_new_tokens": 4, "min_new_tokens": 4})  # warm-up

    def stock() -> None:
        for _ in range(N_COPY):
            gen(messages, **kwargs)

    stock_s = _best(stock, repeats)
    return {
        "copy_3x120_s": round(copy_s, 2),
        "stock_3x120_s": round(stock_s, 2),
        "copy_speedup": round(stock_s / copy_s, 2),
        "copy_tokens_per_s": round(N_COPY * TOKENS / copy_s, 1),
        "copy_dtype": str(ours.model.dtype).replace("torch.", ""),
    }


def _images():
    from PIL import Image

    folder = Path(__file__).resolve().parent.parent / "assets" / "sample_catalog" / "images"
    files = sorted(folder.glob("*.jpg"))[:N_IMAGES] if folder.is_dir() else []
    images = [Image.open(f).convert("RGB") for f in files]
    while len(images) < N_IMAGES:
        images.append(Image.new("RGB", (512, 512), (30 * len(images), 120, 200)))
    return images


def bench_caption(repeats: int) -> dict[str, float]:
    import torch

    from generators.caption import CaptionPipeline, CaptionRequest, Decoding
    from generators.runtime.device import cpu_supports_bf16
    from generators.runtime.loading import load_model

    images = _images()
    dtype = torch.bfloat16 if cpu_supports_bf16() else torch.float32
    ours = CaptionPipeline(load_model("captioner", "perf", dtype=dtype))
    request = CaptionRequest(
        tuple(images),
        n=1,
        num_beams=1,
        decoding=Decoding.BEAM,
        max_new_tokens=CAPTION_TOKENS,
        min_new_tokens=CAPTION_TOKENS,
        batch_size=N_IMAGES,
    )
    ours.run(CaptionRequest(tuple(images[:2]), n=1, num_beams=1, max_new_tokens=2, batch_size=2))  # warm-up
    ours_s = _best(lambda: ours.run(request), repeats)

    stock = load_model("captioner", "perf", dtype=torch.float32, use_cache=False).components
    model, processor = stock.model, stock.processor

    def stock_run(imgs) -> None:
        for image in imgs:
            inputs = processor(images=image, text="a product photo of", return_tensors="pt")
            with torch.no_grad():
                model.generate(**inputs, max_new_tokens=CAPTION_TOKENS, min_new_tokens=CAPTION_TOKENS)

    stock_run(images[:1])  # warm-up
    stock_s = _best(lambda: stock_run(images), repeats)
    return {
        "caption_images_per_s": round(N_IMAGES / ours_s, 3),
        "caption_stock_images_per_s": round(N_IMAGES / stock_s, 3),
        "caption_speedup": round(stock_s / ours_s, 2),
        "caption_dtype": str(dtype).replace("torch.", ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--skip-copy", action="store_true")
    parser.add_argument("--skip-caption", action="store_true")
    args = parser.parse_args()
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    out: dict[str, float | str] = {}
    if not args.skip_copy:
        out.update(bench_copy(args.repeats))
    if not args.skip_caption:
        out.update(bench_caption(args.repeats))
    import torch

    out["threads"] = torch.get_num_threads()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
