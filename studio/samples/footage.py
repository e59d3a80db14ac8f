"""A short vertical 'runway' clip made from the rendered product shots: slow pan with crossfades, x264 via ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

WIDTH, HEIGHT, FPS = 540, 960, 24


def _frames(shots: list[Image.Image], seconds: float) -> list[np.ndarray]:
    """Each shot scaled to cover the frame height, panned sideways, crossfaded into the next."""
    n = int(round(seconds * FPS))
    per = n / len(shots)
    fade = int(FPS * 0.35)
    tiles = []
    for im in shots:
        scale = HEIGHT / im.height * 1.05
        tiles.append(
            np.asarray(
                im.convert("RGB").resize((int(im.width * scale), int(im.height * scale)), Image.Resampling.LANCZOS),
                dtype=np.float32,
            )
        )

    def view(k: int, t: float) -> np.ndarray:
        tile = tiles[k]
        span = tile.shape[1] - WIDTH
        x = span * (0.25 + 0.5 * t)  # slow pan across the middle half of the shot
        x0 = int(x)
        f = x - x0
        y0 = (tile.shape[0] - HEIGHT) // 2
        a = tile[y0 : y0 + HEIGHT, x0 : x0 + WIDTH]
        b = tile[y0 : y0 + HEIGHT, x0 + 1 : x0 + 1 + WIDTH]
        return a * (1 - f) + b * f  # sub-pixel pan, so it glides instead of stepping

    frames = []
    for i in range(n):
        k = min(int(i / per), len(shots) - 1)
        t = (i - k * per) / per
        frame = view(k, t)
        into_next = i - (k + 1) * per + fade
        if k + 1 < len(shots) and into_next > 0:
            w = into_next / fade
            frame = frame * (1 - w) + view(k + 1, 0.0) * w
        frames.append(np.clip(frame + 0.5, 0, 255).astype(np.uint8))
    return frames


def write_runway(shots: list[Image.Image], path: Path, seconds: float = 3.5) -> Path:
    """Encode the clip with the ffmpeg bundled by imageio-ffmpeg (libx264, yuv420p, no audio)."""
    import imageio_ffmpeg

    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-y",
        "-loglevel",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{WIDTH}x{HEIGHT}",
        "-r",
        str(FPS),
        "-i",
        "-",
        "-an",
        "-c:v",
        "libx264",
        "-preset",
        "slow",
        "-crf",
        "28",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        "-map_metadata",
        "-1",
        str(path),
    ]
    data = b"".join(f.tobytes() for f in _frames(shots, seconds))
    subprocess.run(cmd, input=data, check=True)
    return path
