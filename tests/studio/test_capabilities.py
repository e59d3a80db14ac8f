"""The capability registry: one declaration per capability, availability found from it, and a copy candidate
remade exactly from the provenance stored with it."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys

import pytest

from generators.factory import build_pipeline, builder_path, pipeline_availability
from generators.runtime.errors import UnknownNameError, VitrineError
from studio.batch.options import CopyStepOptions, NoOptions, StepOptions
from studio.batch.recipe import StepName, step_availability, step_spec
from studio.capabilities import CAPABILITIES, Capability, availability, capability, cli_modules, gui_panels
from studio.capabilities.spec import capability_availability


def test_every_step_is_one_declared_capability_in_run_order():
    assert [c.name for c in CAPABILITIES] == [s.value for s in StepName]
    for c in CAPABILITIES:
        assert c.pipeline is None or builder_path(c.pipeline).startswith("generators.")
        kind = c.options_type()
        assert issubclass(kind, StepOptions) and type(kind()).__dataclass_params__.frozen
        for name, _ in c.project_inputs:
            assert name in kind.project_inputs()
    assert step_spec(StepName.COPY).options_type() is CopyStepOptions
    assert step_spec(StepName.CAPTION).options_type() is NoOptions
    assert "studio.cli.words_cmd" in cli_modules()
    assert set(gui_panels()) >= {"pairing", "tryon", "video"}
    with pytest.raises(UnknownNameError):
        capability("teleport")
    with pytest.raises(UnknownNameError):
        pipeline_availability("../teleport")


def test_a_capability_whose_code_is_missing_is_unavailable_with_the_reason():
    missing = Capability("sketch", "sketches", step="studio.batch.sketch_step:run_sketch")
    found = capability_availability(missing)
    assert not found.available and found.reason == "studio.batch.sketch_step.run_sketch (batch step) is not built yet"
    no_attr = Capability("sketch", "sketches", step="studio.batch.steps:run_sketch")
    assert capability_availability(no_attr).reason == "studio.batch.steps.run_sketch (batch step) is not built yet"
    assert availability("copy").available and step_availability(StepName.INGEST).available


@pytest.mark.parametrize("name", ["pairing", "tryon", "video"])
def test_declared_pipelines_become_available_when_their_modules_exist(name):
    """Pairing, try-on and video are declared before they are built: the registry finds out which is there."""
    cap = capability(name)
    module = builder_path(cap.pipeline).partition(":")[0]
    assert module == f"generators.{name}"
    step_module = cap.step.partition(":")[0]
    built = importlib.util.find_spec(module) is not None and importlib.util.find_spec(step_module) is not None
    found = availability(name)
    if built:
        assert found.available, found.reason
    else:
        assert not found.available and "is not built yet" in found.reason
    if importlib.util.find_spec(module) is None:
        assert not pipeline_availability(cap.pipeline).available
        with pytest.raises(VitrineError, match="not built yet"):
            build_pipeline(cap.pipeline, "tiny")


def test_reading_the_registry_imports_no_qt_and_no_ml_stack():
    code = (
        "import sys, studio.capabilities as c, studio.cli;"
        "[x.options_type() for x in c.CAPABILITIES]; studio.cli.build_parser();"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'torch', 'transformers')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_options_are_hashed_from_their_fields_for_freshness(tmp_path):
    from studio.batch.runner import input_hash
    from studio.batch.synthetic import write_synthetic_catalog
    from studio.project.importer import import_catalog
    from studio.project.store import Store

    catalog = write_synthetic_catalog(tmp_path / "cat", 1, image_size=32)
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, catalog)
        product = store.products()[0]
        base = CopyStepOptions.parse(platforms=["amazon"], copy_n=2)
        for field in dataclasses.fields(CopyStepOptions):
            changed = dataclasses.replace(
                base, **{field.name: {"platforms": ("shopify",), "copy_n": 3}.get(field.name, "x")}
            )
            assert input_hash(product, StepName.COPY, changed) != input_hash(product, StepName.COPY, base), field.name
            for step in (StepName.INGEST, StepName.CAPTION, StepName.ATTRIBUTES):
                assert input_hash(product, step, changed) == input_hash(product, step, base)
    with pytest.raises(VitrineError, match="unknown tone"):
        CopyStepOptions.parse(tone="sarcastic")


def test_a_copy_candidate_is_remade_from_its_stored_provenance(tmp_path):
    """Seeded, tiny profile: the request rebuilt from a stored candidate's provenance writes the same copy."""
    from generators.copywriter import CopyRequest
    from generators.factory import SharedModels
    from generators.runtime.provenance import request_from_provenance
    from studio.batch.runner import run_product_steps
    from studio.batch.synthetic import write_synthetic_catalog
    from studio.project.importer import import_catalog
    from studio.project.store import Store

    catalog = write_synthetic_catalog(tmp_path / "cat", 1, image_size=64)
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, catalog)
        pid = store.products()[0].id
        options = CopyStepOptions.parse(platforms=["amazon"], copy_n=2, max_new_tokens=48)
        run_product_steps(store, pid, ["ingest", "caption", "attributes", "copy"], options=options, profile="tiny")
        stored = store.candidates(pid, "copy")
        assert stored
        request = request_from_provenance(CopyRequest, stored[0].provenance)
        pipe = SharedModels("tiny", project_dir=store.folder).pipeline("copy")
        again = pipe.run(request)
    from generators.words.copy_types import CandidateStatus

    # Every stored draft comes back: the shown ones at their ranks, the rejected ones rejected again.
    shown = {c.rank - 1: c.text for c in again.ranked}
    assert {c.rank: c.text for c in stored if not c.rejected} == shown
    rejected = sorted(c.text for c in again.candidates if c.status is CandidateStatus.REJECTED)
    assert sorted(c.text for c in stored if c.rejected) == rejected
