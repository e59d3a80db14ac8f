"""The Pairing tab on the sample catalog's red tee: its outfit, swaps sent with Generate, the ranked gallery,
review with undo, and a generation cancelled mid-way while the window keeps answering."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from studio.gui.jobs import JobState
from studio.project.rows import CandidateKind, CandidateState

SAMPLE = Path(__file__).resolve().parents[2] / "assets" / "sample_catalog"
TEE = "VT-TEE-RED"
JEANS = {"VT-JEAN-BLUE", "VT-JEAN-BLACK"}
KEPT = ("VT-TEE-RED", "VT-JEAN-BLUE", "VT-SNKR-WHITE", "VT-JKT-NAVY")
SIDE = 256  # small photos: the flat-lay's cut-outs stay quick


def small_catalog(folder: Path) -> Path:
    """The sample catalog's tee, jeans, sneakers and jacket with small photos, plus black jeans: a second
    pair of jeans gives the outfit's bottoms a next-best item to swap in."""
    from PIL import Image, ImageOps

    (folder / "images").mkdir(parents=True)
    with (SAMPLE / "catalog.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["sku"] in KEPT]
    for row in rows:
        row["person_images"] = ""
        names = row["images"].split("|")[:1]
        row["images"] = "|".join(names)
        for name in names:
            with Image.open(SAMPLE / name) as im:
                im.convert("RGB").resize((SIDE, SIDE)).save(folder / name)
    jeans = next(r for r in rows if r["sku"] == "VT-JEAN-BLUE")
    black = dict(jeans, sku="VT-JEAN-BLACK", title="Straight-Leg Jeans, Washed Black", color="black")
    black["images"] = "images/vt-jean-black-1.jpg"
    with Image.open(folder / jeans["images"]) as im:
        ImageOps.autocontrast(ImageOps.grayscale(im), cutoff=2).convert("RGB").save(folder / black["images"])
    path = folder / "catalog.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, black])
    return path


@pytest.fixture
def panel(qtbot, window, tmp_path):
    """The Pairing tab of the red tee, its suggested outfit found (tiny CLIP on the job worker)."""
    from studio.gui.panels.pairing import PairingPanel
    from studio.project.importer import import_catalog

    import_catalog(window.state.store, small_catalog(tmp_path / "catalog"))
    window.state.project_changed.emit()
    window.state.open_product(TEE)
    page = window.pages["product"]
    (tab,) = [p for p in page.panels if isinstance(p, PairingPanel)]
    page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.state.looks.get(TEE) is not None, timeout=120_000)
    return tab


def _run(qtbot, panel, timeout=120_000):
    runner = panel.state.runner
    job = panel.generate()
    assert job is not None
    qtbot.waitUntil(lambda: job.state.finished, timeout=timeout)
    assert job.state is JobState.DONE, job.error
    qtbot.waitUntil(lambda: bool(panel.gallery.cards), timeout=5000)  # candidates_changed reloads the tab
    assert runner.job(job.id) is job
    return job


def _shown_skus(panel) -> list[str]:
    return [row.sku.text() for row in panel.rows if row.isVisibleTo(panel)]


def _pick(combo, value: str) -> None:
    combo.setCurrentIndex(combo.findData(value))
    assert combo.currentData() == value


def test_the_tee_outfit_is_shown_and_a_swap_changes_what_is_made(qtbot, panel):
    store = panel.state.store
    shown = _shown_skus(panel)
    assert shown[0] == TEE  # the anchor first, then one item per slot: a bottom and shoes among them
    assert JEANS & set(shown[1:]) and "VT-SNKR-WHITE" in shown[1:]
    assert panel.options().items is None  # the suggested outfit: the same job a batch would run
    slots = panel.slots()
    bottoms = next(i for i, s in enumerate(slots) if s.item.sku in JEANS)
    suggested = slots[bottoms].item.sku
    (other,) = JEANS - {suggested}
    assert slots[bottoms].next_item.sku == other

    qtbot.mouseClick(panel.rows[1 + bottoms].swap, Qt.MouseButton.LeftButton)
    assert _shown_skus(panel)[1 + bottoms] == other
    expected = tuple(s.item.sku for s in slots)
    assert panel.options().items == expected and other in expected and suggested not in expected

    job = _run(qtbot, panel)
    assert job.request.options.items == expected and job.request.options.mode == "flatlay"
    (card,) = panel.gallery.cards
    assert card.view.items == [TEE, *expected]  # the flat-lay lays out the swapped-in item
    (flat,) = store.candidates(store.product_by_sku(TEE).id, CandidateKind.PAIRING)
    assert flat.params["items"] == [TEE, *expected] and panel.flatlay_items == [TEE, *expected]
    assert 0 <= card.score_value <= 100 and not card.placeholder_badge.isVisibleTo(card)  # no model drew it
    assert panel.flatlay.key() is not None and panel.flatlay.key().path == str(store.assets.path_for(flat.file_sha))

    # Removing an item leaves its slot out of the next run; putting it back restores it.
    shoes = next(i for i, s in enumerate(slots) if s.item.sku == "VT-SNKR-WHITE")
    qtbot.mouseClick(panel.rows[1 + shoes].remove, Qt.MouseButton.LeftButton)
    assert "VT-SNKR-WHITE" not in panel.options().items
    qtbot.mouseClick(panel.rows[1 + shoes].remove, Qt.MouseButton.LeftButton)
    assert panel.options().items == expected


def test_generated_looks_fill_the_gallery_best_first_and_review_is_undoable(qtbot, window, panel):
    store = panel.state.store
    _pick(panel.mode_box, "both")
    _pick(panel.style_box, "street")
    panel.looks_box.setValue(2)
    panel.size_box.setValue(64)  # tiny looks: quick
    panel.seed_box.setValue(7)
    options = panel.options()
    assert (options.mode, options.looks, options.style, options.seed, options.items) == ("both", 2, "street", 7, None)
    assert options.size == 64
    _run(qtbot, panel)

    stored = sorted(store.candidates(store.product_by_sku(TEE).id, CandidateKind.PAIRING), key=lambda c: c.rank)
    assert len(stored) == 3  # the flat-lay and two looks, none deleted
    gallery = panel.gallery
    assert [c.view.id for c in gallery.cards] == [c.id for c in sorted(stored, key=lambda c: (c.rejected, c.rank))]
    for card in gallery.visible_cards():
        value = card.score_value
        assert value is not None and 0 <= value <= 100 and card.score_badge.text().endswith(str(value))
        generated = card.view.params["look"] == "generated"
        assert card.placeholder_badge.isVisibleTo(card) == generated  # tiny SD drew it; the flat-lay is real
        assert card.view.params["style"] == "street"
    assert [c.view.rank for c in gallery.visible_cards()] == sorted(c.view.rank for c in gallery.visible_cards())

    first = gallery.visible_cards()[0]
    cid = first.view.id
    page = window.pages["product"]
    qtbot.mouseClick(first.details_button, Qt.MouseButton.LeftButton)  # provenance beside the tabs
    assert page.provenance_panel.isVisibleTo(page) and "street" in page.provenance.toPlainText()
    qtbot.mouseClick(first.approve_button, Qt.MouseButton.LeftButton)
    assert store.candidate(cid).state is CandidateState.APPROVED and first.approve_button.isChecked()
    panel.state.undo_stack.undo()
    assert store.candidate(cid).state is CandidateState.PROPOSED and not first.approve_button.isChecked()
    panel.state.undo_stack.redo()
    assert store.candidate(cid).state is CandidateState.APPROVED
    qtbot.mouseClick(first.reject_button, Qt.MouseButton.LeftButton)
    assert store.candidate(cid).state is CandidateState.REJECTED and first.rejected_badge.isVisibleTo(first)
    panel.state.undo_stack.undo()
    assert store.candidate(cid).state is CandidateState.APPROVED and not first.rejected_badge.isVisibleTo(first)

    # Rejected looks (weak ones the pipeline hid, with the reason, or one a person rejected) are kept behind
    # "Show hidden", and can be kept anyway from there.
    weak = [c for c in stored if c.rejected]
    assert all(gallery.card(c.id).view.note for c in weak)
    shown_ids = [c.view.id for c in gallery.visible_cards()]
    assert gallery.hidden_count() == len(weak) and not {c.id for c in weak} & set(shown_ids)
    last = shown_ids[-1]
    store.set_candidate_state(last, CandidateState.REJECTED, actor="test")
    panel.reload()
    assert gallery.hidden_count() == len(weak) + 1 and last not in [c.view.id for c in gallery.visible_cards()]
    gallery.show_hidden.setChecked(True)
    hidden = gallery.card(last)
    assert len(gallery.visible_cards()) == len(stored) and hidden.rejected_badge.isVisibleTo(hidden)
    qtbot.mouseClick(hidden.approve_button, Qt.MouseButton.LeftButton)
    assert store.candidate(last).state is CandidateState.APPROVED


def test_cancelling_a_pairing_job_mid_way_keeps_the_window_responsive(qtbot, window, panel):
    store = panel.state.store
    before = len(store.candidates(store.product_by_sku(TEE).id, CandidateKind.PAIRING))
    _pick(panel.mode_box, "generated")
    panel.looks_box.setValue(16)  # long enough to be cancelled between two of its steps
    panel.size_box.setValue(128)
    job = panel.generate()
    assert panel.job_box.isVisibleTo(panel) and not panel.generate_button.isEnabled()
    # Mid-way: step previews arrive in the tab and on the job's card in the Jobs dock.
    qtbot.waitUntil(lambda: job.preview is not None, timeout=120_000)
    assert job.state is JobState.RUNNING
    assert not panel.preview.pixmap().isNull() and window.jobs_dock.rows[job.id].preview.isVisibleTo(window)

    # The event loop answers while the job runs: a timer fires and a click edits the outfit.
    fired: list[bool] = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=2000)
    slot = panel.slots()[0]
    before_swap = slot.item.sku
    qtbot.mouseClick(panel.rows[1].swap, Qt.MouseButton.LeftButton)
    assert slot.item.sku != before_swap and job.state is JobState.RUNNING

    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: job.state.finished, timeout=30_000)
    assert job.state is JobState.CANCELLED and "restarted" not in job.message  # stopped at a step, not killed
    assert not panel.job_box.isVisibleTo(panel) and panel.generate_button.isEnabled()
    assert len(store.candidates(store.product_by_sku(TEE).id, CandidateKind.PAIRING)) == before  # nothing half-made
