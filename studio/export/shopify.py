"""Shopify product CSV: one row per variant, extra rows per image, in Shopify's documented import columns."""

from __future__ import annotations

import html

from studio.export.bundle import ExportProduct
from studio.export.csv_safe import csv_bytes
from studio.export.images import SHOPIFY
from studio.export.package import PackageWriter, alt_text, chosen_media, copy_for, slug

# The header of Shopify's sample product CSV (product_template.csv), linked from "Using CSV files to import and
# export products": https://help.shopify.com/en/manual/products/import-export/using-csv
# (sample file: https://help.shopify.com/cdn/shopifycloud/product-knowledge/production/csv/product_template.csv).
# Shopify's importer matches these names; newer admin exports show renamed headers (e.g. "URL handle",
# "Description", "SKU") and accept these too. Market columns ("Included / <market>", "Price / <market>") are
# store-specific and left out: Shopify keeps existing values for columns a file omits.
SHOPIFY_COLUMNS: tuple[str, ...] = (
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Product Category",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Option3 Name",
    "Option3 Value",
    "Variant SKU",
    "Variant Grams",
    "Variant Inventory Tracker",
    "Variant Inventory Qty",
    "Variant Inventory Policy",
    "Variant Fulfillment Service",
    "Variant Price",
    "Variant Compare At Price",
    "Variant Requires Shipping",
    "Variant Taxable",
    "Variant Barcode",
    "Image Src",
    "Image Position",
    "Image Alt Text",
    "Gift Card",
    "SEO Title",
    "SEO Description",
    "Google Shopping / Google Product Category",
    "Google Shopping / Gender",
    "Google Shopping / Age Group",
    "Google Shopping / MPN",
    "Google Shopping / Condition",
    "Google Shopping / Custom Product",
    "Variant Image",
    "Variant Weight Unit",
    "Variant Tax Code",
    "Cost per item",
    "Status",
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
    copy = copy_for(product, "shopify", pw.mode, language="en")
    if copy is None:
        pw.warn(product.sku, "no approved Shopify copy; catalog title and description used")
    title = copy.title if copy and copy.title else product.title
    description = copy.description if copy and copy.description else product.description
    bullets = copy.bullets if copy else ()
    tags = list(copy.tags if copy else ()) + [h.lstrip("#") for h in (copy.hashtags if copy else ())]
    handle = slug(product.sku + "-" + product.title, product.sku.lower())
    alt = alt_text(product, pw.mode)

    images = []
    sources = list(product.images) + [m.path for m in chosen_media(product.image_candidates, pw.mode)]
    for i, src in enumerate(sources, start=1):
        done = pw.image(product.sku, src, SHOPIFY, f"shopify/images/{handle}-{i}.jpg")
        url = (
            pw.request.image_base_url.rstrip("/") + "/" + done.path.name
            if pw.request.image_base_url
            else (pw.rel(done.path, "shopify"))
        )
        images.append(url)
    if images and not pw.request.image_base_url:
        pw.warn(
            "",
            "Shopify imports images by URL: upload shopify/images and set the image base URL, "
            "or replace the Image Src paths before importing",
        )

    sizes = product.sizes or ("Default Title",)
    rows = []
    for i, size in enumerate(sizes):
        row = dict.fromkeys(SHOPIFY_COLUMNS, "")
        row.update(
            {
                "Handle": handle,
                "Option1 Name": "Size" if product.sizes else "Title",
                "Option1 Value": size,
                "Variant SKU": f"{product.sku}-{slug(size, 'x').upper()}" if product.sizes else product.sku,
                "Variant Grams": "0",
                "Variant Inventory Policy": "deny",
                "Variant Fulfillment Service": "manual",
                "Variant Price": product.price,
                "Variant Requires Shipping": "TRUE",
                "Variant Taxable": "TRUE",
                "Variant Weight Unit": "kg",
            }
        )
        if i == 0:
            row.update(
                {
                    "Title": title,
                    "Body (HTML)": _body_html(description, bullets),
                    "Vendor": product.vendor or pw.request.vendor,
                    "Type": product.category,
                    "Tags": ", ".join(dict.fromkeys(t for t in tags if t)),
                    "Published": "FALSE",  # a person publishes after a last look in Shopify
                    "Gift Card": "FALSE",
                    "SEO Title": _clip(title, SEO_TITLE_MAX),
                    "SEO Description": _clip(description, SEO_DESCRIPTION_MAX),
                    "Status": "draft",
                }
            )
            if images:
                row.update({"Image Src": images[0], "Image Position": "1", "Image Alt Text": alt})
        rows.append(row)
    for pos, url in enumerate(images[1:], start=2):
        row = dict.fromkeys(SHOPIFY_COLUMNS, "")
        row.update({"Handle": handle, "Image Src": url, "Image Position": str(pos), "Image Alt Text": alt})
        rows.append(row)
    return rows


def write(pw: PackageWriter) -> None:
    """shopify/products.csv (UTF-8) and shopify/images/."""
    rows = [r for p in pw.request.products for r in product_rows(pw, p)]
    pw.write("shopify/products.csv", csv_bytes(SHOPIFY_COLUMNS, [[r[c] for c in SHOPIFY_COLUMNS] for r in rows]))
