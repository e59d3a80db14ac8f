"""CLIP image preprocessing that is cheap enough to overlap with the model forward.

Equivalent to open_clip's inference transform (shortest-side resize, centre crop, normalize) but: JPEGs are
decoded in draft mode at a reduced DCT scale, the centre square is cropped *before* resizing (less work, and
a 1×10,000 image cannot blow up), and pixels stay uint8 until a whole batch is normalized at once in torch.
Decoding runs in a thread pool (Pillow releases the GIL while decoding and resizing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from generators.runtime.images import ImageLoadError, open_image

if TYPE_CHECKING:
    import torch
    from PIL import Image

#: Bump when preprocessing changes: it is part of every cached image vector's key.
PREPROCESS_VERSION = "2"


@dataclass(frozen=True)
class PreprocessSpec:
    """What a CLIP model expects: square side, resize mode and filter, normalization."""

    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    interpolation: str = "bicubic"
    resize_mode: str = "shortest"  # shortest (crop) | squash | longest (pad)


def _filter(name: str) -> int:
    from PIL import Image

    return {"bilinear": Image.Resampling.BILINEAR, "nearest": Image.Resampling.NEAREST}.get(
        name, Image.Resampling.BICUBIC
    )


def to_model_pixels(image: Image.Image, spec: PreprocessSpec) -> np.ndarray:
    """An RGB PIL image -> uint8 array [size, size, 3] ready for `normalize_batch`."""
    from PIL import Image

    w, h = image.size
    size = spec.size
    if spec.resize_mode == "squash":
        out = image.resize((size, size), _filter(spec.interpolation))
    elif spec.resize_mode == "longest":
        scale = size / max(w, h)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        canvas = Image.new("RGB", (size, size), (0, 0, 0))
        canvas.paste(image.resize((nw, nh), _filter(spec.interpolation)), ((size - nw) // 2, (size - nh) // 2))
        out = canvas
    else:
        short = min(w, h)
        left, top = (w - short) // 2, (h - short) // 2
        out = image.resize((size, size), _filter(spec.interpolation), box=(left, top, left + short, top + short))
    return np.asarray(out, dtype=np.uint8)


def normalize_batch(pixels: Sequence[np.ndarray], spec: PreprocessSpec, device: Any, dtype: Any) -> torch.Tensor:
    """Stack uint8 HWC arrays into a normalized NCHW tensor on `device` in `dtype`."""
    import torch

    batch = torch.from_numpy(np.stack(pixels)).to(device)
    x = batch.permute(0, 3, 1, 2).float().div_(255.0)
    mean = torch.tensor(spec.mean, device=device).view(1, 3, 1, 1)
    std = torch.tensor(spec.std, device=device).view(1, 3, 1, 1)
    return x.sub_(mean).div_(std).to(dtype).contiguous()


def load_pixels(source: Any, spec: PreprocessSpec, name: str | None = None) -> np.ndarray:
    """Open (robustly) and preprocess one image; raises `ImageLoadError` naming the file."""
    return to_model_pixels(open_image(source, name=name, draft_size=spec.size), spec)


PixelsOrError = np.ndarray | ImageLoadError


def iter_pixel_batches(
    sources: Sequence[Any],
    spec: PreprocessSpec,
    batch_size: int,
    workers: int,
    names: Sequence[str | None] | None = None,
    loader: Callable[[Any, PreprocessSpec, str | None], np.ndarray] = load_pixels,
) -> Iterator[list[tuple[int, PixelsOrError]]]:
    """Yield batches of (index, pixels-or-error) in order, decoding up to two batches ahead in threads.

    While the caller runs the model on one batch, the pool is already decoding the next ones: that overlap
    is what keeps decoding off the critical path.
    """
    names = names if names is not None else [None] * len(sources)

    def job(i: int) -> PixelsOrError:
        try:
            return loader(sources[i], spec, names[i])
        except ImageLoadError as exc:
            return exc

    if workers <= 1:
        for start in range(0, len(sources), batch_size):
            yield [(i, job(i)) for i in range(start, min(start + batch_size, len(sources)))]
        return
    ahead = 2 * batch_size
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vitrine-decode") as pool:
        pending: dict[int, Future] = {}
        next_submit = 0
        for start in range(0, len(sources), batch_size):
            stop = min(start + batch_size, len(sources))
            while next_submit < min(len(sources), stop + ahead):
                pending[next_submit] = pool.submit(job, next_submit)
                next_submit += 1
            yield [(i, pending.pop(i).result()) for i in range(start, stop)]
