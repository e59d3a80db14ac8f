"""The batch's video step: one product video per product, from its listing photos (plus approved pairing and
try-on images), saying its chosen copy; the MP4 and its poster go to the asset store as a VIDEO candidate."""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from studio.batch.context import StepContext, StepOutput
from studio.batch.options import StepOptions
from studio.project.store import Candidate, CandidateKind, JobState, NewCandidate


@dataclass(frozen=True)
class VideoStepOptions(StepOptions):
    """What the video step renders.

    Attributes:
        preset: platform preset (douyin, tiktok, reels, shorts, square, youtube, taobao).
        duration_s: target length; None = the preset's default.
        width, height: frame size override (previews); None = the preset's size.
    """

    preset: str = "douyin"
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None


def _live(candidates: tuple[Candidate, ...]) -> list[Candidate]:
    return sorted((c for c in candidates if not c.rejected and not c.superseded), key=lambda c: c.rank)


def video_photos(ctx: StepContext) -> list[Path]:
    """The listing photos (best first), then approved pairing and try-on images."""
    assets = ctx.store.assets
    listing = [assets.path_for(c.file_sha) for c in _live(ctx.earlier.get(CandidateKind.IMAGE, ())) if c.file_sha]
    if not listing:
        listing = [assets.path_for(i.sha256) for i in ctx.product_images()]
    extra = [
        assets.path_for(c.file_sha)
        for kind in (CandidateKind.PAIRING, CandidateKind.TRYON)
        for c in ctx.earlier.get(kind, ())
        if c.approved and c.file_sha
    ]
    return [*listing, *extra]


def chosen_copy(ctx: StepContext) -> Any:
    """The copy the video says: an approved draft, else the best-ranked one, else the catalog's own facts."""
    from generators.video.copy_plan import video_copy

    drafts = _live(ctx.earlier.get(CandidateKind.COPY, ()))
    best = next((c for c in drafts if c.approved), drafts[0] if drafts else None)
    product = ctx.product
    if best is not None and best.params.get("title"):
        return video_copy(
            title=str(best.params["title"]),
            attributes=product.fields,
            bullets=[str(b) for b in best.params.get("bullets") or ()],
            language=str(best.params.get("language") or "") or None,
        )
    return video_copy(title=product.title, description=product.description, attributes=product.fields)


def run_video(ctx: StepContext) -> StepOutput:
    """Render the product's video for the options' preset (a silent AAC track: the batch has no music)."""
    from generators.video import VideoRequest

    options = ctx.options if isinstance(ctx.options, VideoStepOptions) else VideoStepOptions()
    photos = video_photos(ctx)
    if not photos:
        return StepOutput(JobState.SKIPPED, "no product photo to make a video from")
    copy = chosen_copy(ctx)
    size = (options.width, options.height) if options.width and options.height else None
    pipe = ctx.pipelines.pipeline("video")
    with tempfile.TemporaryDirectory(prefix="vitrine-video-") as tmp:
        request = VideoRequest(
            out_path=Path(tmp) / f"{options.preset}.mp4",
            photos=tuple(photos),
            preset=options.preset,
            duration_s=options.duration_s,
            title=copy.title,
            bullets=copy.bullets,
            price=copy.price,
            call_to_action=copy.call_to_action,
            frame_size=size,
        )
        result = pipe.run(request, progress=ctx.progress, cancel=ctx.cancel)
        video_sha = ctx.store.assets.put_file(result.path)
        poster_sha = ctx.store.assets.put_file(result.poster)
        subtitles = result.subtitles.read_text(encoding="utf-8") if result.subtitles else ""
    params = {
        "preset": result.preset,
        "platform": result.preset,
        "language": copy.language,
        "poster_sha": poster_sha,
        "subtitles": subtitles,
        "size": list(result.size),
        "fps": result.fps,
        "frames": result.frames,
        "duration_s": result.duration_s,
        "copy": asdict(copy),
        "timeline": list(result.timeline),
        "warnings": list(result.warnings),
    }
    candidate = NewCandidate(
        CandidateKind.VIDEO, rank=0, file_sha=video_sha, params=params, provenance=result.provenance.to_dict()
    )
    return StepOutput(candidates=(candidate,), message="; ".join(result.warnings))
