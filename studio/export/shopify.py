"""Shopify product CSV: one row per variant, extra rows per image, in Shopify's documented import columns."""

from __future__ import annotations

import html

from studio.export.bundle import ExportProduct
from studio.export.images import SHOPIFY
from studio.export.package_writer import CsvStream, PackageWriter, slug
from studio.export.selection import alt_text, chosen_media, copy_for

# The header row of Shopify's sample product CSV ("product_template.csv", 2024+ format), in its order, as
# described in the product CSV description table of "Using CSV files to import and export products":
# https://help.shopify.com/en/manual/products/import-export/using-csv (the page links the sample file:
# https://help.shopify.com/cdn/shopifycloud/product-knowledge/production/csv/product_template.csv).
# It replaced the older header (Handle, Body (HTML), Variant SKU, Variant Price, Image Src, ...), which the
# importer still reads. Market columns ("Included / <market>", "Price / <market>") depend on the store's markets
# and are left out: Shopify keeps existing values for columns a file omits.
SHOPIFY_COLUMNS: tuple[str, ...] = (
    "Title",
    "URL handle",
    "Description",
    "Vendor",
    "Product category",
    "Type",
    "Tags",
    "Published on online store",
    "Status",
    "SKU",
    "Barcode",
    "Option1 name",
    "Option1 value",
    "Option1 Linked To",
    "Option2 name",
    "Option2 value",
    "Option2 Linked To",
    "Option3 name",
    "Option3 value",
    "Option3 Linked To",
    "Price",
    "Compare-at price",
    "Cost per item",
    "Charge tax",
    "Tax code",
    "Unit price total measure",
    "Unit price total measure unit",
    "Unit price base measure",
    "Unit price base measure unit",
    "Inventory tracker",
    "Inventory quantity",
    "Continue selling when out of stock",
    "Weight value (grams)",
    "Weight unit for display",
    "Requires shipping",
    "Fulfillment service",
    "Product image URL",
    "Image position",
    "Image alt text",
    "Variant image URL",
    "Gift card",
    "SEO title",
    "SEO description",
    "Color (product.metafields.shopify.color-pattern)",
    "Google Shopping / Google product category",
    "Google Shopping / Gender",
    "Google Shopping / Age group",
    "Google Shopping / Manufacturer part number (MPN)",
    "Google Shopping / Ad group name",
    "Google Shopping / Ads labels",
    "Google Shopping / Condition",
    "Google Shopping / Custom product",
    "Google Shopping / Custom label 0",
    "Google Shopping / Custom label 1",
    "Google Shopping / Custom label 2",
    "Google Shopping / Custom label 3",
    "Google Shopping / Custom label 4",
)
SEO_TITLE_MAX = 70
SEO_DESCRIPTION_MAX = 320


def _body_html(description: str, bullets: tuple[str, ...]) -> str:
    """Description paragraphs and bullets as HTML; every piece of text is escaped."""
    paras = [f"<p>{html.escape(p.strip())}</p>" for p in description.split("\n\n") if p.strip()]
    if bullets:
        paras.append("<ul>" + "".join(f"<li>{html.escape(b)}</li>" for b in bullets) + "</ul>")
    return "".join(paras)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def product_rows(pw: PackageWriter, product: ExportProduct) -> list[dict[str, str]]:
    """The CSV rows of one product: variant rows (one per size) then extra image rows."""
    copy = copy_for(product, "shopify", pw.policy, language="en")
    if copy is None:
        pw.warn(product.sku, "no approved Shopify copy; catalog title and description used")
    title = copy.title if copy and copy.title else product.title
    description = copy.description if copy and copy.description else product.description
    bullets = copy.bullets if copy else ()
    tags = list(copy.tags if copy else ()) + [h.lstrip("#") for h in (copy.hashtags if copy else ())]
    handle = slug(product.sku + "-" + product.title, product.sku.lower())
    alt = alt_text(product, pw.policy)

    images = []
    sources = list(product.images) + [m.path for m in chosen_media(product.image_candidates, pw.policy)]
    for i, src in enumerate(sources, start=1):
        done = pw.image(product.sku, src, SHOPIFY, f"shopify/images/{handle}-{i}.jpg")
        images.append(pw.image_url(done.path))

    sizes = product.sizes or ("Default Title",)
    rows = []
    for i, size in enumerate(sizes):
        row = dict.fromkeys(SHOPIFY_COLUMNS, "")
        row.update(
            {
                "URL handle": handle,
                "Option1 name": "Size" if product.sizes else "Title",
                "Option1 value": size,
                "SKU": f"{product.sku}-{slug(size, 'x').upper()}" if product.sizes else product.sku,
                "Continue selling when out of stock": "DENY",
                "Fulfillment service": "manual",
                "Price": product.price,
                "Requires shipping": "TRUE",
                "Charge tax": "TRUE",
                "Weight unit for display": "kg",
            }
        )
        if i == 0:
            row.update(
                {
                    "Title": title,
                    "Description": _body_html(description, bullets),
                    "Vendor": product.vendor or pw.request.vendor,
                    "Type": product.category,
                    "Tags": ", ".join(dict.fromkeys(t for t in tags if t)),
                    "Published on online store": "FALSE",  # a person publishes after a last look in Shopify
                    "Gift card": "FALSE",
                    "SEO title": _clip(title, SEO_TITLE_MAX),
                    "SEO description": _clip(description, SEO_DESCRIPTION_MAX),
                    "Status": "Draft",
                }
            )
            if images:
                row.update({"Product image URL": images[0], "Image position": "1", "Image alt text": alt})
        rows.append(row)
    for pos, url in enumerate(images[1:], start=2):
        row = dict.fromkeys(SHOPIFY_COLUMNS, "")
        row.update({"URL handle": handle, "Product image URL": url, "Image position": str(pos), "Image alt text": alt})
        rows.append(row)
    return rows


class Writer:
    """shopify/products.csv (UTF-8, rows appended per product) and shopify/images/."""

    def __init__(self, pw: PackageWriter) -> None:
        self.pw = pw
        self.csv = CsvStream(pw, "shopify/products.csv", SHOPIFY_COLUMNS)

    def add(self, product: ExportProduct) -> None:
        self.csv.rows([r[c] for c in SHOPIFY_COLUMNS] for r in product_rows(self.pw, product))

    def close(self) -> None:
        self.csv.close()
