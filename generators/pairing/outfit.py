"""What goes in an outfit: the anchor and one item per slot (a bottom, shoes, a layer, a bag …), from retrieval.

Complete-the-look retrieval (`scoring.retrieval`) ranks catalog items per complementary category; an outfit
takes at most one item per *slot* (jeans and shorts are both bottoms: one bottom), bottoms and shoes first,
since a top with a bottom and shoes is what a shopper reads as "an outfit". The next-best items of each slot
stay with it, so a person can swap one in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Slots in the order an outfit fills them; each is a broad department of `assets/vocab/complements.json`.
SLOT_ORDER = ("bottoms", "shoes", "outerwear", "dresses", "tops", "bags", "accessories")
MAX_COMPLEMENTS = 4  # a flat-lay holds 2-5 products: the anchor and up to four


@dataclass(frozen=True)
class PairingItem:
    """One product of a pairing: its SKU, photo, category and the words prompts use for it ("red t-shirt")."""

    sku: str
    photo: Path
    category: str = ""
    label: str = ""

    @property
    def words(self) -> str:
        return self.label or self.category or "garment"


@dataclass(frozen=True)
class ComplementSlot:
    """One slot of an outfit: the category chosen for it and its items best first (`skus[0]` is shown)."""

    slot: str
    category: str
    skus: tuple[str, ...]

    def swapped(self) -> ComplementSlot:
        """The same slot showing its next-best item (the first moves last)."""
        return ComplementSlot(self.slot, self.category, (*self.skus[1:], *self.skus[:1]))


def slot_of(category: str) -> str:
    """The slot a vocabulary category fills ("jeans" → bottoms); a category no department lists is its own slot."""
    from scoring.retrieval import load_broad_categories

    departments = load_broad_categories()
    for slot in SLOT_ORDER:
        if category in departments.get(slot, ()):
            return slot
    return category


def pick_complements(
    by_category: Mapping[str, Sequence[str]], *, limit: int = MAX_COMPLEMENTS
) -> tuple[ComplementSlot, ...]:
    """One slot per kind of item, bottoms and shoes first, at most `limit`.

    Args:
        by_category: complementary category → SKUs best first, in the complement rules' order (what
            complete-the-look returns).
        limit: most slots to fill.
    """
    slots: dict[str, ComplementSlot] = {}
    for category, skus in by_category.items():
        slot = slot_of(category)
        if skus and slot not in slots:  # the rules list the better-matching category of a slot first
            slots[slot] = ComplementSlot(slot, category, tuple(skus))
    rank = {s: i for i, s in enumerate(SLOT_ORDER)}
    ordered = sorted(slots.values(), key=lambda s: rank.get(s.slot, len(rank)))
    return tuple(ordered[:limit])


def describe_outfit(items: Sequence[PairingItem]) -> str:
    """The items in words for a prompt: "red t-shirt, blue jeans and white sneakers"."""
    words = [i.words for i in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
