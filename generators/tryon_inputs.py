"""Try-on's image plumbing: the person photo, a painted mask, the crop the model sees, and the paste back.

Kept apart from the pipeline (`generators.tryon`) because every rule here is exact pixel bookkeeping that the
tests check without a model: the output has the person photo's size and orientation, and every pixel where
the mask is 0 is the photo's own pixel, untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from generators.runtime.errors import VitrineError

if TYPE_CHECKING:
    from generators.product_cutout import Cutout

LARGE_SIDE = 4096  # a long side above this is worked on scaled down (detection) and pasted back softer
SMALL_SIDE = 256  # a long side below this is enlarged for detection and generation, and scaled back
MIN_PAINTED_SHARE = 0.001  # a painted mask covering less of the photo than this is empty
MAX_PAINTED_SHARE = 0.98  # ... and more than this covers everything (nothing of the person would stay)
CROP_MARGIN = 0.12  # share of the mask's box added on each side of the crop: the model sees some context
PAINTED_FEATHER = 2.0  # pixels (Gaussian sigma) of a painted mask's soft edge


class MaskError(VitrineError):
    """A painted mask cannot be used (unreadable, another size than the photo, empty, covers everything)."""


@dataclass(frozen=True)
class PersonPhoto:
    """The person photo, upright 8-bit RGB at its own size, and what a marketer should know about it."""

    image: Image.Image
    warnings: tuple[str, ...]


def open_person_photo(path: Path) -> PersonPhoto:
    """Open a person photo (EXIF-rotated, CMYK, 16-bit, any size up to the pixel limit) upright as RGB.

    Raises:
        ImageLoadError: the file is missing, not an image, damaged or too large (the message names it).
    """
    from generators.runtime.images import open_image

    image = open_image(path)
    side = max(image.size)
    warnings: list[str] = []
    if side > LARGE_SIDE:
        warnings.append(
            f"the person photo is {image.width}x{image.height}; the garment is drawn at the model's resolution "
            "and pasted back at full size, so it is softer than the rest of the photo"
        )
    elif side < SMALL_SIDE:
        warnings.append(
            f"the person photo is only {image.width}x{image.height}; it is enlarged to find the person and draw "
            "the garment, and the result is scaled back to its size"
        )
    return PersonPhoto(image, tuple(warnings))


def garment_cutout(path: Path) -> Cutout:
    """The garment cut out of its product photo; a transparent PNG keeps its own alpha as the garment's outline.

    Raises:
        ImageLoadError: the photo is missing, not an image, damaged or too large (the message names it).
    """
    import io

    from generators.product_cutout import cut_out
    from generators.runtime.images import open_image, read_image_bytes

    data = read_image_bytes(path)
    upright = open_image(data, name=str(path))  # every decoding problem is reported here, by the file's name
    with Image.open(io.BytesIO(data)) as raw:
        transparent = raw.mode in ("RGBA", "LA", "PA") or "transparency" in raw.info
        if transparent:  # open_image composites alpha onto white: the cut-out needs the alpha itself
            raw.load()
            return cut_out(raw)
    return cut_out(upright)


def load_painted_mask(path: Path, size: tuple[int, int]) -> np.ndarray:
    """A painted mask (white = redraw) as float32 in [0, 1] with a soft edge, checked against the photo's size.

    A PNG with transparency is read by its alpha (painted strokes on a clear layer); anything else by its
    brightness. `size` is the upright person photo's (width, height).

    Raises:
        MaskError: unreadable, another size than the photo, empty, or covering (nearly) everything.
    """
    import cv2
    from PIL import ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as raw:
            raw.load()
            image = ImageOps.exif_transpose(raw) or raw
    except FileNotFoundError:
        raise MaskError(f"mask '{path}' does not exist") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise MaskError(f"mask '{path}' is not an image Vitrine can read ({exc})") from None
    if image.size != size:
        raise MaskError(
            f"mask '{path.name}' is {image.width}x{image.height} but the person photo is {size[0]}x{size[1]} "
            "(upright); paint the mask over the photo at the photo's own size"
        )
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        alpha = np.asarray(image.convert("RGBA"))[..., 3]
        values = alpha if (alpha < 250).mean() > 0.001 else np.asarray(image.convert("L"))
    else:
        values = np.asarray(image.convert("L"))
    hard = values.astype(np.float32) / 255.0
    share = float((hard > 0.5).mean())
    if share < MIN_PAINTED_SHARE:
        raise MaskError(f"mask '{path.name}' is empty; paint the garment region white (the rest black)")
    if share > MAX_PAINTED_SHARE:
        raise MaskError(
            f"mask '{path.name}' covers {share:.0%} of the photo; paint only the garment region white, "
            "so the person's face and the background stay"
        )
    soft = cv2.GaussianBlur(hard, (0, 0), PAINTED_FEATHER)
    return np.clip(np.maximum(soft, (hard > 0.5) * 0.5), 0, 1).astype(np.float32)  # painted pixels stay >= 0.5


def crop_box(mask: np.ndarray, margin: float = CROP_MARGIN) -> tuple[int, int, int, int]:
    """A square-as-possible box (left, top, right, bottom) around every pixel where `mask` > 0, plus a margin.

    Every non-zero mask pixel is inside the box, so pasting the box back changes nothing outside the mask.
    """
    h, w = mask.shape
    ys, xs = np.nonzero(mask > 0)
    if not xs.size:
        raise MaskError("the garment region is empty")
    left, right, top, bottom = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    side = round(max(right - left, bottom - top) * (1 + 2 * margin))
    cw, ch = min(w, max(side, right - left)), min(h, max(side, bottom - top))
    cx, cy = (left + right) / 2, (top + bottom) / 2
    x0 = int(np.clip(round(cx - cw / 2), 0, w - cw))
    y0 = int(np.clip(round(cy - ch / 2), 0, h - ch))
    x0, y0 = min(x0, left), min(y0, top)  # rounding must never cut the mask's own box
    x1, y1 = max(x0 + cw, right), max(y0 + ch, bottom)
    return x0, y0, x1, y1


def composite(
    photo: Image.Image, generated: Image.Image, mask: np.ndarray, box: tuple[int, int, int, int]
) -> Image.Image:
    """Paste `generated` (the crop `box` as the model drew it, any size) into `photo` through the soft `mask`.

    Outside the box nothing is touched; inside it, a pixel whose mask is 0 keeps the photo's value exactly.
    """
    left, top, right, bottom = box
    out = np.array(photo.convert("RGB"))
    original = out[top:bottom, left:right].astype(np.float32)
    drawn = np.asarray(generated.convert("RGB").resize((right - left, bottom - top), Image.Resampling.LANCZOS))
    alpha = mask[top:bottom, left:right, None].astype(np.float32)
    blended = alpha * drawn.astype(np.float32) + (1.0 - alpha) * original
    out[top:bottom, left:right] = np.where(alpha > 0, np.clip(np.round(blended), 0, 255), original).astype(np.uint8)
    return Image.fromarray(out)


def mask_image(mask: np.ndarray) -> Image.Image:
    """The soft mask as an 8-bit grayscale image (white = redrawn), the way it is saved beside the results."""
    return Image.fromarray(np.round(np.clip(mask, 0, 1) * 255).astype(np.uint8))  # 2-D uint8: mode L
