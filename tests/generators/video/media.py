"""Small media made for the video tests: clips with known cuts, rotated phone-style clips, photos."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from generators.video.encoder import ffmpeg_exe

COLORS = [(200, 40, 40), (40, 160, 60), (40, 60, 200), (220, 200, 40), (150, 60, 180)]


def shot_frames(lengths: list[int], size: tuple[int, int] = (96, 96), seed: int = 0) -> list[np.ndarray]:
    """Frames of shots of `lengths` frames: each shot its own colour and pattern, moving a little."""
    rng = np.random.default_rng(seed)
    frames = []
    w, h = size
    for k, n in enumerate(lengths):
        base = np.zeros((h, w, 3), np.uint8)
        base[:] = COLORS[k % len(COLORS)]
        cx, cy = rng.integers(w // 4, 3 * w // 4), rng.integers(h // 4, 3 * h // 4)
        for i in range(n):
            frame = base.copy()
            x = (cx + i) % (w - 16)
            frame[cy - 8 : cy + 8, x : x + 16] = 255 - np.array(COLORS[k % len(COLORS)], np.uint8)
            frames.append(frame)
    return frames


def write_clip(path: Path, frames: list[np.ndarray], fps: int = 30, *, audio: bool = False) -> Path:
    """Encode RGB frames to an H.264 MP4 (with a tone when `audio`)."""
    h, w = frames[0].shape[:2]
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24"]
    cmd += ["-s", f"{w}x{h}", "-framerate", str(fps), "-i", "pipe:0"]
    if audio:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:duration=10", "-shortest", "-c:a", "aac"]
    else:
        cmd += ["-an"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "10", str(path)]
    subprocess.run(cmd, input=b"".join(f.tobytes() for f in frames), check=True)
    return path


def rotate_metadata(src: Path, dst: Path, degrees: int) -> Path:
    """A copy of `src` whose container says: display rotated by `degrees` (as phones record portrait video)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-display_rotation", str(degrees)]
    subprocess.run([*cmd, "-i", str(src), "-c", "copy", str(dst)], check=True)
    return dst


def product_photo(
    path: Path, size: tuple[int, int] = (400, 300), box: tuple[int, int, int, int] = (40, 40, 140, 140)
) -> Path:
    """A studio shot: light paper with a dark product at `box` (off centre)."""
    im = Image.new("RGB", size, (236, 234, 230))
    ImageDraw.Draw(im).rectangle(box, fill=(30, 40, 90))
    im.save(path)
    return path


def retime(src: Path, dst: Path, pts_expr: str) -> Path:
    """Re-encode `src` with frame timestamps from `pts_expr` (an ffmpeg setpts expression), kept as they are:
    variable frame rate, as phones record."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(src), "-vf", f"setpts={pts_expr}"]
    cmd += ["-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast", "-an", str(dst)]
    subprocess.run(cmd, check=True)
    return dst
