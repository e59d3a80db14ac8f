"""Complete-the-look results shared by every view of a product (the look tab, the Pairing tab's outfit).

Retrieval embeds the catalog and ranks it on the job worker, so it runs once per product: each result is kept
with a fingerprint of what it was computed from (the product's catalog row, photos and attributes), and is
stale as soon as that fingerprint changes. Any change to the catalog (an import, another project) drops every
result, since every product's complements may change with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from studio.gui.jobs import Job, JobRunner
from studio.jobs.requests import CompleteLookRequest

if TYPE_CHECKING:
    from studio.project.search import LookResult
    from studio.project.store import Store

Fingerprint = tuple[object, ...]


def look_fingerprint(store: Store, sku: str) -> Fingerprint | None:
    """What a product's look is computed from (None: no such product): a change to any of it makes it stale."""
    from studio.project.rows import ImageRole

    product = store.product_by_sku(sku)
    if product is None:
        return None
    photos = tuple(image.sha256 for image in store.images(product.id, ImageRole.PRODUCT))
    attributes = tuple((a.name, a.value, a.source) for a in store.attributes(product.id))
    return (product.content_hash, product.title, product.category, photos, attributes)


@dataclass(frozen=True)
class _Pending:
    epoch: int
    fingerprint: Fingerprint
    job: Job


class LookCache(QObject):
    """Per-product complete-the-look results for the open project, computed on the job worker once each.

    Views ask `get` first and `request` when it has nothing; `ready` / `failed` tell every view when a result
    (or an error) for a SKU arrives, whichever view asked for it.
    """

    ready = Signal(str)  # sku: its look is now in the cache
    failed = Signal(str, str)  # sku, message: computing its look failed (nothing cached: asking again retries)

    def __init__(self, runner: JobRunner, store: Callable[[], Store | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._store = store  # the open project's store, read when asked (projects are opened and closed)
        self._epoch = 0  # results of jobs started before the catalog last changed are dropped
        self._looks: dict[str, tuple[Fingerprint, LookResult]] = {}
        self._pending: dict[str, _Pending] = {}

    def clear(self) -> None:
        """Forget every result: the catalog changed (or another project opened), so every product's may have."""
        self._epoch += 1
        self._looks.clear()
        self._pending.clear()

    def get(self, sku: str) -> LookResult | None:
        """The product's look if it is known and still matches the product (None otherwise)."""
        store = self._store()
        entry = self._looks.get(sku)
        if store is None or entry is None:
            return None
        if entry[0] != look_fingerprint(store, sku):
            del self._looks[sku]  # the product's photos or attributes changed since
            return None
        return entry[1]

    def job(self, sku: str) -> Job | None:
        """The job computing the product's look, while one is on its way."""
        pending = self._pending.get(sku)
        return pending.job if pending is not None and not pending.job.state.finished else None

    def request(self, sku: str) -> Job | None:
        """Start computing the product's look unless it is cached or already on its way; returns the job started."""
        store = self._store()
        if store is None or self.get(sku) is not None:
            return None
        fingerprint = look_fingerprint(store, sku)
        if fingerprint is None:
            return None
        pending = self._pending.get(sku)
        if pending is not None and pending.fingerprint == fingerprint and not pending.job.state.finished:
            return None
        key = (self._epoch, fingerprint)
        job = self.runner.submit(
            CompleteLookRequest(store.folder, sku),
            on_done=partial(self._done, sku, key),
            on_error=partial(self._failed, sku, key),
        )
        self._pending[sku] = _Pending(self._epoch, fingerprint, job)
        return job

    def _settle(self, sku: str, key: tuple[int, Fingerprint]) -> bool:
        """Whether a finished job's result still counts; forgets it as the SKU's pending job if it was."""
        pending = self._pending.get(sku)
        if pending is not None and (pending.epoch, pending.fingerprint) == key:
            del self._pending[sku]
        return key[0] == self._epoch

    def _done(self, sku: str, key: tuple[int, Fingerprint], look: LookResult) -> None:
        if self._settle(sku, key):
            self._looks[sku] = (key[1], look)
            self.ready.emit(sku)

    def _failed(self, sku: str, key: tuple[int, Fingerprint], message: str) -> None:
        if self._settle(sku, key):
            self.failed.emit(sku, message)
