"""The batch's pairing step on the sample catalog: flat-lays stored and exported, placeholder looks held back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from studio.batch.export_bridge import export_batch, export_product
from studio.batch.pairing_step import PairingStepOptions
from studio.batch.runner import run_product_steps
from studio.project.importer import import_catalog
from studio.project.review import ExportMode
from studio.project.rows import written_by_placeholder
from studio.project.store import CandidateKind, CandidateState, Store

SAMPLE = Path(__file__).resolve().parents[2] / "assets" / "sample_catalog" / "catalog.csv"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store.create(tmp_path_factory.mktemp("pairing") / "project")
    import_catalog(s, SAMPLE)
    yield s
    s.close()


def test_flatlay_of_the_red_tee_is_stored_real_and_exported(store, tmp_path):
    tee = store.product_by_sku("VT-TEE-RED")
    assert run_product_steps(store, tee.id, ["ingest", "pairing"], profile="tiny") == ["ingest", "pairing"]
    (flat,) = store.candidates(tee.id, CandidateKind.PAIRING)
    assert flat.params["look"] == "flatlay" and flat.state is CandidateState.PROPOSED
    items = flat.params["items"]
    assert items[0] == "VT-TEE-RED" and "VT-JEAN-BLUE" in items and "VT-SNKR-WHITE" in items  # a bottom and shoes
    with Image.open(store.assets.path_for(flat.file_sha)) as im:
        assert im.size == (1200, 1200)
    assert not written_by_placeholder(CandidateKind.PAIRING, flat.provenance)  # made by no model: publishable
    assert {"clip_score", "fidelity", "total"} <= set(flat.scores)
    assert str(store.folder) not in json.dumps(flat.provenance)  # project paths are stored relative to it
    assert flat.provenance["params"]["request"]["anchor"]["photo"].startswith("assets/")
    # The export takes it as an extra image of the tee, and the report shows it.
    exported = export_product(store, tee, ExportMode.BEST)
    assert [m.path for m in exported.image_candidates] == [store.assets.path_for(flat.file_sha)]
    out = export_batch(store, tmp_path / "out", platforms=("shopify", "generic"))
    assert out.state == "done", out.message
    report = Path(out.report_html).read_text(encoding="utf-8")
    assert "Generated images" in report and "Outfit flat-lay" in report
    assert any(p.suffix in (".jpg", ".png") for p in (tmp_path / "out" / "generic").rglob("generated-*"))


def test_generated_looks_are_opt_in_and_placeholder_ones_are_held_back(store):
    jeans = store.product_by_sku("VT-JEAN-BLUE")
    options = PairingStepOptions(style="street", looks=1)
    run_product_steps(store, jeans.id, ["ingest", "pairing"], options=options, profile="tiny")
    cands = store.candidates(jeans.id, CandidateKind.PAIRING)
    looks = {c.params["look"]: c for c in cands}
    assert set(looks) == {"flatlay", "generated"} and looks["generated"].params["style"] == "street"
    assert written_by_placeholder(CandidateKind.PAIRING, looks["generated"].provenance)
    exported = export_product(store, jeans, ExportMode.BEST)
    from studio.export.selection import chosen_media

    chosen = chosen_media(exported.image_candidates, ExportMode.BEST)
    assert [m.path for m in chosen] == [store.assets.path_for(looks["flatlay"].file_sha)]


def test_a_product_with_nothing_to_pair_is_skipped_with_the_reason(store):
    cup = store.product_by_sku("VT-CUP-RED")
    run_product_steps(store, cup.id, ["ingest", "pairing"], profile="tiny")
    job = store.job(cup.id, "pairing")
    assert job.state.value == "skipped" and "no complementary items" in job.message
    assert store.candidates(cup.id, CandidateKind.PAIRING) == []
