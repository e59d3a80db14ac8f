"""The outfit pairing pipeline: a catalog flat-lay and Stable Diffusion looks, CLIP-ranked and fidelity-guarded.

One request holds the anchor product and the complements the caller chose (from complete-the-look retrieval),
the style, how many generated looks, the seed and the quality mode. The pipeline:

1. composes the flat-lay of the anchor and its complements (`flatlay.compose_flatlay`): the catalog's own
   photos, so it is real content whatever models are installed;
2. makes the generated looks, seeded `seed`, `seed + 1` …: img2img from the flat-lay (a styled scene keeping
   the products' layout) and txt2img mood images from the anchor's attribute sheet, with the style's prompts
   and negative prompt (`styles`), through `generators.diffusion.FastDiffusion`;
3. ranks every candidate by CLIPScore of its own prompt, anchor fidelity (`generators.fidelity`: the anchor's
   colours in its region of the image) and diversity (maximal marginal relevance over CLIP image vectors).
   A weak generated look (far below the best, or a near-duplicate of one above it) is hidden, with the reason;
   the flat-lay is never hidden.

Each candidate carries its own provenance (the models that *made* it: none for a flat-lay, `txt2img` for a
generated look, plus the CLIP that ranked it), so a placeholder SD image is labelled and held back from export
while the flat-lay is not. The same request gives the same pixels.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from generators.diffusion import DiffusionCall, QualityMode
from generators.pairing.flatlay import Flatlay, FlatlayItem, compose_flatlay, load_cutout, photo_target
from generators.pairing.outfit import PairingItem, describe_outfit
from generators.pairing.styles import pairing_style
from generators.runtime.errors import VitrineError
from generators.runtime.progress import CancelToken, Progress, ProgressFn, check, report
from generators.runtime.provenance import ModelRef, Provenance, Stopwatch, request_params

if TYPE_CHECKING:
    from collections.abc import Callable

    from PIL import Image

    from generators.diffusion import FastDiffusion
    from generators.product_cutout import Cutout
    from generators.runtime.loading import LoadedModel
    from generators.runtime.pipeline import EmbeddingScorer

WEAK_BELOW = 0.6  # a generated look whose total is under this share of the best candidate's is hidden
DUPLICATE_AT = 0.97  # CLIP image cosine at which a look is a near-duplicate of one ranked above it
MMR_LAMBDA = 0.7  # relevance vs. diversity in the ranking
CLIP_WEIGHT, FIDELITY_WEIGHT = 0.5, 0.5
MAX_LOOKS = 16
CUTOUT_CACHE = 24  # cut-outs a pipeline keeps: a batch lays the same jeans and sneakers beside many tops


class PairingError(VitrineError):
    """A pairing cannot be made as asked (a flat-lay without complements, an unknown style, n out of range)."""


class PairingMode(StrEnum):
    """What to make: the catalog flat-lay, generated looks, or both."""

    FLATLAY = "flatlay"
    GENERATED = "generated"
    BOTH = "both"


class LookKind(StrEnum):
    """A candidate's kind: the catalog flat-lay or a generated look."""

    FLATLAY = "flatlay"
    GENERATED = "generated"


@dataclass(frozen=True)
class PairingRequest:
    """Everything needed to make (and remake) a pairing.

    Attributes:
        anchor: the product being paired.
        complements: the items to pair it with, best first (one per slot; at most four for a flat-lay).
        style: a style preset name (`assets/presets/pairing_styles.json`).
        n: generated looks to make (img2img from the flat-lay and txt2img mood images, alternating).
        seed: the first look's seed; look i uses `seed + i`.
        mode: flatlay, generated or both.
        quality: fast (tiny autoencoder decode) or best (the full VAE).
        attributes: the anchor's attribute sheet as (name, value) pairs, for the mood prompts.
        steps: denoising steps (SD-Turbo: 1-4).
        strength: how much of the flat-lay img2img redraws.
        size: side of the generated images in pixels.
        flatlay_size: side of the flat-lay in pixels.
        background: the flat-lay's ground (None: the style's).
    """

    anchor: PairingItem
    complements: tuple[PairingItem, ...] = ()
    style: str = "casual"
    n: int = 4
    seed: int = 0
    mode: PairingMode = PairingMode.BOTH
    quality: QualityMode = QualityMode.FAST
    attributes: tuple[tuple[str, str], ...] = ()
    steps: int = 2
    strength: float = 0.5
    size: int = 512
    flatlay_size: int = 1200
    background: tuple[int, int, int] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", PairingMode(self.mode))  # "both" from a form or a command line
        object.__setattr__(self, "quality", QualityMode(self.quality))


@dataclass(frozen=True)
class PairingCandidate:
    """One pairing image with its scores, flags and own provenance; `hidden` ones carry the reason."""

    kind: LookKind
    image: Image.Image
    items: tuple[str, ...]  # SKUs shown, anchor first
    prompt: str
    method: str  # flatlay | img2img | txt2img
    seed: int | None
    scores: dict[str, float]
    flags: tuple[str, ...]
    provenance: Provenance
    rank: int = 0
    hidden: bool = False
    reason: str = ""

    @property
    def placeholder(self) -> bool:
        """True when a placeholder (random-weight) model drew the image; a flat-lay never is."""
        return any(m.placeholder and m.role != "clip" for m in self.provenance.models)


@dataclass(frozen=True)
class PairingResult:
    """Candidates best first (shown ones, then hidden ones), the flat-lay's layout and the run's provenance."""

    candidates: tuple[PairingCandidate, ...]
    provenance: Provenance
    flatlay: Flatlay | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def shown(self) -> tuple[PairingCandidate, ...]:
        return tuple(c for c in self.candidates if not c.hidden)


@dataclass(frozen=True)
class _Planned:
    method: str
    call: DiffusionCall
    total: int


class PairingPipeline:
    """Flat-lays and generated looks for an anchor product.

    Args:
        txt2img: the `txt2img` role, loaded on first use (a flat-lay needs no diffusion model): a
            `LoadedModel` or a function returning one.
        scorer: the CLIP scorer that ranks candidates (None: ranked by fidelity alone).
    """

    def __init__(self, txt2img: LoadedModel | Callable[[], LoadedModel] | None, scorer: EmbeddingScorer | None = None):
        self._txt2img = txt2img
        self.scorer = scorer
        self._diffusion: tuple[FastDiffusion, ModelRef] | None = None
        self._cutouts: OrderedDict[tuple, tuple[Cutout, tuple[str, ...]]] = OrderedDict()
        self._lock = threading.Lock()  # batch workers share one pipeline
        self._load_lock = threading.Lock()

    def diffusion(self) -> tuple[FastDiffusion, ModelRef]:
        """The fast SD wrapper over the txt2img role and its provenance reference (loaded once)."""
        with self._load_lock:  # once: FastDiffusion may quantise the shared UNet in place
            if self._diffusion is None:
                from generators.diffusion import FastDiffusion

                if self._txt2img is None:
                    raise PairingError("generated looks need the txt2img model, and none was given")
                loaded = self._txt2img() if callable(self._txt2img) else self._txt2img
                self._diffusion = (FastDiffusion(loaded.components), loaded.ref())
            return self._diffusion

    def run(
        self, request: PairingRequest, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> PairingResult:
        """Make the flat-lay and/or the generated looks of `request`, ranked best first."""
        style = pairing_style(request.style)
        if not 0 <= request.n <= MAX_LOOKS:
            raise PairingError(f"n must be between 0 and {MAX_LOOKS}; got {request.n}")
        if not 0.0 < request.strength <= 1.0 or request.steps < 1:
            raise PairingError("steps must be at least 1 and strength between 0 and 1")
        warnings: list[str] = []
        has_flatlay = request.mode is not PairingMode.GENERATED or request.n > 0
        if not request.complements:
            if request.mode is PairingMode.FLATLAY:
                raise PairingError(
                    f"'{request.anchor.sku}' has no complementary items in the catalog, so there is no flat-lay "
                    "to make; ask for generated looks (mode generated) instead"
                )
            warnings.append(f"'{request.anchor.sku}' has no complementary items in the catalog: generated looks only")
            has_flatlay = False
        items = (request.anchor, *request.complements[:4])
        outfit = describe_outfit(items)
        plan = self._plan(request, style, outfit, has_flatlay)
        total = 1 + sum(p.total for p in plan) + 1
        sw = Stopwatch()
        report(progress, 0, total, "cutting out the products")
        check(cancel)
        with sw("cutout"):
            cut, notes = self.cutout(request.anchor.photo, photo_target((request.flatlay_size,) * 2))
            anchor_ref = (cut.image.convert("RGB"), cut.mask, notes)
        flat = None
        if has_flatlay:
            with sw("flatlay"):
                flat = compose_flatlay(
                    [FlatlayItem(i.sku, i.photo, i.category) for i in items],
                    size=(request.flatlay_size, request.flatlay_size),
                    background=request.background or style.ground,
                    cutter=self.cutout,
                )
            warnings += flat.warnings
        elif plan:
            warnings += [f"{request.anchor.sku}: {n}" for n in anchor_ref[2]]
        report(progress, 1, total, "flat-lay composed" if flat else "product read")
        check(cancel)
        made: list[tuple[str, Image.Image, str, int | None, tuple[str, ...]]] = []
        if flat is not None and request.mode is not PairingMode.GENERATED:
            made.append(("flatlay", flat.image, f"a flat lay of {outfit}", None, tuple(i.sku for i in items)))
        done = 1
        models: list[ModelRef] = []
        if plan:
            diffusion, sd_ref = self.diffusion()
            models.append(sd_ref)
            for planned in plan:
                step = _offset(progress, done, total, f"look {len(made) + 1}: {planned.method}")
                with sw("generate"):
                    if planned.method == "img2img":
                        image = diffusion.img2img(planned.call, flat.image, progress=step, cancel=cancel)
                        shown = tuple(i.sku for i in items)
                    else:
                        image = diffusion.txt2img(planned.call, progress=step, cancel=cancel)
                        shown = (request.anchor.sku,)
                made.append((planned.method, image, planned.call.prompt, planned.call.seed, shown))
                done += planned.total
        with sw("rank"):
            candidates = self._rank(made, request, flat, anchor_ref, tuple(models), style.name, cancel)
        report(progress, total, total, f"{sum(not c.hidden for c in candidates)} pairing images ranked")
        if self.scorer is not None:
            models.append(self.scorer.ref)
        tiny_decoder = bool(plan) and self.diffusion()[0].has_tiny_decoder
        params = request_params(request, outfit=outfit, negative_prompt=style.negative, tiny_decoder=tiny_decoder)
        prov = Provenance(tuple(models), request.seed, params, sw.timings)
        return PairingResult(candidates, prov, flat, tuple(dict.fromkeys(warnings)))

    def cutout(self, photo: Path, target: int) -> tuple[Cutout, list[str]]:
        """`flatlay.load_cutout`, remembered per file (path, size, modification time) and read size."""
        stat = Path(photo).stat() if isinstance(photo, (str, Path)) and Path(photo).is_file() else None
        key = (str(Path(photo).resolve()), stat.st_mtime_ns, stat.st_size, target) if stat else None
        with self._lock:
            hit = self._cutouts.get(key) if key else None
            if hit is not None:
                self._cutouts.move_to_end(key)
                return hit[0], list(hit[1])
        cut, notes = load_cutout(photo, target)
        if key is not None:
            with self._lock:
                self._cutouts[key] = (cut, tuple(notes))
                while len(self._cutouts) > CUTOUT_CACHE:
                    self._cutouts.popitem(last=False)
        return cut, notes

    # ---- internals ------------------------------------------------------------------------------------
    def _plan(self, request: PairingRequest, style: Any, outfit: str, has_flatlay: bool) -> list[_Planned]:
        """The generated looks: img2img from the flat-lay and txt2img mood images, alternating, seeded in turn."""
        if request.mode is PairingMode.FLATLAY:
            return []
        anchor_words = _anchor_words(request)
        plan = []
        for i in range(request.n):
            img2img = has_flatlay and i % 2 == 0
            prompt = style.scene_prompt(outfit) if img2img else style.mood_prompt(anchor_words)
            # img2img runs steps x strength of them: at least one, or diffusers denoises nothing.
            steps = max(request.steps, math.ceil(1 / request.strength)) if img2img else request.steps
            call = DiffusionCall(
                prompt,
                seed=request.seed + i,
                negative_prompt=style.negative,
                steps=steps,
                width=request.size,
                height=request.size,
                strength=request.strength,
                mode=request.quality,
                guidance_scale=0.0,
            )
            total = max(1, int(call.steps * call.strength)) if img2img else max(1, call.steps)
            plan.append(_Planned("img2img" if img2img else "txt2img", call, total))
        return plan

    def _rank(
        self,
        made: list[tuple[str, Image.Image, str, int | None, tuple[str, ...]]],
        request: PairingRequest,
        flat: Flatlay | None,
        anchor_ref: tuple[Image.Image, np.ndarray, list[str]],
        sd_models: tuple[ModelRef, ...],
        style: str,
        cancel: CancelToken | None,
    ) -> tuple[PairingCandidate, ...]:
        """Score each image (CLIPScore of its prompt, anchor fidelity), order by MMR, hide weak looks."""
        from generators.fidelity import box_mask, check_fidelity
        from scoring.diversity import maximal_marginal_relevance
        from scoring.scores import ScoreKey, clip_score

        if not made:
            return ()
        check(cancel)
        images = [m[1] for m in made]
        clip, vectors = [1.0] * len(made), np.eye(len(made))
        if self.scorer is not None:
            table = self.scorer.score(images, [m[2] for m in made])
            clip = [min(1.0, clip_score(float(table.cos[i, i]))) for i in range(len(made))]
            vectors = np.asarray(self.scorer.embed_images(images), np.float64)
        product, product_mask, _ = anchor_ref
        rows = []
        for i, (method, image, _prompt, _seed, _items) in enumerate(made):
            region = None
            if method != "txt2img" and flat is not None:  # the flat-lay's layout: the anchor is in its box
                sx, sy = image.width / flat.image.width, image.height / flat.image.height
                x0, y0, x1, y1 = flat.anchor_box
                region = box_mask(image.size, (round(x0 * sx), round(y0 * sy), round(x1 * sx), round(y1 * sy)))
            fid = check_fidelity(product, product_mask, image, region)
            total = CLIP_WEIGHT * clip[i] + FIDELITY_WEIGHT * fid.score
            rows.append((fid, total))
        # A random-weight CLIP sees every image alike: its "near-duplicates" are not, so none are hidden for it.
        real_clip = self.scorer is not None and not self.scorer.placeholder
        order, closest, dup_of = maximal_marginal_relevance(
            list(range(len(made))), vectors, [t for _, t in rows], MMR_LAMBDA, DUPLICATE_AT if real_clip else 1.01
        )
        best = max(t for _, t in rows)
        clip_ref = (self.scorer.ref,) if self.scorer is not None else ()
        shown: list[PairingCandidate] = []
        hidden: list[PairingCandidate] = []
        for i in [*order, *sorted(dup_of)]:
            method, image, prompt, seed, shown_items = made[i]
            fid, total = rows[i]
            reason = ""
            if i in dup_of:
                reason = f"a near-duplicate of look {order.index(dup_of[i][0]) + 1}"
            elif method != "flatlay" and total < WEAK_BELOW * best:
                reason = f"weak: total {total:.2f} against the best {best:.2f}"
            scores = {
                ScoreKey.CLIP_SCORE.value: round(clip[i], 4),
                ScoreKey.FIDELITY.value: round(fid.score, 4),
                ScoreKey.DISTINCTNESS.value: round(1.0 - closest.get(i, dup_of.get(i, (0, 1.0))[1]), 4),
                ScoreKey.TOTAL.value: round(total, 4),
            }
            makers = sd_models if method != "flatlay" else ()
            params = {"style": style, "method": method, "prompt": prompt, "seed": seed, "items": list(shown_items)}
            params |= {"negative_prompt": "" if method == "flatlay" else pairing_style(style).negative}
            params |= {"fidelity": fid.to_dict(), "request": request_params(request)}
            prov = Provenance((*makers, *clip_ref), seed, params, {}, scores)
            kind = LookKind.FLATLAY if method == "flatlay" else LookKind.GENERATED
            flags = fid.flags + (flat.warnings if method == "flatlay" and flat is not None else ())
            cand = PairingCandidate(kind, image, shown_items, prompt, method, seed, scores, flags, prov)
            (hidden if reason else shown).append(_with(cand, hidden=bool(reason), reason=reason))
        ranked = [*shown, *hidden]
        return tuple(_with(c, rank=r) for r, c in enumerate(ranked, start=1))


def _with(c: PairingCandidate, **changes: Any) -> PairingCandidate:
    from dataclasses import replace

    return replace(c, **changes)


def _anchor_words(request: PairingRequest) -> str:
    """The anchor for a mood prompt, from its attribute sheet: "red cotton t-shirt"."""
    sheet = {k.lower(): v for k, v in request.attributes}
    words = [sheet.get(k, "") for k in ("color", "colour", "pattern", "material")]
    noun = request.anchor.category or request.anchor.words
    if request.anchor.label and not any(w for w in words):
        return request.anchor.label
    return " ".join(w for w in (*words, noun) if w)


def _offset(progress: ProgressFn | None, done: int, total: int, message: str) -> ProgressFn | None:
    """A look's own step reports as steps of the whole pairing (previews passed through)."""
    if progress is None:
        return None

    def forward(p: Progress) -> None:
        progress(Progress(done + p.step, total, message, p.preview))

    return forward


def build_pipeline(shared: Any, *, clip: bool = True) -> PairingPipeline:
    """The pairing pipeline over the shared models: `txt2img` (loaded when a look is generated) and CLIP."""
    from generators.diffusion import preferred_dtype

    return PairingPipeline(
        lambda: shared.model("txt2img", preferred_dtype(shared.device)), scorer=shared.scorer() if clip else None
    )
