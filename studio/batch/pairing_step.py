"""The batch's outfit pairing step: a flat-lay per product from the catalog (and generated looks when asked).

For each product the step asks complete-the-look retrieval (`studio.project.search.complete_the_look`, the same
one the studio's ✦ tab and `vitrine look` use) for the best item of each complementary category, keeps one per
slot (`generators.pairing.pick_complements`), and runs the pairing pipeline. Every image goes into the
project's asset store as a `pairing` candidate with its scores, flags, parameters and provenance; looks the
pipeline hid as weak are kept as rejected candidates with the reason.

The studio's Pairing tab runs the same step with a person's outfit (`PairingStepOptions.items`: the complements
they swapped in or kept) and what to make (`mode`: flat-lay, generated looks or both).

Generated looks are opt-in (`PairingStepOptions.looks`, default 0): without real Stable Diffusion weights they
come from the tiny placeholder model, which the export never publishes, and each costs seconds per product on a
CPU. Flat-lays are made from the catalog's own photos by no model, so they are real and exportable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generators.runtime.errors import VitrineError
from studio.batch.context import StepContext, StepOutput
from studio.batch.options import StepOptions
from studio.project.store import CandidateKind, CandidateState, JobState, NewCandidate

PER_CATEGORY = 3  # items retrieval ranks per complementary category: the next-best ones can be swapped in


@dataclass(frozen=True)
class PairingStepOptions(StepOptions):
    """What the pairing step makes.

    Attributes:
        style: a style preset name (`assets/presets/pairing_styles.json`).
        looks: generated looks per product (0: the flat-lay only).
        seed: the first look's seed.
        quality: "fast" (tiny autoencoder decode) or "best" (full VAE).
        mode: "flatlay", "generated" or "both" (`generators.pairing.PairingMode`); "" makes the flat-lay, and
            the looks too when `looks` asks for some.
        items: the complements' SKUs to lay beside the product, in slot order (a person swapped or removed
            some in the studio); None takes complete-the-look's best item of each slot.
        size: side of the generated looks in pixels (the flat-lay keeps its own output size).
    """

    style: str = "casual"
    looks: int = 0
    seed: int = 0
    quality: str = "fast"
    mode: str = ""
    items: tuple[str, ...] | None = None
    size: int = 512

    def __post_init__(self) -> None:
        from generators.pairing.pipeline import PairingMode

        if self.mode:  # a bad mode fails here, before any work
            modes = [m.value for m in PairingMode]
            if self.mode not in modes:
                raise VitrineError(f"unknown pairing mode '{self.mode}'; choose one of: {', '.join(modes)}")
            object.__setattr__(self, "mode", PairingMode(self.mode).value)
        if self.items is not None:  # a list from a form or JSON: a tuple keeps the options hashable and equal
            object.__setattr__(self, "items", tuple(str(sku) for sku in self.items))
        if not (64 <= int(self.size) <= 2048 and int(self.size) % 64 == 0):
            raise VitrineError(f"the looks' size must be a multiple of 64 from 64 to 2048 pixels (got {self.size})")

    def freshness(self) -> dict[str, Any]:
        """Every field, except the ones added after the first release while they hold their defaults: a
        pairing finished before they existed was made exactly as they now ask, so it stays fresh."""
        used = super().freshness()
        for name, default in _LATER_FIELDS.items():
            if used[name] == default:
                del used[name]
        return used

    def pairing_mode(self) -> str:
        """The mode the pipeline runs: the one asked for, else both when looks are asked for, else flatlay."""
        return self.mode or ("both" if self.looks else "flatlay")


_LATER_FIELDS: dict[str, Any] = {"mode": "", "items": None, "size": 512}


def run_pairing(ctx: StepContext) -> StepOutput:
    """The product's flat-lay (and looks) with its best complements; skipped with the reason when there is none."""
    from generators.pairing import PairingMode, PairingRequest, pairing_style
    from studio.batch.words_steps import main_photo

    options = ctx.options if isinstance(ctx.options, PairingStepOptions) else PairingStepOptions()
    style = pairing_style(options.style)
    photo = main_photo(ctx)
    if photo is None:
        return StepOutput(JobState.SKIPPED, "no product photo to pair")
    mode = PairingMode(options.pairing_mode())
    looks = 0 if mode is PairingMode.FLATLAY else options.looks
    if mode is PairingMode.GENERATED and looks == 0:
        return StepOutput(JobState.SKIPPED, "generated looks asked for, but 0 of them")
    anchor, attributes, complements = _outfit(ctx, photo, options.items)
    if not complements and looks == 0:
        return StepOutput(JobState.SKIPPED, "no complementary items in the catalog for a flat-lay")
    request = PairingRequest(
        anchor,
        complements,
        style=style.name,
        n=looks,
        seed=options.seed,
        mode=mode,
        quality=options.quality,
        attributes=attributes,
        size=options.size,
    )
    result = ctx.pipelines.pipeline("pairing").run(request, progress=ctx.progress, cancel=ctx.cancel)
    out = tuple(_candidate(ctx, c) for c in result.candidates)
    return StepOutput(candidates=out, message="; ".join(result.warnings))


def _outfit(
    ctx: StepContext, photo: Path, items: tuple[str, ...] | None = None
) -> tuple[Any, tuple[tuple[str, str], ...], tuple[Any, ...]]:
    """The anchor (its listing photo), its catalog/user attributes and the complements: one per slot, or the
    SKUs `items` names (a person's choice), in that order."""
    from generators.pairing import PairingItem, pick_complements
    from studio.project.search import complete_the_look

    look = complete_the_look(ctx.store, ctx.product.sku, per_category=PER_CATEGORY, profile=ctx.profile)
    hits = {h.sku: (g.category, h) for g in reversed(look.groups) for h in g.hits}  # a SKU's first category wins
    if items is None:
        slots = pick_complements({g.category: [h.sku for h in g.hits] for g in look.groups})
        hits |= {slot.skus[0]: (slot.category, hits[slot.skus[0]][1]) for slot in slots}  # the slot's category
        items = tuple(slot.skus[0] for slot in slots)
    complements = []
    for sku in dict.fromkeys(s for s in items if s != ctx.product.sku):
        category, product_id, photo_path = _complement(ctx, sku, hits)
        colour = _facts(ctx, product_id).get("color", "")
        label = " ".join(w for w in (colour, category) if w)
        complements.append(PairingItem(sku, photo_path, category, label))
    facts = _facts(ctx, ctx.product.id)
    category = look.category or ctx.product.category
    anchor = PairingItem(ctx.product.sku, photo, category, " ".join(w for w in (facts.get("color", ""), category) if w))
    attributes = tuple((k, facts[k]) for k in ("color", "material", "pattern") if facts.get(k))
    return anchor, attributes, tuple(complements)


def _complement(ctx: StepContext, sku: str, hits: dict[str, tuple[str, Any]]) -> tuple[str, int, Path]:
    """(category, product id, photo) of a complement: as retrieval found it, else from the catalog."""
    from generators.pairing import PairingError
    from studio.project.rows import ImageRole

    if sku in hits:
        category, hit = hits[sku]
        return category, hit.product_id, ctx.store.assets.path_for(hit.photo_sha)
    product = ctx.store.product_by_sku(sku)
    photos = ctx.store.images(product.id, ImageRole.PRODUCT) if product is not None else []
    if product is None or not photos:
        why = "is not in this project" if product is None else "has no product photo"
        raise PairingError(f"cannot lay '{sku}' beside '{ctx.product.sku}': it {why}")
    return product.category or "", product.id, ctx.store.assets.path_for(photos[0].sha256)


def _facts(ctx: StepContext, product_id: int) -> dict[str, str]:
    """A product's user and catalog attribute values (never a model's guess) for prompt words."""
    from studio.project.attribute_sheet import attribute_sheet, grounding_attributes

    return {k: str(v) for k, v in grounding_attributes(attribute_sheet(ctx.store, product_id)).items()}


def _candidate(ctx: StepContext, c: Any) -> NewCandidate:
    """One pairing image stored in the project's assets, with what it shows and how it was made."""
    import io

    buf = io.BytesIO()
    c.image.save(buf, format="PNG")
    sha = ctx.store.assets.put_bytes(buf.getvalue(), ".png")
    what = "Outfit flat-lay" if c.kind.value == "flatlay" else "Styled outfit"
    params = {
        "look": c.kind.value,
        "method": c.method,
        "style": c.provenance.params.get("style"),
        "items": list(c.items),
        "seed": c.seed,
        "prompt": c.prompt,
        "flags": list(c.flags),
        "caption": f"{what}: {' + '.join(c.items)}",
        "reason": c.reason,
    }
    return NewCandidate(
        CandidateKind.PAIRING,
        rank=c.rank - 1,
        file_sha=sha,
        params=params,
        provenance=_project_relative(c.provenance.to_dict(), ctx.store.folder),
        scores=dict(c.scores),
        score=c.scores.get("total"),
        state=CandidateState.REJECTED if c.hidden else CandidateState.PROPOSED,
    )


def _project_relative(value: Any, root: Path) -> Any:
    """`value` with paths inside the project folder written relative to it: a stored provenance (and the export
    that shows it) must not carry where this machine keeps the project, and must survive the folder moving."""
    if isinstance(value, str):
        for prefix in (str(Path(root)) + "/", str(Path(root).resolve()) + "/"):
            if value.startswith(prefix):
                return value[len(prefix) :]
        return value
    if isinstance(value, dict):
        return {k: _project_relative(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_project_relative(v, root) for v in value]
    return value
