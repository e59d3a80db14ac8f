"""The batch's last step: adapt the project store to `studio.export`'s plain dataclasses and write the package.

The `--out` folder *is* the package: `export_packages` rebuilds it atomically, so `report.html` lands at
`<out>/report.html`. Because that replaces the folder, a folder that holds anything but a Vitrine package
is refused rather than overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generators.runtime.errors import VitrineError
from studio.project.attribute_sheet import attribute_sheet
from studio.project.review import ExportMode, exported
from studio.project.store import Candidate, CandidateKind, ImageRole, Product, ProjectSetting, Store

PACKAGE_MARKERS = ("report.html", "batch_summary.json")
MEDIA_IMAGE_KINDS = (CandidateKind.PAIRING, CandidateKind.TRYON)
_SPLIT = re.compile(r"\s*[,;/|]\s*")


class OutputFolderError(VitrineError):
    """`--out` holds files that are not a Vitrine package; exporting would replace them."""


@dataclass(frozen=True)
class ExportOutcome:
    """What the export step did: state done | failed | skipped, files written, report.html."""

    state: str
    message: str = ""
    files: tuple[str, ...] = ()
    report_html: str | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "message": self.message,
            "files": len(self.files),
            "report_html": self.report_html,
            "warnings": list(self.warnings),
        }


def check_output_folder(out_dir: Path) -> None:
    """Refuse an `--out` folder that exists, is not empty and is not a Vitrine package."""
    out_dir = Path(out_dir)
    if out_dir.is_file():
        raise OutputFolderError(f"--out '{out_dir}' is a file; give a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not any((out_dir / m).exists() for m in PACKAGE_MARKERS):
        raise OutputFolderError(
            f"--out '{out_dir}' is not empty and holds no Vitrine package; the export "
            "replaces that folder, so give a new or empty one"
        )


def remove_stale_staging(out_dir: Path) -> int:
    """Delete what a killed export left beside `out_dir` (its `.partial` staging and `.old-` folders)."""
    import shutil

    out_dir = Path(out_dir).resolve()
    if not out_dir.parent.is_dir():
        return 0
    stale = [*out_dir.parent.glob(f".{out_dir.name}.*.partial"), *out_dir.parent.glob(f".{out_dir.name}.old-*")]
    for p in stale:
        shutil.rmtree(p, ignore_errors=True)
    return len(stale)


def _common(c: Candidate) -> dict[str, Any]:
    flags = c.params.get("flags") or c.params.get("grounding_flags") or ()
    return {
        "scores": dict(c.scores),
        "rank": c.rank + 1,
        "approved": c.approved,
        "rejected": c.rejected,
        "superseded": c.superseded,
        "provenance": dict(c.provenance),
        "flags": tuple(str(f) for f in ([flags] if isinstance(flags, str) else flags)),
        "reason": str(c.params.get("reason", "")),
    }


def _copy_fields(c: Candidate) -> dict[str, Any]:
    """Title, bullets, description, hashtags and tags of a copy candidate: as its model wrote them, or, when a
    person edited its text, read back from the edited text, so the edit is what gets published."""
    if c.edited and c.text:
        from generators.words.constraints import parse_rendered
        from generators.words.presets import preset_for

        f = parse_rendered(c.text, preset_for(str(c.params.get("platform") or "amazon")))
        return {
            "title": f.title,
            "bullets": f.bullets,
            "description": f.description,
            "hashtags": f.hashtags,
            "tags": f.tags,
        }
    return {
        "title": str(c.params.get("title", "")),
        "bullets": tuple(c.params.get("bullets", ())),
        "description": str(c.params.get("description", c.text or "")),
        "hashtags": tuple(c.params.get("hashtags", ())),
        "tags": tuple(c.params.get("tags", ())),
    }


def _attributes(store: Store, product: Product) -> tuple:
    """The product's attribute sheet, the same one the GUI shows (`studio.project.attribute_sheet`)."""
    from studio.export import Attribute

    return tuple(
        Attribute(r.name, r.value, r.source, r.confidence, bool(r.conflict)) for r in attribute_sheet(store, product.id)
    )


def export_product(store: Store, product: Product, mode: ExportMode) -> Any:
    """One store product as a `studio.export.ExportProduct`: photos, attributes and every candidate."""
    from studio.export import CaptionCandidate, CopyCandidate, ExportProduct, MediaCandidate, MediaKind

    by_kind: dict[str, list[Candidate]] = {}
    for c in store.candidates(product.id):
        by_kind.setdefault(c.kind, []).append(c)
    path = store.assets.path_for
    if CandidateKind.IMAGE in by_kind:  # the ingested listing photos, as reviewed
        photos = tuple(path(c.file_sha) for c in exported(by_kind[CandidateKind.IMAGE], mode) if c.file_sha)
    else:
        photos = tuple(path(i.sha256) for i in store.images(product.id, ImageRole.PRODUCT))
    fields = product.fields
    captions = tuple(
        CaptionCandidate(text=c.text or "", language=str(c.params.get("language", "en")), **_common(c))
        for c in by_kind.get(CandidateKind.CAPTION, ())
    )
    copies = tuple(
        CopyCandidate(
            platform=str(c.params.get("platform", "")),
            language=str(c.params.get("language", "en")),
            **_copy_fields(c),
            **_common(c),
        )
        for c in by_kind.get(CandidateKind.COPY, ())
    )
    media = tuple(
        MediaCandidate(
            path=path(c.file_sha), kind=MediaKind.IMAGE, caption=str(c.params.get("caption", "")), **_common(c)
        )
        for kind in MEDIA_IMAGE_KINDS
        for c in by_kind.get(kind, ())
        if c.file_sha
    )
    videos = tuple(
        MediaCandidate(path=path(c.file_sha), kind=MediaKind.VIDEO, **_common(c))
        for c in by_kind.get(CandidateKind.VIDEO, ())
        if c.file_sha
    )
    sizes = fields.get("sizes") or fields.get("size") or ""
    return ExportProduct(
        sku=product.sku,
        title=product.title,
        description=product.description,
        category=product.category,
        vendor=fields.get("vendor") or fields.get("brand") or "",
        price=fields.get("price", ""),
        currency=fields.get("currency", ""),
        sizes=tuple(s for s in _SPLIT.split(sizes) if s),
        attributes=_attributes(store, product),
        images=photos,
        captions=captions,
        copy=copies,
        image_candidates=media,
        video_candidates=videos,
    )


def parse_platforms(names: tuple[str, ...]) -> tuple[str, ...]:
    """Validate platform names early (before a long batch); empty means every platform."""
    from generators.runtime.errors import UnknownNameError
    from studio.export import Platform

    valid = [p.value for p in Platform]
    for name in names:
        if name not in valid:
            raise UnknownNameError("platform", name, valid)
    return tuple(names)


def _brand(store: Store) -> str:
    """The brand kit's brand, for products whose catalog row names none ("" when the kit has none)."""
    from studio.project.brand_kit import BrandKitError, load_brand_kit

    try:
        return load_brand_kit(store.folder).brand
    except BrandKitError:  # the copy step reports a broken kit; the export goes on without its brand
        return ""


def export_batch(
    store: Store,
    out_dir: Path,
    *,
    platforms: tuple[str, ...] = (),
    mode: ExportMode = ExportMode.BEST,
    include_weak: bool = False,
) -> ExportOutcome:
    """Write the export package for every product into `out_dir` (replaced atomically); recorded in the store."""
    import studio.export as export  # here, not at the top: it brings PIL and jinja2

    out_dir = Path(out_dir).resolve()
    check_output_folder(out_dir)
    remove_stale_staging(out_dir)
    try:
        request = export.ExportRequest(
            # A generator: the export streams, so only one product is built and held at a time.
            products=(export_product(store, p, mode) for p in store.iter_products()),
            out_dir=out_dir.parent,
            package_name=out_dir.name,
            platforms=tuple(export.Platform(p) for p in platforms) if platforms else tuple(export.Platform),
            review_mode=mode,
            vendor=_brand(store),
            include_weak=include_weak,
            image_base_url=store.setting(ProjectSetting.IMAGE_BASE_URL),
        )
        result = export.export_packages(request)
        outcome = ExportOutcome(
            "done", "", tuple(str(f) for f in result.files), str(result.report_html), tuple(result.warnings)
        )
    except VitrineError as exc:
        outcome = ExportOutcome("failed", str(exc))
    store.record_export(",".join(platforms) or "all", str(out_dir), outcome.state, outcome.message, outcome.files)
    return outcome
