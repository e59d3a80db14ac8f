"""Taobao listing and Douyin short post, in Chinese: 标题 ≤ 30 字, 卖点, 详情, 800×800 main images, hashtags."""

from __future__ import annotations

import unicodedata
from typing import Any

from generators.runtime.lexicon import has_cjk
from studio.export.bundle import ExportProduct
from studio.export.images import TAOBAO
from studio.export.package_writer import CsvStream, JsonArrayStream, PackageWriter, slug
from studio.export.selection import chosen_media, copy_for

TITLE_MAX = 30.0  # Taobao counts 60 bytes: a Chinese character is 1, a Latin letter or digit is ½
SELLING_POINTS = 5
MAIN_IMAGES = 5
DOUYIN_TEXT_MAX = 55  # the title line of a Douyin post
DOUYIN_HASHTAGS = 5
CSV_COLUMNS = ("宝贝标题", "商家编码", "类目", "价格", "卖点", "宝贝描述", "主图", "标记")


def title_width(text: str) -> float:
    """Taobao title length: wide (CJK, full-width) characters count 1, everything else ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def clip_title(text: str, limit: float = TITLE_MAX) -> str:
    out, width = [], 0.0
    for ch in " ".join(text.split()):
        w = title_width(ch)
        if width + w > limit:
            break
        out.append(ch)
        width += w
    return "".join(out).strip()


def listing(pw: PackageWriter, product: ExportProduct) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Taobao listing and the Douyin post of one product."""
    flags: list[str] = []
    copy = copy_for(product, "taobao", pw.policy, language="zh")
    if copy is None:
        pw.warn(product.sku, "no approved Chinese copy for Taobao; the catalog title was used")
        flags.append("no-chinese-copy")
    title_src = copy.title if copy and copy.title else product.title
    title = clip_title(title_src)
    if title != " ".join(title_src.split()):
        flags.append(f"标题 shortened to {TITLE_MAX:.0f} characters")
    if not has_cjk(title):
        flags.append("title is not in Chinese")
    points = list(copy.bullets if copy else ())[:SELLING_POINTS]
    detail = copy.description if copy and copy.description else product.description

    folder = slug(product.sku, "item")
    sources = list(product.images) + [m.path for m in chosen_media(product.image_candidates, pw.policy)]
    images = []
    for i, src in enumerate(sources[:MAIN_IMAGES], start=1):
        done = pw.image(product.sku, src, TAOBAO, f"taobao/images/{folder}/main-{i}.jpg")
        images.append(pw.rel(done.path, "taobao"))
        flags.extend(done.flags)

    tb = {
        "商家编码": product.sku,
        "宝贝标题": title,
        "类目": product.category,
        "价格": product.price,
        "币种": product.currency or "CNY",
        "卖点": points,
        "宝贝描述": detail,
        "主图": images,
        "标记": flags,
        "占位模型": bool(copy and copy.placeholder),
        "来源": dict(copy.provenance) if copy else None,
    }

    dy_copy = copy_for(product, "douyin", pw.policy, language="zh") or copy
    hashtags = list(dy_copy.hashtags if dy_copy else ())[:DOUYIN_HASHTAGS]
    text = (dy_copy.title if dy_copy and dy_copy.title else title)[:DOUYIN_TEXT_MAX]
    body = "\n".join(["✨ " + p for p in (dy_copy.bullets if dy_copy else ())[:3]])
    dy = {
        "商家编码": product.sku,
        "标题": text,
        "正文": body,
        "话题": ["#" + h.lstrip("#") for h in hashtags],
        "封面": images[0] if images else "",
        "视频": [],
        "占位模型": bool(dy_copy and dy_copy.placeholder),
    }
    for j, video in enumerate(chosen_media(product.video_candidates, pw.policy), start=1):
        path = pw.video(product.sku, video.path, f"taobao/videos/{folder}-{j}{video.path.suffix.lower()}")
        dy["视频"].append(pw.rel(path, "taobao"))
    return tb, dy


class Writer:
    """taobao/listings.json + listings.csv (UTF-8 with BOM for Excel), douyin.json, images/ and videos/; each
    product's listing and post are appended as it comes."""

    def __init__(self, pw: PackageWriter) -> None:
        self.pw = pw
        self.listings = JsonArrayStream(pw, "taobao/listings.json", {"平台": "淘宝"}, "商品")
        self.douyin = JsonArrayStream(pw, "taobao/douyin.json", {"平台": "抖音"}, "作品")
        self.csv = CsvStream(pw, "taobao/listings.csv", CSV_COLUMNS, encoding="utf-8-sig")

    def add(self, product: ExportProduct) -> None:
        tb, dy = listing(self.pw, product)
        self.listings.add(tb)
        self.douyin.add(dy)
        row = [
            tb["宝贝标题"],
            tb["商家编码"],
            tb["类目"],
            tb["价格"],
            "；".join(tb["卖点"]),
            tb["宝贝描述"],
            "|".join(tb["主图"]),
            "；".join(tb["标记"]),
        ]
        self.csv.rows([row])

    def close(self) -> None:
        self.listings.close()
        self.douyin.close()
        self.csv.close()
