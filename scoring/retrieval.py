"""Search a catalog's images by text or by image, and "complete the look" with complementary categories.

The index holds one unit vector per catalog image (embedded once, then served from the embedding cache).
Complementary-category rules live in `assets/vocab/complements.json`; an item without a known category is
given one zero-shot (the `category` attribute group).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from generators.runtime.errors import VitrineError
from generators.runtime.images import ImageLoadError
from generators.runtime.progress import CancelToken, ProgressFn
from scoring.attributes import AttributeClassifier, load_vocabulary, vocab_dir
from scoring.scores import clip_score_display, similarity_display

if TYPE_CHECKING:
    from scoring.scorer import ClipScorer


class CatalogSearchError(VitrineError, ValueError):
    """A search cannot be carried out (unknown item, empty index, empty query)."""


@dataclass(frozen=True)
class CatalogImage:
    """One catalog image: the product it belongs to, the image itself and (if known) the product category."""

    item_id: str  # the product: an item with several photos has one CatalogImage per photo
    image: Any
    category: str | None = None


@dataclass(frozen=True)
class SearchHit:
    item_id: str
    image: Any
    category: str | None
    cos: float
    score: float  # 0–100 display scale
    rank: int


@dataclass(frozen=True)
class LookSuggestion:
    """Complete-the-look result: the anchor's category and, per complementary category, the best items."""

    anchor_id: str
    anchor_category: str | None
    by_category: dict[str, tuple[SearchHit, ...]]


@lru_cache(maxsize=4)
def load_broad_categories(path: str | Path | None = None) -> dict[str, tuple[str, ...]]:
    """Broad department (tops, 鞋, home…) -> the vocabulary categories it may hold (empty: not fashion)."""
    file = Path(path) if path is not None else vocab_dir() / "complements.json"
    data = json.loads(file.read_text(encoding="utf-8"))
    return {k.lower(): tuple(v) for k, v in data.get("broad_categories", {}).items()}


@lru_cache(maxsize=4)
def load_complement_rules(path: str | Path | None = None) -> dict[str, tuple[str, ...]]:
    """category -> complementary categories, from `assets/vocab/complements.json` by default."""
    file = Path(path) if path is not None else vocab_dir() / "complements.json"
    data = json.loads(file.read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in data["complements"].items()}


def normalize_category(raw: str | None) -> str | None:
    """Map a catalog's category text (en or zh, any case, plural) to a vocabulary label, or None."""
    if not raw or not raw.strip():
        return None
    labels = load_vocabulary()["category"].labels
    text = " ".join(raw.strip().lower().replace("_", " ").replace("-", " ").split())
    for lab in labels:
        en = lab.en.replace("-", " ")
        if text in (en, en + "s", en + "es", lab.zh.lower()) or text.rstrip("s") == en:
            return lab.en
    return None


class CatalogIndex:
    """Embeds a catalog's images once and answers text→image, image→image and complete-the-look queries."""

    def __init__(
        self,
        scorer: ClipScorer,
        items: Sequence[CatalogImage],
        *,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        self.scorer = scorer
        emb = scorer.encode_images(
            [it.image for it in items], names=[str(it.item_id) for it in items], progress=progress, cancel=cancel
        )
        #: catalog images that could not be read (kept out of the index), by item id
        self.errors: dict[str, ImageLoadError] = {items[i].item_id: e for i, e in emb.errors.items()}
        keep = [i for i in range(len(items)) if i not in emb.errors]
        self.items = [items[i] for i in keep]
        self.vectors = emb.vectors.numpy()[keep]
        self._categories: list[str | None] | None = None

    def __len__(self) -> int:
        return len(self.items)

    @property
    def categories(self) -> list[str | None]:
        """Each indexed item's vocabulary category: the catalog's own if recognised, else zero-shot.

        An item filed under a broad department ("tops", "鞋") is classified among that department's
        categories only; one filed under a department outside fashion ("home") keeps its own category.
        """
        if self._categories is None:
            broad = load_broad_categories()
            cats: list[str | None] = []
            allowed: dict[int, tuple[str, ...]] = {}
            for i, it in enumerate(self.items):
                label = normalize_category(it.category)
                dept = broad.get((it.category or "").strip().lower())
                if label is None and dept == ():
                    label = (it.category or "").strip()  # outside the vocabulary: no look rules apply
                elif label is None and dept:
                    allowed[i] = dept
                cats.append(label)
            missing = [i for i, c in enumerate(cats) if c is None]
            if missing:
                preds = AttributeClassifier(self.scorer).classify_vectors(self.vectors[missing], ["category"], 1)
                for i, p in zip(missing, preds, strict=True):
                    dist = p["category"].probabilities
                    pool = allowed.get(i) or tuple(dist)
                    cats[i] = max(pool, key=lambda lab: dist.get(lab, 0.0))
            self._categories = cats
        return self._categories

    def _hits(self, cos: np.ndarray, k: int, text: bool, mask: np.ndarray | None = None) -> list[SearchHit]:
        """The k best items, one hit per item id (a product's best-matching photo stands for it)."""
        order = np.argsort(-cos, kind="stable")
        hits: list[SearchHit] = []
        seen: set[str] = set()
        for i in order:
            if mask is not None and not mask[i]:
                continue
            it = self.items[i]
            if it.item_id in seen:
                continue
            seen.add(it.item_id)
            score = clip_score_display(cos[i]) if text else similarity_display(cos[i])
            hits.append(SearchHit(it.item_id, it.image, it.category, float(cos[i]), round(score, 1), len(hits) + 1))
            if len(hits) >= k:
                break
        return hits

    def search_text(self, query: str, k: int = 10) -> list[SearchHit]:
        """The k images that best match a text query."""
        if not self.items:
            raise CatalogSearchError("the catalog has no readable images to search")
        vec = self.scorer.embed_texts([query]).numpy()[0]
        return self._hits(self.vectors @ vec, k, text=True)

    def search_image(self, image: Any, k: int = 10, *, exclude_identical: bool = True) -> list[SearchHit]:
        """The k catalog images most similar to `image` (the query image itself is left out)."""
        if not self.items:
            raise CatalogSearchError("the catalog has no readable images to search")
        vec = self.scorer.embed_images([image]).numpy()[0]
        cos = self.vectors @ vec
        mask = cos < 0.99999 if exclude_identical else None
        return self._hits(cos, k, text=False, mask=mask)

    def complete_the_look(
        self, anchor_id: str, per_category: int = 3, rules: dict[str, tuple[str, ...]] | None = None
    ) -> LookSuggestion:
        """For an anchor product, the best items of each complementary category (most similar in style)."""
        rules = rules if rules is not None else load_complement_rules()
        idx = [i for i, it in enumerate(self.items) if it.item_id == anchor_id]
        if not idx:
            if anchor_id in self.errors:
                raise CatalogSearchError(f"the image of '{anchor_id}' could not be read: {self.errors[anchor_id]}")
            raise CatalogSearchError(f"'{anchor_id}' is not in the catalog index")
        anchor_vec = self.vectors[idx].mean(axis=0)
        anchor_vec /= np.linalg.norm(anchor_vec) or 1.0
        cats = self.categories
        anchor_cat = cats[idx[0]]
        wanted = rules.get(anchor_cat or "", ())
        cos = self.vectors @ anchor_vec
        out: dict[str, tuple[SearchHit, ...]] = {}
        for cat in wanted:
            mask = np.array([c == cat and it.item_id != anchor_id for c, it in zip(cats, self.items, strict=True)])
            if mask.any():
                out[cat] = tuple(self._hits(cos, per_category, text=False, mask=mask))
        return LookSuggestion(anchor_id, anchor_cat, out)
