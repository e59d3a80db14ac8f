"""What platforms will reject, checked when a catalog row is imported: prices, currencies and titles.

(A missing main image is the importer's own warning, since it also decides which steps can run.)

Each finding is a warning in the import report (the row still imports): a marketer fixes the catalog before a
platform's upload refuses the listing, not after. Title limits come from the platform presets
(`assets/presets/platforms.json`); a title is checked against the platforms written in its script (an English
title against Amazon and Shopify, a Chinese one against Taobao and Xiaohongshu).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from generators.runtime.lexicon import has_cjk

PRICE_COLUMNS = ("price", "list_price", "sale_price", "价格", "售价")
CURRENCY_COLUMNS = ("currency", "币种", "货币")
BRAND_COLUMNS = ("brand", "vendor", "品牌")
# ISO 4217 codes a storefront is likely to use; RMB is the everyday name of CNY.
KNOWN_CURRENCIES = frozenset(
    [
        "USD",
        "EUR",
        "GBP",
        "CNY",
        "RMB",
        "JPY",
        "HKD",
        "TWD",
        "KRW",
        "SGD",
        "AUD",
        "CAD",
        "NZD",
        "CHF",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "INR",
        "IDR",
        "MYR",
        "THB",
        "VND",
        "PHP",
        "MXN",
        "BRL",
        "AED",
        "SAR",
    ]
)
SYMBOL_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "￥": "CNY", "元": "CNY"}
_PRICE = re.compile(r"^\s*([$€£¥￥])?\s*(\d{1,9}(?:[.,]\d{1,2})?)\s*(元|[A-Za-z]{3})?\s*$")
MAIN_IMAGE_PLATFORMS = "Amazon, Shopify and Taobao"


@dataclass(frozen=True)
class ListingProblem:
    """One thing a platform would refuse, and the column it is in ("" for the row as a whole)."""

    column: str
    message: str


def _first(cells: Mapping[str, str], names: tuple[str, ...]) -> tuple[str, str]:
    for name in names:
        if cells.get(name):
            return name, cells[name]
    return "", ""


def parse_price(text: str) -> tuple[float, str] | None:
    """(amount, currency from a symbol or code, "" when none) for "19.90", "$19.90", "19,90 EUR", "99元"."""
    m = _PRICE.match(text)
    if not m:
        return None
    symbol, amount, suffix = m.groups()
    currency = SYMBOL_CURRENCIES.get(symbol or "", "") or SYMBOL_CURRENCIES.get(suffix or "", "")
    if not currency and suffix:
        currency = suffix.upper()
    return float(amount.replace(",", ".")), currency


def title_limits() -> dict[str, tuple[str, int, bool]]:
    """Platform key -> (label, title_max, written in Chinese) from the platform presets."""
    from generators.words.presets import Language, Platform, preset_for

    out, labels = {}, set()
    for platform in Platform:
        preset = preset_for(platform)
        if preset.title_max and preset.label not in labels:  # aliases (tmall for taobao) share one preset
            labels.add(preset.label)
            out[platform.value] = (preset.label, preset.title_max, preset.language is Language.ZH)
    return out


def listing_problems(cells: Mapping[str, str], title: str) -> list[ListingProblem]:
    """What the platforms would reject in one catalog row (normalized column names -> stripped cells)."""
    problems: list[ListingProblem] = []
    price_column, price = _first(cells, PRICE_COLUMNS)
    currency_column, currency = _first(cells, CURRENCY_COLUMNS)
    parsed = parse_price(price) if price else None
    if not price:
        problems.append(ListingProblem("price", "no price; Amazon, Shopify and Taobao listings need one"))
    elif parsed is None:
        problems.append(ListingProblem(price_column, f"price '{price}' is not a number (e.g. 19.90)"))
    code = (currency or (parsed[1] if parsed else "")).upper()
    if currency and code not in KNOWN_CURRENCIES:
        problems.append(
            ListingProblem(currency_column, f"currency '{currency}' is not a known ISO 4217 code (e.g. USD, CNY)")
        )
    elif price and not code:
        problems.append(
            ListingProblem(price_column, "the price has no currency; add a 'currency' column (e.g. USD, CNY)")
        )
    chinese = has_cjk(title)
    for label, limit, zh in title_limits().values():
        if title and zh == chinese and len(title) > limit:
            problems.append(
                ListingProblem(
                    "title",
                    f"title is {len(title)} characters; {label} allows {limit} (its copy shortens it, check the result)",
                )
            )
    return problems
