"""Slow: the real packaged SmolLM2-135M-Instruct writes readable English copy for the sample catalog."""

from __future__ import annotations

import re
from importlib import resources

import pytest

pytestmark = pytest.mark.slow


def test_packaged_smollm2_writes_readable_english_for_the_sample_tee():
    from generators.copywriter import CopyPipeline, CopyRequest, preferred_dtype
    from generators.runtime.loading import load_model
    from generators.words.constraints import limit_violations
    from generators.words.presets import Platform, preset_for
    from studio.project.catalog_product import catalog_product

    catalog = resources.files("assets").joinpath("sample_catalog", "catalog.csv")
    product = catalog_product(str(catalog), "VT-TEE-RED").product
    pipe = CopyPipeline(
        load_model("copywriter", "packaged", dtype=preferred_dtype("cpu")),
        embedder=load_model("text_embedder", "packaged"),
    )
    result = pipe.run(CopyRequest(product, Platform.AMAZON, n=3, seed=0, max_new_tokens=200))
    assert not result.provenance.placeholder and result.ranked
    best = result.ranked[0]
    words = re.findall(r"[A-Za-z]+", best.fields.title + " " + " ".join(best.fields.bullets))
    assert len(words) >= 4 and {"tee", "t", "shirt", "crew", "cotton", "neck"} & {w.lower() for w in words}
    assert limit_violations(best.fields, preset_for("amazon")) == []
    # The packaged model is small: the drafts say so, with how to switch; its bullets never repeat one another.
    assert any(
        w.startswith("draft quality: small model") and "vitrine models pull copywriter" in w for w in result.warnings
    )
    for c in result.ranked:
        assert not any("repeats bullet" in f for f in c.flags), c.flags
