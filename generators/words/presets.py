"""Platform presets, tones and brand kits, read from the JSON package data in `assets/presets/`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from generators.runtime.errors import UnknownNameError
from generators.runtime.names import NamedChoice


class Language(NamedChoice):
    """Output language of generated copy."""

    EN = "en"
    ZH = "zh"

    @classmethod
    def normalize(cls, name: str) -> str:
        return name.strip().lower().split("-")[0]  # "zh-CN" is zh


class Layout(StrEnum):
    """LISTING: title + bullets + description (+ tags). POST: title/hook + body + hashtags."""

    LISTING = "listing"
    POST = "post"


class Platform(NamedChoice):
    """Where the copy will be published; several platforms share one preset."""

    AMAZON = "amazon"
    SHOPIFY = "shopify"
    TAOBAO = "taobao"
    TMALL = "tmall"
    XIAOHONGSHU = "xiaohongshu"
    DOUYIN = "douyin"
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"

    @property
    def preset_key(self) -> str:
        return {"tmall": "taobao", "douyin": "xiaohongshu", "tiktok": "instagram"}.get(self.value, self.value)


@dataclass(frozen=True)
class PlatformPreset:
    """Limits and shape of one platform's copy. Lengths count characters (a Chinese character is one)."""

    key: str
    label: str
    layout: Layout
    language: Language
    title_max: int
    bullets: int  # exact number of bullets wanted (0: none)
    bullet_max: int
    description_max: int
    hashtags_max: int
    tags_max: int
    body_max: int  # POST layout: the whole caption (title, body and hashtags) stays within this
    html_description: bool
    hint: str


@dataclass(frozen=True)
class BrandKit:
    """Brand rules: voice words steer the prompt; banned words are removed; required phrases are ensured."""

    name: str = "None"
    voice_words: tuple[str, ...] = ()
    banned_words: tuple[str, ...] = ()
    required_phrases: tuple[str, ...] = ()
    brand: str = ""  # the brand name listings carry (Amazon's brand, Shopify's vendor); "" when not set

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BrandKit:
        def strings(key: str) -> tuple[str, ...]:
            value = data.get(key) or ()
            if isinstance(value, str):
                value = [value]
            return tuple(str(v).strip() for v in value if str(v).strip())

        return cls(
            name=str(data.get("name") or "Custom"),
            brand=str(data.get("brand") or "").strip(),
            voice_words=strings("voice_words"),
            banned_words=strings("banned_words"),
            required_phrases=strings("required_phrases"),
        )


EMPTY_BRAND_KIT = BrandKit()


def preset_asset(name: str) -> Traversable:
    """A file in `assets/presets/` (package data)."""
    return resources.files("assets").joinpath("presets", name)


def read_asset_json(name: str) -> dict[str, Any]:
    """A JSON file from `assets/presets/` (package data)."""
    return json.loads(preset_asset(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _platforms() -> dict[str, PlatformPreset]:
    out = {}
    for key, raw in read_asset_json("platforms.json").items():
        raw = dict(raw)
        raw["layout"], raw["language"] = Layout(raw["layout"]), Language(raw["language"])
        out[key] = PlatformPreset(key=key, **raw)
    return out


def preset_for(platform: Platform | str) -> PlatformPreset:
    """The preset a platform uses (Tmall shares Taobao's, Douyin Xiaohongshu's, TikTok Instagram's)."""
    return _platforms()[Platform.parse(platform).preset_key]


@lru_cache(maxsize=1)
def tones() -> dict[str, dict[str, str]]:
    """Tone name -> description per language."""
    return read_asset_json("tones.json")


def tone_description(tone: str, language: Language) -> str:
    table = tones()
    if tone not in table:
        raise UnknownNameError("tone", tone, sorted(table))
    return table[tone].get(language.value) or table[tone]["en"]


DEFAULT_BRAND_KIT_FILE = "brand_kit.json"  # in assets/presets/


def default_brand_kit() -> BrandKit:
    return BrandKit.from_dict(read_asset_json(DEFAULT_BRAND_KIT_FILE))
