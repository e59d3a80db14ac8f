"""Generated catalogs for tests and benchmarks: `n` products, each with small, distinct, real image files."""

from __future__ import annotations

import csv
import random
from pathlib import Path

COLORS = {
    "red": (200, 40, 40),
    "blue": (40, 70, 200),
    "green": (40, 160, 70),
    "black": (20, 20, 20),
    "white": (235, 235, 235),
    "yellow": (230, 200, 40),
}
GARMENTS = ("t-shirt", "dress", "jacket", "skirt", "sweater", "shirt")


def write_synthetic_catalog(
    folder: Path, n: int, *, image_size: int = 64, images_per_product: int = 1, seed: int = 0
) -> Path:
    """Write `catalog.csv` and `images/*.png` for `n` products into `folder`; return the CSV path."""
    from PIL import Image, ImageDraw

    folder = Path(folder)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        color = rng.choice(list(COLORS))
        garment = rng.choice(GARMENTS)
        sku = f"SKU-{i:05d}"
        files = []
        for k in range(images_per_product):
            im = Image.new("RGB", (image_size, image_size), COLORS[color])
            draw = ImageDraw.Draw(im)
            # A product-specific mark so every image (and thus every asset sha) differs.
            x, y = (i * 7 + k * 13) % (image_size - 8), (i * 11 + k * 5) % (image_size - 8)
            draw.rectangle([x, y, x + 8, y + 8], fill=(i % 256, (i // 256) % 256, 128 + k))
            name = f"images/{sku}_{k}.png"
            im.save(folder / name)
            files.append(name)
        rows.append(
            {
                "sku": sku,
                "title": f"{color.title()} {garment} no. {i}",
                "category": garment,
                "color": color,
                "price": f"{10 + i % 90}.99",
                "images": "|".join(files),
            }
        )
    path = folder / "catalog.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["sku", "title", "images"])
        writer.writeheader()
        writer.writerows(rows)
    return path
