"""What a product's video says: its chosen copy (or, without one, its catalog facts) as title, bullets, price
and call to action. One rule for the CLI and the batch, so a video reads the same wherever it is made."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generators.video.captions import MAX_BULLETS
from generators.video.overlay import needs_cjk

CALL_TO_ACTION = {"en": "Shop now", "zh": "立即购买"}
CURRENCY_SIGN = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "RMB": "¥", "JPY": "¥"}
MAX_BULLET_CHARS = 60
MAX_BULLET_CHARS_CJK = 24  # a CJK character is about two Latin ones wide
MIN_BULLET_CHARS = 4  # shorter clauses ("S", "M") are not selling points


@dataclass(frozen=True)
class VideoCopy:
    """The lines a video shows (any may be empty)."""

    title: str = ""
    bullets: tuple[str, ...] = ()
    price: str = ""
    call_to_action: str = ""
    language: str = "en"

    @property
    def empty(self) -> bool:
        return not (self.title or self.bullets or self.price)


def price_text(attributes: Mapping[str, str]) -> str:
    """ "$19.90" from the catalog's price and currency columns ("" without a price)."""
    price = str(attributes.get("price", "")).strip()
    if not price:
        return ""
    currency = str(attributes.get("currency", "")).strip().upper()
    sign = CURRENCY_SIGN.get(currency)
    return f"{sign}{price}" if sign else f"{price} {currency}".strip()


def _short_lines(text: str) -> list[str]:
    """The description's sentences that fit a bullet; a long sentence gives its clauses (split at commas)."""
    lines = []
    for sentence in re.split(r"(?<=[.!?。！？；;])\s*", re.sub(r"<[^>]+>", " ", text)):
        sentence = sentence.strip().rstrip(".。!！")
        limit = MAX_BULLET_CHARS_CJK if needs_cjk(sentence) else MAX_BULLET_CHARS
        parts = [sentence] if len(sentence) <= limit else re.split(r"\s*[,，、]\s*", sentence)
        lines += [p[:1].upper() + p[1:] for p in parts if MIN_BULLET_CHARS <= len(p) <= limit]
    return lines


def video_copy(
    *,
    title: str,
    description: str = "",
    attributes: Mapping[str, str] | None = None,
    bullets: Sequence[str] = (),
    language: str | None = None,
) -> VideoCopy:
    """The video's lines: the chosen copy's `bullets` when given, else short sentences of the description."""
    attributes = attributes or {}
    language = language or ("zh" if needs_cjk(title + description) else "en")
    lines = [b.strip() for b in bullets if b.strip()] or _short_lines(description)
    has_copy = bool(title.strip() or lines)
    return VideoCopy(
        title=title.strip(),
        bullets=tuple(lines[:MAX_BULLETS]),
        price=price_text(attributes),
        call_to_action=CALL_TO_ACTION.get(language, CALL_TO_ACTION["en"]) if has_copy else "",
        language=language,
    )
