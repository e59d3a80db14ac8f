"""Tier 2: the outfit pairing pipeline with tiny Stable Diffusion and tiny CLIP (sample catalog photos)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generators.pairing import (
    LookKind,
    PairingError,
    PairingItem,
    PairingMode,
    PairingPipeline,
    PairingRequest,
    pick_complements,
)
from generators.runtime.errors import UnknownNameError
from generators.runtime.loading import load_model
from tests.pipeline_contract import PipelineContract

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "sample_catalog" / "images"
TEE = PairingItem("VT-TEE-RED", SAMPLES / "vt-tee-red-1.jpg", "t-shirt", "red t-shirt")
JEANS = PairingItem("VT-JEAN-BLUE", SAMPLES / "vt-jean-blue-1.jpg", "jeans", "blue jeans")
SNEAKERS = PairingItem("VT-SNKR-WHITE", SAMPLES / "vt-snkr-white-1.jpg", "sneakers", "white sneakers")


@pytest.fixture(scope="module")
def pipe():
    from scoring.scorer import ClipScorer

    return PairingPipeline(
        lambda: load_model("txt2img", "tiny"), scorer=ClipScorer.from_profile("tiny", use_cache=False)
    )


def _request(**changes) -> PairingRequest:
    base = {
        "anchor": TEE,
        "complements": (JEANS, SNEAKERS),
        "n": 2,
        "steps": 2,
        "size": 64,
        "flatlay_size": 256,
        "attributes": (("color", "red"), ("material", "cotton")),
    }
    return PairingRequest(**{**base, **changes})


def test_red_tee_flatlay_holds_the_tee_a_bottom_and_shoes(pipe):
    result = pipe.run(_request(mode=PairingMode.FLATLAY, n=0))
    assert [c.kind for c in result.candidates] == [LookKind.FLATLAY]
    flat = result.candidates[0]
    assert flat.items == ("VT-TEE-RED", "VT-JEAN-BLUE", "VT-SNKR-WHITE")
    assert not flat.placeholder and not flat.hidden  # the catalog's own photos: real content
    assert [m.role for m in flat.provenance.models] == ["clip"]  # ranked by CLIP, made by no model
    assert flat.scores["fidelity"] > 0.7  # the anchor is the photo itself
    assert not any("colour drift" in f for f in flat.flags)
    x0, y0, x1, y1 = result.flatlay.anchor_box
    red = np.asarray(flat.image)[(y0 + y1) // 2, (x0 + x1) // 2]
    assert red[0] > 120 and red[1] < 80


def test_generated_looks_are_seeded_labelled_and_ranked(pipe):
    result = pipe.run(_request(n=3))
    kinds = [c.kind for c in result.candidates]
    assert kinds.count(LookKind.FLATLAY) == 1 and kinds.count(LookKind.GENERATED) == 3
    looks = [c for c in result.candidates if c.kind is LookKind.GENERATED]
    assert sorted(c.seed for c in looks) == [0, 1, 2]
    assert {c.method for c in looks} == {"img2img", "txt2img"}
    assert all(c.placeholder and c.image.size == (64, 64) for c in looks)
    for c in looks:
        assert [m.role for m in c.provenance.models] == ["txt2img", "clip"]
        assert c.provenance.params["style"] == "casual" and c.provenance.params["negative_prompt"]
        assert c.provenance.params["request"]["n"] == 3
    img2img = next(c for c in looks if c.method == "img2img")
    assert img2img.items == ("VT-TEE-RED", "VT-JEAN-BLUE", "VT-SNKR-WHITE") and "flat lay" in img2img.prompt
    mood = next(c for c in looks if c.method == "txt2img")
    assert mood.items == ("VT-TEE-RED",) and "red cotton t-shirt" in mood.prompt
    shown = result.shown
    assert [c.rank for c in result.candidates] == list(range(1, 5))
    assert all(not c.hidden for c in shown) and all(c.reason for c in result.candidates if c.hidden)
    assert {"clip_score", "fidelity", "distinctness", "total"} <= set(looks[0].scores)


def test_other_seed_other_images(pipe):
    a = {c.seed: c.image.tobytes() for c in pipe.run(_request(mode=PairingMode.GENERATED, n=1)).candidates}
    b = {c.seed: c.image.tobytes() for c in pipe.run(_request(mode=PairingMode.GENERATED, n=1, seed=7)).candidates}
    assert a[0] != b[7]


def test_no_complements_means_generated_looks_only(pipe):
    result = pipe.run(_request(complements=(), n=2))
    assert all(c.kind is LookKind.GENERATED and c.method == "txt2img" for c in result.candidates)
    assert any("no complementary items" in w for w in result.warnings)
    with pytest.raises(PairingError, match="no complementary items"):
        pipe.run(_request(complements=(), mode=PairingMode.FLATLAY))


def test_unknown_style_lists_the_valid_ones(pipe):
    with pytest.raises(UnknownNameError, match="casual.*office.*street.*evening.*minimalist"):
        pipe.run(_request(style="gothic"))


def test_fidelity_flags_a_recoloured_look(pipe):
    from generators.fidelity import box_mask, check_fidelity

    cut, _ = pipe.cutout(TEE.photo, 512)
    product, mask = cut.image.convert("RGB"), cut.mask
    recoloured = Image.fromarray(np.asarray(product)[..., ::-1].copy())  # red becomes blue
    assert check_fidelity(product, mask, product, None).ok
    flagged = check_fidelity(product, mask, recoloured, box_mask(recoloured.size, (0, 0, *recoloured.size)))
    assert flagged.flags and "colour drift" in flagged.flags[0]


def test_pick_complements_one_per_slot_bottoms_and_shoes_first():
    slots = pick_complements({"jeans": ["J1", "J2"], "shorts": ["S1"], "sneakers": ["K1"], "jacket": ["N1"], "hat": []})
    assert [(s.slot, s.skus[0]) for s in slots] == [("bottoms", "J1"), ("shoes", "K1"), ("outerwear", "N1")]
    assert slots[0].swapped().skus == ("J2", "J1")


class TestPairingPipelineContract(PipelineContract):
    """The shared pipeline contract on tiny SD + tiny CLIP."""

    def get_dummy_request(self, folder, seed=0):
        return _request(seed=seed)

    def signature(self, result):
        return [(c.kind, c.seed, c.image.tobytes(), c.scores, c.hidden) for c in result.candidates]
