"""The batch's video step: one product video per product, from its listing photos (plus approved pairing and
try-on images) and its catalog footage, saying its chosen copy; the MP4 and its poster go to the asset store as
a VIDEO candidate whose params record, like `vitrine video`'s video.json, the inputs and the footage shots with
their CLIP scores (each with a keyframe thumbnail in the asset store, for the studio's shot strip)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studio.batch.context import StepContext, StepOutput
from studio.batch.options import StepOptions
from studio.project.assets import AssetStore
from studio.project.store import Candidate, CandidateKind, ImageRole, ImageRow, JobState, NewCandidate, Store

KEYFRAME_SIDE = 192  # the shot strip's thumbnails (pixels on the longer side)


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


@dataclass(frozen=True)
class VideoInputs:
    """The files a product's video is made from, in the order the video uses them.

    Attributes:
        photos: the listing photos (best first), then approved pairing and try-on images.
        footage: the catalog's video clips, in catalog order.
        names: asset file name -> the name a person knows the file by (its catalog path, "pairing #12").
    """

    photos: tuple[Path, ...] = ()
    footage: tuple[Path, ...] = ()
    names: dict[str, str] = field(default_factory=dict)

    def name(self, path: str | Path) -> str:
        """The known name of an input given by its path or asset file name."""
        key = Path(path).name
        return self.names.get(key, key)


def video_inputs(
    assets: AssetStore, images: Sequence[ImageRow], earlier: Mapping[str, Sequence[Candidate]]
) -> VideoInputs:
    """What the video of a product with catalog `images` and earlier candidates `earlier` (by kind) is made from."""
    names: dict[str, str] = {}

    def known(sha: str, name: str) -> Path:
        path = assets.path_for(sha)
        names[path.name] = name
        return path

    listing = [
        known(c.file_sha, str(c.params.get("source_path") or f"photo {c.rank + 1}"))
        for c in _live(tuple(earlier.get(CandidateKind.IMAGE, ())))
        if c.file_sha
    ]
    if not listing:
        listing = [known(i.sha256, i.source_path) for i in images if i.role is ImageRole.PRODUCT]
    extra = [
        known(c.file_sha, f"{kind.value} #{c.id}")
        for kind in (CandidateKind.PAIRING, CandidateKind.TRYON)
        for c in earlier.get(kind, ())
        if c.approved and c.file_sha
    ]
    footage = [known(i.sha256, i.source_path) for i in images if i.role is ImageRole.FOOTAGE]
    return VideoInputs(tuple([*listing, *extra]), tuple(footage), names)


def product_video_inputs(store: Store, product_id: int) -> VideoInputs:
    """`video_inputs` for a product as the project holds it now (what its next video will use)."""
    earlier: dict[str, list[Candidate]] = {}
    for c in store.candidates(product_id):
        earlier.setdefault(c.kind, []).append(c)
    return video_inputs(store.assets, store.images(product_id), earlier)


def chosen_copy(ctx: StepContext) -> Any:
    """The copy the video says: an approved draft, else the best draft the export rule would let out (not
    contradicting the catalog, a title it supports, above the quality bar, not a placeholder model's), else the
    catalog's own facts: a video never overlays a claim the quality gate holds back."""
    from generators.video.copy_plan import video_copy
    from studio.project.review import ExportMode, export_decisions

    drafts = _live(ctx.earlier.get(CandidateKind.COPY, ()))
    passing = (d.candidate for d in export_decisions(drafts, ExportMode.BEST) if d.goes_out)
    best = next((c for c in drafts if c.approved), None) or next(passing, None)
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
    inputs = video_inputs(ctx.store.assets, ctx.images, ctx.earlier)
    if not inputs.photos and not inputs.footage:
        return StepOutput(JobState.SKIPPED, "no product photo or footage to make a video from")
    copy = chosen_copy(ctx)
    size = (options.width, options.height) if options.width and options.height else None
    pipe = ctx.pipelines.pipeline("video")
    with tempfile.TemporaryDirectory(prefix="vitrine-video-") as tmp:
        request = VideoRequest(
            out_path=Path(tmp) / f"{options.preset}.mp4",
            photos=inputs.photos,
            footage=inputs.footage,
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
        shots = _shot_records(result.shots, inputs, ctx.store.assets)
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
        "inputs": {
            "photos": [inputs.name(p) for p in inputs.photos],
            "footage": [inputs.name(p) for p in inputs.footage],
        },
        "timeline": [_named_slot(slot, inputs) for slot in result.timeline],
        "shots": shots,
        "assets": [s["keyframe_sha"] for s in shots if s.get("keyframe_sha")],  # kept by the store's gc
        "warnings": [_named_warning(w, inputs) for w in result.warnings],
    }
    candidate = NewCandidate(
        CandidateKind.VIDEO, rank=0, file_sha=video_sha, params=params, provenance=result.provenance.to_dict()
    )
    return StepOutput(candidates=(candidate,), message="; ".join(params["warnings"]))


def _named_slot(slot: Mapping[str, Any], inputs: VideoInputs) -> dict[str, Any]:
    """A timeline slot naming its photo or footage as the catalog does, not by its asset file name."""
    return {k: inputs.name(v) if k in ("photo", "footage") else v for k, v in slot.items()}


def _named_warning(warning: str, inputs: VideoInputs) -> str:
    for asset_name, name in inputs.names.items():
        warning = warning.replace(asset_name, name)
    return warning


def _shot_records(shots: Sequence[Any], inputs: VideoInputs, assets: AssetStore) -> list[dict[str, Any]]:
    """Each footage shot as recorded (source as the catalog names it, CLIP score, chosen) with its keyframe
    stored as a small JPEG (`keyframe_sha`; absent when the frame cannot be read)."""
    from PIL import Image

    from generators.video import footage

    by_name = {p.name: p for p in inputs.footage}
    records = []
    for shot in shots:
        record = {**asdict(shot), "source": inputs.name(shot.source)}
        path = by_name.get(shot.source)
        if path is not None:
            try:
                frame = footage.keyframe(footage.Shot(path, shot.index, shot.start_s, shot.end_s), KEYFRAME_SIDE)
            except (ValueError, OSError):
                frame = None
            if frame is not None:
                buf = io.BytesIO()
                Image.fromarray(frame).save(buf, "JPEG", quality=85)
                record["keyframe_sha"] = assets.put_bytes(buf.getvalue(), ".jpg")
        records.append(record)
    return records
