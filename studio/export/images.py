"""Images prepared to each platform's spec: resized, cropped or padded, sRGB, re-encoded without EXIF/GPS."""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PIL import Image, ImageCms

from generators.runtime.images import open_image


class Fit(StrEnum):
    CONTAIN = "contain"  # keep the whole image, shrink to fit the box (no padding)
    PAD = "pad"  # keep the whole image, centre it on a square of the background colour
    CROP = "crop"  # fill the box, cropping the centre


@dataclass(frozen=True)
class ImageSpec:
    """One platform slot: target box, how to fit, minimum edge, JPEG quality."""

    name: str
    width: int
    height: int
    fit: Fit
    min_edge: int = 0  # smaller images are upscaled to this and flagged
    check_white_background: bool = False
    cut_out_to_white: bool = False  # a main image on another background: the product cut out onto white
    quality: int = 90


# Amazon: main image on pure white, ≥ 1000 px on the longest side so zoom works; squares up to 1600 px
# (smaller photos are padded to a square of their own size, and enlarged only up to 1000 px, with a flag).
# A studio shot on paper or grey fails the white rule: the product is cut out onto white (generators.product_cutout);
# an uncertain cut-out is never used, and the flag says why.
AMAZON_MAIN = ImageSpec(
    "amazon-main", 1600, 1600, Fit.PAD, min_edge=1000, check_white_background=True, cut_out_to_white=True
)
AMAZON_OTHER = ImageSpec("amazon-other", 1600, 1600, Fit.PAD, min_edge=1000)
# Shopify: square images up to 2048 px look consistent in most themes.
SHOPIFY = ImageSpec("shopify", 2048, 2048, Fit.CONTAIN)
# Taobao/Tmall main images: 800×800 squares (zoom from 700 px up).
TAOBAO = ImageSpec("taobao", 800, 800, Fit.CROP, min_edge=800)
GENERIC = ImageSpec("generic", 2048, 2048, Fit.CONTAIN)

WHITE_LEVEL = 245  # a border pixel counts as white when every channel is at least this
WHITE_FRACTION = 0.95  # share of border pixels that must be white for the main-image check to pass


@dataclass(frozen=True)
class PreparedImage:
    """An image written for a platform, with what happened to it."""

    path: Path
    width: int
    height: int
    upscaled: bool
    white_fraction: float | None
    flags: tuple[str, ...]
    cut_out: bool = False  # the product was cut out of its photo onto white (the photo as shot is not this)


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    if not icc:
        return img
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(img, src, ImageCms.createProfile("sRGB"), outputMode="RGB") or img
    except (ImageCms.PyCMSError, OSError, ValueError):
        return img  # an unreadable profile: keep the pixels as they are, as a browser would


def load_srgb(path: Path) -> Image.Image:
    """Open upright RGB in sRGB (an embedded colour profile is converted, then dropped)."""
    with Image.open(path) as raw:
        icc = raw.info.get("icc_profile")
    return _to_srgb(open_image(path), icc)


def white_border_fraction(img: Image.Image, band: float = 0.02) -> float:
    """Share of pixels in the outer frame (2 % of each edge) that are near-white."""
    import numpy as np

    a = np.asarray(img.convert("RGB"))
    h, w = a.shape[:2]
    b = max(1, int(round(min(h, w) * band)))
    frame = np.concatenate(
        [a[:b].reshape(-1, 3), a[-b:].reshape(-1, 3), a[:, :b].reshape(-1, 3), a[:, -b:].reshape(-1, 3)]
    )
    return float((frame.min(axis=1) >= WHITE_LEVEL).mean())


def fit_image(img: Image.Image, spec: ImageSpec) -> tuple[Image.Image, bool]:
    """Resize/crop/pad to the spec; returns the image and whether it had to be enlarged."""
    w, h = img.size
    box = (spec.width, spec.height)
    if spec.fit is Fit.CROP:
        scale = max(spec.width / w, spec.height / h)
    elif spec.fit is Fit.PAD:
        # A square as large as the photo (at least min_edge, at most the spec): padding, not enlarging.
        side = min(max(w, h, spec.min_edge), spec.width, spec.height)
        scale, box = side / max(w, h), (side, side)
    else:
        scale = min(spec.width / w, spec.height / h, 1.0)  # never enlarge just to fill a maximum
        if spec.min_edge and max(w, h) * scale < spec.min_edge:
            scale = spec.min_edge / max(w, h)
    upscaled = scale > 1.0 + 1e-6
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    out = img.resize(size, Image.Resampling.LANCZOS) if size != (w, h) else img.copy()
    if spec.fit is Fit.CROP:
        left, top = (out.width - box[0]) // 2, (out.height - box[1]) // 2
        out = out.crop((left, top, left + box[0], top + box[1]))
    elif spec.fit is Fit.PAD:
        canvas = Image.new("RGB", box, (255, 255, 255))
        canvas.paste(out, ((box[0] - out.width) // 2, (box[1] - out.height) // 2))
        out = canvas
    return out, upscaled


def encode_jpeg(img: Image.Image, quality: int = 90) -> bytes:
    """JPEG bytes with no EXIF, GPS, XMP or colour profile (pixels are already sRGB)."""
    buf = io.BytesIO()
    clean = Image.new("RGB", img.size)
    clean.paste(img.convert("RGB"))  # a fresh image carries no metadata from the source
    clean.save(buf, "JPEG", quality=quality, optimize=True, exif=b"")
    return buf.getvalue()


def strip_video_metadata(src: Path, dst: Path) -> bool:
    """Copy a video without its metadata (phones store GPS in MP4 atoms): ffmpeg stream copy, no re-encode.

    Returns False when ffmpeg could not read the file; then nothing is written and the caller decides.
    """
    import subprocess

    import imageio_ffmpeg

    dst.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-y",
        "-loglevel",
        "error",
        "-i",
        str(src),
        "-map",
        "0",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-c",
        "copy",
        "-movflags",
        "+faststart",
        str(dst),
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    if done.returncode != 0:
        dst.unlink(missing_ok=True)
        return False
    return True


def _cut_out_to_white(img: Image.Image) -> tuple[Image.Image | None, str]:
    """The product on white at the photo's own size, or None and why the cut-out cannot be trusted."""
    from generators.product_cutout import cut_out, on_white

    cut = cut_out(img)
    if cut.uncertain:
        return None, "an automatic cut-out was uncertain (" + "; ".join(cut.warnings) + ")"
    return on_white(cut, side=max(img.size)), ""


def prepare(src: Path, spec: ImageSpec) -> tuple[bytes, PreparedImage]:
    """Read `src`, fit it to `spec`, check what the spec asks, and return JPEG bytes plus a report.

    The returned PreparedImage has no final path yet (the caller writes the bytes); `path` is the source.
    """
    img = load_srgb(src)
    white = None
    flags: list[str] = []
    cut = False
    if spec.check_white_background:
        white = white_border_fraction(img)
        if white < WHITE_FRACTION:
            problem = f"main image background is not white ({white:.0%} of the border is white)"
            on_white, note = _cut_out_to_white(img) if spec.cut_out_to_white else (None, "")
            if on_white is None:
                flags.append(problem + (f"; {note}" if note else ""))
            else:
                img, cut, white = on_white, True, white_border_fraction(on_white)
                flags.append("main image: the product was cut out of its photo onto white; check the outline")
    out, upscaled = fit_image(img, spec)
    edge = min(img.size) if spec.fit is Fit.CROP else max(img.size)
    if upscaled and spec.min_edge and edge < spec.min_edge:
        flags.append(f"upscaled from {img.width}x{img.height} to reach {spec.min_edge} px; use a larger photo")
    prepared = PreparedImage(src, out.width, out.height, upscaled, white, tuple(flags), cut)
    return encode_jpeg(out, spec.quality), prepared
