"""The shared image gallery's words (`studio/gui/widgets/image_gallery.py`, used by the pairing, try-on and
video tabs): key -> (English, Chinese)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "gallery.score": ("Score", "评分"),
    "gallery.score_tip": (
        "Ranking score (0–100): prompt match (CLIPScore), product fidelity and variety",
        "排序评分（0–100）：提示词匹配度（CLIPScore）、商品还原度与多样性",
    ),
    "gallery.no_score_tip": ("Not scored", "未评分"),
    "gallery.reject": ("Reject", "拒绝"),
    "gallery.show_hidden": ("Show hidden ({n})", "显示隐藏项（{n}）"),
    "gallery.empty": ("No images yet", "暂无图片"),
    "gallery.empty_hint": ("Generate to see ranked candidates here.", "生成后，排好序的候选图片会显示在这里。"),
}
