"""A small catalog for retrieval tests: categories that map to the vocabulary, and a near-duplicate listing."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.scoring.conftest import make_image

#: sku -> (title, category); TEE-2's photo is TEE's with one pixel changed (the same shirt listed twice).
PRODUCTS = {
    "TEE": ("Red cotton tee", "t-shirt"),
    "JEAN": ("Blue jeans", "jeans"),
    "SNKR": ("White sneakers", "sneakers"),
    "TEE-2": ("Red cotton tee (outlet)", "t-shirt"),
    "CAP": ("Baseball cap", "hat"),
    "JEAN-2": ("Black jeans", "jeans"),
    "BARE": ("No photo yet", "shorts"),
}


def write_look_catalog(folder: Path, size: tuple[int, int] = (64, 64)) -> Path:
    """Write the catalog CSV and its photos into `folder`; returns the CSV's path."""
    img = folder / "img"
    img.mkdir(parents=True, exist_ok=True)
    for i, sku in enumerate(PRODUCTS):
        if sku not in ("TEE-2", "BARE"):
            make_image(img / f"{sku}.png", seed=70 + i, size=size)
    with Image.open(img / "TEE.png") as tee:
        twin = tee.convert("RGB")
    twin.putpixel((0, 0), (0, 0, 0))
    twin.save(img / "TEE-2.png")
    rows = ["sku,title,category,images"]
    for sku, (title, category) in PRODUCTS.items():
        rows.append(f"{sku},{title},{category},{'' if sku == 'BARE' else f'img/{sku}.png'}")
    csv = folder / "catalog.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return csv
