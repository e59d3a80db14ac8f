"""Pairing style presets (casual, office, street, evening, minimalist studio …): prompts, negative prompts, ground.

The presets live in `assets/presets/pairing_styles.json` so a brand can add its own without code. An unknown
style name is an error that lists the valid ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from generators.runtime.errors import UnknownNameError


@dataclass(frozen=True)
class PairingStyle:
    """One style: `scene` styles the flat-lay (img2img), `mood` makes a mood image (txt2img)."""

    name: str
    label: str
    scene: str  # with {outfit}
    mood: str  # with {anchor}
    negative: str
    ground: tuple[int, int, int]

    def scene_prompt(self, outfit: str) -> str:
        return self.scene.format(outfit=outfit)

    def mood_prompt(self, anchor: str) -> str:
        return self.mood.format(anchor=anchor)


@lru_cache(maxsize=1)
def load_styles() -> dict[str, PairingStyle]:
    """Every style preset, by name, in the file's order."""
    from importlib import resources

    text = resources.files("assets").joinpath("presets", "pairing_styles.json").read_text(encoding="utf-8")
    data = json.loads(text)["styles"]
    return {
        name: PairingStyle(
            name, s["label"], s["scene"], s["mood"], s.get("negative", ""), tuple(s.get("ground", (244, 241, 236)))
        )
        for name, s in data.items()
    }


def style_names() -> list[str]:
    """The valid style names, in the presets file's order."""
    return list(load_styles())


def pairing_style(name: str) -> PairingStyle:
    """The style preset `name`.

    Raises:
        UnknownNameError: no such style; the message lists the valid ones.
    """
    styles = load_styles()
    key = name.strip().lower()
    if key not in styles:
        raise UnknownNameError("style", name, list(styles))
    return styles[key]
