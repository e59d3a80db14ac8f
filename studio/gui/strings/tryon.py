"""The Try-on tab's words (`studio/gui/panels/tryon.py`, `tryon_mask.py`): key -> (English, Chinese)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "tryon.tab": ("Try-on", "虚拟试穿"),
    "tryon.person": ("Person photo", "人物照片"),
    "tryon.catalog_photo": ("Catalog photo {n}", "目录照片 {n}"),
    "tryon.added_photo": ("Added: {name}", "已添加：{name}"),
    "tryon.add_photo": ("Add photo…", "添加照片…"),
    "tryon.photo_filter": ("Images", "图片"),
    "tryon.not_an_image": ("'{name}' is not an image Vitrine can read.", "“{name}”不是 Vitrine 能读取的图片。"),
    "tryon.no_person_photo": (
        "This product has no person photo. Add one to try the garment on.",
        "此商品没有人物照片。添加一张即可试穿。",
    ),
    "tryon.garment": ("Garment", "服装部位"),
    "tryon.garment_upper": ("Upper body", "上身"),
    "tryon.garment_lower": ("Lower body", "下身"),
    "tryon.garment_full": ("Full body", "全身"),
    "tryon.person_index": ("Person", "人物"),
    "tryon.person_index_tip": (
        "Which person when the photo shows several (0 is the largest)",
        "照片中有多人时选择哪一位（0 为最大的一位）",
    ),
    "tryon.count": ("Images", "张数"),
    "tryon.seed": ("Seed", "随机种子"),
    "tryon.generate": ("Generate try-on", "生成试穿图"),
    "tryon.queued": ("Queued: see the Jobs panel.", "已排队：进度见任务面板。"),
    "tryon.brush": ("Brush", "画笔"),
    "tryon.eraser": ("Eraser", "橡皮擦"),
    "tryon.size": ("Size", "大小"),
    "tryon.reset": ("Automatic mask", "自动蒙版"),
    "tryon.reset_tip": ("Go back to the mask Vitrine found (undoable)", "恢复为 Vitrine 自动识别的蒙版（可撤销）"),
    "tryon.clear": ("Clear", "清空"),
    "tryon.stroke_paint": ("Paint mask", "绘制蒙版"),
    "tryon.stroke_erase": ("Erase mask", "擦除蒙版"),
    "tryon.mask_tip": (
        "Coloured: where the garment is drawn. Paint with the brush, take away with the eraser.",
        "着色区域：服装将绘制在此。用画笔添加，用橡皮擦去除。",
    ),
    "tryon.paint_hint": (
        "Paint the garment region with the brush: Generate draws the garment there.",
        "请用画笔涂出服装区域：生成时服装会画在这里。",
    ),
    "tryon.finding": ("Finding the person…", "正在识别人物…"),
    "tryon.mask_auto": (
        "Automatic mask: {share} of the photo. Face, neck and hands stay untouched. Paint to change it.",
        "自动蒙版：占照片的 {share}。脸部、颈部和手部不会改动。可用画笔修改。",
    ),
    "tryon.mask_painted": (
        "Painted mask: {share} of the photo, used as painted.",
        "手绘蒙版：占照片的 {share}，按所绘使用。",
    ),
    "tryon.several_people": (
        "{n} people found: choose which one with Person.",
        "找到 {n} 个人：用“人物”选择其中一位。",
    ),
    "tryon.category_unknown": (
        "The category does not say which garment this is: choose the garment type.",
        "商品类目未说明服装部位：请选择服装部位。",
    ),
    "tryon.before": ("Before", "原图"),
    "tryon.after": ("After", "试穿后"),
    "tryon.compare_empty": (
        "Generate, then pick an image to compare it with the photo.",
        "生成后，选择一张图片与原照片对比。",
    ),
    "tryon.compare_info": (
        "Seed {seed} · fidelity {fidelity}/100 · ΔE {delta_e}",
        "种子 {seed} · 还原度 {fidelity}/100 · ΔE {delta_e}",
    ),
    "tryon.preview": ("Step preview", "步骤预览"),
}
