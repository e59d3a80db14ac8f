"""Virtual try-on: a product garment drawn onto a person photo, face and background untouched.

    pipe = build_pipeline(SharedModels("auto"))
    result = pipe.run(TryOnRequest(product, person=Path("people/astronaut.jpg"), n=4))
    result.candidates[0].image   # best first, at the person photo's size

1. **Where**: a painted mask (white = redraw), or the automatic garment region: SegFormer's clothes classes
   when its real weights are pulled, else the offline face + body-layout + GrabCut mask of
   `generators.person_layout` (never a placeholder's random mask). Face, neck and hands are protected.
2. **What**: Stable Diffusion inpainting (`generators.diffusion`) on a crop around the mask at the model's
   resolution, prompted with the garment's attribute sheet (colour, material, pattern, category, title).
   No image-prompt adapter (IP-Adapter) weights ship in any registry package, so the garment's photo does
   not steer the drawing; it conditions the result through its attributes in the prompt and through the
   fidelity guard below, which compares every candidate with it.
3. **Paste back** at the photo's full resolution through the feathered mask: a pixel where the mask is 0 is
   the photo's own pixel (`generators.tryon_inputs.composite`).
4. **Fidelity and ranking**: the garment's dominant colours (CIE Lab, ΔE 2000) and CLIP likeness against the
   drawn region (`generators.fidelity`); drift is a flag and ranks a candidate after every unflagged one.
   Among equals, the fidelity score and the CLIPScore of the garment's description decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from generators.diffusion import DiffusionCall, FastDiffusion, QualityMode
from generators.fidelity import FidelityReport, check_fidelity
from generators.person_layout import GarmentType, find_person_mask, garment_type_for
from generators.product import Product
from generators.runtime.errors import VitrineError
from generators.runtime.progress import CancelToken, Progress, ProgressFn, check, report
from generators.runtime.provenance import Provenance, Stopwatch, request_params
from generators.tryon_inputs import (
    composite,
    crop_box,
    garment_cutout,
    load_painted_mask,
    mask_image,
    open_person_photo,
)
from scoring.scores import ScoreKey, clip_score

if TYPE_CHECKING:
    from PIL import Image

    from generators.factory import SharedModels
    from generators.product_cutout import Cutout
    from generators.runtime.loading import LoadedModel
    from generators.runtime.pipeline import EmbeddingScorer

NEGATIVE_PROMPT = "deformed, distorted, extra limbs, blurry, low quality, text, watermark, logo"
FLAGGED_PENALTY = 1.0  # subtracted from a flagged candidate's total: it ranks after every unflagged one
FIDELITY_KEY = "fidelity"  # 0..1 colour (and, with a real CLIP, likeness) agreement with the garment photo
DELTA_E_KEY = "delta_e"
PLACEHOLDER_FLAG = "made by a placeholder inpainting model (random weights): not a real try-on"


class TryOnError(VitrineError):
    """A try-on cannot start: no garment photo, no garment type, or no usable mask."""


@dataclass(frozen=True)
class TryOnRequest:
    """One try-on job: everything needed to make it again.

    Attributes:
        product: the garment (its first photo is the garment photo; category and attributes prompt the model).
        person: the person photo.
        garment_type: upper / lower / full; None takes it from the product's category.
        mask: a painted mask PNG (white = redraw) at the person photo's size; None finds the region.
        person_index: which person when the photo shows several (0: the largest).
        n: how many seeded candidates.
        seed: the first candidate's seed (the others follow: seed + 1, seed + 2 …).
        steps: denoising steps per candidate.
        strength: how much of the masked region is redrawn (1.0: all of it).
        resolution: the square side the model draws the crop at (None: the side the model was trained at).
        guidance_scale: classifier-free guidance (0: none, one UNet pass per step).
        mode: which autoencoder decodes (fast: the tiny one).
    """

    product: Product
    person: Path
    garment_type: GarmentType | None = None
    mask: Path | None = None
    person_index: int = 0
    n: int = 4
    seed: int = 0
    steps: int = 2
    strength: float = 1.0
    resolution: int | None = None
    guidance_scale: float = 0.0
    mode: QualityMode = QualityMode.FAST


@dataclass(frozen=True)
class TryOnCandidate:
    """One drawn try-on at the person photo's size, with its scores and flags."""

    image: Image.Image
    seed: int
    scores: dict[str, float]
    flags: tuple[str, ...]
    fidelity: FidelityReport

    @property
    def total(self) -> float:
        return self.scores[ScoreKey.TOTAL]

    @property
    def hidden(self) -> bool:
        """Weak: the garment drifted from its photo. Listed last and hidden unless asked for."""
        return bool(self.fidelity.flags)


@dataclass(frozen=True)
class TryOnResult:
    """Candidates best first, the mask they were drawn through, and how they were made.

    Attributes:
        candidates: best first; flagged ones after every unflagged one.
        mask: the soft mask (8-bit, white = redrawn) at the person photo's size.
        garment_type: the garment type used.
        mask_source: "painted", "segformer" or "layout" (the offline face and body-layout mask).
        prompt: the text the model drew from.
        warnings: what a marketer should know (photo enlarged or reduced, several people …).
        provenance: models, seeds, every request field, timings.
    """

    candidates: tuple[TryOnCandidate, ...]
    mask: Image.Image
    garment_type: GarmentType
    mask_source: str
    prompt: str
    warnings: tuple[str, ...]
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def placeholder(self) -> bool:
        return self.provenance.placeholder


def garment_prompt(product: Product, garment_type: GarmentType) -> str:
    """The prompt from the garment's attribute sheet: colour, material, pattern, then the title (or the kind of
    garment), then the catalog's category ("a red cotton Classic Crew-Neck T-Shirt, tops, …")."""
    attrs = {k.lower(): v for k, v in product.attributes.items() if v}
    words = [attrs.get(k, "") for k in ("color", "colour", "material", "pattern")]
    kind = {GarmentType.UPPER: "top", GarmentType.LOWER: "pair of trousers", GarmentType.FULL: "dress"}[garment_type]
    described = " ".join(w for w in (*words, product.title or kind) if w)
    category = f", {product.category}" if product.category else ""
    return f"a photo of a person wearing a {described}{category}, realistic fabric, natural light"


def garment_description(product: Product) -> str:
    """The short text CLIP checks each candidate against (CLIPScore)."""
    attrs = {k.lower(): v for k, v in product.attributes.items() if v}
    words = [attrs.get(k, "") for k in ("color", "colour", "material")]
    return "a person wearing a " + " ".join(w for w in (*words, product.category or product.title or "garment") if w)


class TryOnPipeline:
    """Try-on over a loaded inpainting role, with the CLIP scorer and (when real) SegFormer's clothes parser.

    Args:
        inpaint: the loaded `inpaint` role.
        scorer: CLIP for likeness and CLIPScore (None: colour fidelity only).
        masker: the loaded real `person_mask` role (None: the offline layout mask).
    """

    def __init__(
        self, inpaint: LoadedModel, scorer: EmbeddingScorer | None = None, masker: LoadedModel | None = None
    ) -> None:
        self.inpaint = inpaint
        self.diffusion = FastDiffusion(inpaint.components)
        self.scorer = scorer
        self.masker = masker

    def run(
        self, request: TryOnRequest, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> TryOnResult:
        """Draw `request.n` try-on candidates, ranked; raises `Cancelled` within one step of a cancel."""
        if request.n < 1:
            raise TryOnError("ask for at least one candidate")
        if request.product.image is None:
            raise TryOnError(f"product '{request.product.sku}' has no photo; try-on compares the result with it")
        watch = Stopwatch()
        per_call = max(1, int(max(1, request.steps) * request.strength))
        total = 1 + request.n * per_call + 1
        report(progress, 0, total, "finding the garment region")
        garment_type = request.garment_type or garment_type_for(request.product.category)
        with watch("mask"):
            photo = open_person_photo(request.person)
            warnings = list(photo.warnings)
            mask, source = self._mask(request, photo.image, garment_type, warnings)
            garment = garment_cutout(request.product.image)
        check(cancel)
        report(progress, 1, total, "drawing")
        box = crop_box(mask)
        crop = photo.image.crop(box)
        crop_mask = mask_image(mask).crop(box)
        prompt = garment_prompt(request.product, garment_type)
        side = request.resolution or self.inpaint.components.default_size
        drawn: list[tuple[int, Image.Image]] = []
        for i in range(request.n):
            seed = request.seed + i
            call = DiffusionCall(
                prompt,
                seed,
                NEGATIVE_PROMPT,
                request.steps,
                side,
                side,
                request.guidance_scale,
                request.strength,
                request.mode,
            )
            offset = 1 + i * per_call
            with watch("generate"):
                image = self.diffusion.inpaint(
                    call, crop, crop_mask, progress=_shifted(progress, offset, total), cancel=cancel
                )
            with watch("composite"):
                drawn.append((seed, composite(photo.image, image, mask, box)))
        with watch("score"):
            candidates = rank_candidates(drawn, garment, mask, request.product, self.scorer)
        check(cancel)
        report(progress, total, total, "ranked")
        models = tuple(m.ref() for m in (self.inpaint, self.masker) if m is not None)
        if self.scorer is not None:
            models += (self.scorer.ref,)
        provenance = Provenance(
            models=models,
            seed=request.seed,
            params=request_params(
                request,
                prompt=prompt,
                mask_source=source,
                garment_type_used=garment_type.value,
                crop_box=list(box),
                resolution_used=side,
            ),
            timings=dict(watch.timings),
        )
        if self.inpaint.placeholder:
            candidates = tuple(
                TryOnCandidate(c.image, c.seed, c.scores, (*c.flags, PLACEHOLDER_FLAG), c.fidelity) for c in candidates
            )
        return TryOnResult(candidates, mask_image(mask), garment_type, source, prompt, tuple(warnings), provenance)

    def _mask(
        self, request: TryOnRequest, photo: Image.Image, garment_type: GarmentType, warnings: list[str]
    ) -> tuple[np.ndarray, str]:
        """The soft garment mask at the photo's size and where it came from."""
        if request.mask is not None:
            return load_painted_mask(request.mask, photo.size), "painted"
        name = f"'{request.person.name}'"
        found = find_person_mask(photo, garment_type, person_index=request.person_index, name=name)
        if found.people > 1:
            warnings.append(
                f"{name} shows {found.people} people; dressed person {request.person_index} (0 is the largest)"
            )
        if self.masker is not None:
            from generators.person_layout import segformer_garment_mask

            return segformer_garment_mask(self.masker.components.parse(photo), found, garment_type), "segformer"
        return found.mask, "layout"


def rank_candidates(
    drawn: list[tuple[int, Image.Image]],
    garment: Cutout,
    mask: np.ndarray,
    product: Product,
    scorer: EmbeddingScorer | None = None,
) -> tuple[TryOnCandidate, ...]:
    """Score (seed, image) try-ons against the garment's cut-out and rank them, best first.

    Each gets the fidelity check (colour drift, CLIP likeness) over the mask's region and, with a scorer, the
    CLIPScore of the garment's description; a flagged candidate ranks after every unflagged one.
    """
    from generators.fidelity import _masked_crop  # the same crop the likeness check looks at

    # Everything is measured on the region's box: a 12,000-px photo must not be copied whole per candidate.
    left, top, right, bottom = crop_box(mask > 0.5, margin=0.0)
    region = mask[top:bottom, left:right] > 0.5
    crops = [image.crop((left, top, right, bottom)) for _, image in drawn]
    reports = [check_fidelity(garment.image, garment.mask, crop, region, scorer=scorer) for crop in crops]
    cosines: list[float | None] = [None] * len(drawn)
    if scorer is not None:
        table = scorer.score([_masked_crop(crop, region) for crop in crops], [garment_description(product)])
        cosines = [float(np.nan_to_num(table.cos[i][0])) for i in range(len(drawn))]
    real_clip = scorer is not None and not scorer.placeholder
    candidates = []
    for (seed, image), fidelity, cos in zip(drawn, reports, cosines, strict=True):
        scores = {FIDELITY_KEY: round(fidelity.score, 4), DELTA_E_KEY: round(fidelity.delta_e, 2)}
        total_score = fidelity.score
        if cos is not None:
            scores[ScoreKey.CLIP_SCORE] = round(clip_score(cos), 4)
            if real_clip:  # a placeholder CLIP's number is noise: recorded, never ranked on
                total_score = 0.6 * fidelity.score + 0.4 * min(1.0, clip_score(cos))  # CLIPScore 1 is excellent
        if fidelity.flags:
            total_score -= FLAGGED_PENALTY
        scores[ScoreKey.TOTAL] = round(total_score, 4)
        candidates.append(TryOnCandidate(image, seed, scores, fidelity.flags, fidelity))
    return tuple(sorted(candidates, key=lambda c: (-c.total, c.seed)))


def _shifted(progress: ProgressFn | None, offset: int, total: int) -> ProgressFn | None:
    """One candidate's denoising progress as steps of the whole try-on."""
    if progress is None:
        return None

    def forward(p: Progress) -> None:
        report(progress, offset + p.step, total, f"drawing: {p.message}", p.preview)

    return forward


def build_pipeline(shared: SharedModels, *, clip: bool = True) -> TryOnPipeline:
    """The try-on pipeline: the inpainting role in its preferred dtype, the shared CLIP scorer, and SegFormer's
    clothes parser only when its real weights are on this machine (a placeholder's mask would be noise)."""
    from generators.diffusion import preferred_dtype
    from generators.runtime.errors import ModelNotAvailableError
    from generators.runtime.resolve import resolve

    inpaint = shared.model("inpaint", preferred_dtype(shared.device))
    masker = None
    try:
        resolved = resolve("person_mask", shared.profile, shared.settings, build=False)
    except ModelNotAvailableError:
        resolved = None
    if resolved is not None and not resolved.placeholder:
        loaded = shared.model("person_mask")
        if getattr(loaded.components, "has_labels", False):  # MediaPipe finds the person, not the garment
            masker = loaded
    return TryOnPipeline(inpaint, scorer=shared.scorer() if clip else None, masker=masker)
