"""The sample catalog: a dozen products, their studio shots, and the catalog CSVs (English UTF-8, Chinese GB18030).

`python -m studio.samples` re-renders everything into `assets/sample_catalog/`; the results are committed, so
nobody needs to run it. Renders are deterministic: each product has its own seed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image

from studio.samples import others, tops
from studio.samples.scene import Scene

PAPER = (0.93, 0.92, 0.90)  # warm off-white seamless
GREY = (0.84, 0.84, 0.855)  # cool grey, for light-coloured products
JPEG_QUALITY = 85
CATALOG_COLUMNS = (
    "sku",
    "title",
    "description",
    "category",
    "color",
    "material",
    "price",
    "currency",
    "brand",
    "size",
    "images",
    "person_images",
)
PERSON_IMAGE = "people/astronaut.jpg"
SAMPLE_BRAND = "Vitrine Sample Co."  # a made-up brand: Amazon listings need one, and the demo shows where it goes


@dataclass(frozen=True)
class SampleProduct:
    """One catalog row plus how to render its shots."""

    sku: str
    title: str
    description: str
    category: str
    color: str
    material: str
    price: str
    size: str
    title_zh: str
    description_zh: str
    recipe: Callable[[Scene, tuple[float, float, float]], None] | None
    rgb: tuple[float, float, float] = (0.5, 0.5, 0.5)
    backdrop: tuple[float, float, float] = PAPER
    angle: float = 0.0
    seed: int = 0
    detail: tuple[float, float, float] | None = None  # (cx, cy, half) close-up crop in working pixels
    try_on: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def images(self) -> list[str]:
        names = [f"images/{self.sku.lower()}-1.jpg"]
        if self.detail:
            names.append(f"images/{self.sku.lower()}-2.jpg")
        return names


PRODUCTS: tuple[SampleProduct, ...] = (
    SampleProduct(
        "VT-TEE-RED",
        "Classic Crew-Neck T-Shirt, Red",
        "Soft 100% cotton jersey tee with a ribbed crew neck and double-stitched hems. Regular fit.",
        "tops",
        "red",
        "cotton",
        "19.90",
        "S,M,L,XL",
        "经典圆领纯棉T恤 红色",
        "100%纯棉平纹针织面料，罗纹圆领，双线走边，常规版型，柔软透气。",
        tops.tshirt,
        (0.64, 0.08, 0.10),
        angle=3,
        seed=11,
        try_on=True,
    ),
    SampleProduct(
        "VT-JKT-NAVY",
        "Denim Trucker Jacket, Navy",
        "Rigid navy denim jacket with a point collar, flap chest pockets, copper stitching and metal shank buttons.",
        "tops",
        "navy",
        "denim",
        "89.00",
        "S,M,L,XL",
        "复古牛仔夹克 藏青色",
        "藏青色硬挺牛仔布，尖领设计，翻盖胸袋，铜色明线与金属纽扣。",
        tops.denim_jacket,
        (0.13, 0.19, 0.33),
        angle=-2,
        seed=12,
        detail=(720, 470, 190),
        try_on=True,
    ),
    SampleProduct(
        "VT-SWT-CREAM",
        "Chunky Rib-Knit Sweater, Cream",
        "Cosy crew-neck sweater in a chunky rib knit with ribbed cuffs and hem.",
        "tops",
        "cream",
        "wool blend knit",
        "64.00",
        "S,M,L",
        "粗针罗纹针织毛衣 米白色",
        "圆领粗针罗纹针织，罗纹袖口与下摆，保暖舒适。",
        tops.sweater,
        (0.93, 0.88, 0.77),
        backdrop=GREY,
        angle=4,
        seed=13,
        detail=(600, 330, 190),
        try_on=True,
    ),
    SampleProduct(
        "VT-HOOD-GREY",
        "Fleece Pullover Hoodie, Heather Grey",
        "Brushed-back fleece hoodie with a lined hood, drawcords, kangaroo pocket and ribbed trims.",
        "tops",
        "grey",
        "cotton fleece",
        "49.00",
        "S,M,L,XL",
        "抓绒连帽卫衣 麻灰色",
        "内里磨毛抓绒，双层帽，抽绳，袋鼠口袋，罗纹收口。",
        tops.hoodie,
        (0.56, 0.57, 0.59),
        angle=-3,
        seed=14,
        try_on=True,
    ),
    SampleProduct(
        "VT-CHINO-KHAKI",
        "Slim Chino Trousers, Khaki",
        "Cotton twill chinos with slant pockets, belt loops and a slim tapered leg.",
        "bottoms",
        "khaki",
        "cotton twill",
        "54.00",
        "30,32,34,36",
        "修身斜纹休闲裤 卡其色",
        "纯棉斜纹布，斜插袋，腰带襻，修身锥形裤腿。",
        partial(others.trousers, denim=False),
        (0.70, 0.62, 0.45),
        angle=2,
        seed=15,
    ),
    SampleProduct(
        "VT-JEAN-BLUE",
        "Straight-Leg Jeans, Mid Blue",
        "Five-pocket jeans in mid-wash denim with copper rivets and contrast stitching.",
        "bottoms",
        "blue",
        "denim",
        "69.00",
        "30,32,34,36",
        "直筒牛仔裤 中蓝色",
        "中度水洗牛仔布，经典五袋款，铜色铆钉与撞色明线。",
        partial(others.trousers, denim=True),
        (0.24, 0.38, 0.60),
        angle=-2,
        seed=16,
        detail=(600, 330, 200),
    ),
    SampleProduct(
        "VT-DRESS-FLORAL",
        "Floral Summer Dress, Sky Blue",
        "Light cotton poplin sundress with a scattered flower print, thin straps and a flared skirt.",
        "dresses",
        "light blue",
        "cotton poplin",
        "59.00",
        "XS,S,M,L",
        "碎花吊带连衣裙 天蓝色",
        "轻薄纯棉府绸，碎花印花，细肩带，A字裙摆，适合夏季。",
        others.summer_dress,
        (0.62, 0.76, 0.88),
        angle=2,
        seed=17,
    ),
    SampleProduct(
        "VT-BAG-BLACK",
        "Structured Leather Handbag, Black",
        "Pebble-grain leather handbag with two top handles, a front flap and a gold-tone clasp.",
        "bags",
        "black",
        "leather",
        "129.00",
        "one size",
        "荔枝纹真皮手提包 黑色",
        "荔枝纹头层牛皮，双提手，翻盖设计，金色搭扣。",
        others.handbag,
        (0.075, 0.075, 0.085),
        angle=-2,
        seed=18,
        detail=(600, 760, 180),
    ),
    SampleProduct(
        "VT-SNKR-WHITE",
        "Low-Top Canvas Sneakers, White",
        "Classic low-top sneakers in white cotton canvas with a rubber toe cap and vulcanised sole.",
        "shoes",
        "white",
        "canvas",
        "45.00",
        "38,39,40,41,42,43,44",
        "经典低帮帆布鞋 白色",
        "白色纯棉帆布鞋面，橡胶包头，硫化鞋底，百搭款。",
        others.sneakers,
        (0.96, 0.96, 0.945),
        backdrop=GREY,
        angle=-2,
        seed=19,
    ),
    SampleProduct(
        "VT-SCARF-GREEN",
        "Fringed Wool Scarf, Forest Green",
        "Warm lambswool scarf with tonal stripes and fringed ends.",
        "accessories",
        "green",
        "wool",
        "35.00",
        "one size",
        "流苏羊毛围巾 墨绿色",
        "柔软羊羔毛，同色系条纹，流苏边，保暖百搭。",
        others.scarf,
        (0.16, 0.42, 0.28),
        angle=-3,
        seed=20,
    ),
    SampleProduct(
        "VT-BELT-BROWN",
        "Leather Belt with Brass Buckle, Brown",
        "Full-grain leather belt with edge stitching and a solid brass buckle.",
        "accessories",
        "brown",
        "leather",
        "39.00",
        "80,90,100,110",
        "黄铜扣真皮腰带 棕色",
        "头层牛皮，边缘缝线，实心黄铜扣。",
        others.belt,
        (0.42, 0.24, 0.12),
        angle=6,
        seed=21,
    ),
    SampleProduct(
        "VT-CUP-RED",
        "Ceramic Coffee Cup and Saucer",
        "Glazed ceramic coffee cup with matching saucer. (Real photograph from scikit-image.)",
        "home",
        "red",
        "ceramic",
        "14.00",
        "one size",
        "陶瓷咖啡杯碟套装",
        "釉面陶瓷咖啡杯，配同款杯碟。(scikit-image 附带的真实照片)",
        None,
        seed=22,
    ),
)


def save_jpeg(img: Image.Image, path: Path) -> None:
    """Save a small, EXIF-free sRGB JPEG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img.convert("RGB").save(path, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)


def render_product(p: SampleProduct, out: int = 800) -> list[Image.Image]:
    """All shots of one product: the full flat-lay, plus a close-up when it has one."""
    if p.recipe is None:
        return [real_photo("coffee")]
    sc = Scene(seed=p.seed, backdrop=p.backdrop)
    p.recipe(sc, p.rgb)
    shots = [sc.finish(angle=p.angle, out=out)]
    if p.detail:
        shots.append(sc.finish(angle=p.angle, out=out, crop=p.detail))
    return shots


def real_photo(name: str) -> Image.Image:
    """A real photograph shipped inside scikit-image (`coffee`, `astronaut`)."""
    from skimage import data  # only needed to regenerate the assets

    return Image.fromarray(np.asarray(getattr(data, name)()))


def catalog_rows(products: tuple[SampleProduct, ...] = PRODUCTS, chinese: bool = False) -> list[dict[str, str]]:
    rows = []
    for p in products:
        rows.append(
            {
                "sku": p.sku,
                "title": p.title_zh if chinese else p.title,
                "description": p.description_zh if chinese else p.description,
                "category": p.category,
                "color": p.color,
                "material": p.material,
                "price": p.price,
                "currency": "CNY" if chinese else "USD",
                "brand": SAMPLE_BRAND,
                "size": p.size,
                "images": "|".join(p.images),
                "person_images": PERSON_IMAGE if p.try_on else "",
            }
        )
    return rows


def write_catalogs(root: Path) -> list[Path]:
    """catalog.csv (UTF-8) and catalog_zh.csv (GB18030, same SKUs, Chinese titles and descriptions)."""
    written = []
    for name, chinese, encoding in (("catalog.csv", False, "utf-8"), ("catalog_zh.csv", True, "gb18030")):
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=CATALOG_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(catalog_rows(chinese=chinese))
        (root / name).write_bytes(buf.getvalue().encode(encoding))
        written.append(root / name)
    return written


def render_all(root: Path, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Render every product shot and the try-on person into `root`, then write the catalogs."""
    written = []
    for p in PRODUCTS:
        for rel, img in zip(p.images, render_product(p), strict=True):
            save_jpeg(img, root / rel)
            written.append(root / rel)
        if progress:
            progress(p.sku)
    save_jpeg(real_photo("astronaut"), root / PERSON_IMAGE)
    written.append(root / PERSON_IMAGE)
    written += write_catalogs(root)
    return written
