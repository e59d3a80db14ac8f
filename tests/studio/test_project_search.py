"""Tier 2: CLIP retrieval over a project's products (studio.project.search) with the tiny CLIP."""

from __future__ import annotations

import pickle

import pytest

from generators.runtime.errors import VitrineError
from generators.runtime.progress import Progress
from studio.project.importer import import_catalog
from studio.project.search import SearchKind, SearchQuery, complete_the_look, search_catalog
from studio.project.store import ImageRole, NewImage, Store
from tests.studio.look_catalog import write_look_catalog

PHOTOGRAPHED = {"TEE", "JEAN", "SNKR", "TEE-2", "CAP", "JEAN-2"}


@pytest.fixture
def store(tmp_path, tiny_models):
    tiny_models["clip"]
    with Store.create(tmp_path / "project") as s:
        import_catalog(s, write_look_catalog(tmp_path / "cat"))
        yield s


def _text(text: str, **kw) -> SearchQuery:
    return SearchQuery(SearchKind.TEXT, text=text, **kw)


def _similar(sku: str, **kw) -> SearchQuery:
    return SearchQuery(SearchKind.SIMILAR, sku=sku, **kw)


def test_search_by_text_ranks_each_photographed_product_once(store):
    result = search_catalog(store, _text("a red cotton t-shirt"), profile="tiny")
    assert {h.sku for h in result.hits} == PHOTOGRAPHED and len(result.hits) == len(PHOTOGRAPHED)
    assert [h.rank for h in result.hits] == list(range(1, 7))
    assert [h.cos for h in result.hits] == sorted((h.cos for h in result.hits), reverse=True)
    for h in result.hits:
        product = store.product_by_sku(h.sku)
        assert h.product_id == product.id and h.title == product.title and 0 <= h.score <= 100
        assert h.photo_sha == store.images(product.id, ImageRole.PRODUCT)[0].sha256
    assert result.placeholder and result.model_id  # the tiny CLIP is never presented as real
    assert result.skipped == ("BARE: no product photo",)
    assert pickle.loads(pickle.dumps(result)) == result  # crosses from the job worker to the window
    assert not result.english_only
    zh = search_catalog(store, _text("红色纯棉T恤"), profile="tiny")  # translated for the English-only CLIP
    assert zh.searched_as == "red cotton t-shirt" and not zh.english_only and zh.not_understood == ()
    assert [h.sku for h in zh.hits] == [
        h.sku for h in search_catalog(store, _text("red cotton t-shirt"), profile="tiny").hits
    ]
    odd = search_catalog(store, _text("冲浪板"), profile="tiny")  # nothing known: searched as typed, and said
    assert odd.english_only and odd.searched_as == "" and odd.not_understood == ("冲浪板",)


def test_only_the_first_search_embeds_the_photos(store):
    def embedding_steps(query: SearchQuery) -> list[Progress]:
        seen: list[Progress] = []
        search_catalog(store, query, profile="tiny", progress=seen.append)
        return [p for p in seen if p.message == "embedding images"]

    first = embedding_steps(_text("jeans"))
    assert any(p.step < p.total for p in first)  # photos went through the model
    assert (store.folder / "cache").is_dir()
    again = embedding_steps(_similar("JEAN"))
    assert again and all(p.step == p.total for p in again)  # every vector came from the project's cache


def test_find_similar_puts_the_near_duplicate_first_and_leaves_the_product_out(store):
    result = search_catalog(store, _similar("TEE"), profile="tiny")
    assert result.hits[0].sku == "TEE-2" and result.hits[0].score >= 99
    assert "TEE" not in {h.sku for h in result.hits} and len(result.hits) == 5
    assert len(search_catalog(store, _similar("TEE", limit=2), profile="tiny").hits) == 2


def test_products_sharing_one_photo_are_each_found(store):
    cap = store.product_by_sku("CAP")
    img = store.images(cap.id, ImageRole.PRODUCT)[0]
    same = NewImage(img.sha256, img.source_path, img.width, img.height, img.format)
    store.upsert_product("CAP-COPY", title="Cap, listed again", category="hat", images=[same])
    result = search_catalog(store, _similar("CAP"), profile="tiny")
    assert result.hits[0].sku == "CAP-COPY" and result.hits[0].score == 100


def test_complete_the_look_groups_complementary_categories(store):
    look = complete_the_look(store, "TEE", per_category=1, profile="tiny")
    assert (look.sku, look.category, look.category_zh) == ("TEE", "t-shirt", "T恤")
    # t-shirt pairs with jeans, shorts, sneakers, jacket, hat; the shorts have no photo, nobody sells jackets
    assert [g.category for g in look.groups] == ["jeans", "sneakers", "hat"]
    assert [g.category_zh for g in look.groups] == ["牛仔裤", "运动鞋", "帽子"]
    assert [[h.sku for h in g.hits] for g in look.groups][1:] == [["SNKR"], ["CAP"]]
    assert look.groups[0].hits[0].sku in ("JEAN", "JEAN-2") and look.placeholder


def test_bad_requests_say_what_is_wrong(store, tmp_path):
    with pytest.raises(VitrineError, match="the search is empty"):
        search_catalog(store, _text("   "), profile="tiny")
    with pytest.raises(VitrineError, match="'NOPE' is not in this project"):
        search_catalog(store, _similar("NOPE"), profile="tiny")
    with pytest.raises(VitrineError, match="'BARE' has no product photo"):
        complete_the_look(store, "BARE", profile="tiny")
    with Store.create(tmp_path / "empty") as empty, pytest.raises(VitrineError, match="no product photos"):
        search_catalog(empty, _text("shoes"), profile="tiny")


def test_look_category_reads_the_department_category_from_the_title():
    # The sample tee is filed under "tops": its look is a t-shirt's (T恤), not a shirt's (衬衫).
    from scoring.attributes import load_vocabulary
    from studio.project.search import look_category

    assert look_category("tops", "Classic Crew-Neck T-Shirt, Red") == "t-shirt"
    zh = {lab.en: lab.zh for lab in load_vocabulary()["category"].labels}
    assert zh[look_category("tops", "Classic Crew-Neck T-Shirt, Red")] == "T恤"
    assert look_category("tops", "Chunky Rib-Knit Sweater, Cream") == "sweater"
    assert look_category(None, "Straight-Leg Jeans, Mid Blue") == "jeans"
    assert look_category("T-Shirts", "anything") == "T-Shirts"  # the catalog's own vocabulary category
    assert look_category("tops", "Mystery top") == "tops"  # nothing named: CLIP picks within the department
    assert look_category("home", "Ceramic Coffee Cup") == "home"  # outside fashion: no look rules
