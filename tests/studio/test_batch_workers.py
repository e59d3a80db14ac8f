"""How many products a batch runs side by side when the caller leaves it to the runner."""

from __future__ import annotations

import os

from studio.batch.recipe import Recipe
from studio.batch.runner import BatchOptions, resolved_workers


def test_copy_runs_two_products_per_core_by_default_and_others_one_at_a_time():
    cores = len(os.sched_getaffinity(0))
    assert resolved_workers(BatchOptions(Recipe.COPY)) == max(8, 4 * cores)
    assert resolved_workers(BatchOptions(Recipe.IMAGES)) == 1
    assert resolved_workers(BatchOptions(Recipe.FULL)) == 1


def test_an_explicit_worker_count_wins():
    assert resolved_workers(BatchOptions(Recipe.COPY, workers=1)) == 1
    assert resolved_workers(BatchOptions(Recipe.IMAGES, workers=3)) == 3
