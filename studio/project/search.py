"""CLIP retrieval over a project's product photos: search by a description, find similar, complete the look.

The Qt-free glue between the project store and `scoring.retrieval`: every product photo becomes a
`CatalogImage` keyed by the product's SKU, and results come back as plain, picklable dataclasses (SKU, product
id, title, 0–100 score, the photo's asset sha) that the studio shows without touching the ML stack. Embeddings
are cached inside the project (`<project>/cache`), so only the first search of a catalog embeds its photos.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from generators.runtime.errors import VitrineError
from generators.runtime.progress import CancelToken, ProgressFn, report

if TYPE_CHECKING:
    from scoring.retrieval import CatalogImage, CatalogIndex, SearchHit
    from studio.project.store import Store

#: How many products a search shows: a screenful or two of the grid, best first.
SEARCH_LIMIT = 60
#: Suggestions per complementary category in "complete the look".
LOOK_PER_CATEGORY = 3


class SearchKind(StrEnum):
    """What a catalog search starts from."""

    TEXT = "text"  # a description: text -> image
    SIMILAR = "similar"  # a product's photo: image -> image


@dataclass(frozen=True)
class SearchQuery:
    """A search over the project's catalog: a description (`text`) or a product to match (`sku`)."""

    kind: SearchKind
    text: str = ""
    sku: str = ""
    limit: int = SEARCH_LIMIT


@dataclass(frozen=True)
class CatalogHit:
    """One product found: its best-matching photo stands for it."""

    rank: int
    sku: str
    product_id: int
    title: str
    category: str
    score: float  # 0–100 display scale (CLIP text match, or image similarity)
    cos: float
    photo_sha: str


@dataclass(frozen=True)
class SearchResult:
    """Products ranked for a query. `placeholder`: CLIP has random weights and the order means nothing."""

    query: SearchQuery
    hits: tuple[CatalogHit, ...]
    placeholder: bool
    model_id: str
    skipped: tuple[str, ...] = ()  # products left out, each with its reason (no photo, unreadable photo)
    english_only: bool = False  # a Chinese (CJK) query went to a CLIP that reads English only
    searched_as: str = ""  # the query the model saw, when a Chinese query was translated for it
    not_understood: tuple[str, ...] = ()  # Chinese words of the query no vocabulary knows


@dataclass(frozen=True)
class LookGroup:
    """The best catalog items of one complementary category."""

    category: str  # the vocabulary's English label (the key of the rules)
    category_zh: str
    hits: tuple[CatalogHit, ...]


@dataclass(frozen=True)
class LookResult:
    """Complete the look for one product: per complementary category, the items closest in style."""

    sku: str
    category: str | None  # the anchor's vocabulary category (catalog's own, else zero-shot); None: unknown
    category_zh: str | None
    groups: tuple[LookGroup, ...]
    placeholder: bool
    model_id: str
    skipped: tuple[str, ...] = ()


def look_category(category: str | None, title: str) -> str | None:
    """The category a product is searched and paired by.

    The catalog's own category when it is a vocabulary category; when it is a broad department ("tops") or
    missing, the department's category its title names ("Classic Crew-Neck T-Shirt" under tops → t-shirt,
    never "shirt": the longest name wins); otherwise the catalog's text, and CLIP decides among the
    department's categories later.
    """
    import re

    from scoring.attributes import load_vocabulary
    from scoring.retrieval import load_broad_categories, normalize_category

    def words(text: str) -> str:
        return " " + re.sub(r"[^0-9a-z]+", " ", text.lower()).strip() + " "

    if normalize_category(category) is not None:
        return category
    key = (category or "").strip().lower()
    pool = load_broad_categories().get(key) if key else tuple(lab.en for lab in load_vocabulary()["category"].labels)
    named = words(title)
    for label in sorted(pool or (), key=len, reverse=True):
        if words(label) in named:
            return label
    return category or None


@dataclass(frozen=True)
class _Photo:
    product_id: int
    sku: str
    title: str
    category: str
    sha: str


class _ProjectCatalog:
    """The project's product photos, and the way back from a search hit to its product."""

    def __init__(self, store: Store) -> None:
        from studio.project.store import ImageRole

        self.store = store
        # (SKU, asset path) -> photo: two products may share one photo (a duplicate listing), both are searched
        self.photos: dict[tuple[str, str], _Photo] = {}
        self.skipped: list[str] = []
        for p in store.iter_products():
            images = store.images(p.id, ImageRole.PRODUCT)
            if not images:
                self.skipped.append(f"{p.sku}: no product photo")
            for img in images:
                path = str(store.assets.path_for(img.sha256))
                self.photos.setdefault((p.sku, path), _Photo(p.id, p.sku, p.title, p.category, img.sha256))

    def items(self) -> list[CatalogImage]:
        from scoring.retrieval import CatalogImage

        return [
            CatalogImage(sku, path, look_category(ph.category, ph.title)) for (sku, path), ph in self.photos.items()
        ]

    def hit(self, hit: SearchHit, rank: int) -> CatalogHit:
        ph = self.photos[(hit.item_id, str(hit.image))]
        return CatalogHit(rank, ph.sku, ph.product_id, ph.title, ph.category, hit.score, hit.cos, ph.sha)

    def index(self, profile: str | None, progress: ProgressFn | None, cancel: CancelToken | None) -> CatalogIndex:
        """The catalog's photos embedded (from the project's embedding cache after the first time)."""
        from scoring.api import get_scorer
        from scoring.retrieval import CatalogIndex

        items = self.items()
        if not items:
            raise VitrineError("the catalog has no product photos to search: import products with photos first")
        report(progress, 0, len(items), "loading CLIP")
        scorer = get_scorer(profile, project_dir=self.store.folder)
        index = CatalogIndex(scorer, items, progress=progress, cancel=cancel)
        self.skipped += [f"{sku}: {error}" for sku, error in index.errors.items()]
        return index

    def photo_of(self, sku: str) -> str:
        """The asset path of a product's first product photo (the one its thumbnail shows)."""
        from scoring.retrieval import CatalogSearchError

        product = self.store.product_by_sku(sku)
        if product is None:
            raise CatalogSearchError(f"'{sku}' is not in this project")
        for (owner, path), _photo in self.photos.items():
            if owner == sku:
                return path
        raise CatalogSearchError(f"'{sku}' has no product photo to compare with")


def _ranked(catalog: _ProjectCatalog, hits: Sequence[SearchHit], limit: int, leave_out: str = "") -> list[CatalogHit]:
    kept = [h for h in hits if h.item_id != leave_out][:limit]
    return [catalog.hit(h, rank) for rank, h in enumerate(kept, start=1)]


def search_catalog(
    store: Store,
    query: SearchQuery,
    *,
    profile: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> SearchResult:
    """The project's products ranked for `query`: by a description, or by likeness to a product's photo.

    A similar-search leaves the query product itself out, but keeps other products with the same photo
    (a duplicate listing is exactly what a person looking for similar products wants to see first).
    """
    from scoring.query_translation import clip_query
    from scoring.retrieval import CatalogSearchError

    if query.limit < 1:
        raise CatalogSearchError("a search must ask for at least one product")
    if query.kind is SearchKind.TEXT and not query.text.strip():
        raise CatalogSearchError("the search is empty: describe what to look for")
    catalog = _ProjectCatalog(store)
    anchor = catalog.photo_of(query.sku) if query.kind is SearchKind.SIMILAR else ""
    index = catalog.index(profile, progress, cancel)
    asked = clip_query(index.scorer, query.text.strip()) if query.kind is SearchKind.TEXT else None
    if asked is not None:
        hits = _ranked(catalog, index.search_text(asked.text, query.limit), query.limit)
    else:
        found = index.search_image(anchor, query.limit + 1, exclude_identical=False)
        hits = _ranked(catalog, found, query.limit, leave_out=query.sku)
    report(progress, 1, 1, f"{len(hits)} products ranked")
    scorer = index.scorer
    english_only = bool(asked and scorer.language_notice([asked.text]))
    return SearchResult(
        query,
        tuple(hits),
        scorer.placeholder,
        scorer.ref.model_id,
        tuple(catalog.skipped),
        english_only,
        asked.text if asked and asked.translated else "",
        asked.unknown if asked else (),
    )


def complete_the_look(
    store: Store,
    sku: str,
    *,
    per_category: int = LOOK_PER_CATEGORY,
    profile: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> LookResult:
    """For the product `sku`, the catalog items of each complementary category that best suit its style."""
    from scoring.attributes import load_vocabulary

    catalog = _ProjectCatalog(store)
    catalog.photo_of(sku)  # a clear message for an unknown product or one without a photo
    index = catalog.index(profile, progress, cancel)
    look = index.complete_the_look(sku, per_category)
    zh = {lab.en: lab.zh for lab in load_vocabulary()["category"].labels}
    groups = tuple(
        LookGroup(cat, zh.get(cat, cat), tuple(_ranked(catalog, hits, per_category)))
        for cat, hits in look.by_category.items()
    )
    report(progress, 1, 1, f"{len(groups)} categories to pair")
    scorer = index.scorer
    anchor = look.anchor_category
    return LookResult(
        sku,
        anchor,
        zh.get(anchor, anchor) if anchor else None,
        groups,
        scorer.placeholder,
        scorer.ref.model_id,
        tuple(catalog.skipped),
    )
