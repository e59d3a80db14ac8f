"""Robust image loading shared by pipelines, scoring, catalog import and export.

`open_image` always returns an 8-bit RGB PIL image, upright (EXIF orientation applied), with alpha composited
on white, CMYK / 16-bit / palette / 1-bit / float images converted, and every failure turned into an
`ImageLoadError` that names the file. Only Pillow is imported here (no torch).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.runtime.errors import VitrineError

if TYPE_CHECKING:
    from PIL import Image

#: Pixels above which an image is refused (Pillow's own bomb limit is 2x its MAX_IMAGE_PIXELS default).
MAX_PIXELS = 8_000 * 8_000
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"})


class ImageLoadError(VitrineError):
    """An image could not be read: missing, not an image, truncated, or too large. The message names the file."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"image '{name}' {problem}")
        self.name = name
        self.problem = problem


def _name_of(source: Any, name: str | None) -> str:
    if name:
        return name
    if isinstance(source, (str, Path)):
        return str(source)
    return "<in-memory image>"


def read_image_bytes(path: str | Path) -> bytes:
    """Read a file's bytes, raising `ImageLoadError` (naming the file) when it is missing or unreadable."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise ImageLoadError(str(path), "does not exist") from None
    except IsADirectoryError:
        raise ImageLoadError(str(path), "is a folder, not an image file") from None
    except OSError as exc:
        raise ImageLoadError(str(path), f"cannot be read ({exc.strerror or exc})") from None


def content_hash(data: bytes) -> str:
    """sha256 hex digest of raw content: the key for embedding caches and deduplication."""
    return hashlib.sha256(data).hexdigest()


def pil_content_hash(image: Image.Image) -> str:
    """Content hash of an in-memory PIL image (mode, size and pixels)."""
    digest = hashlib.sha256(f"{image.mode}:{image.size}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def _to_rgb(image: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB; transparency is composited onto `background`."""
    from PIL import Image

    mode = image.mode
    if mode == "RGB":
        return image
    if mode == "P" or (mode in ("L", "RGB") and "transparency" in image.info):
        image = image.convert("RGBA")  # palette/keyed transparency becomes a real alpha channel
        mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        import numpy as np

        arr = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or arr.max() > 255 else 255.0
        image = Image.fromarray(np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8))
        mode = "L"
    elif mode == "F":
        import numpy as np

        arr = np.asarray(image, dtype=np.float64)
        lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        image = Image.fromarray(np.nan_to_num((arr - lo) * scale).astype(np.uint8))
        mode = "L"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, background)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    # CMYK (Pillow applies the inversion Adobe JPEGs need), YCbCr, LAB, HSV, L, 1
    return image.convert("RGB")


def open_image(
    source: str | Path | bytes | Image.Image,
    *,
    name: str | None = None,
    draft_size: int | None = None,
    background: tuple[int, int, int] = (255, 255, 255),
    max_pixels: int = MAX_PIXELS,
) -> Image.Image:
    """Open an image as upright 8-bit RGB, or raise `ImageLoadError` naming the file.

    Args:
        source: a path, the file's bytes, or a PIL image.
        name: how to name the image in error messages (defaults to the path).
        draft_size: when set, JPEGs are decoded at a reduced DCT scale whose both sides stay >= this
            (several times faster; the caller resizes anyway). Never shrinks below `draft_size`.
        background: colour transparent pixels are composited onto.
        max_pixels: refuse larger images (decompression bombs) before decoding them.

    Returns:
        A fully loaded RGB `PIL.Image.Image`, EXIF orientation applied.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    label = _name_of(source, name)
    if isinstance(source, Image.Image):
        image = source
    else:
        data = read_image_bytes(source) if isinstance(source, (str, Path)) else bytes(source)
        if not data:
            raise ImageLoadError(label, "is empty (0 bytes)")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            raise ImageLoadError(label, "is not an image Vitrine can read (JPEG, PNG, WebP, BMP, GIF, TIFF)") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageLoadError(label, "is too large to open safely (possible decompression bomb)") from None
        except OSError as exc:
            raise ImageLoadError(label, f"cannot be opened ({exc})") from None
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageLoadError(label, f"has no pixels ({width}x{height})")
    if width * height > max_pixels:
        raise ImageLoadError(label, f"is too large ({width}x{height} pixels; the limit is {max_pixels:,})")
    try:
        if draft_size and image.format == "JPEG" and image.mode in ("RGB", "L", "CMYK", "YCbCr"):
            # Decode at 1/2, 1/4 or 1/8 scale while both sides stay >= draft_size: far less IDCT work.
            image.draft(image.mode, (draft_size, draft_size))
        image.load()
        image = ImageOps.exif_transpose(image) or image
        rgb = _to_rgb(image, background)
        rgb.load()
    except OSError as exc:
        text = str(exc)
        problem = "is truncated or damaged" if "truncated" in text or "broken" in text else f"is damaged ({text})"
        raise ImageLoadError(label, problem) from None
    except (ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageLoadError(label, f"is damaged ({exc})") from None
    return rgb


def is_image_path(path: str | Path) -> bool:
    """True for a file whose suffix is one of the image formats Vitrine reads."""
    p = Path(path)
    return p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()


def list_images(folder: str | Path) -> list[Path]:
    """Image files directly inside `folder`, sorted by name; raises `ImageLoadError` if it is no folder."""
    root = Path(folder)
    if not root.is_dir():
        raise ImageLoadError(str(folder), "is not a folder")
    return sorted(
        (p for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()), key=lambda p: p.name
    )
