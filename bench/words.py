"""Words benchmark: prints one JSON object.

Copy: 3 candidates x 120 new tokens with the packaged SmolLM2-135M-Instruct. `copy_3x120_s` is
`CopyPipeline.run` on the engine the factory chooses (`copy_engine`: the int4 decode loop on CPUs, prompt
prefilled once for the 3 candidates); `stock_3x120_s` is a plain transformers `pipeline("text-generation")`
in fp32 producing the same three candidates one after another (`copy_speedup_vs_fp32_stock`, also
`copy_speedup`); `copy_transformers_engine_*` is `CopyPipeline.run` on its transformers engine (one batched,
KV-cached `generate`, bf16 where the CPU has native bf16). All sample with the same
settings and are forced to exactly 120 new tokens (min_new_tokens) so they do equal work. `anchor_tokens_per_s`
is CTranslate2's own `generate_batch` on the same int8 model and prompt (`anchor_engine`). `quality_*` compares
the grounding and completeness scores of the sample catalog's drafts on both engines (`--quality-products`).

Captions: perf BLIP base (random weights; timing does not depend on weight values), the same 8 in-memory
images, exactly 20 new tokens, greedy, one caption per image, prompt "a product photo of", no CLIP ranking on
either side: `CaptionPipeline` (bf16 where native, else an int8 vision encoder; fp16 on CUDA; batch 8, fused
vision attention, batched preprocessing) vs stock transformers BLIP loaded straight from the same folder (fp32, eager attention,
`processor` + `generate` one image at a time). Caption runs alternate ours/stock; the headline speedup is the
ratio of the medians of `--repeats` runs after one warm-up each (the best-of ratio is reported too).
Copy timings are the best of `--repeats` runs after one warm-up, measured in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generators.runtime.environment import prepare_environment

prepare_environment()

TOKENS, N_COPY, N_IMAGES, CAPTION_TOKENS = 120, 3, 8, 20
CAPTION_PROMPT = "a product photo of"


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _sample_product():
    from importlib import resources

    from generators.product import Product
    from studio.project.catalog_product import catalog_product

    try:
        return catalog_product(
            str(resources.files("assets").joinpath("sample_catalog", "catalog.csv")), "VT-TEE-RED"
        ).product
    except Exception:
        return Product("TEE", "Classic Crew-Neck T-Shirt, Red", "Soft 100% cotton jersey tee.", {"color": "red"})


def bench_copy(repeats: int, quality_products: int = 0) -> dict[str, Any]:
    """Ours (the engine the factory chooses: the int4 decode loop on CPUs) vs stock transformers fp32, vs our
    transformers engine (what ran before), and the anchor engine, all on the same prompt and token budget."""
    import torch
    from transformers import pipeline

    from generators.copywriter import CopyPipeline, CopyRequest, preferred_dtype
    from generators.runtime.llm_engine import copy_engine_name, load_copy_engine
    from generators.runtime.loading import load_model
    from generators.runtime.settings import get_settings
    from generators.words.attributes import build_attribute_sheet
    from generators.words.presets import Platform, preset_for, tone_description
    from generators.words.prompts import build_messages

    product = _sample_product()
    loaded = load_model("copywriter", "packaged", dtype=preferred_dtype(torch.device("cpu")))
    engine = load_copy_engine(copy_engine_name("cpu", loaded), loaded, get_settings().threads)
    ours = CopyPipeline(loaded, engine=engine)
    before = CopyPipeline(loaded)  # the transformers engine: one batched, KV-cached generate
    request = CopyRequest(
        product, Platform.AMAZON, n=N_COPY, seed=0, max_new_tokens=TOKENS, min_new_tokens=TOKENS, max_retries=0
    )
    for pipe in (ours, before):
        pipe.run(CopyRequest(product, Platform.AMAZON, n=N_COPY, max_new_tokens=4, max_retries=0))  # warm-up
    copy_s = _best(lambda: ours.run(request), repeats)
    before_s = _best(lambda: before.run(request), repeats)

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
    out: dict[str, Any] = {
        "copy_3x120_s": round(copy_s, 2),
        "stock_3x120_s": round(stock_s, 2),
        "copy_speedup": round(stock_s / copy_s, 2),
        "copy_tokens_per_s": round(N_COPY * TOKENS / copy_s, 1),
        "copy_dtype": engine.compute if engine is not None else str(ours.model.dtype).replace("torch.", ""),
        "copy_engine": engine.name if engine is not None else "transformers",
        "copy_speedup_vs_fp32_stock": round(stock_s / copy_s, 2),
        "stock_fp32_tokens_per_s": round(N_COPY * TOKENS / stock_s, 1),
        "copy_transformers_engine_3x120_s": round(before_s, 2),
        "copy_transformers_engine_tokens_per_s": round(N_COPY * TOKENS / before_s, 1),
        "copy_transformers_engine_dtype": str(before.model.dtype).replace("torch.", ""),
        "copy_speedup_vs_transformers_engine": round(before_s / copy_s, 2),
    }
    out.update(_anchor(loaded, ours.sampler.prompt_ids(messages)[0].tolist(), repeats))
    if quality_products:
        out.update(_copy_quality({"ours": ours, "transformers_engine": before}, quality_products))
    return out


def _anchor(loaded: Any, prompt_ids: list[int], repeats: int) -> dict[str, Any]:
    """CTranslate2's own `generate_batch` on the same int8 model and prompt: no stop rule, no callback, the
    prompt fed in full for each of the 3 sequences, one generator kept loaded (the plain library usage)."""
    import ctranslate2

    from generators.runtime.models.copywriter import ct2_folder
    from generators.runtime.settings import get_settings

    threads = get_settings().threads or (os.cpu_count() or 1)
    generator = ctranslate2.Generator(
        str(ct2_folder(loaded.resolved.folder)), device="cpu", compute_type="int8", intra_threads=threads
    )
    tokens = loaded.components.tokenizer.convert_ids_to_tokens(prompt_ids)
    kwargs = {"sampling_topk": 0, "sampling_topp": 0.9, "sampling_temperature": 0.7, "include_prompt_in_result": False}
    generator.generate_batch([tokens], max_length=4, **kwargs)  # warm-up
    seconds = _best(
        lambda: generator.generate_batch([tokens] * N_COPY, max_length=TOKENS, min_length=TOKENS, **kwargs), repeats
    )
    return {
        "anchor_tokens_per_s": round(N_COPY * TOKENS / seconds, 1),
        "anchor_engine": f"ctranslate2 {ctranslate2.__version__} generate_batch, int8, {threads} threads",
    }


def _copy_quality(pipes: dict[str, Any], products: int) -> dict[str, Any]:
    """Grounding and completeness of the sample catalog's drafts (amazon, 3 candidates, default budget and
    retries, seed 0) on each engine: the mean over every candidate that was not dropped, and the best one's."""
    import csv
    from importlib import resources

    from generators.copywriter import CandidateStatus, CopyRequest
    from generators.words.presets import Platform
    from scoring.scores import ScoreKey
    from studio.project.catalog_product import catalog_product

    path = str(resources.files("assets").joinpath("sample_catalog", "catalog.csv"))
    with open(path, newline="", encoding="utf-8") as fh:
        skus = [row["sku"] for row in csv.DictReader(fh)][:products]
    out: dict[str, Any] = {"quality_products": skus}
    for name, pipe in pipes.items():
        grounding, completeness, best_g, best_c, shown = [], [], [], [], 0
        for sku in skus:
            product = catalog_product(path, sku).product
            result = pipe.run(CopyRequest(product, Platform.AMAZON, n=N_COPY, seed=0))
            kept = [c for c in result.candidates if c.status is not CandidateStatus.DROPPED]
            grounding += [c.scores[ScoreKey.GROUNDING] for c in kept if c.scores.get(ScoreKey.GROUNDING) is not None]
            completeness += [
                c.scores[ScoreKey.COMPLETENESS] for c in kept if c.scores.get(ScoreKey.COMPLETENESS) is not None
            ]
            shown += len(result.ranked)
            best = result.ranked[0] if result.ranked else None
            if best is not None:
                best_g.append(best.scores.get(ScoreKey.GROUNDING) or 0.0)
                best_c.append(best.scores.get(ScoreKey.COMPLETENESS) or 0.0)

        def mean(values: list[float]) -> float:
            return round(sum(values) / len(values), 3) if values else 0.0

        out[f"quality_{name}"] = {
            "grounding_mean": mean(grounding),
            "completeness_mean": mean(completeness),
            "best_grounding_mean": mean(best_g),
            "best_completeness_mean": mean(best_c),
            "shown_drafts": shown,
            "drafts": len(skus) * N_COPY,
        }
    return out


def _images():
    from PIL import Image

    folder = Path(__file__).resolve().parent.parent / "assets" / "sample_catalog" / "images"
    files = sorted(folder.glob("*.jpg"))[:N_IMAGES] if folder.is_dir() else []
    images = [Image.open(f).convert("RGB") for f in files]
    while len(images) < N_IMAGES:
        images.append(Image.new("RGB", (512, 512), (30 * len(images), 120, 200)))
    return images


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _strip_prompt(text: str) -> str:
    text = text.strip()
    return text[len(CAPTION_PROMPT) :].strip() if text.lower().startswith(CAPTION_PROMPT) else text


def bench_caption(repeats: int, profile: bool = False, int8_vision: bool | None = None) -> dict[str, Any]:
    """Ours (CaptionPipeline: bf16/fp16, batch 8, fused vision attention) vs stock transformers BLIP (fp32, eager,
    `processor` + `generate` one image at a time), both greedy, one caption per image, exactly 20 new tokens,
    the same 8 in-memory images. Runs alternate (ours, stock, ours, ...) so load from other processes hits both;
    the headline is the median of `repeats` pairs (best also reported). No CLIP ranking on either side.
    """
    import torch
    from transformers import BlipForConditionalGeneration, BlipProcessor

    from generators.caption import CaptionPipeline, CaptionRequest, Decoding, preferred_dtype
    from generators.runtime.device import pick_device
    from generators.runtime.loading import load_model
    from generators.runtime.quiet import quiet_ml_libraries

    images = _images()
    dtype = preferred_dtype(pick_device())
    loaded = load_model("captioner", "perf", dtype=dtype)
    ours = CaptionPipeline(loaded, int8_vision=int8_vision)
    request = CaptionRequest(
        tuple(images),
        prompt=CAPTION_PROMPT,
        n=1,
        num_beams=1,
        decoding=Decoding.BEAM,  # num_beams=1: greedy, like stock generate's default
        max_new_tokens=CAPTION_TOKENS,
        min_new_tokens=CAPTION_TOKENS,
        batch_size=N_IMAGES,
    )
    # Stock: plain transformers from the same folder (no Vitrine loader, eager attention, fp32).
    folder = loaded.resolved.folder
    with quiet_ml_libraries(bars_only=True):
        model = BlipForConditionalGeneration.from_pretrained(folder, dtype=torch.float32, local_files_only=True)
        processor = BlipProcessor.from_pretrained(folder, local_files_only=True)
    model = model.to(ours.model.device).eval()
    stock_texts: list[str] = []

    def stock_run(imgs) -> None:
        stock_texts.clear()
        for image in imgs:
            inputs = processor(images=image, text=CAPTION_PROMPT, return_tensors="pt").to(model.device)
            with torch.no_grad():
                ids = model.generate(**inputs, max_new_tokens=CAPTION_TOKENS, min_new_tokens=CAPTION_TOKENS)
            prompt_len = inputs["input_ids"].shape[1] - 1  # BLIP's generate drops the prompt's trailing [SEP]
            assert ids.shape[1] - prompt_len == CAPTION_TOKENS, ids.shape
            stock_texts.append(_strip_prompt(processor.decode(ids[0], skip_special_tokens=True)))

    ours.run(CaptionRequest(tuple(images[:2]), n=1, num_beams=1, max_new_tokens=2, batch_size=2))  # warm-up
    stock_run(images[:1])  # warm-up
    ours_times, stock_times, ours_timings = [], [], []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = ours.run(request)
        ours_times.append(time.perf_counter() - start)
        ours_timings.append(result.provenance.timings)
        start = time.perf_counter()
        stock_run(images)
        stock_times.append(time.perf_counter() - start)
    ours_s, stock_s = _median(ours_times), _median(stock_times)
    ours_texts = [item.best.text for item in result.items] if result else []
    out: dict[str, Any] = {
        "caption_images_per_s": round(N_IMAGES / ours_s, 3),
        "caption_stock_images_per_s": round(N_IMAGES / stock_s, 3),
        "caption_speedup": round(stock_s / ours_s, 2),
        "caption_speedup_best": round(min(stock_times) / min(ours_times), 2),
        "caption_ours_s": [round(t, 2) for t in ours_times],
        "caption_stock_s": [round(t, 2) for t in stock_times],
        "caption_ours_preprocess_s": round(_median([t.get("preprocess", 0.0) for t in ours_timings]), 3),
        "caption_same_text_as_stock": f"{sum(a == b for a, b in zip(ours_texts, stock_texts, strict=True))}/{N_IMAGES}",
        "caption_dtype": str(dtype).replace("torch.", ""),
        "caption_int8_vision": ours.int8_vision,
        "caption_decoding": f"greedy, n=1, {CAPTION_TOKENS} new tokens, batch {N_IMAGES} vs 1",
    }
    if profile:
        out.update(_profile_caption(ours, model, processor, images))
    return out


def _profile_caption(ours, stock_model, processor, images) -> dict[str, float]:
    """Vision tower alone vs the whole generate, both sides (once each, after the timed runs)."""
    import torch

    def timed(fn) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    ids = processor.tokenizer([CAPTION_PROMPT] * len(images), return_tensors="pt")["input_ids"].to(ours.model.device)
    kw = {"max_new_tokens": CAPTION_TOKENS, "min_new_tokens": CAPTION_TOKENS}
    with torch.inference_mode():
        ours_pre = timed(lambda: ours.pixel_values(images))
        pv = ours.pixel_values(images)
        ours_vision = timed(lambda: ours.model.vision_model(pixel_values=pv))
        ours_gen = timed(lambda: ours.model.generate(pixel_values=pv, input_ids=ids.clone(), **kw))
        one = processor(images=images[0], text=CAPTION_PROMPT, return_tensors="pt").to(stock_model.device)
        stock_pre = timed(lambda: processor(images=images[0], text=CAPTION_PROMPT, return_tensors="pt"))
        stock_vision = timed(lambda: stock_model.vision_model(pixel_values=one["pixel_values"]))
        stock_gen = timed(lambda: stock_model.generate(**one, **kw))
    n = len(images)
    return {
        "profile_ours_preprocess_per_image_s": round(ours_pre / n, 4),
        "profile_ours_vision_per_image_s": round(ours_vision / n, 3),
        "profile_ours_decoder_per_image_s": round((ours_gen - ours_vision) / n, 3),
        "profile_stock_preprocess_per_image_s": round(stock_pre, 4),
        "profile_stock_vision_per_image_s": round(stock_vision, 3),
        "profile_stock_decoder_per_image_s": round(stock_gen - stock_vision, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--skip-copy", action="store_true")
    parser.add_argument("--skip-caption", action="store_true")
    parser.add_argument(
        "--quality-products", type=int, default=3, help="sample-catalog products whose draft scores are compared"
    )
    parser.add_argument("--profile", action="store_true", help="add a caption time breakdown (vision vs decoder)")
    parser.add_argument(
        "--no-int8-vision", action="store_true", help="keep the vision encoder fp32 where int8 would be chosen"
    )
    args = parser.parse_args()
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    out: dict[str, Any] = {}
    if not args.skip_copy:
        out.update(bench_copy(args.repeats, args.quality_products))
    if not args.skip_caption:
        out.update(bench_caption(args.repeats, args.profile, False if args.no_int8_vision else None))
    import torch

    from bench.machine import machine_fields

    out["threads"] = torch.get_num_threads()
    out.update(machine_fields())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
