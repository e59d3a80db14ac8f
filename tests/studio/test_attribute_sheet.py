"""One attribute precedence rule: what the GUI shows is what is exported and what copy is grounded on."""

from __future__ import annotations

import json

from studio.project.attribute_sheet import (
    SheetValue,
    attribute_sheet,
    build_sheet,
    canonical_attribute_name,
    grounding_attributes,
)
from studio.project.importer import import_catalog
from studio.project.store import AttributeValue, JobState, NewCandidate, Store


def _row(rows, name):
    (row,) = [r for r in rows if r.name == name]
    return row


def test_user_beats_catalog_beats_the_most_confident_prediction():
    rows = build_sheet(
        [
            SheetValue("color", "red", "catalog"),
            SheetValue("color", "navy", "user"),
            SheetValue("fit", "slim", "clip", 0.42),
            SheetValue("fit", "regular", "caption", 0.7),
            SheetValue("pattern", "plain", "clip", 0.9),
            SheetValue("pattern", "striped", "catalog"),
        ]
    )
    assert [(r.name, r.value, r.source) for r in rows] == [
        ("color", "navy", "user"),
        ("fit", "regular", "caption"),
        ("pattern", "striped", "catalog"),
    ]
    assert grounding_attributes(rows) == {"color": "navy", "pattern": "striped"}  # predictions are not facts


def test_aliases_fold_into_one_row_and_disagreement_is_spelled_out():
    assert canonical_attribute_name(" Colour ") == canonical_attribute_name("颜色") == "color"
    rows = build_sheet([SheetValue("颜色", "红色", "catalog"), SheetValue("colour", "blue", "clip", 0.93)])
    (row,) = rows
    assert (row.name, row.value, row.source) == ("color", "红色", "catalog")
    assert row.conflict == "catalog: 红色 · clip: blue"


def test_a_placeholder_guess_never_wins_over_a_real_value_and_never_conflicts():
    rows = build_sheet(
        [
            SheetValue("color", "red", "catalog"),
            SheetValue("color", "blue", "clip:placeholder", 0.99),
            SheetValue("fit", "slim", "clip:placeholder", 0.99),
            SheetValue("fit", "regular", "clip", 0.3),
            SheetValue("sleeve", "long", "clip:placeholder", 0.6),
        ]
    )
    assert _row(rows, "color").value == "red" and not _row(rows, "color").conflict
    assert _row(rows, "fit").value == "regular"
    sleeve = _row(rows, "sleeve")  # kept, flagged, so a view can show what it is
    assert sleeve.value == "long" and sleeve.placeholder and not sleeve.authoritative


def test_old_clip_values_of_a_placeholder_model_count_as_placeholders():
    values = [SheetValue("color", "red", "catalog"), SheetValue("color", "blue", "clip", 0.95)]
    assert build_sheet(values)[0].conflict
    (row,) = build_sheet(values, placeholder_clip=True)
    assert not row.conflict and row.values[1].source == "clip:placeholder"


def test_gui_and_export_show_the_same_sheet_for_an_alias_column(tmp_path):
    """A catalog that says `colour`: the GUI table and the exported package list one `color` row."""
    from PIL import Image

    from studio.batch.export_bridge import export_batch
    from studio.gui.services import attribute_rows, set_attribute

    cat = tmp_path / "cat"
    cat.mkdir()
    Image.new("RGB", (32, 32), (200, 20, 20)).save(cat / "a.png")
    (cat / "catalog.csv").write_text("sku,title,colour,材质,images\nA-1,Red tee,red,cotton,a.png\n", encoding="utf-8")
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, cat / "catalog.csv")
        product = store.products()[0]
        assert {a.name for a in store.attributes(product.id)} == {"colour", "材质"}  # stored as written
        job = store.start_job(product.id, "attributes", "h")
        predicted = [
            AttributeValue(product.id, "color", "blue", "clip", 0.93),
            AttributeValue(product.id, "pattern", "plain", "clip", 0.55),
            AttributeValue(product.id, "sleeve", "short", "clip:placeholder", 0.9),
        ]
        store.finish_job(job, JobState.DONE, attributes=predicted)
        set_attribute(store, product.id, "pattern", "striped")
        job = store.start_job(product.id, "caption", "h")
        store.finish_job(job, JobState.DONE, candidates=[NewCandidate("caption", text="a red tee", score=0.3)])

        table = attribute_rows(store, product.id)
        gui = [(r.name, r.value, r.conflict != "") for r in table]
        sheet = attribute_sheet(store, product.id)
        outcome = export_batch(store, tmp_path / "out")
        assert outcome.state == "done", outcome.message
    exported = json.loads((tmp_path / "out" / "generic" / "products.json").read_text(encoding="utf-8"))
    (entry,) = exported["products"]
    in_package = [(a["name"], a["value"], a["conflict"]) for a in entry["attributes"]]
    assert (
        gui
        == in_package
        == [
            ("color", "red", True),
            ("material", "cotton", False),
            ("pattern", "striped", False),
            ("sleeve", "short", False),
        ]
    )
    assert [a["source"] for a in entry["attributes"]] == [r.source for r in sheet]
    assert [a["source"] for a in entry["attributes"]] == ["catalog", "catalog", "user", "clip:placeholder"]
    assert table[-1].source == "clip · PLACEHOLDER"  # the table labels a placeholder guess
