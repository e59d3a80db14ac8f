"""The plain data an export is made from. The batch runner and the GUI adapt the project store to these.

Nothing here knows about the store, Qt or the ML stack: products arrive as frozen dataclasses holding text,
file paths, scores and provenance dicts (as `Provenance.to_dict()` writes them). Which of them go out is the
project's one export rule (`studio.project.review`), which these dataclasses satisfy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from studio.project.review import ExportMode
from studio.project.rows import CandidateKind, ExportSet, written_by_placeholder


class Platform(StrEnum):
    """Export targets; each writes one folder of the package."""

    SHOPIFY = "shopify"
    AMAZON = "amazon"
    TAOBAO = "taobao"  # Taobao listing + Douyin short post, in Chinese
    GENERIC = "generic"


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


@dataclass(frozen=True)
class Attribute:
    """One attribute-sheet entry: where the value came from and how sure the source was."""

    name: str
    value: str
    source: str = ""  # catalog | clip | caption | manual ...
    confidence: float | None = None
    conflict: bool = False  # sources disagreed; a person should look


@dataclass(frozen=True, kw_only=True)
class _Candidate:
    scores: Mapping[str, float] = field(default_factory=dict)
    rank: int | None = None  # 1 = best of its set
    flags: tuple[str, ...] = ()
    reason: str = ""  # why it ranked where it did, or why a person rejected it
    approved: bool = False
    rejected: bool = False
    superseded: bool = False
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def written_by_placeholder(self) -> bool:
        """Its author model had random weights: the export's quality gate holds it back (`ExportPolicy`)."""
        return written_by_placeholder(self.export_set.kind, self.provenance)

    @property
    def placeholder(self) -> bool:
        """Made by a model with random weights: it must be labelled wherever it is shown."""
        prov = self.provenance
        if prov.get("placeholder"):
            return True
        return any(m.get("source") == "placeholder" for m in prov.get("models", ()) if isinstance(m, Mapping))


@dataclass(frozen=True, kw_only=True)
class CaptionCandidate(_Candidate):
    """A generated caption; the chosen one becomes the image alt text."""

    text: str
    language: str = "en"

    @property
    def export_set(self) -> ExportSet:
        return ExportSet(CandidateKind.CAPTION, "", self.language.lower())


@dataclass(frozen=True, kw_only=True)
class CopyCandidate(_Candidate):
    """Sales copy written for one platform (`platform` empty = usable anywhere)."""

    platform: str = ""
    title: str = ""
    bullets: tuple[str, ...] = ()
    description: str = ""
    hashtags: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    language: str = "en"

    @property
    def export_set(self) -> ExportSet:
        return ExportSet(CandidateKind.COPY, self.platform.lower(), self.language.lower())


@dataclass(frozen=True, kw_only=True)
class MediaCandidate(_Candidate):
    """A generated image (outfit, try-on, background) or video."""

    path: Path
    kind: MediaKind = MediaKind.IMAGE
    caption: str = ""

    @property
    def export_set(self) -> ExportSet:
        # Generated images go into a listing like its photos: all of them, as videos do.
        return ExportSet(CandidateKind.VIDEO if self.kind is MediaKind.VIDEO else CandidateKind.IMAGE)


@dataclass(frozen=True)
class ExportProduct:
    """One product with everything generated for it."""

    sku: str
    title: str
    description: str = ""
    category: str = ""
    vendor: str = ""
    price: str = ""
    currency: str = ""
    sizes: tuple[str, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    images: tuple[Path, ...] = ()  # the catalog's own photos, first = main
    captions: tuple[CaptionCandidate, ...] = ()
    copy: tuple[CopyCandidate, ...] = ()
    image_candidates: tuple[MediaCandidate, ...] = ()
    video_candidates: tuple[MediaCandidate, ...] = ()

    def attribute(self, name: str) -> str:
        for a in self.attributes:
            if a.name == name:
                return a.value
        return ""


@dataclass(frozen=True)
class ExportRequest:
    """What to export and where.

    Args:
        products: the products, in the order they should appear; any iterable (a generator is read once, one
            product at a time, so a large catalog need not be in memory).
        out_dir: the package folder `<out_dir>/<package_name>` is (re)built atomically.
        platforms: which platform folders to write (report.html is always written).
        review_mode: which candidates go out (`studio.project.review.export_decisions` decides).
        package_name: folder name of the package inside `out_dir`.
        image_base_url: prefix for image URLs in the Shopify CSV (Shopify imports images by URL).
        vendor: shop/brand name used where a product has none.
        include_weak: let out what the quality gate holds back (weak, contradicting, placeholder-written).
    """

    products: Iterable[ExportProduct]
    out_dir: Path
    platforms: tuple[Platform, ...] = tuple(Platform)
    review_mode: ExportMode = ExportMode.BEST
    package_name: str = "vitrine-export"
    image_base_url: str = ""
    vendor: str = ""
    include_weak: bool = False


@dataclass(frozen=True)
class ExportResult:
    """Where the package went, every file written (absolute), and what a person should check."""

    package_dir: Path
    files: tuple[Path, ...]
    warnings: tuple[str, ...]
    report_html: Path
