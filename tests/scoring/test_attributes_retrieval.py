"""Tier 2: zero-shot attributes, catalog retrieval and complete-the-look with the tiny CLIP."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.attributes import AttributeClassifier, AttributeRequest, calibrate_temperature, load_vocabulary
from scoring.retrieval import CatalogImage, CatalogIndex, CatalogSearchError, normalize_category
from tests.scoring.conftest import make_image

GROUPS = ("category", "colour", "material", "pattern", "style", "sleeve", "neckline", "fit", "occasion")


def test_vocabulary_has_every_group_in_en_and_zh():
    vocab = load_vocabulary()
    assert set(GROUPS) <= set(vocab)
    for g in vocab.values():
        assert len(g.labels) >= 3 and all(lab.en and lab.zh and lab.en != lab.zh for lab in g.labels)
        assert all("{}" in t for t in g.templates) and g.temperature > 0


def test_attribute_probabilities_sum_to_one_per_group(scorer, image_dir):
    clf = AttributeClassifier(scorer)
    result = clf.run(AttributeRequest(sorted(image_dir.iterdir())[0], top_k=3))
    assert set(result.groups) == set(load_vocabulary())
    for g in result.groups.values():
        assert sum(g.probabilities.values()) == pytest.approx(1.0, abs=1e-6)
        probs = [p.probability for p in g.top]
        assert len(g.top) == 3 and probs == sorted(probs, reverse=True) and g.confidence == probs[0]
    entries = result.entries()
    assert entries and all(e["source"] == "clip" and e["value_zh"] for e in entries)
    assert result.provenance.placeholder


def test_temperature_changes_confidence_not_order(scorer, image_dir):
    from dataclasses import replace

    vocab = load_vocabulary()
    hot = {**vocab, "colour": replace(vocab["colour"], temperature=0.01)}
    vec = scorer.embed_images([sorted(image_dir.iterdir())[1]]).numpy()
    base = AttributeClassifier(scorer).classify_vectors(vec, ["colour"], 2)[0]["colour"]
    sharp = AttributeClassifier(scorer, hot).classify_vectors(vec, ["colour"], 2)[0]["colour"]
    assert sharp.top[0].value == base.top[0].value and sharp.confidence > base.confidence


def test_calibrate_temperature_recovers_a_known_temperature():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(size=(4000, 5)) * 3.0
    p = np.exp(true_logits) / np.exp(true_logits).sum(1, keepdims=True)
    targets = np.array([rng.choice(5, p=row) for row in p])
    fitted = calibrate_temperature(true_logits * 2.0, targets)  # logits twice too confident
    assert fitted == pytest.approx(2.0, rel=0.1)


def test_text_and_image_search(scorer, image_dir, tmp_path):
    files = sorted(image_dir.iterdir())
    bad = tmp_path / "gone.png"
    index = CatalogIndex(scorer, [CatalogImage(f"p{i}", f) for i, f in enumerate(files)] + [CatalogImage("x", bad)])
    assert len(index) == len(files) and "x" in index.errors
    hits = index.search_text("a red shirt", k=3)
    assert [h.rank for h in hits] == [1, 2, 3] and hits[0].cos >= hits[1].cos >= hits[2].cos
    # a re-encoded (JPEG) copy of an image finds its original first
    from PIL import Image

    copy = tmp_path / "copy.jpg"
    Image.open(files[4]).convert("RGB").save(copy, quality=95)
    assert index.search_image(copy, k=1)[0].item_id == "p4"
    with pytest.raises(CatalogSearchError, match="not in the catalog"):
        index.complete_the_look("nope")


def test_complete_the_look_uses_complementary_categories(scorer, tmp_path):
    cats = ["t-shirt", "Jeans", "sneakers", "jeans", "dress", "T恤"]
    items = [CatalogImage(f"i{n}", make_image(tmp_path / f"i{n}.png", seed=20 + n), c) for n, c in enumerate(cats)]
    index = CatalogIndex(scorer, items)
    look = index.complete_the_look("i0", per_category=2)
    assert look.anchor_category == "t-shirt"
    assert set(look.by_category) == {"jeans", "sneakers"}  # dress is not a t-shirt complement; no other t-shirts
    assert {h.item_id for h in look.by_category["jeans"]} == {"i1", "i3"}
    assert (
        normalize_category("T-Shirts") == "t-shirt" == normalize_category("T恤")
        and normalize_category("unknown thing") is None
    )


def test_zero_shot_category_for_uncategorised_items(scorer, image_dir):
    files = sorted(image_dir.iterdir())[:3]
    index = CatalogIndex(scorer, [CatalogImage(f"u{i}", f) for i, f in enumerate(files)])
    labels = {lab.en for lab in load_vocabulary()["category"].labels}
    assert all(c in labels for c in index.categories)


def test_broad_departments_narrow_the_zero_shot_category(scorer, tmp_path):
    from scoring.attributes import load_vocabulary
    from scoring.retrieval import load_broad_categories

    labels = {lab.en for lab in load_vocabulary()["category"].labels}
    broad = load_broad_categories()
    assert all(set(v) <= labels for v in broad.values())  # departments only name vocabulary categories
    assert broad["tops"] and broad["鞋"] and broad["home"] == ()
    items = [CatalogImage(f"t{n}", make_image(tmp_path / f"t{n}.png", seed=60 + n), "Tops") for n in range(4)] + [
        CatalogImage("shoe", make_image(tmp_path / "s.png", seed=70), "鞋"),
        CatalogImage("cup", make_image(tmp_path / "c.png", seed=71), "home"),
    ]
    cats = CatalogIndex(scorer, items).categories
    assert all(c in broad["tops"] for c in cats[:4])
    assert cats[4] in broad["鞋"]
    assert cats[5] == "home"  # outside fashion: kept, so no look is suggested for or with it
