"""The Video tab's words (studio/gui/panels/video.py): key -> (English, Chinese)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "video.tab": ("▶ Video", "▶ 视频"),
    "video.preset": ("Platform preset", "平台预设"),
    "video.length": ("Length", "时长"),
    "video.seconds": ("{n} s", "{n} 秒"),
    "video.limits": (
        "{w}×{h} · {fps} fps · up to {max} s on the platform",
        "{w}×{h} · {fps} 帧/秒 · 平台上限 {max} 秒",
    ),
    "video.draft": ("Draft size", "草稿尺寸"),
    "video.draft_tip": (
        "Render small (1/6 of the preset's size) to check the cut quickly; untick for the full-size video",
        "以预设尺寸的 1/6 快速渲染以检查剪辑；取消勾选则生成全尺寸视频",
    ),
    "video.draft_size": (" · draft {w}×{h}", " · 草稿 {w}×{h}"),
    "video.render": ("Render video", "生成视频"),
    "video.rendering": ("Rendering", "渲染中"),
    "video.cancelling": ("Cancelling…", "正在取消…"),
    "video.timeline": ("Photo timeline, in order ({n})", "图片时间线，按顺序（{n} 张）"),
    "video.shots": ("Footage shots · CLIP score, ✓ used ({n})", "视频素材镜头 · CLIP 评分，✓ 为已采用（{n}）"),
    "video.shots_pending": (
        "Footage · {n} clip(s): shots are found and scored with CLIP when the video renders",
        "视频素材 · {n} 段：渲染时会切分镜头并用 CLIP 评分",
    ),
    "video.shot_tip": ("{source} · {start}–{end} s · {used}", "{source} · {start}–{end} 秒 · {used}"),
    "video.shot_used": ("used in the video", "已用于视频"),
    "video.shot_unused": ("not used", "未采用"),
    "video.preview": ("Preview", "预览"),
    "video.play": ("▶ Play", "▶ 播放"),
    "video.pause": ("■ Stop", "■ 停止"),
    "video.no_player": (
        "Playback is not available here (no QtMultimedia): showing the poster frame",
        "此环境无法播放（缺少 QtMultimedia）：显示封面帧",
    ),
    "video.no_videos": ("No videos yet", "还没有视频"),
    "video.no_videos_hint": (
        "Pick a preset and render: each video appears here with its poster frame.",
        "选择预设并生成：每个视频会连同封面帧显示在这里。",
    ),
    "video_preset.douyin": ("Douyin 9:16", "抖音 9:16"),
    "video_preset.tiktok": ("TikTok 9:16", "TikTok 9:16"),
    "video_preset.reels": ("Instagram Reels 9:16", "Instagram 短视频 9:16"),
    "video_preset.shorts": ("YouTube Shorts 9:16", "YouTube 短视频 9:16"),
    "video_preset.square": ("Square 1:1", "方形 1:1"),
    "video_preset.youtube": ("YouTube 16:9", "YouTube 横屏 16:9"),
    "video_preset.taobao": ("Taobao main-image video 1:1", "淘宝主图视频 1:1"),
    "video_preset.taobao_3x4": ("Taobao main-image video 3:4", "淘宝主图视频 3:4"),
}
