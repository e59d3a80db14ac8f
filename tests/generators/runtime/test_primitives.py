"""Runtime primitives: roles/profiles parsing, progress, cancellation, provenance, the model cache."""

from __future__ import annotations

import pytest

from generators.runtime.errors import UnknownNameError
from generators.runtime.progress import Cancelled, CancelToken, Progress, diffusers_step_callback, proglog_logger
from generators.runtime.provenance import ModelRef, Provenance
from generators.runtime.roles import Profile, Role


def test_unknown_role_and_profile_list_valid_names():
    with pytest.raises(UnknownNameError) as err:
        Role.parse("painter")
    assert "clip" in str(err.value) and "text_embedder" in str(err.value)
    with pytest.raises(UnknownNameError, match="tiny, perf, packaged, standard, auto"):
        Profile.parse("huge")
    assert Role.parse("Person-Mask") is Role.PERSON_MASK


def test_diffusers_callback_reports_and_cancels():
    seen: list[Progress] = []
    token = CancelToken()
    cb = diffusers_step_callback(seen.append, token, total=4)
    assert cb(None, 0, 999, {"latents": 1}) == {"latents": 1}
    assert seen[-1].step == 1 and seen[-1].total == 4
    token.cancel()
    with pytest.raises(Cancelled):
        cb(None, 1, 998, {})


def test_proglog_adapter_forwards_frames():
    seen: list[Progress] = []
    logger = proglog_logger(seen.append, None)
    logger.bars_callback("frame_index", "total", 10)
    logger.bars["frame_index"] = {"total": 10, "index": 0}
    logger.bars_callback("frame_index", "index", 5)
    assert seen and seen[-1].step == 5 and seen[-1].total == 10


def test_provenance_roundtrip_and_placeholder_flag():
    real = ModelRef("clip", "laion/x", "abc", "f00", "real", "standard")
    fake = ModelRef("captioner", "vitrine-tiny/captioner", None, "bad", "placeholder", "tiny")
    p = Provenance(models=(real, fake), seed=7, params={"n": 2}, timings={"s": 0.1}, scores={"clip": 0.3})
    assert p.placeholder
    again = Provenance.from_dict(p.to_dict())
    assert again == p and again.to_dict()["placeholder"] is True
    assert not Provenance(models=(real,)).placeholder


def test_model_cache_evicts_least_recently_used():
    from generators.runtime.loading import LoadedModel, ModelCache

    cache = ModelCache()

    def item(n: int) -> LoadedModel:
        return LoadedModel(
            resolved=None,
            components=None,
            device="cpu",
            dtype="float32",
            file_hash=None,  # type: ignore[arg-type]
            load_s=0.0,
            nbytes=n,
        )

    cache.put(("a",), item(40), budget_bytes=100)
    cache.put(("b",), item(40), budget_bytes=100)
    assert cache.get(("a",)) is not None  # touch a: b is now least recent
    cache.put(("c",), item(40), budget_bytes=100)
    assert cache.keys() == [("a",), ("c",)]
