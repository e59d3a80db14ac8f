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


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?。！？；;])\s*", re.sub(r"<[^>]+>", " ", text))
    return [p.strip().rstrip(".。") for p in parts if p.strip()]


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
    lines = [b.strip() for b in bullets if b.strip()] or [
        s for s in _sentences(description) if len(s) <= MAX_BULLET_CHARS
    ]
    has_copy = bool(title.strip() or lines)
    return VideoCopy(
        title=title.strip(),
        bullets=tuple(lines[:MAX_BULLETS]),
        price=price_text(attributes),
        call_to_action=CALL_TO_ACTION.get(language, CALL_TO_ACTION["en"]) if has_copy else "",
        language=language,
    )
