"""Is each listing ready to publish? Per product and platform: ready, needs review, or blocked, with the reasons.

report.html opens with this table, so a marketer sees at a glance which listings can go live, which need a look
(unreviewed copy, flags, a main image that is not on white) and which cannot (no publishable copy, no photo, no
brand for Amazon, a price that is not a number), each reason linking to the product's card below it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from studio.export.bundle import ExportProduct, Platform
from studio.export.package_writer import PackageWriter
from studio.export.selection import copy_for
from studio.project.review import HoldReason, export_decisions

# The copy each platform's listing uses: (copy platform, language).
LISTING_COPY: dict[Platform, tuple[str, str]] = {
    Platform.AMAZON: ("amazon", "en"),
    Platform.SHOPIFY: ("shopify", "en"),
    Platform.TAOBAO: ("taobao", "zh"),
}


class Readiness(StrEnum):
    READY = "ready"
    REVIEW = "needs review"
    BLOCKED = "blocked"


@dataclass
class ListingReadiness:
    """One product on one platform: its state and every reason for it."""

    platform: Platform
    blocked: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)

    @property
    def state(self) -> Readiness:
        return Readiness.BLOCKED if self.blocked else Readiness.REVIEW if self.review else Readiness.READY

    @property
    def reasons(self) -> list[str]:
        return self.blocked or self.review


def _price_ok(price: str) -> bool:
    try:
        float(price)
    except ValueError:
        return False
    return True


def listing_readiness(pw: PackageWriter, product: ExportProduct) -> list[ListingReadiness]:
    """The readiness of `product` on each exported platform that publishes listings (generic is a folder)."""
    out = []
    for platform in pw.request.platforms:
        if platform not in LISTING_COPY:
            continue
        wanted, language = LISTING_COPY[platform]
        r = ListingReadiness(platform)
        copy = copy_for(product, wanted, pw.policy, language=language)
        if copy is None:
            held = [
                d.held.value
                for d in export_decisions(product.copy, pw.policy)
                if d.held not in (None, HoldReason.OUTRANKED, HoldReason.SUPERSEDED)
                and d.candidate.language.lower().startswith(language)
            ]
            why = f" ({len(held)} held back: {', '.join(sorted(set(held)))})" if held else ""
            r.blocked.append(f"no publishable {language} copy{why}")
        else:
            if copy.platform.lower() != wanted:
                r.review.append(f"uses the copy written for {copy.platform or 'any platform'}")
            if not copy.approved:
                r.review.append("copy not reviewed yet")
            if copy.flags:
                r.review.append(f"copy has {len(copy.flags)} flag{'s' if len(copy.flags) > 1 else ''}")
            if copy.written_by_placeholder:  # only with --include-weak: labelled, never to publish
                r.blocked.append("copy written by a placeholder model")
            elif copy.placeholder:
                r.review.append("copy scored by a placeholder model")
        if not product.images and not product.image_candidates:
            r.blocked.append("no photo")
        if platform is Platform.AMAZON and not (product.vendor or pw.request.vendor):
            r.blocked.append("no brand")
        if platform in (Platform.AMAZON, Platform.SHOPIFY) and not _price_ok(product.price):
            r.blocked.append("no price" if not product.price else f"price '{product.price}' is not a number")
        prefix = f"{product.sku}: "
        for line in pw.stage_warnings(platform.value):
            if line.startswith(prefix) and "not white" in line:
                r.review.append("main image is not on white")
        out.append(r)
    return out
