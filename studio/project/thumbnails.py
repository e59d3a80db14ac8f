"""Small previews of product photos, and an on-disk cache of them inside the project (Qt-free).

`fit_thumbnail` decodes a photo upright (EXIF orientation applied) and shrinks it to fit a square; JPEGs are
decoded at a reduced DCT scale (`PIL.Image.draft`), so a 12-megapixel phone photo costs a fraction of a full
decode. Pillow releases the GIL while it decodes and resizes, so callers run it on worker threads.

`ThumbnailDiskCache` keeps the results as small JPEGs under `<project>/cache/thumbs/<edge>/`, keyed by the
source's resolved path, size and modification time: reopening a catalog reads a few kilobytes per tile instead
of decoding megabytes. The cache is best effort: a missing, unreadable or unwritable entry is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING

from generators.runtime.images import ImageLoadError, open_image
from studio.atomic_files import atomic_write_bytes

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["CACHE_VERSION", "ImageLoadError", "ThumbnailDiskCache", "fit_thumbnail", "project_thumbnail_cache"]

#: Bump when the way thumbnails are made changes, so old cache entries are no longer found.
CACHE_VERSION = 1
JPEG_QUALITY = 88


def fit_thumbnail(path: str | Path, edge: int) -> Image.Image:
    """The photo at `path` as upright RGB fitting inside `edge` x `edge` (aspect ratio kept).

    Raises:
        ImageLoadError: the file is missing, not an image, truncated or too large (the message names it).
    """
    image = open_image(path, draft_size=edge)
    if image.width > edge or image.height > edge:
        image.thumbnail((edge, edge))  # bicubic with a reducing gap: sharp, and cheap after the draft decode
    return image


def project_thumbnail_cache(project_folder: str | Path) -> ThumbnailDiskCache:
    """The thumbnail cache of the project in `project_folder` (beside its other caches)."""
    return ThumbnailDiskCache(Path(project_folder) / "cache" / "thumbs")


class ThumbnailDiskCache:
    """Thumbnails stored as JPEGs in `folder`, one per (source file version, edge). Safe to share between threads.

    Entries are written atomically (`studio.atomic_files`), so a reader never sees half a file, but not fsynced:
    an entry lost in a crash is made again.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def entry_path(self, source: str | Path, edge: int) -> Path | None:
        """Where the thumbnail of `source` at `edge` lives; None when `source` cannot be stat'ed."""
        try:
            resolved = Path(source).resolve()
            st = resolved.stat()
        except OSError:
            return None
        key = f"{CACHE_VERSION}|{resolved}|{st.st_size}|{st.st_mtime_ns}"
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]
        return self.folder / str(edge) / digest[:2] / f"{digest}.jpg"

    def load(self, source: str | Path, edge: int) -> Image.Image | None:
        """The cached thumbnail of `source`, or None on a miss (absent, stale or damaged entry)."""
        entry = self.entry_path(source, edge)
        if entry is None or not entry.is_file():
            return None
        try:
            return open_image(entry)
        except ImageLoadError:
            return None

    def save(self, source: str | Path, edge: int, image: Image.Image) -> None:
        """Store `image` as the thumbnail of `source`; failures (read-only project, full disk) are ignored."""
        entry = self.entry_path(source, edge)
        if entry is None:
            return
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=JPEG_QUALITY)
        with contextlib.suppress(OSError):  # a read-only project or a full disk costs the cache, nothing else
            atomic_write_bytes(entry, buf.getvalue(), durable=False)
