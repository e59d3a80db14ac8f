"""Platform presets for product videos (`assets/presets/video_presets.json`): size, frame rate, lengths, safe area."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from generators.runtime.errors import UnknownNameError, VitrineError


@dataclass(frozen=True)
class VideoPreset:
    """One platform's video format.

    Attributes:
        name: the preset's key (douyin, reels, …).
        size: (width, height) in pixels.
        fps: constant frame rate.
        durations_s: target lengths offered, the default first.
        max_s: the platform's longest video.
        safe: margins kept free of text (left, top, right, bottom) as fractions of width/height.
    """

    name: str
    label: str
    size: tuple[int, int]
    fps: int
    durations_s: tuple[float, ...]
    max_s: float
    safe: tuple[float, float, float, float]

    @property
    def default_duration_s(self) -> float:
        return self.durations_s[0]

    def safe_box(self, size: tuple[int, int] | None = None) -> tuple[int, int, int, int]:
        """The safe area (left, top, right, bottom) in pixels of a frame of `size` (default: the preset's)."""
        w, h = size or self.size
        left, top, right, bottom = self.safe
        return round(w * left), round(h * top), w - round(w * right), h - round(h * bottom)


@cache
def all_presets() -> dict[str, VideoPreset]:
    """Every preset, by name."""
    text = resources.files("assets").joinpath("presets", "video_presets.json").read_text(encoding="utf-8")
    out = {}
    for name, p in json.loads(text)["presets"].items():
        out[name] = VideoPreset(
            name=name,
            label=p["label"],
            size=(int(p["size"][0]), int(p["size"][1])),
            fps=int(p["fps"]),
            durations_s=tuple(float(d) for d in p["durations_s"]),
            max_s=float(p["max_s"]),
            safe=tuple(float(m) for m in p["safe"]),  # type: ignore[arg-type]
        )
    return out


def get_preset(name: str) -> VideoPreset:
    """The preset called `name`.

    Raises:
        UnknownNameError: no such preset (the message lists the valid ones).
    """
    presets = all_presets()
    if name not in presets:
        raise UnknownNameError("video preset", name, sorted(presets))
    return presets[name]


def check_duration(preset: VideoPreset, duration_s: float) -> None:
    """Raise when `duration_s` is not a usable length for `preset`."""
    if not 0.5 <= duration_s <= preset.max_s:
        raise VitrineError(f"a {preset.name} video lasts 0.5–{preset.max_s:g} s; {duration_s:g} s was asked for")
