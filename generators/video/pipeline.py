"""The video pipeline: photos and footage of one product → an MP4 for a platform preset, its poster and SRT."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageOps

from generators.runtime.errors import VitrineError
from generators.runtime.progress import Cancelled, CancelToken, ProgressFn, check, report
from generators.runtime.provenance import Provenance, request_params
from generators.video import ahead, captions, encoder, footage, overlay, timeline, yuv
from generators.video.presets import check_duration, get_preset

PHOTO_SIDE = 2400  # photos are read at most this large: enough for a 1920-pixel frame zoomed 1.15×
REPORT_EVERY = 5  # frames between progress reports


@dataclass(frozen=True)
class VideoRequest:
    """One product video.

    Attributes:
        out_path: the MP4 to write; the poster (`<stem>.jpg`) and subtitles (`<stem>.srt`) go beside it.
        photos: product photos (pairing / try-on images may be added like any photo).
        footage: video files; their shots are scored against `product_text` with CLIP.
        preset: platform preset name (`assets/presets/video_presets.json`).
        duration_s: target length (None: the preset's default).
        title, bullets, price, call_to_action: the copy shown (empty: no overlay).
        product_text: what CLIP compares shots with (empty: the title and bullets).
        music: background music file (None: a silent AAC track).
        logo: brand logo / watermark image (None: none).
        frame_size: (width, height) overriding the preset's (previews, tests); keep its aspect.
        x264_preset: libx264 speed preset.
        seed: varies transitions and zoom directions.
    """

    out_path: Path
    photos: tuple[Path, ...] = ()
    footage: tuple[Path, ...] = ()
    preset: str = "douyin"
    duration_s: float | None = None
    title: str = ""
    bullets: tuple[str, ...] = ()
    price: str = ""
    call_to_action: str = ""
    product_text: str = ""
    music: Path | None = None
    logo: Path | None = None
    frame_size: tuple[int, int] | None = None
    x264_preset: str = "veryfast"
    seed: int = 0


@dataclass(frozen=True)
class ShotScore:
    """A footage shot and its CLIP cosine with the product text; `chosen` when the video uses it."""

    source: str
    index: int
    start_s: float
    end_s: float
    clip_score: float | None
    chosen: bool


@dataclass(frozen=True)
class VideoResult:
    """The written video and what went into it."""

    path: Path
    poster: Path
    subtitles: Path | None
    preset: str
    size: tuple[int, int]
    fps: int
    frames: int
    timeline: tuple[dict[str, Any], ...]
    shots: tuple[ShotScore, ...]
    overlays: tuple[str, ...]
    warnings: tuple[str, ...]
    provenance: Provenance

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps


def _read_photo(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        im.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
        if im.mode in ("RGBA", "LA", "P"):
            rgba = im.convert("RGBA")
            backdrop = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            im = Image.alpha_composite(backdrop, rgba)
        return np.asarray(im.convert("RGB"))


def _product_box(photo: np.ndarray) -> tuple[int, int, int, int]:
    """Where the product is in the photo (the cut-out's box; a busy photo's crop is near the whole frame).

    The cut-out segments at `WORK_SIDE` whatever the photo's size, so it is given the photo at that size
    (the same area resampling it would do) and its box is scaled back: the full-size mask it would otherwise
    build is not needed here, nor GrabCut's finer outline (a quarter of the cost; the box moves by pixels).
    """
    from generators.product_cutout import WORK_SIDE, cut_out

    h, w = photo.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    small = photo
    if scale < 1.0:
        small = cv2.resize(photo, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    left, top, right, bottom = cut_out(Image.fromarray(small), refine=False).box  # the box needs no GrabCut
    fx, fy = w / small.shape[1], h / small.shape[0]
    return (
        max(0, int(left * fx)),
        max(0, int(top * fy)),
        min(w, int(np.ceil(right * fx))),
        min(h, int(np.ceil(bottom * fy))),
    )


def _photo_clip(name: str, photo: np.ndarray, size: tuple[int, int], zoom_in: bool) -> timeline.PhotoClip:
    """A photo's clip: the product found, the canvas drawn around it as the encoder's yuv420p planes."""
    canvas, focus = timeline.photo_canvas(photo, _product_box(photo), size)
    return timeline.PhotoClip(name, yuv.Canvas.from_rgb(canvas), focus, zoom_in)


class VideoPipeline:
    """Renders product videos; footage shots are ranked with a CLIP `ImageTextScorer`.

    Args:
        scorer: the scorer, or None.
        scorer_factory: builds the scorer on first need (only footage needs it), instead of `scorer`.
    """

    def __init__(self, scorer: Any = None, *, scorer_factory: Callable[[], Any] | None = None) -> None:
        self._scorer = scorer
        self._factory = scorer_factory

    def scorer(self, warnings: list[str]) -> Any:
        """The scorer (built now if it comes from a factory); None, with a warning, when it cannot load."""
        if self._scorer is None and self._factory is not None:
            try:
                self._scorer = self._factory()
            except VitrineError as exc:
                warnings.append(f"CLIP scorer unavailable ({exc})")
            self._factory = None
        return self._scorer

    # ---- inputs -------------------------------------------------------------------------------------------
    def _photo_clips(self, request: VideoRequest, size: tuple[int, int], warnings: list[str]) -> list[Any]:
        """The readable photos as clips made later (FrameSource makes each shortly before it shows)."""
        clips = []
        for i, path in enumerate(request.photos):
            try:
                photo = _read_photo(Path(path))
            except (OSError, ValueError) as exc:
                warnings.append(f"photo {Path(path).name} could not be read ({exc}); left out")
                continue
            name, zoom_in = Path(path).name, (i + request.seed) % 2 == 0
            make = functools.partial(_photo_clip, name, photo, size, zoom_in)
            clips.append(timeline.PendingPhoto(name, zoom_in, make))
        return clips

    def _shots(self, request: VideoRequest, warnings: list[str]) -> tuple[list[footage.Shot], bool]:
        shots: list[footage.Shot] = []
        for path in request.footage:
            path = Path(path)
            try:
                info = encoder.probe(path)
                if info.audio_codec is None:
                    warnings.append(
                        f"footage {path.name} has no audio track (the video's sound is its music track, never the footage's)"
                    )
                found = footage.detect_shots(path)
                footage.keyframe(found[0])  # decodable past the header
                shots.extend(found)
            except (ValueError, OSError) as exc:
                warnings.append(f"footage {path.name} left out: {exc}")
        scored = False
        scorer = self.scorer(warnings) if shots else None
        if shots and scorer is not None:
            text = request.product_text or " ".join([request.title, *request.bullets]).strip() or "a product"
            frames = [Image.fromarray(footage.keyframe(s)) for s in shots]
            cos = np.asarray(scorer.score(frames, [text]).cos, dtype=np.float64)[:, 0]
            shots = [
                footage.Shot(s.source, s.index, s.start_s, s.end_s, round(float(c), 6))
                for s, c in zip(shots, cos, strict=True)
            ]
            scored = True
        elif shots:
            warnings.append("footage shots were not ranked (no CLIP scorer): used in order")
        return shots, scored

    def _clips(
        self, request: VideoRequest, size: tuple[int, int], fps: int, total: int, warnings: list[str]
    ) -> tuple[list[Any], list[int], list[footage.Shot], list[footage.ShotCut]]:
        photos = self._photo_clips(request, size, warnings)
        shots, _ = self._shots(request, warnings)
        if not photos and not shots:
            raise ValueError("no photo or footage could be used for this video")
        if len(photos) == 1 and not shots:
            warnings.append("one photo only: the video is a single pan and zoom")
        step = round(timeline.TRANSITION_S * fps)
        cuts: list[footage.ShotCut] = []
        if shots:
            budget = total if not photos else round(total * 0.6)
            cuts = footage.choose_shots(shots, budget, fps, hold=not photos)  # photos fill what footage lacks
            cuts = [footage.ShotCut(c.shot, c.start_s, c.frames + step) for c in cuts]  # room for the overlaps
        if photos:
            photo_total = total - sum(c.frames - step for c in cuts)
            share = timeline.split_frames(max(photo_total, 3 * len(photos)), [1.0] * len(photos), fps)
        else:
            share = []
        clips: list[Any] = [*photos[:1], *cuts, *photos[1:]]
        lengths = [*share[:1], *(c.frames for c in cuts), *share[1:]]
        return clips, timeline.fit_lengths(lengths, total, fps), shots, cuts

    # ---- the run ------------------------------------------------------------------------------------------
    def run(
        self, request: VideoRequest, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> VideoResult:
        """Render the video; progress counts frames; a cancel kills the encoder and removes the partial file."""
        started = time.perf_counter()
        preset = get_preset(request.preset)
        duration = request.duration_s or preset.default_duration_s
        check_duration(preset, duration)
        size = tuple(request.frame_size or preset.size)
        size = (size[0] - size[0] % 2, size[1] - size[1] % 2)  # yuv420p needs even sides
        fps = preset.fps
        total = round(duration * fps)
        warnings: list[str] = []
        check(cancel)
        # Probing the music runs ffmpeg (~50 ms) on a thread of its own, while the photos are read and the first
        # clips are made; the thread ends with it.
        music_warnings: list[str] = []
        probing = ThreadPoolExecutor(1, thread_name_prefix="video-music")
        music_probe = probing.submit(self._music, request, total / fps, music_warnings)
        probing.shutdown(wait=False)
        clips, lengths, shots, cuts = self._clips(request, size, fps, total, warnings)
        slots = timeline.lay_out(clips, lengths, fps, request.seed)
        # x264 has the cores: OpenCV splitting each resize across them too costs more CPU (its workers
        # handing over and waiting) than it saves, and one thread makes frames far faster than x264 takes them.
        opencv_threads = cv2.getNumThreads()
        cv2.setNumThreads(1)
        # The source starts making the first clips at once (finding the product, drawing the canvas): that work
        # overlaps the text sprites, the music probe and ffmpeg's start instead of delaying the first frame.
        source = timeline.FrameSource(slots, size, fps)
        try:
            cues, layers, logo = self._overlays(request, preset.safe_box(size), size, total, warnings)
            music = music_probe.result()
            warnings.extend(music_warnings)

            out = Path(request.out_path)
            out.parent.mkdir(parents=True, exist_ok=True)
            partial = out.with_name(out.stem + ".partial" + out.suffix)
            poster_at = min(round(total * 0.2), total - 1)
            poster_frame = None
            fade = round(captions.FADE_S * fps)
            writer = encoder.FrameWriter(
                partial,
                size,
                fps,
                total,
                music=music,
                x264_preset=request.x264_preset,
                pixel_format=encoder.PixelFormat.YUV420P,
            )
            render_start = time.perf_counter()

            def make(f: int) -> np.ndarray:
                frame = source.frame(f)  # yuv420p: composed in the encoder's own form
                for cue, layer in zip(cues, layers, strict=True):
                    opacity = cue.opacity(f, fade)
                    if opacity > 0:
                        layer.draw(frame, size, opacity)
                if logo is not None:
                    logo.draw(frame, size, 0.8)
                return frame

            # Frames are made on a lower-priority thread, mostly while x264 leaves a core idle (see `ahead`);
            # this thread hands them on, reports progress and answers a cancel.
            frames = ahead.FramesAhead(make, total)
            try:
                for f, frame in enumerate(frames):
                    check(cancel)
                    if f == poster_at:
                        poster_frame = yuv.i420_to_rgb(frame, size)
                    writer.write(frame)
                    if (f + 1) % REPORT_EVERY == 0 or f + 1 == total:
                        report(progress, f + 1, total, "rendering")
                check(cancel)
                writer.close()
            except BaseException:
                writer.abort()
                raise
            finally:
                frames.close()
        finally:
            source.close()
            cv2.setNumThreads(opencv_threads)
        render_s = time.perf_counter() - render_start
        poster = out.with_suffix(".jpg")
        try:  # the poster and subtitles first: a video in place means its sidecars are too
            Image.fromarray(poster_frame).save(poster.with_suffix(".partial.jpg"), "JPEG", quality=90)
            os.replace(poster.with_suffix(".partial.jpg"), poster)
            subtitles = captions.write_srt(out.with_suffix(".srt"), cues, fps) if cues else None
            if subtitles is None:  # an earlier render's subtitles would not match this video
                out.with_suffix(".srt").unlink(missing_ok=True)
            os.replace(partial, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            poster.with_suffix(".partial.jpg").unlink(missing_ok=True)
            raise

        chosen = {(str(c.shot.source), c.shot.index) for c in cuts}
        shot_rows = tuple(
            ShotScore(
                s.source.name,
                s.index,
                round(s.start_s, 3),
                round(s.end_s, 3),
                s.score,
                (str(s.source), s.index) in chosen,
            )
            for s in shots
        )
        models = (self._scorer.ref,) if self._scorer is not None and any(s.score is not None for s in shots) else ()
        provenance = Provenance(
            models=models,
            seed=request.seed,
            params=request_params(request, size=list(size), fps=fps, frames=total),
            timings={"total_s": time.perf_counter() - started, "render_s": render_s},
        )
        return VideoResult(
            path=out,
            poster=poster,
            subtitles=subtitles,
            preset=preset.name,
            size=size,
            fps=fps,
            frames=total,
            timeline=tuple(s.describe() for s in slots),
            shots=shot_rows,
            overlays=tuple(f"{c.kind}: {c.text}" for c in cues),
            warnings=tuple(warnings),
            provenance=provenance,
        )

    def _overlays(
        self,
        request: VideoRequest,
        safe: tuple[int, int, int, int],
        size: tuple[int, int],
        total: int,
        warnings: list[str],
    ) -> tuple[list[captions.Cue], list[overlay.Layer], overlay.Layer | None]:
        """The copy's cues with their yuv420p layers, and the logo's layer (None: no logo)."""
        cues = captions.plan_cues(
            title=request.title,
            bullets=request.bullets,
            price=request.price,
            call_to_action=request.call_to_action,
            frames=total,
            frame_size=size,
            safe=safe,
        )
        if not cues:
            warnings.append("no copy for this product: the video has no text")
        layers = [overlay.Layer.from_sprite(cue.sprite) for cue in cues]
        logo = None
        if request.logo is not None:
            try:
                logo = overlay.Layer.from_sprite(overlay.logo_sprite(Path(request.logo), size, safe))
            except (OSError, ValueError) as exc:
                warnings.append(f"logo {Path(request.logo).name} could not be read ({exc}); no watermark")
        return cues, layers, logo

    def _music(self, request: VideoRequest, duration: float, warnings: list[str]) -> Path | None:
        if request.music is None:
            return None
        music = Path(request.music)
        length = encoder.audio_duration(music)
        if length is None or length <= 0:
            warnings.append(f"music {music.name} could not be read; the video is silent")
            return None
        if length < duration:
            warnings.append(f"music {music.name} ({length:.1f} s) is shorter than the video ({duration:.1f} s): looped")
        return music


__all__ = ["Cancelled", "ShotScore", "VideoPipeline", "VideoRequest", "VideoResult"]
