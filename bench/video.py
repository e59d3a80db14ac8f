"""Product video render speed: a 15 s 1080×1920 30 fps video from 5 photos (zoom, 4 transitions, 4 text
overlays, music) at x264 preset veryfast.

Prints one JSON object:
- render_s, realtime_factor (15 / render_s): the whole pipeline run (photos read, products found, canvases,
  frames, x264, audio, poster), measured around `VideoPipeline.run`.
- encode_floor_s: x264 alone encoding the same frames from memory, fed exactly as the pipeline feeds it: the
  same `FrameWriter` command (yuv420p frames on stdin, preset veryfast, CRF 23, the music track), the frames
  being the very buffers the pipeline sends, made by it before the clock starts (its encoder swapped for a
  list). floor_ratio = render_s / encode_floor_s (goal ≤ 1.15: making frames hides behind x264).
- naive_s: the same timeline as a plain moviepy CompositeVideoClip at the same preset and CRF: each photo's
  canvas an ImageClip resized per frame (moviepy's PIL Lanczos) and positioned per frame for the same pan and
  zoom toward the product (in and out in turn), CrossFadeIn and slides (outgoing and incoming clip moving),
  the same 4 text sprites as masked ImageClips fading in and out, the music looped with AudioLoop and
  AudioFadeOut; the same preparation (photos read, products found, canvases drawn) is timed with it. All
  15 s are written (2-4 minutes): a slice's mix of masked, sliding and plain clips is not the whole video's,
  so it would not extrapolate honestly. speedup_vs_naive.
- render_cpu_s, floor_cpu_s, naive_cpu_s: CPU seconds (the process and its ffmpeg) over the same spans: on a
  loaded machine they say what the wall-clock ratios cannot. load_1m: the 1-minute load average at the start.
- peak_rss_mb of the render process; cpu_model, cpu_bf16 (bench/machine.py).
Each measurement runs in its own process so their memory and imports do not mix.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
DURATION_S = 15.0
PRESET = "douyin"
X264_PRESET = "veryfast"
PHOTOS = ("vt-bag-black-1.jpg", "vt-cup-red-1.jpg", "vt-jkt-navy-1.jpg", "vt-dress-floral-1.jpg", "vt-jean-blue-1.jpg")


def _request(folder: Path, music: Path) -> object:
    from generators.video import VideoRequest

    images = REPO / "assets" / "sample_catalog" / "images"
    folder.mkdir(parents=True, exist_ok=True)
    return VideoRequest(
        folder / "bench.mp4",
        photos=tuple(images / p for p in PHOTOS),
        preset=PRESET,
        duration_s=DURATION_S,
        title="Everyday essentials, made to last",
        bullets=("Soft, durable materials", "Designed for daily wear"),
        price="$39.00",
        music=music,
        x264_preset=X264_PRESET,
    )


def _cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child_render(folder: Path) -> dict:
    from generators.video import VideoPipeline
    from generators.video.encoder import synthesize_music

    music = synthesize_music(folder / "music.wav", 8.0)
    request = _request(folder, music)
    pipeline = VideoPipeline()
    cpu, start = _cpu_s(), time.perf_counter()
    result = pipeline.run(request)
    render_s, cpu = time.perf_counter() - start, _cpu_s() - cpu
    return {
        "render_s": render_s,
        "cpu_s": cpu,
        "frames": result.frames,
        "overlays": len(result.overlays),
        "transitions": sum(1 for s in result.timeline if s["transition"]),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_floor(folder: Path) -> dict:
    from generators.video import VideoPipeline, encoder

    frames: list = []

    class Recorder:
        """Stands in for the encoder while the pipeline makes the frames: keeps them (1.4 GB) in memory."""

        def __init__(self, path: Path, size: tuple[int, int], *args: object, **kwargs: object) -> None:
            self.path, self.size = Path(path), size

        def write(self, frame: object) -> None:
            frames.append(frame)

        def close(self) -> None:
            self.path.touch()

        def abort(self) -> None:
            self.path.unlink(missing_ok=True)

    real_writer, encoder.FrameWriter = encoder.FrameWriter, Recorder
    try:
        result = VideoPipeline().run(_request(folder / "floor-frames", folder / "music.wav"))
    finally:
        encoder.FrameWriter = real_writer
    cpu, start = _cpu_s(), time.perf_counter()
    writer = encoder.FrameWriter(
        folder / "floor.mp4",
        result.size,
        result.fps,
        len(frames),
        music=folder / "music.wav",
        x264_preset=X264_PRESET,
        pixel_format=encoder.PixelFormat.YUV420P,
    )
    for frame in frames:
        writer.write(frame)
    writer.close()
    return {"encode_floor_s": time.perf_counter() - start, "cpu_s": _cpu_s() - cpu}


def _naive_video(folder: Path) -> tuple[object, float]:
    """The timeline as a plain moviepy CompositeVideoClip, and the seconds its preparation took."""
    import numpy as np
    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, afx, vfx

    from generators.video import captions, timeline
    from generators.video.pipeline import _product_box, _read_photo
    from generators.video.presets import get_preset

    request = _request(folder, folder / "music.wav")
    preset = get_preset(PRESET)
    (w, h), fps = preset.size, preset.fps
    total = round(DURATION_S * fps)
    start = time.perf_counter()
    lengths = timeline.split_frames(total, [1.0] * len(PHOTOS), fps)
    slots = timeline.lay_out(list(request.photos), lengths, fps, seed=0)  # the pipeline's layout
    canvases = []
    for path in request.photos:
        photo = _read_photo(path)
        canvases.append(timeline.photo_canvas(photo, _product_box(photo), (w, h)))
    prepare_s = time.perf_counter() - start

    def pan_zoom(canvas: np.ndarray, focus: tuple[float, float], n: int, zoom_in: bool) -> tuple:
        """The pipeline's photo_frame as moviepy's scale(t) and top-left position(t)."""
        ch, cw = canvas.shape[:2]

        def view(t: float) -> tuple[float, float, float]:
            p = min(t * fps / max(n - 1, 1), 1.0)
            p = p * p * (3 - 2 * p)
            p = p if zoom_in else 1.0 - p
            s = (w / cw) * (1.0 + (timeline.CANVAS_ZOOM - 1.0) * p)
            cx = min(max(cw / 2 + (focus[0] - cw / 2) * p, w / s / 2), cw - w / s / 2)
            cy = min(max(ch / 2 + (focus[1] - ch / 2) * p, h / s / 2), ch - h / s / 2)
            return s, w / 2 - cx * s, h / 2 - cy * s

        return (lambda t: view(t)[0]), (lambda t: view(t)[1:])

    clips = []
    for k, (slot, (canvas, focus)) in enumerate(zip(slots, canvases, strict=True)):
        scale, position = pan_zoom(canvas, focus, slot.frames, zoom_in=k % 2 == 0)
        clip = ImageClip(canvas).with_duration(slot.frames / fps).with_start(slot.start / fps)
        if slot.transition is timeline.Transition.CROSSFADE:  # before the resize, so its mask is resized too
            overlap = (slots[k - 1].end - slot.start) / fps
            clip = clip.with_effects([vfx.CrossFadeIn(overlap)])
        slide_in = slot.transition is timeline.Transition.SLIDE
        nxt = slots[k + 1] if k + 1 < len(slots) else None
        slide_out = nxt is not None and nxt.transition is timeline.Transition.SLIDE
        d_in = (slots[k - 1].end - slot.start) / fps if slide_in else 0.0
        d_out = (slot.end - nxt.start) / fps if slide_out and nxt else 0.0
        length = slot.frames / fps

        def moved(t: float, position=position, d_in=d_in, d_out=d_out, length=length) -> tuple[float, float]:
            x, y = position(t)
            if d_in and t < d_in:  # sliding in from the right
                x += w * (1 - t / d_in)
            if d_out and t > length - d_out:  # sliding out to the left
                x -= w * (t - (length - d_out)) / d_out
            return x, y

        clips.append(clip.resized(scale).with_position(moved))
    cues = captions.plan_cues(
        title=request.title,
        bullets=request.bullets,
        price=request.price,
        call_to_action=request.call_to_action,
        frames=total,
        frame_size=(w, h),
        safe=preset.safe_box((w, h)),
    )
    for cue in cues:
        s = cue.sprite
        alpha = s.alpha[..., 0]
        rgb = np.where(alpha[..., None] > 0, s.rgb / np.maximum(alpha[..., None], 1e-6), 0).astype(np.uint8)
        text = ImageClip(rgb).with_mask(ImageClip(alpha, is_mask=True))
        text = text.with_position((s.x, s.y)).with_start(cue.start / fps).with_duration((cue.end - cue.start) / fps)
        clips.append(text.with_effects([vfx.CrossFadeIn(captions.FADE_S), vfx.CrossFadeOut(captions.FADE_S)]))
    audio = AudioFileClip(str(folder / "music.wav"))
    video = CompositeVideoClip(clips, size=(w, h)).with_duration(DURATION_S)
    video = video.with_audio(audio.with_effects([afx.AudioLoop(duration=DURATION_S), afx.AudioFadeOut(1.0)]))
    return video, prepare_s


def child_naive(folder: Path) -> dict:
    from generators.video.encoder import X264_CRF

    cpu = _cpu_s()
    video, prepare_s = _naive_video(folder)
    start = time.perf_counter()
    video.write_videofile(
        str(folder / "naive.mp4"),
        fps=30,
        codec="libx264",
        preset=X264_PRESET,
        ffmpeg_params=["-crf", str(X264_CRF)],
        audio_codec="aac",
        logger=None,
    )
    write_s = time.perf_counter() - start
    return {"prepare_s": prepare_s, "write_s": write_s, "naive_s": prepare_s + write_s, "cpu_s": _cpu_s() - cpu}


def _child(mode: str, folder: Path, *extra: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--folder", str(folder), *extra],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=("render", "floor", "naive"), default=None)
    parser.add_argument("--folder", default=None)
    parser.add_argument("--skip-naive", action="store_true", help="leave out the slow moviepy comparison")
    args = parser.parse_args()
    if args.child:
        folder = Path(args.folder)
        fn = {
            "render": lambda: child_render(folder),
            "floor": lambda: child_floor(folder),
            "naive": lambda: child_naive(folder),
        }[args.child]
        print(json.dumps(fn()))
        return
    from bench.machine import machine_fields

    load = os.getloadavg()[0]
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
        "encode_floor_note": "x264 alone: the pipeline's FrameWriter command (yuv420p frames from memory, preset "
        "veryfast, CRF 23, music) on the very yuv420p frames the pipeline sends, made before the clock",
        "floor_ratio": round(render["render_s"] / floor["encode_floor_s"], 3),
        "render_cpu_s": round(render["cpu_s"], 2),
        "floor_cpu_s": round(floor["cpu_s"], 2),
        "frames": render["frames"],
        "overlays": render["overlays"],
        "transitions": render["transitions"],
        "peak_rss_mb": round(render["peak_rss_mb"], 1),
    }
    if naive is not None:
        out |= {
            "naive_s": round(naive["naive_s"], 1),
            "naive_note": f"moviepy wrote all 15 s in {naive['write_s']:.1f} s after {naive['prepare_s']:.1f} s "
            "preparing the same canvases (photos read, products found): per-frame resize and pan toward the "
            "product, crossfades and slides, 4 fading text clips, looped music with fade-out",
            "speedup_vs_naive": round(naive["naive_s"] / render["render_s"], 1),
            "naive_cpu_s": round(naive["cpu_s"], 1),
        }
    out |= {"load_1m": round(load, 2)} | machine_fields()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
