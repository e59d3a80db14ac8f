"""The copy on screen: title, up to three bullets, price and call to action, timed over the video, kept inside
the platform's safe area, and the same lines as an SRT subtitle sidecar."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from generators.video.overlay import Sprite, text_card

MAX_BULLETS = 3
FADE_S = 0.25


@dataclass(frozen=True)
class Cue:
    """One overlay: its text, its sprite, and the frames [start, end) it shows."""

    kind: str  # title | bullet | price | cta
    text: str
    sprite: Sprite
    start: int
    end: int

    def opacity(self, f: int, fade_frames: int) -> float:
        """How opaque the overlay is at frame `f` (fades in and out)."""
        if not self.start <= f < self.end:
            return 0.0
        if fade_frames <= 0:
            return 1.0
        return min(1.0, (f - self.start + 1) / fade_frames, (self.end - f) / fade_frames)


def _card(text: str, kind: str, safe: tuple[int, int, int, int], unit: int) -> Image.Image:
    """The overlay picture of one line of copy, styled by its kind, at most the safe area wide."""
    width = safe[2] - safe[0]
    if kind == "title":
        return text_card(text, width=width, font_px=round(unit * 0.062), max_lines=2)
    if kind == "price":
        return text_card(text, width=width, font_px=round(unit * 0.07), color=(255, 221, 87), max_lines=1)
    if kind == "cta":
        return text_card(text, width=width, font_px=round(unit * 0.05), box=(214, 40, 57, 235), max_lines=1)
    return text_card(text, width=width, font_px=round(unit * 0.045), max_lines=2)


def plan_cues(
    *,
    title: str,
    bullets: tuple[str, ...],
    price: str,
    call_to_action: str,
    frames: int,
    frame_size: tuple[int, int],
    safe: tuple[int, int, int, int],
) -> list[Cue]:
    """The overlays for this copy: the title first, the bullets one after another, price and call to action
    at the end; each centred horizontally in the safe area (title at its top, the rest at its bottom)."""
    unit = min(frame_size)
    left, top, right, bottom = safe
    title_end = round(frames * (0.35 if bullets else 0.6))
    bullets = tuple(b for b in bullets if b.strip())[:MAX_BULLETS]
    end_start = round(frames * 0.72) if (price or call_to_action) else frames
    cues: list[Cue] = []

    def place(kind: str, text: str, start: int, end: int, y: int, from_bottom: bool = False) -> int:
        image = _card(text, kind, safe, unit)
        w, h = image.size
        x = left + (right - left - w) // 2
        y = y - h if from_bottom else y
        cues.append(Cue(kind, text, Sprite.from_image(image, x, y), start, end))
        return h

    if title.strip():
        place("title", title.strip(), 0, title_end if bullets or price or call_to_action else frames, top)
    if bullets:
        span = (end_start - title_end) / len(bullets)
        for i, bullet in enumerate(bullets):
            place(
                "bullet", bullet.strip(), round(title_end + i * span), round(title_end + (i + 1) * span), bottom, True
            )
    gap = max(unit // 60, 2)
    y = bottom
    if call_to_action.strip():
        y -= place("cta", call_to_action.strip(), end_start, frames, y, True) + gap
    if price.strip():
        place("price", price.strip(), end_start, frames, y, True)
    return cues


def _timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def srt_text(cues: list[Cue], fps: int) -> str:
    """The cues as SRT subtitles (price and call to action share one entry when shown together)."""
    entries: list[tuple[int, int, str]] = []
    for cue in cues:
        if entries and (entries[-1][0], entries[-1][1]) == (cue.start, cue.end):
            entries[-1] = (cue.start, cue.end, f"{entries[-1][2]}\n{cue.text}")
        else:
            entries.append((cue.start, cue.end, cue.text))
    blocks = [
        f"{i}\n{_timestamp(s / fps)} --> {_timestamp(e / fps)}\n{text}\n" for i, (s, e, text) in enumerate(entries, 1)
    ]
    return "\n".join(blocks)


def write_srt(path: Path, cues: list[Cue], fps: int) -> Path:
    path.write_text(srt_text(cues, fps), encoding="utf-8")
    return path
