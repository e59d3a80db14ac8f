"""Amazon-style listing JSON: attribute names as in Amazon's listing attributes (item_name, bullet_point, ...)."""

from __future__ import annotations

from typing import Any

from studio.export.bundle import ExportProduct
from studio.export.images import AMAZON_MAIN, AMAZON_OTHER, WHITE_FRACTION
from studio.export.package_writer import JsonArrayStream, PackageWriter, slug
from studio.export.selection import chosen_media, copy_for

TITLE_MAX = 200
BULLETS = 5
BULLET_MAX = 500
DESCRIPTION_MAX = 2000
SEARCH_TERMS_MAX_BYTES = 249
OTHER_IMAGES = 8


def _value(v: Any, lang: str = "en_US") -> list[dict[str, Any]]:
    return [{"value": v, "language_tag": lang}]


def _search_terms(words: list[str]) -> str:
    out: list[str] = []
    for w in dict.fromkeys(w.strip().lower() for w in words if w.strip()):
        if len(" ".join([*out, w]).encode()) > SEARCH_TERMS_MAX_BYTES:
            break
        out.append(w)
    return " ".join(out)


def listing(pw: PackageWriter, product: ExportProduct) -> dict[str, Any]:
    """One listing: attributes, image slots with their checks, flags and provenance of the copy used."""
    copy = copy_for(product, "amazon", pw.policy, language="en")
    flags: list[str] = []
    if copy is None:
        pw.warn(product.sku, "no approved Amazon copy; catalog title and description used")
        flags.append("no-copy")
    title = (copy.title if copy and copy.title else product.title)[:TITLE_MAX]
    bullets = [b[:BULLET_MAX] for b in (copy.bullets if copy else ())][:BULLETS]
    if len(bullets) < BULLETS:
        flags.append(f"only {len(bullets)} of {BULLETS} bullet points")
    description = (copy.description if copy and copy.description else product.description)[:DESCRIPTION_MAX]

    base = slug(product.sku, "item").upper()
    sources = list(product.images) + [m.path for m in chosen_media(product.image_candidates, pw.policy)]
    slots = [(src, AMAZON_MAIN if i == 0 else AMAZON_OTHER) for i, src in enumerate(sources)]
    images: list[dict[str, Any]] = []
    while slots and len(images) < 1 + OTHER_IMAGES:
        src, spec = slots.pop(0)
        role = "MAIN" if not images else f"PT{len(images):02d}"
        done = pw.image(product.sku, src, spec, f"amazon/images/{base}.{role}.jpg")
        if done.cut_out:  # the product cut out onto white is MAIN; the photo as shot follows it as PT01
            slots.insert(0, (src, AMAZON_OTHER))
        images.append(
            {
                "role": role,
                "path": pw.rel(done.path, "amazon"),
                "url": pw.image_url(done.path),
                "width": done.width,
                "height": done.height,
                "upscaled": done.upscaled,
                "cut_out": done.cut_out,
                **(
                    {
                        "white_background": done.white_fraction >= WHITE_FRACTION,
                        "white_border_fraction": round(done.white_fraction, 3),
                    }
                    if done.white_fraction is not None
                    else {}
                ),
            }
        )
        flags.extend(done.flags)

    attrs: dict[str, Any] = {
        "item_name": _value(title),
        "bullet_point": [{"value": b, "language_tag": "en_US"} for b in bullets],
        "product_description": _value(description),
        "generic_keyword": _value(_search_terms(list(copy.tags if copy else ()) + [product.category])),
    }
    brand = product.vendor or pw.request.vendor
    if brand:
        attrs["brand"] = _value(brand)
    else:  # never a made-up "Generic": Amazon needs the real brand (or its own "Generic" approval)
        flags.append("no brand: add a 'brand' column to the catalog or set the brand in the brand kit")
        pw.warn(product.sku, "no brand for Amazon: add a 'brand' column or set the brand in the brand kit")
    for name in ("color", "material", "size"):
        if product.attribute(name):
            attrs[name] = _value(product.attribute(name))
    try:
        attrs["list_price"] = [{"value": float(product.price), "currency": product.currency or "USD"}]
    except ValueError:
        if product.price:
            flags.append(f"price '{product.price}' is not a number")
    if images:  # Amazon fetches media_location from a public URL (the image base URL), see UPLOAD.md
        attrs["main_product_image_locator"] = [{"media_location": images[0]["url"]}]
        for i, img in enumerate(images[1:], start=1):
            attrs[f"other_product_image_locator_{i}"] = [{"media_location": img["url"]}]
    return {
        "sku": product.sku,
        "product_type": product.category.upper() or "PRODUCT",
        "attributes": attrs,
        "images": images,
        "flags": flags,
        "copy_provenance": dict(copy.provenance) if copy else None,
        "placeholder": bool(copy and copy.placeholder),
    }


class Writer:
    """amazon/listings.json (one listing appended per product) and amazon/images/ (MAIN + PT01..PT08, 1600 px
    squares on white)."""

    def __init__(self, pw: PackageWriter) -> None:
        self.pw = pw
        head = {"format": "vitrine-amazon-listing/1", "review_mode": pw.mode.value}
        self.json = JsonArrayStream(pw, "amazon/listings.json", head, "listings")

    def add(self, product: ExportProduct) -> None:
        self.json.add(listing(self.pw, product))

    def close(self) -> None:
        self.json.close()
