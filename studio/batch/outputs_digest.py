"""What a batch left in a project, in a form two runs can be compared by: for tests and benchmarks.

Two runs of the same catalog (one on the local executor, one on Ray; one before a crash and resume, one
straight through) must record the same things. Row ids, times and the project's own path differ between
projects and are left out; everything else is kept: every candidate with its text, file, parameters,
provenance, scores and state; every attribute; every job's state, freshness hash and message; the bytes of
every asset file.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from studio.project.store import Store

_TIMES = ("timings", "created_at", "started_at", "finished_at")


def _portable(value: Any, folder: str) -> Any:
    """`value` as plain data with the project's path replaced and timing fields dropped."""
    data = json.loads(json.dumps(value, sort_keys=True, default=str).replace(folder, "<project>"))
    if isinstance(data, dict):
        for key in _TIMES:
            data.pop(key, None)
    return data


def batch_outputs(store: Store) -> dict[str, Any]:
    """Everything the batch recorded in `store`, by SKU, plus the assets' bytes (hashed)."""
    folder = str(store.folder)
    products: dict[str, Any] = {}
    jobs_of = {}
    for job in store.jobs():
        jobs_of.setdefault(job.product_id, []).append((job.step, job.state.value, job.input_hash, job.message))
    for product in store.iter_products():
        candidates = sorted(
            (
                c.kind.value,
                c.rank,
                c.file_sha or "",
                c.text or "",
                c.state.value,
                json.dumps(_portable(c.params, folder), sort_keys=True),
                json.dumps(_portable(c.provenance, folder), sort_keys=True),
                json.dumps(c.scores, sort_keys=True),
                c.score,
            )
            for c in store.candidates(product.id)
        )
        attributes = sorted(
            (a.name, a.value, a.source, a.confidence if a.confidence is not None else -1.0)
            for a in store.attributes(product.id)
        )
        products[product.sku] = {
            "candidates": candidates,
            "attributes": attributes,
            "jobs": sorted(jobs_of.get(product.id, [])),
        }
    assets = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for _, path in store.assets.iter_shas()}
    return {"products": products, "assets": assets}
