"""Catalog flat-lays: an anchor product and its best complements, cut out and laid on a brand-coloured ground.

Each product is cut out of its own photo (`generators.product_cutout`: a real segmentation on plain backdrops, a
rounded crop with a warning on busy photos, the photo's alpha when it has one), scaled into a slot of a layout
template for its count (2-5 items, the anchor's slot the largest), centred with even margins, and given a soft
shadow so it sits on the ground rather than floating. Composition is deterministic: the same photos, layout
and size give the same pixels, so a flat-lay can be reproduced from its provenance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from generators.product_cutout import Cutout, CutoutMethod, cut_out
from generators.runtime.errors import VitrineError
from generators.runtime.images import ImageLoadError, read_image_bytes

MIN_ITEMS, MAX_ITEMS = 2, 5
SMALL_PHOTO = 256  # photos whose longer side is below this are enlarged, and the flat-lay says so
MAX_PHOTO_PIXELS = 16_000 * 16_000  # refuse larger files before decoding them (decompression bombs)
SHADOW_OPACITY = 0.28

# Slots per item count as (left, top, width, height) fractions of the canvas; slot 0 is the anchor's. They leave
# an even outer margin (6 %) and gutter (4 %) so a row of flat-lays looks like one set.
LAYOUTS: dict[int, tuple[tuple[float, float, float, float], ...]] = {
    2: ((0.06, 0.10, 0.50, 0.80), (0.60, 0.22, 0.34, 0.56)),
    3: ((0.06, 0.06, 0.50, 0.88), (0.60, 0.06, 0.34, 0.42), (0.60, 0.52, 0.34, 0.42)),
    4: (
        (0.06, 0.06, 0.52, 0.88),
        (0.62, 0.06, 0.32, 0.27),
        (0.62, 0.365, 0.32, 0.27),
        (0.62, 0.67, 0.32, 0.27),
    ),
    5: (
        (0.06, 0.06, 0.50, 0.60),
        (0.60, 0.06, 0.34, 0.42),
        (0.60, 0.52, 0.34, 0.42),
        (0.06, 0.70, 0.23, 0.24),
        (0.33, 0.70, 0.23, 0.24),
    ),
}


class FlatlayError(VitrineError):
    """A flat-lay cannot be made from what was given (too few or too many items, unreadable photos)."""


@dataclass(frozen=True)
class FlatlayItem:
    """One product to lay out: its SKU, its photo (a path or an image) and its category."""

    sku: str
    photo: Path | Image.Image
    category: str = ""


@dataclass(frozen=True)
class Placement:
    """Where an item went: its box on the canvas (left, top, right, bottom) and how it was cut out."""

    sku: str
    box: tuple[int, int, int, int]
    method: CutoutMethod
    confidence: float
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flatlay:
    """The composed image, each item's placement (anchor first) and what a person should check."""

    image: Image.Image
    placements: tuple[Placement, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def anchor_box(self) -> tuple[int, int, int, int]:
        return self.placements[0].box


def compose_flatlay(
    items: Sequence[FlatlayItem],
    *,
    size: tuple[int, int] = (1200, 1200),
    background: tuple[int, int, int] = (244, 241, 236),
    cutter: Callable[[Path | Image.Image, int], tuple[Cutout, list[str]]] | None = None,
) -> Flatlay:
    """Lay `items` (anchor first) out on a plain ground of `background`.

    Args:
        items: 2-5 products, the anchor first, then its complements in the order they should be given room.
        size: canvas (width, height) in pixels.
        background: the ground's colour, e.g. the brand palette's light tone.
        cutter: `load_cutout` or a cache in front of it (a batch lays out the same jeans beside many tops).

    Returns:
        The flat-lay with each item's placement and warnings (busy photos cropped, small photos enlarged).
    """
    if not MIN_ITEMS <= len(items) <= MAX_ITEMS:
        raise FlatlayError(f"a flat-lay holds {MIN_ITEMS}-{MAX_ITEMS} products; got {len(items)}")
    width, height = size
    canvas = Image.new("RGB", size, background)
    placements: list[Placement] = []
    warnings: list[str] = []
    cutter = cutter or load_cutout
    target = photo_target(size)
    for item, slot in zip(items, LAYOUTS[len(items)], strict=False):
        box = (round(slot[0] * width), round(slot[1] * height), round(slot[2] * width), round(slot[3] * height))
        cut, notes = cutter(item.photo, target)
        placed = _paste(canvas, cut, box)
        placements.append(Placement(item.sku, placed, cut.method, cut.confidence, tuple(notes)))
        warnings += [f"{item.sku}: {n}" for n in notes]
    return Flatlay(canvas, tuple(placements), tuple(warnings))


def photo_target(size: tuple[int, int]) -> int:
    """The side every photo of a flat-lay of `size` is read at: that of the largest slot, whichever slot it gets
    (so one cut-out of a photo serves it as anchor or as complement)."""
    return round(max(size) * max(max(s[2], s[3]) for slots in LAYOUTS.values() for s in slots))


def load_cutout(photo: Path | Image.Image, target: int) -> tuple[Cutout, list[str]]:
    """`photo` read by `load_photo` and cut out; the notes include the cut-out's warnings when it is uncertain."""
    image, notes = load_photo(photo, target)
    cut = cut_out(image)
    return cut, notes + (list(cut.warnings) if cut.uncertain else [])


def load_photo(photo: Path | Image.Image, target: int) -> tuple[Image.Image, list[str]]:
    """A product photo upright, 8-bit RGB(A), alpha kept, at most about twice `target` pixels on its longer side
    (a 12,000-px photo is decoded small), enlarged when under `SMALL_PHOTO`; with notes on what was done.

    Raises:
        ImageLoadError: the file is missing, unreadable or too large to decode safely.
    """
    notes: list[str] = []
    if isinstance(photo, Image.Image):
        im = photo
    else:
        import io
        import warnings

        data = read_image_bytes(photo)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                im = Image.open(io.BytesIO(data))
                if im.width * im.height > MAX_PHOTO_PIXELS:
                    raise ImageLoadError(str(photo), f"is too large ({im.width}x{im.height} pixels)")
                if im.format == "JPEG":
                    im.draft("RGB", (2 * target, 2 * target))  # a 12,000-px photo decodes at 1/4 or 1/8 scale
                im.load()
        except (OSError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ImageLoadError(str(photo), f"cannot be read ({exc})") from None
    im = ImageOps.exif_transpose(im) or im
    im = _eight_bit(im)
    longest = max(im.size)
    if longest > 2 * target:
        im = im.copy()
        im.thumbnail((2 * target, 2 * target), Image.Resampling.LANCZOS)
    elif longest < SMALL_PHOTO:
        factor = SMALL_PHOTO / longest
        im = im.resize((round(im.width * factor), round(im.height * factor)), Image.Resampling.LANCZOS)
        notes.append(f"photo is only {longest} px; enlarged, so it may look soft")
    return im, notes


def _eight_bit(im: Image.Image) -> Image.Image:
    """RGB or RGBA with 8 bits a channel (16-bit, CMYK, palette and grey photos converted)."""
    if im.mode in ("RGB", "RGBA"):
        return im
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.float64)
        top = 65535.0 if im.mode.startswith("I;16") or arr.max() > 255 else 255.0
        return Image.fromarray(np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)).convert("RGB")
    has_alpha = im.mode in ("LA", "PA", "RGBa", "La") or (im.mode == "P" and "transparency" in im.info)
    return im.convert("RGBA" if has_alpha else "RGB")


def _paste(canvas: Image.Image, cut: Cutout, slot: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Scale the cut-out into `slot` (left, top, width, height), centred, with a soft shadow; returns its box."""
    left, top, right, bottom = cut.box
    item = cut.image.crop((left, top, right, bottom))
    sx, sy, sw, sh = slot
    factor = min(sw / item.width, sh / item.height)
    w, h = max(1, round(item.width * factor)), max(1, round(item.height * factor))
    item = item.resize((w, h), Image.Resampling.LANCZOS)
    x, y = sx + (sw - w) // 2, sy + (sh - h) // 2
    reach = max(2, round(0.012 * max(canvas.size)))  # key light from the upper left: shadow falls down-right
    alpha = item.getchannel("A")
    shadow = Image.new("L", canvas.size, 0)
    shadow.paste(alpha.point(lambda a: round(a * SHADOW_OPACITY)), (x + reach, y + round(reach * 1.4)))
    shadow = shadow.filter(ImageFilter.GaussianBlur(reach * 1.5))
    canvas.paste((0, 0, 0), None, shadow)
    canvas.paste(item, (x, y), alpha)
    return (x, y, x + w, y + h)
