"""Qt-free glue between the pages and the project store: view rows, edits, and the choices pages offer.

Everything here runs without Qt, so it is testable on its own. Generation jobs are not here: they are typed
requests that run in the worker process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scoring.scores import ScoreKey
from studio.project.attribute_sheet import USER_SOURCE
from studio.project.rows import CandidateKind

if TYPE_CHECKING:
    from studio.batch.recipe import StepName
    from studio.project.store import Candidate, Store


@dataclass
class CandidateView:
    """What a candidate card shows."""

    id: int | str
    text: str
    rank: int = 0
    score: float | None = None  # CLIPScore; 0..1 or 0..100
    placeholder: bool = False
    flags: list[str] = field(default_factory=list)  # grounding problems, shown in red
    approved: bool = False
    rejected: bool = False  # rejected by its pipeline or a person: shown last, with the reason; can be kept anyway
    title: str = ""  # e.g. the platform
    provenance: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # why it ranked where it did


@dataclass(frozen=True)
class AttributeRow:
    """One attribute as the sheet shows it: the winning value, where it came from, and any conflict."""

    name: str
    value: str
    source: str
    confidence: float | None
    conflict: str = ""  # non-empty when sources disagree, e.g. "catalog: red · predicted: blue"


def clip_score_of(c: Candidate) -> float | None:
    """The candidate's CLIPScore, or None when CLIP did not score it.

    Never falls back to the overall ranking score: a badge labelled CLIP must mean CLIP.
    """
    score = c.scores.get(ScoreKey.CLIP_SCORE)
    return None if score is None else float(score)


def grounding_flags(c: Candidate) -> list[str]:
    """Human-readable grounding problems recorded with a candidate (unsupported claims, banned words)."""
    raw: Any = c.params.get("flags") or c.params.get("grounding_flags") or c.provenance.get("flags") or []
    grounding = c.params.get("grounding")
    if isinstance(grounding, dict):
        raw = raw or grounding.get("flags") or grounding.get("unsupported") or []
    if isinstance(raw, str):
        raw = [raw]
    return [str(f) for f in raw]


def candidate_view(c: Candidate) -> CandidateView:
    from studio.project.store import CandidateState

    # What was actually used (from provenance), so the card never claims a tone or language it did not get.
    used = c.provenance.get("params") or {}
    parts = [c.params.get("platform"), used.get("tone"), c.params.get("language") or used.get("language")]
    title = " · ".join(str(p) for p in parts if p)
    return CandidateView(
        id=c.id,
        text=c.text or "",
        rank=c.rank + 1,
        score=clip_score_of(c),
        placeholder=c.placeholder,
        flags=grounding_flags(c),
        approved=c.state is CandidateState.APPROVED,
        rejected=c.state is CandidateState.REJECTED,
        title=title,
        provenance=c.provenance,
        note=str(c.params.get("reason") or ""),
    )


def candidate_views(store: Store, product_id: int, kind: CandidateKind, **match: str) -> list[CandidateView]:
    """Ranked views of a product's current candidates of `kind` whose params match `match` (e.g. platform).

    Older generations (superseded drafts) are left to History; rejected drafts are shown last.
    """
    found = [
        c
        for c in store.candidates(product_id, kind)
        if not c.superseded and all(not v or str(c.params.get(k, "")) == v for k, v in match.items())
    ]
    # The current generation, best first; what its pipeline rejected comes last, viewable with its reason.
    found.sort(key=lambda c: (c.rejected, c.rank, c.id))
    return [candidate_view(c) for c in found]


@dataclass
class ImageCandidateView(CandidateView):
    """What an image card of `widgets.image_gallery.ImageGallery` shows (pairing looks, try-on images, videos).

    `text` is the card's one-line caption; `score` stays the CLIPScore; `total` is the candidate's ranking
    score (0..1), the number the 0-100 badge shows when present.
    """

    image: str = ""  # the image file to show (a video's poster); "" when there is none
    total: float | None = None
    items: list[str] = field(default_factory=list)  # what the image shows (pairing: SKUs, anchor first)
    params: dict[str, Any] = field(default_factory=dict)  # the candidate's own params (look, style, method …)


def image_candidate_views(
    store: Store, product_id: int, kind: CandidateKind, *, image_param: str = "", **match: str
) -> list[ImageCandidateView]:
    """`candidate_views` for image candidates, best first, with each one's image file and ranking score.

    Args:
        image_param: the params key holding the sha of the picture to show (e.g. a video's poster);
            "" shows the candidate's own file.
        match: params to match, as in `candidate_views`.
    """
    by_id = {c.id: c for c in store.candidates(product_id, kind)}
    views = []
    for base in candidate_views(store, product_id, kind, **match):
        c = by_id[base.id]
        sha = str(c.params.get(image_param) or "") if image_param else (c.file_sha or "")
        total = c.scores.get(ScoreKey.TOTAL)
        items = c.params.get("items") or []
        text = str(c.params.get("caption") or c.text or "")
        # The badge marks what a random-weight model *drew*; a flat-lay ranked by a placeholder CLIP is real.
        fields = {k: getattr(base, k) for k in base.__dataclass_fields__}
        fields |= {"text": text, "placeholder": c.written_by_placeholder}
        views.append(
            ImageCandidateView(
                **fields,
                image=str(store.assets.path_for(sha)) if sha else "",
                total=None if total is None else float(total),
                items=[str(i) for i in items] if isinstance(items, list) else [],
                params=dict(c.params),
            )
        )
    return views


def review_state(store: Store, candidate_id: int) -> str:
    """A candidate's review state value ("proposed", "approved", "rejected" …)."""
    return store.candidate(candidate_id).state.value


def set_review_state(store: Store, candidate_id: int, state: str) -> None:
    """Approve, reject or re-propose a candidate (`CandidateState` value); the decision is logged."""
    from studio.project.store import CandidateState

    store.set_candidate_state(candidate_id, CandidateState(state), actor="studio")


# ---- pairing: the outfit a person edits before laying it out -------------------------------------------
@dataclass(frozen=True)
class OutfitItem:
    """One catalog product an outfit can show."""

    sku: str
    title: str
    category: str
    photo: str  # its photo file ("" when none)


@dataclass
class OutfitSlot:
    """One slot of the outfit (bottoms, shoes …): its items best first, the one shown, and whether it is out."""

    slot: str
    category: str
    choices: list[OutfitItem]
    index: int = 0
    removed: bool = False

    @property
    def item(self) -> OutfitItem:
        """The item the slot shows now."""
        return self.choices[self.index]

    @property
    def next_item(self) -> OutfitItem:
        """The item a swap would show (the first again after the last)."""
        return self.choices[(self.index + 1) % len(self.choices)]

    def swap(self) -> None:
        """Show the next-best item of the slot."""
        self.index = (self.index + 1) % len(self.choices)


def outfit_slots(store: Store, look: Any) -> list[OutfitSlot]:
    """The outfit complete-the-look suggests (`studio.project.search.LookResult`): one slot per kind of item,
    picked the way the pairing step picks them (`generators.pairing.pick_complements`), best item shown.

    A slot's next-best items are the rest of its category, then the other categories of the same slot
    (after the jeans, the chinos: both are bottoms).
    """
    from generators.pairing.outfit import pick_complements, slot_of

    slots = pick_complements({g.category: [h.sku for h in g.hits] for g in look.groups})
    out = []
    for slot in slots:
        choices: dict[str, OutfitItem] = {}
        for group in sorted(look.groups, key=lambda g: g.category != slot.category):  # its own category first
            if slot_of(group.category) != slot.slot:
                continue
            for h in group.hits:
                photo = str(store.assets.path_for(h.photo_sha))
                choices.setdefault(h.sku, OutfitItem(h.sku, h.title, group.category, photo))
        out.append(OutfitSlot(slot.slot, slot.category, list(choices.values())))
    return out


def outfit_items(slots: list[OutfitSlot]) -> tuple[str, ...] | None:
    """The complements' SKUs for `PairingStepOptions.items`: None while the outfit is the suggested one (so a
    studio run and a batch run read the same options), else the shown items of the slots kept."""
    if all(s.index == 0 and not s.removed for s in slots):
        return None
    return tuple(s.item.sku for s in slots if not s.removed)


def pairing_styles() -> list[tuple[str, str]]:
    """(name, label) of every pairing style preset (`assets/presets/pairing_styles.json`)."""
    from generators.pairing.styles import load_styles

    return [(name, style.label) for name, style in load_styles().items()]


def job_note(store: Store, product_id: int, step: StepName) -> str:
    """What the product's last `step` job said (e.g. "amazon: 4 of 4 drafts rejected (…)"), "" when nothing."""
    job = store.job(product_id, step.value)
    return job.message if job is not None else ""


def attribute_rows(store: Store, product_id: int) -> list[AttributeRow]:
    """The product's attribute sheet (`studio.project.attribute_sheet`, the one the export writes) as rows
    for the table; a placeholder model's guess says so in its source."""
    from studio.project.attribute_sheet import attribute_sheet

    return [
        AttributeRow(r.name, r.value, "clip · PLACEHOLDER" if r.placeholder else r.source, r.confidence, r.conflict)
        for r in attribute_sheet(store, product_id)
    ]


# ---- edits (each is one small transaction; the GUI wraps them in undo commands) --------------------------
def set_candidate_text(store: Store, candidate_id: int, text: str) -> None:
    """Replace a candidate's text (an inline edit), keeping the model's original in its params."""
    store.set_candidate_text(candidate_id, text)


def set_attribute(store: Store, product_id: int, name: str, value: str | None) -> None:
    """Set a person's value for an attribute; None removes it (back to catalog / predicted)."""
    if value is None:
        store.remove_attribute_value(product_id, name, USER_SOURCE)
    else:
        store.set_attribute_value(product_id, name, value, USER_SOURCE)


def user_attribute(store: Store, product_id: int, name: str) -> str | None:
    for a in store.attributes(product_id, USER_SOURCE):
        if a.name == name:
            return a.value
    return None


def set_approved(store: Store, candidate_id: int, approved: bool) -> None:
    from studio.project.store import CandidateState

    store.set_candidate_state(
        candidate_id, CandidateState.APPROVED if approved else CandidateState.PROPOSED, actor="studio"
    )


# ---- history ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryRow:
    """One generated candidate in the history view."""

    candidate_id: int
    sku: str
    kind: str
    text: str
    prompt: str
    score: float | None
    placeholder: bool
    state: str
    created_at: float
    provenance: dict[str, Any]


def history_rows(store: Store, query: str = "", limit: int = 500) -> list[HistoryRow]:
    """Newest first; `query` matches SKU, prompt or text (case-insensitive, all words)."""
    skus = {p.id: p.sku for p in store.products()}
    rows = []
    for c in store.candidates():
        if c.kind is CandidateKind.IMAGE and not c.text:
            continue
        prompt = str(c.params.get("prompt") or c.provenance.get("params", {}).get("prompt") or "")
        row = HistoryRow(
            c.id,
            skus.get(c.product_id, "?"),
            c.kind,
            c.text or "",
            prompt,
            clip_score_of(c),
            c.placeholder,
            c.state.value,
            float(c.params.get("created_at", 0) or 0),
            c.provenance,
        )
        rows.append(row)
    words = query.lower().split()
    if words:
        rows = [r for r in rows if all(w in f"{r.sku} {r.prompt} {r.text}".lower() for w in words)]
    rows.sort(key=lambda r: -r.candidate_id)
    return rows[:limit]


# The provenance block's own words (English); the studio passes them in the UI language.
PROVENANCE_LABELS = {
    "none": "No provenance recorded.",
    "placeholder": "<b>PLACEHOLDER</b>: made by a model with random weights; not real output.",
    "placeholder_tag": "[placeholder]",
    "models": "Models",
    "seed": "Seed",
    "params": "Params",
    "timings": "Timings",
    "scores": "Scores",
}


def provenance_html(prov: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    """Provenance as a small HTML block: models (with placeholder flags), seed, params, timings, scores.

    `labels` replaces the block's own words (keys of `PROVENANCE_LABELS`); the recorded values stay as they are.
    """
    import html

    words = {**PROVENANCE_LABELS, **(labels or {})}
    if not prov:
        return f"<p style='color:#6b7280'>{words['none']}</p>"
    parts = []
    if prov.get("placeholder"):
        parts.append(f"<p style='color:#b45309'>{words['placeholder']}</p>")
    models = prov.get("models") or []
    if models:
        parts.append(f"<b>{words['models']}</b><ul>")
        for m in models:
            tag = (
                f" <span style='color:#b45309'>{words['placeholder_tag']}</span>"
                if m.get("source") == "placeholder"
                else ""
            )
            parts.append(
                f"<li>{html.escape(str(m.get('role')))}: {html.escape(str(m.get('model_id')))}"
                f" ({html.escape(str(m.get('profile')))}){tag}</li>"
            )
        parts.append("</ul>")
    if prov.get("seed") is not None:
        parts.append(f"<b>{words['seed']}</b> {html.escape(str(prov['seed']))}<br>")
    for section in ("params", "timings", "scores"):
        data = prov.get(section) or {}
        if data:
            parts.append(f"<b>{words[section]}</b><ul>")
            for k, v in data.items():
                shown = f"{v:.3f}" if isinstance(v, float) else str(v)
                parts.append(f"<li>{html.escape(str(k))}: {html.escape(shown[:300])}</li>")
            parts.append("</ul>")
    return "".join(parts)


# ---- choices the generation pages offer ------------------------------------------------------------------


def copy_choices() -> tuple[list[str], list[str], list[str]]:
    """(platforms, tones, languages) for the copy pickers, from the presets shipped in `assets/presets`."""
    try:
        from generators.words.presets import Platform, tones

        platforms, tone_names = [p.value for p in Platform], sorted(tones())
    except (ImportError, OSError, ValueError):  # presets not installed: still offer the common choices
        platforms, tone_names = ["amazon", "shopify", "taobao", "xiaohongshu", "instagram"], ["professional"]
    return platforms, tone_names, ["en", "zh"]


def export_platforms() -> list[str]:
    """Platforms an export package can be written for (each implies the copy platforms it needs)."""
    try:
        from studio.batch.words_steps import COPY_PLATFORMS_FOR_EXPORT

        return list(COPY_PLATFORMS_FOR_EXPORT)
    except ImportError:
        return ["shopify", "amazon", "taobao", "generic"]
