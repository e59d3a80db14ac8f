"""The bundled ffmpeg: raw frames streamed into libx264 with an AAC track, and reading a file's stream facts.

Frames go to ffmpeg's stdin one at a time, so a video is never held in memory. The output contract: H.264
yuv420p, constant frame rate, an AAC track always (silence when no music), the moov atom first (+faststart).

A writer thread feeds the pipe, so the caller makes the next frame while ffmpeg takes in the last one; the
pipe is widened so a frame crosses in a few writes instead of a hundred 64 KiB ones.
"""

from __future__ import annotations

import contextlib
import queue
import re
import subprocess
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

AUDIO_RATE = 44100
FADE_OUT_S = 1.0
QUEUED_FRAMES = 3  # frames waiting for the pipe: enough to ride out a slow frame, little memory
PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged pipe (/proc/sys/fs/pipe-max-size)


class PixelFormat(StrEnum):
    """How raw frames reach ffmpeg."""

    RGB24 = "rgb24"  # uint8 [h, w, 3]; ffmpeg converts to yuv420p itself
    YUV420P = "yuv420p"  # one uint8 buffer of h*w*3/2 bytes (see generators.video.yuv): no conversion


def _widen_pipe(stream: object) -> None:
    try:
        import fcntl
    except ImportError:  # not a POSIX system: the default pipe works, in more writes
        return
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or a lower ceiling: keep the default
        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[attr-defined]


def ffmpeg_exe() -> str:
    """The ffmpeg binary that imageio-ffmpeg bundles (has libx264)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class MediaInfo:
    """What ffmpeg reports of a media file."""

    duration_s: float | None
    video_codec: str | None = None
    pix_fmt: str | None = None
    size: tuple[int, int] | None = None
    fps: float | None = None
    audio_codec: str | None = None
    rotation: float = 0.0  # display rotation in degrees (phone videos), as ffmpeg reports it
    faststart: bool = False


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\S+.*?: Video: (\w+).*?, (\w+)(?:\([^)]*\))?, (\d+)x(\d+)")
_FPS = re.compile(r"([\d.]+) fps")
_AUDIO = re.compile(r"Stream #\S+.*?: Audio: (\w+)")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees")


def moov_before_mdat(path: Path) -> bool:
    """Whether an MP4's index (moov) precedes its media data, so playback starts before the download ends."""
    with open(path, "rb") as fh:
        while header := fh.read(8):
            if len(header) < 8:
                return False
            size, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if size == 1:
                size = int.from_bytes(fh.read(8), "big") - 8
            elif size < 8:
                return False
            fh.seek(size - 8, 1)
    return False


def probe(path: Path) -> MediaInfo:
    """Stream facts of `path` from `ffmpeg -i` (the bundled build has no ffprobe).

    Raises:
        ValueError: ffmpeg cannot read the file (the message names it).
    """
    run = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    text = run.stderr
    if "Invalid data" in text or "moov atom not found" in text or "Duration" not in text:
        last = text.strip().splitlines()[-1] if text.strip() else "unreadable"
        raise ValueError(f"{Path(path).name}: not a readable video ({last})")
    m = _DURATION.search(text)
    duration = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3]) if m else None
    video = _VIDEO.search(text)
    fps = None
    if video:
        line = text[video.start() : text.find("\n", video.start())]
        f = _FPS.search(line)
        fps = float(f[1]) if f else None
    audio = _AUDIO.search(text)
    rot = _ROTATION.search(text)
    return MediaInfo(
        duration_s=duration,
        video_codec=video[1] if video else None,
        pix_fmt=video[2] if video else None,
        size=(int(video[3]), int(video[4])) if video else None,
        fps=fps,
        audio_codec=audio[1] if audio else None,
        rotation=float(rot[1]) if rot else 0.0,
        faststart=Path(path).suffix.lower() in (".mp4", ".m4v", ".mov") and moov_before_mdat(Path(path)),
    )


def contract_problems(path: Path, size: tuple[int, int], fps: int, frames: int) -> list[str]:
    """Why `path` breaks the output contract (empty: it keeps it)."""
    try:
        info = probe(path)
    except (ValueError, OSError) as exc:
        return [str(exc)]
    problems = []
    if info.video_codec != "h264":
        problems.append(f"video codec {info.video_codec}, not h264")
    if info.pix_fmt != "yuv420p":
        problems.append(f"pixel format {info.pix_fmt}, not yuv420p")
    if info.size != tuple(size):
        problems.append(f"size {info.size}, not {tuple(size)}")
    if info.fps is None or abs(info.fps - fps) > 0.01:
        problems.append(f"{info.fps} fps, not {fps}")
    if info.audio_codec != "aac":
        problems.append(f"audio {info.audio_codec}, not aac")
    if not info.faststart:
        problems.append("moov atom not first (no +faststart)")
    if info.duration_s is None or abs(info.duration_s - frames / fps) > 1.0 / fps + 0.005:
        problems.append(f"duration {info.duration_s} s, not {frames / fps:.3f} s")
    return problems


X264_CRF = 23  # see FrameWriter.__init__


class FrameWriter:
    """An ffmpeg process encoding raw frames from stdin to an MP4 with an AAC track.

    `write` hands a frame to a writer thread and returns; the writer keeps the array until it is in the pipe,
    so pass a fresh array each call.

    Args:
        path: the MP4 to write.
        size: (width, height).
        fps: constant frame rate.
        frames: how many frames will be written (the audio is cut to the same length).
        music: an audio file (looped when shorter), or None for silence.
        x264_preset: libx264 speed preset.
        threads: libx264 threads (0: ffmpeg decides).
        pixel_format: the layout of the frames passed to `write`.
    """

    def __init__(
        self,
        path: Path,
        size: tuple[int, int],
        fps: int,
        frames: int,
        *,
        music: Path | None = None,
        x264_preset: str = "veryfast",
        threads: int = 0,
        pixel_format: PixelFormat = PixelFormat.RGB24,
    ) -> None:
        self.path, self.size, self.frames = Path(path), size, frames
        self.pixel_format = PixelFormat(pixel_format)
        duration = frames / fps
        w, h = size
        self._frame_bytes = w * h * 3 if self.pixel_format is PixelFormat.RGB24 else w * h * 3 // 2
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
        cmd += ["-f", "rawvideo", "-pix_fmt", str(self.pixel_format), "-s", f"{w}x{h}", "-framerate", str(fps)]
        cmd += ["-i", "pipe:0"]
        if music is not None:
            cmd += ["-stream_loop", "-1", "-i", str(music)]
        else:
            cmd += ["-f", "lavfi", "-i", f"anullsrc=r={AUDIO_RATE}:cl=stereo"]
        fade = min(FADE_OUT_S, duration / 3)
        audio_filter = f"atrim=0:{duration:.6f},afade=t=out:st={max(duration - fade, 0):.6f}:d={fade:.6f}"
        cmd += ["-map", "0:v:0", "-map", "1:a:0", "-af", audio_filter, "-ar", str(AUDIO_RATE), "-ac", "2"]
        # CRF 23 is x264's default: the platforms re-encode every upload, and CRF 21 cost the encoder ~10 % more
        # CPU (measured on the bench timeline) for detail their own encode throws away.
        cmd += ["-c:v", "libx264", "-preset", x264_preset, "-crf", str(X264_CRF), "-pix_fmt", "yuv420p"]
        cmd += ["-threads", str(threads), "-r", str(fps), "-frames:v", str(frames)]
        cmd += ["-c:a", "aac", "-b:a", "128k", "-t", f"{duration:.6f}", "-movflags", "+faststart", str(self.path)]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        _widen_pipe(self._proc.stdin)
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=QUEUED_FRAMES)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._pump, name="ffmpeg-stdin", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        assert self._proc.stdin is not None
        while (frame := self._queue.get()) is not None:
            if self._failure is not None:
                continue  # drain, so a blocked `write` returns and sees the failure
            try:
                self._proc.stdin.write(memoryview(frame).cast("B"))
            except (BrokenPipeError, OSError, ValueError) as exc:
                self._failure = exc

    def write(self, frame: np.ndarray) -> None:
        """Queue one uint8 frame of the writer's size and pixel format."""
        if frame.dtype != np.uint8 or frame.nbytes != self._frame_bytes:
            raise ValueError(
                f"a {self.pixel_format} frame of {self.size} has {self._frame_bytes} bytes, not {frame.nbytes}"
            )
        if self._failure is not None:
            raise RuntimeError(f"ffmpeg stopped: {self._error()}") from self._failure
        self._queue.put(np.ascontiguousarray(frame))

    def _error(self) -> str:
        self._proc.wait()
        assert self._proc.stderr is not None
        return self._proc.stderr.read().decode(errors="replace").strip()[-800:]

    def _finish_pump(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def close(self) -> None:
        """Finish the file; raise when ffmpeg failed."""
        assert self._proc.stdin is not None
        self._finish_pump()
        with contextlib.suppress(BrokenPipeError, OSError):  # ffmpeg already gone: its exit status says why
            self._proc.stdin.close()
        if self._proc.wait() != 0 or self._failure is not None:
            raise RuntimeError(f"ffmpeg could not encode {self.path.name}: {self._error()}")

    def abort(self) -> None:
        """Kill ffmpeg and remove the partial file."""
        self._proc.kill()
        self._finish_pump()  # the pipe is broken now, so the writer thread drains and ends
        self._proc.wait()
        self.path.unlink(missing_ok=True)


def audio_duration(path: Path) -> float | None:
    """Length of an audio file in seconds (None: unreadable)."""
    try:
        return probe(path).duration_s
    except (ValueError, OSError):
        return None


def synthesize_music(path: Path, seconds: float, seed: int = 0) -> Path:
    """Write a short, calm WAV loop made by code (chord pads and a plucked arpeggio), for demos and tests."""
    import wave

    rng = np.random.default_rng(seed)
    rate = AUDIO_RATE
    t = np.arange(int(seconds * rate)) / rate
    roots = [220.0, 174.61, 196.0, 261.63][:: 1 if seed % 2 == 0 else -1]
    bar = 2.0
    signal = np.zeros_like(t)
    for i, root in enumerate(roots * int(np.ceil(seconds / (bar * len(roots))) + 1)):
        start = i * bar
        if start >= seconds:
            break
        seg = (t >= start) & (t < start + bar)
        local = t[seg] - start
        env = np.minimum(local / 0.3, 1.0) * np.exp(-local * 0.6)
        for ratio in (1.0, 1.25, 1.5):
            signal[seg] += 0.12 * env * np.sin(2 * np.pi * root * ratio * local)
        for k, step in enumerate(rng.permutation([1.0, 1.5, 2.0, 2.5])):
            s = (local >= k * bar / 4) & (local < (k + 1) * bar / 4)
            pl = local[s] - k * bar / 4
            signal[seg.nonzero()[0][s]] += 0.08 * np.exp(-pl * 8) * np.sin(2 * np.pi * root * step * pl)
    pcm = (np.clip(signal, -1, 1) * 32000).astype("<i2")
    stereo = np.repeat(pcm[:, None], 2, axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(stereo.tobytes())
    return Path(path)
