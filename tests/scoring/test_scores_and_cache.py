"""Tier 1: score scales and the on-disk embedding cache."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.cache import EmbeddingCache, model_cache_key
from scoring.scores import clip_score, clip_score_display, distinctness_display, similarity_display


def test_clip_score_is_hessel_2_5_max_cos_0():
    assert clip_score(0.3) == pytest.approx(0.75)
    assert clip_score(-0.2) == 0.0
    assert clip_score_display(0.3) == pytest.approx(75.0)
    assert clip_score_display(0.9) == 100.0  # capped
    assert similarity_display(0.87) == pytest.approx(87.0) and similarity_display(-1) == 0.0
    assert distinctness_display(1.0) == 0.0 and distinctness_display(0.25) == pytest.approx(75.0)


def test_cache_round_trip_and_model_separation(tmp_path):
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    a, b = model_cache_key("m", "r1", "h", "float32"), model_cache_key("m", "r2", "h", "float32")
    assert a != b
    vec = np.arange(4, dtype=np.float32)
    cache.put_many(a, {"k": vec})
    assert np.array_equal(cache.get_many(a, ["k", "missing"])["k"], vec)
    assert cache.get_many(b, ["k"]) == {}  # another revision never sees this vector
    cache.close()
    again = EmbeddingCache(tmp_path / "c.sqlite")  # persisted on disk
    assert again.count(a) == 1


def test_damaged_cache_file_is_replaced(tmp_path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    cache = EmbeddingCache(path)
    cache.put_many("m", {"k": np.ones(2, np.float32)})
    assert cache.count() == 1 and path.with_suffix(".damaged").exists()
