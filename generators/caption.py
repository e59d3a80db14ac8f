"""Caption pipeline: BLIP captions for batches of images, N per image, ranked by CLIPScore.

Unconditional or prompted ("a product photo of"), beam search or seeded sampling. Images go through the
model in batches (bf16 at batch 8 is ~2.5-3x faster than fp32 one at a time on CPUs with native bf16; see
bench/words.py); progress is reported per batch and cancellation is checked between batches.

Where the time goes (BLIP base, 384 px, 20 new tokens, batch 8 bf16, 2 cores): the ViT-B/16 vision encoder
(577 tokens x 12 layers) ~70%, the 20-step text decoder ~25% (its first step projects the 577 image tokens
into every cross-attention cache), preprocessing ~1%. Vision attention runs fused (SDPA, see
runtime/models/blip_sdpa.py); the image features are computed once per image and shared by its beams, and
so are the cross-attention keys/values projected from them (beam search: ~13% of a default run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.runtime.progress import CancelToken, ProgressFn, check, report
from generators.runtime.provenance import Provenance, Stopwatch, request_params

if TYPE_CHECKING:
    from generators.runtime.loading import LoadedModel
    from generators.runtime.pipeline import ImageTextScorer

DEFAULT_PROMPT = "a product photo of"


class Decoding(StrEnum):
    BEAM = "beam"  # deterministic, N best beams
    SAMPLE = "sample"  # seeded nucleus sampling, more varied


@dataclass(frozen=True)
class CaptionRequest:
    """Images (paths or PIL images) and how to caption them."""

    images: tuple[Any, ...]
    prompt: str | None = DEFAULT_PROMPT  # None: unconditional
    n: int = 3  # captions per image
    decoding: Decoding = Decoding.BEAM
    num_beams: int = 4
    temperature: float = 0.8
    top_p: float = 0.9
    max_new_tokens: int = 20
    min_new_tokens: int = 0  # benchmarks force equal work
    batch_size: int = 8
    seed: int = 0


@dataclass(frozen=True)
class Caption:
    text: str  # the caption without the prompt
    clip_score: float | None  # CLIPScore (w = 2.5) against its image; None without a scorer
    rank: int  # 1 = best for its image


@dataclass(frozen=True)
class ImageCaptions:
    image: str  # path, or "image N" for in-memory images
    captions: tuple[Caption, ...] = ()
    error: str = ""  # why this image could not be captioned (the others still are)

    @property
    def best(self) -> Caption | None:
        return self.captions[0] if self.captions else None


@dataclass(frozen=True)
class CaptionResult:
    items: tuple[ImageCaptions, ...]
    provenance: Provenance
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": [
                {
                    "image": it.image,
                    "error": it.error,
                    "captions": [{"text": c.text, "clip_score": c.clip_score, "rank": c.rank} for c in it.captions],
                }
                for it in self.items
            ],
            "warnings": list(self.warnings),
            "provenance": self.provenance.to_dict(),
        }


def preferred_dtype(device: Any) -> Any:
    """The dtype to load the captioner in: bf16 on CPUs with native bf16, else the device default.

    Measured (BLIP base, 2 cores, avx512_bf16): batch-8 bf16 captioning ~2.5x faster than fp32 (bench/words.py).
    """
    from generators.runtime.device import cpu_bf16_or_default

    return cpu_bf16_or_default(device)


def int8_vision_preferred(model: Any) -> bool:
    """Whether an fp32 captioner on a CPU without native bf16 should run its vision encoder in int8.

    The ViT-B/16 encoder is ~60% of an fp32 caption; int8 Linear layers cut its CPU time ~1.5x (BLIP base,
    8 images, x86 kernels limited to AVX2), its features stay within 1e-3 of fp32 and greedy captions were
    unchanged. The text decoder stays fp32: in int8 it changed the captions.
    """
    import torch

    from generators.runtime.device import cpu_int8_preferred

    return model.dtype == torch.float32 and cpu_int8_preferred(model.device)


def _open(source: Any, draft_size: int | None = None) -> Any:
    """RGB PIL image; JPEG files are decoded at a reduced DCT scale that keeps both sides >= `draft_size`."""
    from PIL import Image

    if isinstance(source, Image.Image):
        return source.convert("RGB")
    from generators.runtime.images import open_image

    return open_image(source, draft_size=draft_size)


def _pixel_spec(processor: Any) -> Any:
    """A `scoring.preprocess.PreprocessSpec` equal to BLIP's image processor, or None where it is not plain.

    BLIP's processor squashes to a square with bicubic, rescales by 1/255 and normalizes, image by image in
    float numpy; `to_model_pixels` + `normalize_batch` do the same with uint8 until one batched torch op.
    """
    try:
        from scoring.preprocess import PreprocessSpec
    except ImportError:
        return None
    ip = getattr(processor, "image_processor", None)
    size = getattr(ip, "size", None) or {}
    plain = (
        ip is not None
        and getattr(ip, "do_resize", False)
        and getattr(ip, "do_rescale", False)
        and getattr(ip, "do_normalize", False)
        and abs(float(getattr(ip, "rescale_factor", 0.0)) - 1 / 255) < 1e-12
        and int(getattr(ip, "resample", -1)) == 3  # PIL bicubic
        and size.get("height") is not None
        and size.get("height") == size.get("width")
    )
    if not plain:
        return None
    return PreprocessSpec(int(size["height"]), tuple(ip.image_mean), tuple(ip.image_std), "bicubic", "squash")


class CaptionPipeline:
    """Captions images with BLIP and ranks each image's captions by CLIPScore.

    Args:
        captioner: the loaded `captioner` role.
        scorer: a CLIP scorer (optional); without it captions are ordered by the captioner's own score.
        int8_vision: run the vision encoder with int8 Linear layers; None follows `int8_vision_preferred`.
            The loaded model is never changed (an int8 copy of the encoder is made once per model).
    """

    def __init__(
        self, captioner: LoadedModel, *, scorer: ImageTextScorer | None = None, int8_vision: bool | None = None
    ) -> None:
        self.captioner = captioner
        self.model = captioner.components.model
        self.int8_vision = int8_vision_preferred(self.model) if int8_vision is None else int8_vision
        if self.int8_vision:
            from generators.runtime.int8 import with_int8_part

            self.model = with_int8_part(self.model, "vision_model")
        self.processor = captioner.components.processor
        self.scorer = scorer
        self.pixel_spec = _pixel_spec(self.processor)

    def pixel_values(self, images: list[Any]) -> Any:
        """The model's input tensor for RGB PIL images (on the model's device, in its dtype)."""
        if self.pixel_spec is None:
            inputs = self.processor(images=images, return_tensors="pt")
            return inputs["pixel_values"].to(self.model.device, self.model.dtype)
        from scoring.preprocess import normalize_batch, to_model_pixels

        pixels = [to_model_pixels(im, self.pixel_spec) for im in images]
        return normalize_batch(pixels, self.pixel_spec, self.model.device, self.model.dtype)

    def _generate(self, pixel_values: Any, request: CaptionRequest) -> list[list[tuple[str, float]]]:
        import torch

        n = max(1, request.n)
        count = int(pixel_values.shape[0])
        beams = max(n, request.num_beams) if request.decoding is Decoding.BEAM else 1
        kwargs: dict[str, Any] = {
            "pixel_values": pixel_values,
            "max_new_tokens": request.max_new_tokens,
            "min_new_tokens": request.min_new_tokens,
            "num_return_sequences": n,
            # Only beam search yields sequence scores; greedy/sampled per-step logits would be copied for nothing.
            "output_scores": beams > 1,
            "return_dict_in_generate": True,
        }
        if request.prompt:
            text = self.processor.tokenizer([request.prompt] * count, return_tensors="pt")
            kwargs["input_ids"] = text["input_ids"].to(self.model.device)
        if request.decoding is Decoding.BEAM:
            kwargs.update(num_beams=beams, do_sample=False)
        else:
            kwargs.update(do_sample=True, temperature=request.temperature, top_p=request.top_p)
        torch.manual_seed(request.seed)
        # The vision encoder runs once per image inside BLIP's generate; beams share its features.
        with torch.inference_mode():
            out = self.model.generate(**kwargs)
        texts = self.processor.batch_decode(out.sequences, skip_special_tokens=True)
        seq_scores = getattr(out, "sequences_scores", None)
        prompt = (request.prompt or "").strip().lower()
        grouped: list[list[tuple[str, float]]] = []
        for i in range(count):
            group = []
            for j in range(n):
                k = i * n + j
                text = texts[k].strip()
                if prompt and text.lower().startswith(prompt):
                    text = text[len(prompt) :].strip()
                score = float(seq_scores[k]) if seq_scores is not None else -float(j)
                group.append((text, score))
            grouped.append(group)
        return grouped

    def run(
        self, request: CaptionRequest, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> CaptionResult:
        """Caption every image; an unreadable image gets an error entry, the rest still run."""
        sw = Stopwatch()
        names = [str(s) if isinstance(s, (str, Path)) else f"image {i + 1}" for i, s in enumerate(request.images)]
        items: dict[int, ImageCaptions] = {}
        loaded: list[tuple[int, Any]] = []
        draft = self.pixel_spec.size if self.pixel_spec is not None else None
        with sw("load_images"):
            for i, source in enumerate(request.images):
                try:
                    loaded.append((i, _open(source, draft)))
                except Exception as exc:
                    items[i] = ImageCaptions(names[i], (), str(exc))
        size = max(1, request.batch_size)
        batches = [loaded[k : k + size] for k in range(0, len(loaded), size)]
        raw: dict[int, list[tuple[str, float]]] = {}
        report(progress, 0, len(batches), "captioning")
        for b, batch in enumerate(batches):
            check(cancel)
            with sw("preprocess"):
                pixel_values = self.pixel_values([im for _, im in batch])
            with sw("generate"):
                groups = self._generate(pixel_values, request)
            for (i, _), group in zip(batch, groups, strict=True):
                raw[i] = group
            report(progress, b + 1, len(batches), f"captioned {min(len(loaded), (b + 1) * size)}/{len(loaded)}")
        warnings: list[str] = []
        with sw("rank"):
            for i, image in loaded:
                items[i] = self._rank(names[i], image, raw[i], warnings)
        refs = [self.captioner.ref()]
        if self.scorer is not None and getattr(self.scorer, "ref", None) is not None:
            refs.append(self.scorer.ref)
        params = request_params(request, dtype=self.captioner.dtype, int8_vision=self.int8_vision)
        timings = dict(sw.timings)
        if loaded and timings.get("generate"):
            # Captioning throughput: preprocessing + model; loading files and CLIP ranking are timed apart.
            timings["images_per_s"] = len(loaded) / (timings["generate"] + timings.get("preprocess", 0.0))
        ordered = tuple(items[i] for i in range(len(request.images)))
        return CaptionResult(ordered, Provenance(tuple(refs), request.seed, params, timings), tuple(warnings))

    def _rank(self, name: str, image: Any, group: list[tuple[str, float]], warnings: list[str]) -> ImageCaptions:
        unique = list(dict.fromkeys(t for t, _ in group))
        own = {t: max(s for tt, s in group if tt == t) for t in unique}
        clip: dict[str, float | None] = dict.fromkeys(unique)
        if self.scorer is not None and unique:
            try:
                table = self.scorer.score([image], [t or "a photo" for t in unique])
                clip = {t: 2.5 * max(0.0, float(c)) for t, c in zip(unique, table.cos[0], strict=True)}
            except Exception as exc:
                warnings.append(f"{name}: CLIP ranking skipped ({exc})")
        order = sorted(unique, key=lambda t: (-(clip[t] if clip[t] is not None else own[t]), t))
        return ImageCaptions(name, tuple(Caption(t, clip[t], r + 1) for r, t in enumerate(order)))
