"""Maximal marginal relevance (Carbonell & Goldstein 1998) with near-duplicate dropping.

Used by ranking to order candidates so that each pick trades relevance against similarity to what is already
shown, and to hide candidates (near-)identical to one ranked above them.
"""

from __future__ import annotations

import numpy as np


def maximal_marginal_relevance(
    pool: list[int], feats: np.ndarray, rel: list[float], lam: float, dup_at: float
) -> tuple[list[int], dict[int, float], dict[int, tuple[int, float]]]:
    """Greedy maximal marginal relevance over `pool` (sorted best first).

    Returns the picks in order, each pick's max similarity to the picks before it, and the items dropped
    as near-duplicates (item -> (the pick it duplicates, similarity)). O(n) numpy work per pick.
    """
    selected: list[int] = []
    max_sim_at_pick: dict[int, float] = {}
    dup_of: dict[int, tuple[int, float]] = {}
    n = len(pool)
    if not n:
        return selected, max_sim_at_pick, dup_of
    f = feats[pool].astype(np.float64)
    sims = f @ f.T
    base = lam * np.array([rel[i] for i in pool])
    alive = np.ones(n, dtype=bool)
    closest = np.zeros(n)  # max similarity to anything picked so far (0 before the first pick)
    score = base.copy()
    left = n
    while left:
        k = int(np.argmax(score))  # ties go to the earlier (more relevant) item
        max_sim_at_pick[pool[k]] = float(closest[k])
        selected.append(pool[k])
        alive[k] = False
        left -= 1
        col = sims[:, k]
        # near-duplicates of what was just shown are dropped (hidden), not ranked
        dups = np.flatnonzero(alive & (col >= dup_at))
        for d in dups:
            dup_of[pool[d]] = (pool[k], float(col[d]))
        alive[dups] = False
        left -= len(dups)
        closest = col.copy() if len(selected) == 1 else np.maximum(closest, col)
        score = np.where(alive, base - (1.0 - lam) * closest, -np.inf)
    return selected, max_sim_at_pick, dup_of
