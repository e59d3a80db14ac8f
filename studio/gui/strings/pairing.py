"""The Pairing tab's words (`studio/gui/panels/pairing.py`): key -> (English, Chinese)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "pairing.tab": ("Outfit pairing", "穿搭组合"),
    "pairing.outfit": ("Outfit", "搭配单品"),
    "pairing.anchor": ("this product", "当前商品"),
    "pairing.swap_tip": ("Swap for the next best: {sku}", "换成下一件：{sku}"),
    "pairing.remove": ("Leave this item out", "移除此单品"),
    "pairing.restore": ("Put this item back", "放回此单品"),
    "pairing.finding": ("Finding items that go with it…", "正在查找可搭配的单品…"),
    "pairing.items_failed": ("Could not find items to pair: {message}", "无法查找搭配单品：{message}"),
    "pairing.no_items": (
        "No complementary items in the catalog: generated looks only.",
        "目录中没有可搭配的单品：只能生成造型图。",
    ),
    "pairing.suggested": ("The best match of each kind, by CLIP.", "按 CLIP 为每类挑选的最佳搭配。"),
    "pairing.edited": ("Edited: Generate lays out these items.", "已修改：点击生成将按这些单品排版。"),
    "pairing.flatlay_of": ("Flat-lay: {items}", "平铺图：{items}"),
    "pairing.no_flatlay": ("No flat-lay yet: Generate makes one.", "还没有平铺图：点击生成即可制作。"),
    "pairing.style": ("Style", "风格"),
    "pairing.mode": ("Make", "生成内容"),
    "pairing.looks": ("Looks", "造型数"),
    "pairing.seed": ("Seed", "随机种子"),
    "pairing.size": ("Size", "尺寸"),
    "pairing.mode.flatlay": ("Flat-lay", "平铺图"),
    "pairing.mode.generated": ("Generated looks", "生成造型"),
    "pairing.mode.both": ("Flat-lay + looks", "平铺图 + 造型"),
    "pairing.kind.flatlay": ("Flat-lay", "平铺图"),
    "pairing.kind.generated": ("Generated look", "生成造型"),
    "pairing.generate": ("Generate pairing", "生成搭配"),
    "pairing.empty_hint": (
        "Generate lays the outfit out as a flat-lay, and makes styled looks when asked.",
        "点击生成将把搭配排成平铺图，并可按需生成风格造型图。",
    ),
    "pairing_style.casual": ("Casual", "休闲"),
    "pairing_style.office": ("Office", "通勤"),
    "pairing_style.street": ("Street", "街头"),
    "pairing_style.evening": ("Evening", "晚装"),
    "pairing_style.minimalist": ("Minimalist studio", "极简棚拍"),
}
