"""Typed rows of the project store: enums for states and frozen dataclasses for what queries return."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from generators.runtime.errors import VitrineError


class ProjectError(VitrineError):
    """The project folder is missing, not a project, or from a newer Vitrine."""


class JobState(StrEnum):
    """The state machine of one (product, step) job: pending → running → done | failed | unavailable | skipped."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    UNAVAILABLE = "unavailable"  # the step's pipeline is not there; never faked
    SKIPPED = "skipped"  # nothing to do for this product (e.g. try-on without person photos)

    @property
    def finished(self) -> bool:
        """Finished jobs are not redone on resume (failed and unavailable ones are retried)."""
        return self in (JobState.DONE, JobState.SKIPPED)


class CandidateState(StrEnum):
    """Review state of a candidate; everything starts as proposed (or rejected, when its pipeline rejected it).

    Nothing is ever deleted by a generation: a newer generation of the same drafts (same kind, platform,
    language and tone) marks the older, untouched ones SUPERSEDED. They stay viewable (History) and can be
    proposed again; approved, edited and rejected candidates are never superseded.
    """

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class CandidateKind(StrEnum):
    """What a candidate is; each batch step that makes candidates makes one kind."""

    IMAGE = "image"  # a catalog photo normalized into a listing photo (ingest)
    CAPTION = "caption"
    COPY = "copy"
    PAIRING = "pairing"
    TRYON = "tryon"
    VIDEO = "video"

    @property
    def one_per_listing(self) -> bool:
        """A listing holds one of these per set (one title, one alt text); photos and videos all go in."""
        return self in (CandidateKind.CAPTION, CandidateKind.COPY)


@dataclass(frozen=True)
class ExportSet:
    """The candidates that compete for one place in a listing: same kind, platform and language."""

    kind: CandidateKind
    platform: str = ""
    language: str = ""

    @property
    def one_per_listing(self) -> bool:
        return self.kind.one_per_listing


class ProjectSetting(StrEnum):
    """Settings a project keeps in its database (`Store.setting`), so every surface and every run sees them."""

    IMAGE_BASE_URL = "image_base_url"  # where the export's images will be served from (Shopify, Amazon fetch URLs)

    def check(self, value: str) -> str:
        """The value as stored, or ProjectError saying what is wrong with it."""
        value = value.strip()
        if self is ProjectSetting.IMAGE_BASE_URL and value and not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
            raise ProjectError(
                f"image base URL '{value}' must be a web address like https://cdn.example.com/shop (http or https)"
            )
        return value


class ImageRole(StrEnum):
    """What a catalog file shows: a product photo, a person photo (try-on), or product footage (video)."""

    PRODUCT = "product"
    PERSON = "person"  # a model photo for try-on
    # A video clip of the product (the catalog's `videos` column): stored like photos, in the asset store,
    # read only by the video step (its width/height are the clip's, its format the container's extension).
    FOOTAGE = "footage"


def loads_json(text: str | None, default: Any) -> Any:
    return default if not text else json.loads(text)


def dumps_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@dataclass(frozen=True)
class Product:
    """A catalog product. `fields` holds every catalog column beyond the named ones (price, brand, …)."""

    id: int
    sku: str
    title: str
    description: str
    category: str
    fields: dict[str, str]
    content_hash: str
    source: str
    source_row: int | None


@dataclass(frozen=True)
class ImageRow:
    """A catalog image copied into the asset store."""

    id: int
    product_id: int
    role: ImageRole
    position: int
    sha256: str
    source_path: str
    width: int
    height: int
    format: str


@dataclass(frozen=True)
class NewImage:
    """An image to attach to a product (already in the asset store)."""

    sha256: str
    source_path: str
    width: int
    height: int
    format: str
    role: ImageRole = ImageRole.PRODUCT


@dataclass(frozen=True)
class AttributeValue:
    """One attribute of a product: from the catalog, or predicted (zero-shot) with a confidence."""

    product_id: int
    name: str
    value: str
    source: str
    confidence: float | None = None


@dataclass(frozen=True)
class Job:
    """One (product, step) job of a batch."""

    id: int
    product_id: int
    step: str
    state: JobState
    input_hash: str
    attempts: int
    message: str
    started_at: float | None
    finished_at: float | None


@dataclass(frozen=True)
class NewCandidate:
    """A candidate a step produced, before it is stored."""

    kind: CandidateKind
    rank: int = 0
    text: str | None = None
    file_sha: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    # REJECTED when the pipeline itself rejected it (e.g. it contradicts the catalog): kept, with the reason in
    # `params["reason"]`, so a person can see why and keep it anyway.
    state: CandidateState = CandidateState.PROPOSED

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", CandidateKind(self.kind))  # an unknown kind fails here, not in a reader

    @property
    def generation_group(self) -> tuple[str, str, str, str]:
        return generation_group(self.kind, self.params)


# The model roles that *make* each kind. A candidate ranked by a placeholder CLIP but written by a real model is
# real content (labelled, since its scores are not); one made by a placeholder is never published. Images and
# videos in an export may be generated ones (pairing, try-on), whose makers are the diffusion roles.
AUTHOR_ROLES: dict[CandidateKind, frozenset[str]] = {
    CandidateKind.CAPTION: frozenset({"captioner"}),
    CandidateKind.COPY: frozenset({"copywriter"}),
    CandidateKind.PAIRING: frozenset({"txt2img"}),
    CandidateKind.TRYON: frozenset({"inpaint"}),
    CandidateKind.IMAGE: frozenset({"txt2img", "inpaint"}),
    CandidateKind.VIDEO: frozenset({"txt2img", "inpaint"}),
}


def written_by_placeholder(kind: CandidateKind | str, provenance: Mapping[str, Any]) -> bool:
    """True when a model that made a candidate of `kind` had random weights (per its provenance)."""
    roles = AUTHOR_ROLES.get(CandidateKind(kind), frozenset())
    models = provenance.get("models") or ()
    return any(isinstance(m, Mapping) and m.get("role") in roles and m.get("source") == "placeholder" for m in models)


def generation_group(kind: CandidateKind | str, params: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The drafts a new generation supersedes: same kind, platform, language and tone (copy for Amazon in
    English never replaces copy for Xiaohongshu in Chinese)."""
    return (
        str(CandidateKind(kind).value),
        str(params.get("platform") or "").lower(),
        str(params.get("language") or "").lower(),
        str(params.get("tone") or "").lower(),
    )


@dataclass(frozen=True)
class Candidate:
    """A stored candidate: kind, text or file, params, provenance, scores, rank and review state."""

    id: int
    product_id: int
    job_id: int | None
    kind: CandidateKind
    rank: int
    text: str | None
    file_sha: str | None
    params: dict[str, Any]
    provenance: dict[str, Any]
    scores: dict[str, float]
    score: float | None
    state: CandidateState

    @property
    def placeholder(self) -> bool:
        """True when a random-weight model made it: reports and the GUI must label it."""
        return bool(self.provenance.get("placeholder"))

    @property
    def approved(self) -> bool:
        return self.state is CandidateState.APPROVED

    @property
    def rejected(self) -> bool:
        return self.state is CandidateState.REJECTED

    @property
    def superseded(self) -> bool:
        return self.state is CandidateState.SUPERSEDED

    @property
    def written_by_placeholder(self) -> bool:
        return written_by_placeholder(self.kind, self.provenance)

    @property
    def flags(self) -> tuple[str, ...]:
        """Problems its pipeline found (grounding, limits), shown on it."""
        raw = self.params.get("flags") or ()
        return tuple(str(f) for f in ([raw] if isinstance(raw, str) else raw))

    @property
    def edited(self) -> bool:
        return bool(self.params.get("edited"))

    @property
    def export_set(self) -> ExportSet:
        """The listing place it competes for: copy per platform and language, captions per language."""
        platform = str(self.params.get("platform") or "").lower()
        return ExportSet(self.kind, platform, str(self.params.get("language") or "").lower())


@dataclass(frozen=True)
class ExportRow:
    """One export package written by a batch or by the GUI."""

    id: int
    platform: str
    out_dir: str
    state: str
    message: str
    files: list[str]
    created_at: float


def product_content_hash(fields: dict[str, Any], image_shas: Sequence[str]) -> str:
    """Stable hash of a product's inputs: a batch redoes a step when its product's hash changed."""
    return hashlib.sha256(dumps_json({"fields": fields, "images": list(image_shas)}).encode()).hexdigest()[:16]
