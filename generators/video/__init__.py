"""Product videos from photos and footage, for platform presets (Douyin, TikTok, Reels, Shorts, square,
YouTube, Taobao): pan and zoom toward the product, transitions, the copy as overlays, music, SRT, poster.

Frames are made with numpy/OpenCV and streamed to the bundled ffmpeg's libx264; nothing holds a whole video.
"""

from __future__ import annotations

from typing import Any

from generators.video.pipeline import ShotScore, VideoPipeline, VideoRequest, VideoResult


def build_pipeline(shared: Any, *, clip: bool = True) -> VideoPipeline:
    """The video pipeline, ranking footage shots with the shared CLIP scorer (`clip`), loaded only when a
    video has footage to rank."""
    return VideoPipeline(scorer_factory=shared.scorer if clip else None)


__all__ = ["ShotScore", "VideoPipeline", "VideoRequest", "VideoResult", "build_pipeline"]
