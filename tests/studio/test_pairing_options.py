"""Pairing step options: what a person chose in the studio reaches the step, checked before any work, and jobs
finished before the studio's fields existed stay fresh."""

from __future__ import annotations

import pytest

from generators.runtime.errors import VitrineError
from studio.batch.options import StepOptions
from studio.batch.pairing_step import PairingStepOptions


def test_defaults_keep_the_freshness_of_jobs_finished_before_the_studio_fields():
    assert PairingStepOptions().freshness() == {"style": "casual", "looks": 0, "seed": 0, "quality": "fast"}
    assert set(StepOptions.freshness(PairingStepOptions())) == {
        "style",
        "looks",
        "seed",
        "quality",
        "mode",
        "items",
        "size",
    }
    edited = PairingStepOptions(items=["VT-JEAN-BLACK"], mode="both", size=256).freshness()
    assert edited["items"] == ("VT-JEAN-BLACK",) and edited["mode"] == "both" and edited["size"] == 256
    # A changed outfit is a different job; the suggested one (None) and an empty outfit are different too.
    assert PairingStepOptions(items=("A",)).freshness() != PairingStepOptions().freshness()
    assert PairingStepOptions(items=()).freshness() != PairingStepOptions().freshness()


def test_mode_follows_looks_unless_asked():
    assert PairingStepOptions().pairing_mode() == "flatlay"
    assert PairingStepOptions(looks=3).pairing_mode() == "both"
    assert PairingStepOptions(looks=3, mode="generated").pairing_mode() == "generated"
    assert PairingStepOptions.from_mapping({"mode": "both", "items": ["A", "B"]}).items == ("A", "B")


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"mode": "collage"}, "choose one of: flatlay, generated, both"), ({"size": 100}, "multiple of 64")],
)
def test_bad_choices_fail_before_work_with_a_clear_message(fields, message):
    with pytest.raises(VitrineError, match=message):
        PairingStepOptions(**fields)
