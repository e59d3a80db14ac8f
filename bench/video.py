"""Product video render speed: a 15 s 1080×1920 30 fps video from 5 photos (zoom, 4 transitions, 4 text
overlays, music) at x264 preset veryfast.

Prints one JSON object:
- render_s, realtime_factor (15 / render_s): the whole pipeline (cut-outs, canvases, frames, x264, audio).
- encode_floor_s: x264 alone encoding the same frames (decoded from the rendered file into memory first) with
  the same command; floor_ratio = render_s / encode_floor_s (goal ≤ 1.15: making frames hides behind x264).
- naive_s: the same timeline as a plain moviepy CompositeVideoClip (ImageClips resized per frame, CrossFadeIn /
  SlideIn, text as ImageClips with masks, music with fade-out) at the same preset; a NAIVE_SLICE_S slice is
  written and extrapolated to 15 s (moviepy's cost is per frame), as `naive_note` says. speedup_vs_naive.
- peak_rss_mb of the render process; cpu_model, cpu_bf16 (bench/machine.py).
Each measurement runs in its own process so their memory and imports do not mix.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
DURATION_S = 15.0
NAIVE_SLICE_S = 3.0
PHOTOS = ("vt-bag-black-1.jpg", "vt-cup-red-1.jpg", "vt-jkt-navy-1.jpg", "vt-dress-floral-1.jpg", "vt-jean-blue-1.jpg")


def _request(folder: Path, music: Path) -> object:
    from generators.video import VideoRequest

    images = REPO / "assets" / "sample_catalog" / "images"
    return VideoRequest(
        folder / "bench.mp4",
        photos=tuple(images / p for p in PHOTOS),
        preset="douyin",
        duration_s=DURATION_S,
        title="Everyday essentials, made to last",
        bullets=("Soft, durable materials", "Designed for daily wear"),
        price="$39.00",
        music=music,
        x264_preset="veryfast",
    )


def child_render(folder: Path) -> dict:
    from generators.video import VideoPipeline
    from generators.video.encoder import synthesize_music

    music = synthesize_music(folder / "music.wav", 8.0)
    request = _request(folder, music)
    start = time.perf_counter()
    result = VideoPipeline().run(request)
    render_s = time.perf_counter() - start
    return {
        "render_s": render_s,
        "frames": result.frames,
        "overlays": len(result.overlays),
        "transitions": sum(1 for s in result.timeline if s["transition"]),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_floor(folder: Path) -> dict:
    import numpy as np

    from generators.video.encoder import FrameWriter, ffmpeg_exe

    w, h, n = 1080, 1920, round(DURATION_S * 30)
    frames = np.empty((n, h, w, 3), np.uint8)  # every frame in memory before the clock starts
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(folder / "bench.mp4"), "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        capture_output=True,
        check=True,
    ).stdout
    frames[:] = np.frombuffer(raw, np.uint8)[: frames.size].reshape(frames.shape)
    del raw
    start = time.perf_counter()
    writer = FrameWriter(folder / "floor.mp4", (w, h), 30, n, music=folder / "music.wav", x264_preset="veryfast")
    for frame in frames:
        writer.write(frame)
    writer.close()
    return {"encode_floor_s": time.perf_counter() - start}


def child_naive(folder: Path) -> dict:
    import numpy as np
    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, afx, vfx
    from PIL import Image

    from generators.video import captions, timeline
    from generators.video.pipeline import _product_box, _read_photo
    from generators.video.presets import get_preset

    request = _request(folder, folder / "music.wav")
    size, fps, total = (1080, 1920), 30, round(DURATION_S * 30)
    lengths = timeline.split_frames(total, [1.0] * len(PHOTOS), fps)
    clips, start = [], 0
    for i, (path, n) in enumerate(zip(request.photos, lengths, strict=True)):
        photo = _read_photo(path)
        canvas, _ = timeline.photo_canvas(photo, _product_box(photo), size)
        d = n / fps
        clip = (
            ImageClip(np.asarray(Image.fromarray(canvas).resize(size)))
            .with_duration(d)
            .resized(lambda t, d=d: 1.0 + 0.15 * t / d)
            .with_position("center")
            .with_start(start / fps)
        )
        if i:
            overlap = timeline.transition_frames(fps, lengths, i) / fps
            effect = vfx.CrossFadeIn(overlap) if i % 2 else vfx.SlideIn(overlap, "right")
            clip = clip.with_effects([effect])
        clips.append(clip)
        start += n - timeline.transition_frames(fps, lengths, i + 1)
    cues = captions.plan_cues(
        title=request.title,
        bullets=request.bullets,
        price=request.price,
        call_to_action="",
        frames=total,
        frame_size=size,
        safe=get_preset("douyin").safe_box(size),
    )
    for cue in cues:
        s = cue.sprite
        alpha = s.alpha[..., 0]
        rgb = np.where(alpha[..., None] > 0, s.rgb / np.maximum(alpha[..., None], 1e-6), 0).astype(np.uint8)
        mask = ImageClip(alpha, is_mask=True)
        clips.append(
            ImageClip(rgb)
            .with_mask(mask)
            .with_position((s.x, s.y))
            .with_start(cue.start / fps)
            .with_duration((cue.end - cue.start) / fps)
        )
    audio = AudioFileClip(str(folder / "music.wav"))
    video = CompositeVideoClip(clips, size=size).with_duration(DURATION_S)
    video = video.with_audio(audio.with_effects([afx.AudioLoop(duration=DURATION_S), afx.AudioFadeOut(1.0)]))
    part = video.subclipped(0, NAIVE_SLICE_S)
    start_t = time.perf_counter()
    part.write_videofile(
        str(folder / "naive.mp4"), fps=fps, codec="libx264", preset="veryfast", audio_codec="aac", logger=None
    )
    slice_s = time.perf_counter() - start_t
    return {"naive_slice_s": slice_s, "naive_s": slice_s * DURATION_S / NAIVE_SLICE_S}


def _child(mode: str, folder: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--folder", str(folder)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=("render", "floor", "naive"), default=None)
    parser.add_argument("--folder", default=None)
    parser.add_argument("--skip-naive", action="store_true", help="leave out the slow moviepy comparison")
    args = parser.parse_args()
    if args.child:
        fn = {"render": child_render, "floor": child_floor, "naive": child_naive}[args.child]
        print(json.dumps(fn(Path(args.folder))))
        return
    from bench.machine import machine_fields

    with tempfile.TemporaryDirectory(prefix="vitrine-video-bench-") as tmp:
        folder = Path(tmp)
        render = _child("render", folder)
        floor = _child("floor", folder)
        naive = None if args.skip_naive else _child("naive", folder)
    out = {
        "video": "15 s 1080x1920 30 fps, 5 photos, zoom, 4 transitions, 4 text overlays, music, x264 veryfast",
        "render_s": round(render["render_s"], 2),
        "realtime_factor": round(DURATION_S / render["render_s"], 2),
        "encode_floor_s": round(floor["encode_floor_s"], 2),
        "floor_ratio": round(render["render_s"] / floor["encode_floor_s"], 3),
        "frames": render["frames"],
        "overlays": render["overlays"],
        "transitions": render["transitions"],
        "peak_rss_mb": round(render["peak_rss_mb"], 1),
    }
    if naive is not None:
        out |= {
            "naive_s": round(naive["naive_s"], 1),
            "naive_note": f"moviepy wrote a {NAIVE_SLICE_S:g} s slice in {naive['naive_slice_s']:.1f} s; "
            f"extrapolated to {DURATION_S:g} s",
            "speedup_vs_naive": round(naive["naive_s"] / render["render_s"], 1),
        }
    out |= machine_fields()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
