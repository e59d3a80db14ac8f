"""Product workspace: ranked cards with badges, inline edit + undo, approve + undo, attribute conflicts."""

from __future__ import annotations

import pytest

from studio.batch.synthetic import write_synthetic_catalog
from studio.project.importer import import_catalog
from studio.project.store import AttributeValue, CandidateState, JobState, NewCandidate

PROV = {
    "placeholder": True,
    "models": [
        {"role": "copywriter", "model_id": "vitrine-tiny/copywriter", "source": "placeholder", "profile": "tiny"}
    ],
    "seed": 7,
    "params": {"platform": "amazon", "tone": "bold"},
}


@pytest.fixture
def product_page(window, tmp_path):
    store = window.state.store
    import_catalog(store, write_synthetic_catalog(tmp_path / "cat", 2, image_size=48))
    product = store.products()[0]
    job = store.start_job(product.id, "copy", "h")
    texts = ["Second best line", "Best line", "Third line"]
    scores = [0.31, 0.34, 0.22]  # CLIPScores (w = 2.5): shown x100 on the 0-100 badge
    cands = [
        NewCandidate(
            "copy",
            rank=r,
            text=t,
            params={"platform": "amazon", "flags": ["waterproof?"] if r == 2 else []},
            provenance=PROV,
            scores={"clip_score": s},
            score=s,
        )
        for r, (t, s) in enumerate(sorted(zip(texts, scores, strict=True), key=lambda x: -x[1]))
    ]
    attrs = [
        AttributeValue(product.id, "color", "blue", "clip", 0.91),
        AttributeValue(product.id, "fit", "slim", "clip", 0.42),
    ]
    store.finish_job(job, JobState.DONE, candidates=cands, attributes=attrs)
    window.state.project_changed.emit()
    window.state.open_product(product.sku)
    page = window.pages["product"]
    page.platform.setCurrentText("amazon")
    page.tabs.setCurrentIndex(1)
    return page


def test_cards_are_ranked_with_badges(product_page):
    cards = product_page.copy_list.cards
    assert [c.view.text for c in cards] == ["Best line", "Second best line", "Third line"]
    assert [c.score_badge.value for c in cards] == [34, 31, 22]
    assert all(c.placeholder_badge.isVisibleTo(c) for c in cards)
    assert [len(c.flag_badges) for c in cards] == [0, 0, 1]
    product_page.show_provenance(cards[0].view.id)
    html = product_page.provenance.toPlainText()
    assert "PLACEHOLDER" in html and "vitrine-tiny/copywriter" in html and "7" in html


def test_edit_then_undo_and_redo(product_page, window):
    store, card = window.state.store, product_page.copy_list.cards[0]
    cid = card.view.id
    card.begin_edit()
    card.editor.setPlainText("Edited by a person")
    card.commit_edit()
    assert store.candidate(cid).text == "Edited by a person" and card.text_label.text() == "Edited by a person"
    window.undo_action.trigger()
    assert store.candidate(cid).text == "Best line" and card.text_label.text() == "Best line"
    window.redo_action.trigger()
    assert store.candidate(cid).text == "Edited by a person"


def test_approve_and_undo(product_page, window):
    store, card = window.state.store, product_page.copy_list.cards[1]
    card.approve_button.click()
    assert store.candidate(card.view.id).state is CandidateState.APPROVED and card.view.approved
    window.state.undo_stack.undo()
    assert store.candidate(card.view.id).state is CandidateState.PROPOSED and not card.approve_button.isChecked()


def test_attribute_conflict_highlighted_and_edit_undone(qtbot, product_page, window):
    table = product_page.attributes
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    row = names.index("color")
    assert "Conflict" in table.item(row, 1).toolTip()  # the catalog says one colour, the model another
    table.item(row, 1).setText("navy")
    qtbot.waitUntil(lambda: window.state.undo_stack.count() == 1)
    assert table.item(names.index("color"), 1).text() == "navy"
    window.state.undo_stack.undo()
    value = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}["color"]
    assert value != "navy"


def test_badge_scale_matches_scoring_display_scale():
    from scoring.scores import clip_score, clip_score_display
    from studio.gui.widgets.badges import clip_score_100

    for cos in (0.0, 0.1, 0.25, 0.33, 0.5):
        assert clip_score_100(clip_score(cos)) == round(clip_score_display(cos))
    assert clip_score_100(None) is None


def test_no_clip_score_means_no_clip_number(window, tmp_path):
    from studio.gui.services import candidate_views

    store = window.state.store
    import_catalog(store, write_synthetic_catalog(tmp_path / "cat", 1, image_size=48))
    product = store.products()[0]
    job = store.start_job(product.id, "copy", "h")
    unscored = NewCandidate("copy", text="x", params={"platform": "amazon"}, scores={"total": 0.95}, score=0.95)
    store.finish_job(job, JobState.DONE, candidates=[unscored])
    (view,) = candidate_views(store, product.id, "copy")
    assert view.score is None  # the ranking total is not a CLIPScore


def test_long_and_many_flags_keep_the_card_narrow(qtbot):
    from studio.gui.services import CandidateView
    from studio.gui.widgets.candidate_card import CandidateCard

    long_flag = "bullet 4: '2601802834' (number) is not supported by the product data: " + "Classic tee " * 20
    flags = [long_flag, "2 of 5 bullets", "no description", "title: 'XL' contradicts size", "bullet 1: 'silk'"]
    card = CandidateCard(CandidateView(id=1, text="Classic Crew-Neck T-Shirt", rank=1, flags=flags))
    qtbot.addWidget(card)
    badges = card.flag_badges
    assert len(badges) == 3 and badges[-1].text() == "+3"  # two pills, then the rest in one
    assert "bullet 1: 'silk'" in badges[-1].toolTip() and badges[0].toolTip() == long_flag
    assert badges[0].text().endswith("…") and badges[0].sizeHint().width() < 260
    assert card.minimumSizeHint().width() < 560  # fits the copy list beside the provenance panel


def test_rejected_drafts_are_shown_with_why_and_can_be_kept_anyway(window, tmp_path):
    store = window.state.store
    import_catalog(store, write_synthetic_catalog(tmp_path / "cat", 1, image_size=48))
    product = store.products()[0]
    job = store.start_job(product.id, "copy", "h")
    params = {"platform": "amazon", "reason": "contradicts the product data"}
    rejected = [
        NewCandidate("copy", rank=r, text=f"draft {r}", params=params, provenance=PROV, state=CandidateState.REJECTED)
        for r in range(2)
    ]
    store.finish_job(
        job, JobState.DONE, "amazon: 2 of 2 drafts rejected (2 contradict the catalog's material)", candidates=rejected
    )
    window.state.project_changed.emit()
    window.state.open_product(product.sku)
    page = window.pages["product"]
    page.platform.setCurrentText("amazon")
    page.tabs.setCurrentIndex(1)
    cards = page.copy_list.cards
    assert len(cards) == 2 and all(c.rejected_badge.isVisibleTo(c) for c in cards)
    assert cards[0].note_label.text() == "contradicts the product data"
    assert "2 of 2 drafts rejected" in page.copy_note.text() and page.copy_note.isVisibleTo(page)
    assert cards[0].approve_button.text() == "Keep anyway"
    cards[0].approve_button.click()
    assert store.candidate(cards[0].view.id).approved and not cards[0].rejected_badge.isVisibleTo(cards[0])
