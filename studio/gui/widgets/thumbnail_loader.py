"""Thumbnails decoded on worker threads, handed to the GUI thread as images, and kept in a bounded memory cache.

The GUI thread only says which thumbnails it wants now (`ThumbnailLoader.request`, most wanted first). That
list *replaces* the previous one, so a fast scroll never leaves a backlog of stale jobs: workers always take
the most wanted thumbnail that is neither cached nor already being decoded. A worker decodes and shrinks the
photo with Pillow (which releases the GIL), reads and fills the project's on-disk cache, composes a square
`QImage` tile (QImage, unlike QPixmap, may be used off the GUI thread) and emits it through a queued signal;
the GUI thread turns it into a `QPixmap`, stores it in an LRU bounded by bytes and announces `ready(key)`.

Results are keyed by (file path, edge), never by row: whatever the model shows when a result arrives, each
item looks its own thumbnail up by its own path, so a reset or a filter in between cannot misplace it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, QThreadPool, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from studio.project.thumbnails import ImageLoadError, ThumbnailDiskCache, fit_thumbnail

if TYPE_CHECKING:
    from PIL import Image

TILE_BACKGROUND = "#eceff4"
#: ~64 MiB of decoded tiles: about 900 thumbnails of 132 x 132 px (a whole catalog page-through, usually).
MEMORY_BUDGET_BYTES = 64 << 20
_UNREADABLE_COST = 256  # an entry that remembers a failure still counts against the budget

Decoder = Callable[[Path, int], "Image.Image"]


@dataclass(frozen=True)
class ThumbKey:
    """One thumbnail: a file at a size (pixels per side of the square tile)."""

    path: str
    edge: int


@dataclass(frozen=True)
class Unreadable:
    """A file that could not be decoded, and why (shown in the item's tooltip)."""

    reason: str


def worker_count() -> int:
    """Decode threads: leave one core to the GUI thread, at least one worker, at most four."""
    return max(1, min(4, QThread.idealThreadCount() - 1))


def square_tile(image: Image.Image, edge: int, background: str = TILE_BACKGROUND) -> QImage:
    """`image` (RGB, fitting in `edge` x `edge`) centred on a square tile. Safe on any thread."""
    rgb = image.convert("RGB") if image.mode != "RGB" else image
    data = rgb.tobytes()
    # QImage over `data` borrows the buffer; drawing it onto `tile` copies the pixels before `data` goes away.
    source = QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888)
    tile = QImage(edge, edge, QImage.Format.Format_RGB32)
    tile.fill(QColor(background))
    painter = QPainter(tile)
    painter.drawImage((edge - rgb.width) // 2, (edge - rgb.height) // 2, source)
    painter.end()
    return tile


class PixmapLru:
    """Decoded thumbnails (or the failure that replaced one) by key, least recently used dropped first.

    GUI thread only (it holds QPixmaps). Bounded by an estimate of the bytes the pixmaps hold.
    """

    def __init__(self, max_bytes: int = MEMORY_BUDGET_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[ThumbKey, QPixmap | Unreadable] = OrderedDict()

    @staticmethod
    def _cost(value: QPixmap | Unreadable) -> int:
        if isinstance(value, Unreadable):
            return _UNREADABLE_COST
        return max(_UNREADABLE_COST, value.width() * value.height() * max(1, value.depth()) // 8)

    def get(self, key: ThumbKey) -> QPixmap | Unreadable | None:
        """The entry for `key` (now the most recently used), or None."""
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, key: ThumbKey, value: QPixmap | Unreadable) -> None:
        """Store `value`, then drop the least recently used entries until the budget holds (never `key` itself)."""
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= self._cost(old)
        self._entries[key] = value
        self.bytes += self._cost(value)
        while self.bytes > self.max_bytes and len(self._entries) > 1:
            _key, dropped = self._entries.popitem(last=False)
            self.bytes -= self._cost(dropped)


class _Signals(QObject):
    # Lives in the GUI thread; emitted from workers, so connections to GUI-thread receivers are queued.
    decoded = Signal(object, object)  # ThumbKey, QImage | Unreadable


class _JobQueue:
    """The wanted-keys stack shared by the GUI thread and the workers (plain Python, guarded by one lock)."""

    def __init__(self, signals: _Signals, decode: Decoder) -> None:
        self.lock = threading.Lock()
        self.signals = signals
        self.decode = decode
        self.disk_cache: ThumbnailDiskCache | None = None
        self.wanted: list[ThumbKey] = []  # most wanted LAST (pop() is cheap)
        self.in_flight: set[ThumbKey] = set()
        self.running = 0
        self.closed = False

    def take(self) -> ThumbKey | None:
        """The most wanted key, now in flight; None tells the calling worker to stop (and counts it out)."""
        with self.lock:
            if self.wanted and not self.closed:
                key = self.wanted.pop()
                self.in_flight.add(key)
                return key
            self.running -= 1
            return None

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self.wanted.clear()

    def drain(self) -> None:
        """A worker's body: decode wanted thumbnails until none is left."""
        while (key := self.take()) is not None:
            result = self._load(key)
            if not self.closed:
                self.signals.decoded.emit(key, result)

    def _load(self, key: ThumbKey) -> QImage | Unreadable:
        path, disk = Path(key.path), self.disk_cache
        try:
            image = disk.load(path, key.edge) if disk is not None else None
            if image is None:
                image = self.decode(path, key.edge)
                if disk is not None:
                    disk.save(path, key.edge, image)
            return square_tile(image, key.edge)
        except ImageLoadError as exc:
            return Unreadable(str(exc))
        except Exception as exc:  # a decoder bug must cost one tile, never the worker or the window
            return Unreadable(f"image '{path}' could not be shown ({type(exc).__name__}: {exc})")


class ThumbnailLoader(QObject):
    """Decodes thumbnails on a small thread pool; `ready(key)` (GUI thread) when one is in `memory`.

    Args:
        parent: owner; when it is deleted, pending work is dropped and the pool waits for running decodes.
        decode: `(path, edge) -> PIL image fitting the edge`; the default decodes with JPEG draft mode.
        workers: decode threads (default: `worker_count()`).
        memory_bytes: budget of the in-memory LRU of decoded tiles.
    """

    ready = Signal(object)  # ThumbKey

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        decode: Decoder = fit_thumbnail,
        workers: int | None = None,
        memory_bytes: int = MEMORY_BUDGET_BYTES,
    ) -> None:
        super().__init__(parent)
        self.memory = PixmapLru(memory_bytes)
        self._signals = _Signals()
        self._signals.decoded.connect(self._on_decoded)
        self._queue = _JobQueue(self._signals, decode)
        self.destroyed.connect(self._queue.close)
        # A child: deleting the loader deletes the pool, whose destructor waits for the decodes in progress.
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(workers or worker_count())

    @property
    def decode(self) -> Decoder:
        """The function workers call to decode a photo (replaceable, e.g. to observe it in tests)."""
        return self._queue.decode

    @decode.setter
    def decode(self, fn: Decoder) -> None:
        self._queue.decode = fn

    @property
    def disk_cache(self) -> ThumbnailDiskCache | None:
        """Where thumbnails are also kept on disk (None: memory only)."""
        return self._queue.disk_cache

    @disk_cache.setter
    def disk_cache(self, cache: ThumbnailDiskCache | None) -> None:
        self._queue.disk_cache = cache

    def lookup(self, key: ThumbKey) -> QPixmap | Unreadable | None:
        """The decoded tile for `key`, the failure it met, or None while it is not (or no longer) in memory."""
        return self.memory.get(key)

    def request(self, keys: Iterable[ThumbKey]) -> None:
        """Decode `keys` (most wanted first) that are not in memory yet; replaces the previous request."""
        with self._queue.lock:
            in_flight = self._queue.in_flight
            seen: set[ThumbKey] = set()
            wanted = []
            for key in keys:
                if key not in seen and key not in self.memory and key not in in_flight:
                    seen.add(key)
                    wanted.append(key)
            wanted.reverse()
            self._queue.wanted = wanted
            starts = min(len(wanted), self._pool.maxThreadCount() - self._queue.running)
            self._queue.running += max(0, starts)
        for _ in range(starts):
            self._pool.start(self._queue.drain)

    def pending(self) -> int:
        """Thumbnails wanted and not yet taken by a worker."""
        with self._queue.lock:
            return len(self._queue.wanted)

    def busy(self) -> bool:
        """True while thumbnails are wanted or being decoded."""
        with self._queue.lock:
            return bool(self._queue.wanted or self._queue.in_flight)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Drop pending work and wait for the decodes in progress; True when every worker has stopped."""
        self._queue.close()
        return self._pool.waitForDone(timeout_ms)

    def _on_decoded(self, key: ThumbKey, result: QImage | Unreadable) -> None:
        with self._queue.lock:
            self._queue.in_flight.discard(key)
        self.memory.put(key, result if isinstance(result, Unreadable) else QPixmap.fromImage(result))
        self.ready.emit(key)
