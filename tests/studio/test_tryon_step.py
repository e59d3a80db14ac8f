"""The batch's try-on step: a product's garment on its catalog person photo, TRYON candidates in the asset store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generators.runtime.errors import VitrineError
from studio.batch.recipe import StepName, step_availability
from studio.batch.runner import run_product_steps
from studio.batch.tryon_step import TryOnStepOptions
from studio.project.importer import import_catalog
from studio.project.store import Store

SAMPLE = Path(__file__).resolve().parents[2] / "assets" / "sample_catalog"


def _catalog(folder: Path) -> Path:
    """The sample's red tee and khaki chinos; only the tee has a person photo (the astronaut, at 128 px)."""
    folder.mkdir()
    for name in ("vt-tee-red-1.jpg", "vt-chino-khaki-1.jpg"):
        Image.open(SAMPLE / "images" / name).convert("RGB").resize((128, 128)).save(folder / name)
    Image.open(SAMPLE / "people" / "astronaut.jpg").convert("RGB").resize((128, 128)).save(folder / "person.jpg")
    lines = [
        "sku,title,category,color,material,images,person_images",
        "TEE,Crew Tee,tops,red,cotton,vt-tee-red-1.jpg,person.jpg",
        "CHINO,Chinos,pants,khaki,cotton,vt-chino-khaki-1.jpg,",
    ]
    (folder / "catalog.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "catalog.csv"


def test_tryon_step_stores_candidates_with_their_mask_and_skips_products_without_people(tmp_path) -> None:
    assert step_availability(StepName.TRYON).available
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, _catalog(tmp_path / "cat"))
        ids = {p.sku: p.id for p in store.products()}
        assert run_product_steps(store, ids["TEE"], ["ingest", "tryon"], profile="tiny") == ["ingest", "tryon"]
        candidates = store.candidates(ids["TEE"], "tryon")
        assert len(candidates) == 2 and sorted(c.rank for c in candidates) == [0, 1]
        best = min(candidates, key=lambda c: c.rank)
        image = Image.open(store.assets.path_for(best.file_sha))
        mask = np.asarray(Image.open(store.assets.path_for(best.params["mask_sha"])))
        assert image.size == (128, 128) and mask.shape == (128, 128) and mask.max() == 255
        assert best.params["garment_type"] == "upper" and best.params["mask_source"] == "layout"
        assert best.provenance["placeholder"] is True  # the export's gate holds placeholder try-ons back
        run_product_steps(store, ids["CHINO"], ["ingest", "tryon"], profile="tiny")
        assert store.candidates(ids["CHINO"], "tryon") == []
        job = store.job(ids["CHINO"], "tryon")
        assert job.state.value == "skipped" and "no person photo" in job.message


def test_tryon_options_name_assets_of_the_project_only(tmp_path) -> None:
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, _catalog(tmp_path / "cat"))
        pid = store.product_by_sku("TEE").id
        bad = {
            "is not a sha256": TryOnStepOptions(mask_sha="../../catalog.csv"),
            "no longer in the project's assets": TryOnStepOptions(person_sha="0" * 64),
            "unknown garment type 'hat'": TryOnStepOptions(garment_type="hat"),
            "1 to 16 try-on images": TryOnStepOptions(n=0),
        }
        for message, options in bad.items():
            with pytest.raises(VitrineError, match=message):
                run_product_steps(store, pid, ["ingest", "tryon"], options=options, profile="tiny")
            assert store.job(pid, "tryon").state.value == "failed" and store.candidates(pid, "tryon") == []
