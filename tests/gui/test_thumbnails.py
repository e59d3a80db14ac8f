"""Catalog thumbnails: decoded on worker threads, only near the viewport, on the right item, without stalls."""

from __future__ import annotations

import gc
import os
import threading

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtGui import QColor, QPixmap

from studio.gui.widgets.thumbnail_grid import THUMB, ProductTile, ThumbnailGrid
from studio.gui.widgets.thumbnail_loader import PixmapLru, ThumbKey, Unreadable
from studio.gui.widgets.thumbnail_tiles import ThumbnailLabel, ThumbState
from studio.project.thumbnails import ThumbnailDiskCache, fit_thumbnail

COLOURS = [(220, 40, 40), (40, 180, 60), (40, 80, 220), (230, 200, 30), (160, 50, 190), (30, 190, 200)]


def _colour(i: int) -> tuple[int, int, int]:
    r, g, b = COLOURS[i % len(COLOURS)]
    shade = 1.0 - 0.12 * (i // len(COLOURS))  # a distinct colour per file for up to a few dozen files
    return int(r * shade), int(g * shade), int(b * shade)


def _jpegs(folder, n: int, size=(600, 400)) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"photo{i:03d}.jpg"
        Image.new("RGB", size, _colour(i)).save(path, quality=95)
        paths.append(path)
    return paths


class RecordingDecode:
    """The real decoder, noting which thread ran it and for which file; optionally held at a gate."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.threads: set[int] = set()
        self.paths: list[str] = []
        self.started = threading.Event()
        self.gate = gate
        self._lock = threading.Lock()

    def __call__(self, path, edge):
        with self._lock:
            self.threads.add(threading.get_ident())
            self.paths.append(str(path))
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        return fit_thumbnail(path, edge)


def _grid(qtbot, width: int, height: int, decode=None) -> ThumbnailGrid:
    grid = ThumbnailGrid()
    qtbot.addWidget(grid)
    if decode is not None:
        grid.loader.decode = decode
    grid.resize(width, height)
    grid.show()
    qtbot.waitExposed(grid)
    return grid


def _centre_colour(grid: ThumbnailGrid, proxy_row: int) -> QColor:
    pixmap = grid.proxy.index(proxy_row, 0).data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(pixmap, QPixmap)
    return pixmap.toImage().pixelColor(THUMB // 2, THUMB // 2)


def _close(colour: QColor, rgb: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip((colour.red(), colour.green(), colour.blue()), rgb, strict=True))


def test_visible_thumbnails_arrive_decoded_off_the_gui_thread(qtbot, tmp_path):
    paths = _jpegs(tmp_path / "photos", 40)
    decode = RecordingDecode()
    grid = _grid(qtbot, 560, 420, decode)
    grid.set_products([ProductTile(f"SKU-{i:02d}", f"Item {i}", image=p) for i, p in enumerate(paths)])
    qtbot.waitUntil(grid.thumbnails_loaded, timeout=10_000)

    assert decode.threads and threading.get_ident() not in decode.threads
    assert grid.thumbnail_state("SKU-00") is ThumbState.READY
    assert _close(_centre_colour(grid, 0), _colour(0))
    # Only the rows on screen (and a line around them) were asked for: the bottom of the catalog waits.
    assert len(decode.paths) < 20 and str(paths[-1]) not in decode.paths
    assert grid.thumbnail_state("SKU-39") is ThumbState.LOADING

    grid.scrollToBottom()
    qtbot.waitUntil(lambda: grid.thumbnail_state("SKU-39") is ThumbState.READY, timeout=10_000)
    assert _close(_centre_colour(grid, 39), _colour(39))
    assert len(decode.paths) == len(set(decode.paths))  # nothing decoded twice


def test_fast_scrolling_leaves_no_backlog_of_stale_jobs(qtbot, tmp_path):
    (source,) = _jpegs(tmp_path / "photos", 1, size=(64, 48))
    paths = []
    for i in range(600):
        path = tmp_path / f"p{i:03d}.jpg"
        os.link(source, path)
        paths.append(path)
    gate = threading.Event()
    decode = RecordingDecode(gate)  # nothing finishes while we scroll: every request stays pending
    grid = _grid(qtbot, 560, 420, decode)
    grid.set_products([ProductTile(f"S{i:03d}", "x", image=p) for i, p in enumerate(paths)])
    qtbot.waitUntil(decode.started.is_set, timeout=5_000)
    bar = grid.verticalScrollBar()
    assert bar.maximum() > 20 * grid.viewport().height()
    most_pending = 0
    for value in range(0, bar.maximum() + 1, grid.viewport().height() // 2):
        bar.setValue(value)
        qtbot.wait(1)
        most_pending = max(most_pending, grid.loader.pending())
    bar.setValue(bar.maximum())
    gate.set()
    qtbot.waitUntil(grid.thumbnails_loaded, timeout=10_000)

    assert 0 < most_pending <= 24  # only what is on screen now (plus a line around it) ever waits
    assert len(decode.paths) < 40  # the hundreds of tiles scrolled past were never decoded
    assert grid.thumbnail_state("S599") is ThumbState.READY and grid.thumbnail_state("S300") is ThumbState.LOADING


def test_broken_files_show_the_unreadable_tile(qtbot, tmp_path):
    good, big = _jpegs(tmp_path / "photos", 2, size=(800, 600))
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(big.read_bytes()[: big.stat().st_size // 3])
    not_image = tmp_path / "notes.jpg"
    not_image.write_text("this is not a photo")
    tiles = [
        ProductTile("GOOD", "fine", image=good),
        ProductTile("CUT", "truncated", image=truncated),
        ProductTile("TEXT", "not an image", image=not_image),
        ProductTile("GONE", "missing", image=tmp_path / "gone.jpg"),
        ProductTile("NONE", "no photo"),
    ]
    grid = _grid(qtbot, 900, 400)
    grid.set_unreadable_label("Unreadable")
    grid.set_products(tiles)
    qtbot.waitUntil(grid.thumbnails_loaded, timeout=10_000)

    states = {t.sku: grid.thumbnail_state(t.sku) for t in tiles}
    assert states == {
        "GOOD": ThumbState.READY,
        "CUT": ThumbState.UNREADABLE,
        "TEXT": ThumbState.UNREADABLE,
        "GONE": ThumbState.UNREADABLE,
        "NONE": ThumbState.NO_PHOTO,
    }
    cut = grid.proxy.index(1, 0)
    tile = cut.data(Qt.ItemDataRole.DecorationRole).toImage()
    assert tile.pixelColor(2, 2) == QColor("#fdecea")  # the warning tint, unlike the grey loading tile
    assert "truncated" in cut.data(Qt.ItemDataRole.ToolTipRole)
    assert "does not exist" in grid.proxy.index(3, 0).data(Qt.ItemDataRole.ToolTipRole)


def test_reset_and_filter_while_decoding_keep_each_thumbnail_on_its_item(qtbot, tmp_path):
    paths = _jpegs(tmp_path / "photos", 12)
    gate = threading.Event()
    decode = RecordingDecode(gate)
    grid = _grid(qtbot, 1100, 600, decode)

    def tiles(shift: int) -> list[ProductTile]:
        return [
            ProductTile(f"A{i:02d}", f"Item {i}", "odd" if i % 2 else "even", image=paths[(i + shift) % 12])
            for i in range(12)
        ]

    grid.set_products(tiles(0))
    qtbot.waitUntil(decode.started.is_set, timeout=5_000)
    assert grid.loader.busy()  # decodes for the first model are in flight ...
    grid.set_products(tiles(5))  # ... when the catalog is reloaded with each product's photo changed
    grid.set_filter(category="odd")
    gate.set()
    qtbot.waitUntil(grid.thumbnails_loaded, timeout=10_000)

    def check_all() -> None:
        for row in range(grid.proxy.rowCount()):
            sku = grid.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole + 1)
            i = int(sku[1:])
            assert _close(_centre_colour(grid, row), _colour((i + 5) % 12)), sku

    assert grid.visible_skus() == [f"A{i:02d}" for i in range(1, 12, 2)]
    check_all()
    grid.set_filter()
    qtbot.waitUntil(grid.thumbnails_loaded, timeout=10_000)
    assert grid.proxy.rowCount() == 12
    check_all()


def _large_jpeg(path, width: int = 3000, height: int = 2000) -> None:
    """A photo-sized JPEG with gradients and grain, so it costs what a real photo costs to decode."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 // width, y * 255 // height, (x + y) * 255 // (width + height)], -1).astype(np.int16)
    noisy = (base + rng.integers(-12, 12, base.shape, dtype=np.int16)).clip(0, 255).astype(np.uint8)
    Image.fromarray(noisy).save(path, quality=90)


def test_loading_large_jpegs_keeps_the_event_loop_responsive(qtbot, tmp_path):
    """60 photos of 3000x2000 on screen at once: the longest gap between 5 ms heartbeats stays short.

    Before decoding moved to workers the grid decoded 16 photos per event-loop turn: the same load measured
    a 254 ms stall on this 2-core machine; after, 9-10 ms (16-31 ms with two CPU hogs beside it). The bound
    is loose (see the assertion), so a busy shared machine does not fail it.
    """
    source = tmp_path / "source.jpg"
    _large_jpeg(source)
    paths = []
    for i in range(60):  # distinct paths (distinct thumbnails to decode), one file's bytes on disk
        path = tmp_path / f"photo{i:02d}.jpg"
        os.link(source, path)
        paths.append(path)
    grid = _grid(qtbot, 1750, 1250)  # every tile on screen: all 60 are decoded
    cache = ThumbnailDiskCache(tmp_path / "cache")  # a first open: every lookup misses, every result is written

    gaps: list[int] = []
    clock = QElapsedTimer()
    heartbeat = QTimer(interval=5, timerType=Qt.TimerType.PreciseTimer)
    last = [0]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat.timeout.connect(tick)
    # The same products without photos first: the view's one-off costs (first layout, fonts) are paid here.
    grid.set_products([ProductTile(f"SKU-{i:02d}", f"Photo {i}") for i in range(60)])
    qtbot.waitUntil(grid.thumbnails_loaded)
    gc.collect()  # the suite's earlier tests leave a big heap; a full collection mid-measurement is not the grid
    clock.start()
    heartbeat.start()
    qtbot.wait(400)  # the same heartbeat with nothing to load: how noisy the (shared) machine is right now
    idle = max(gaps[1:])
    gaps.clear()
    grid.set_products([ProductTile(f"SKU-{i:02d}", f"Photo {i}", image=p) for i, p in enumerate(paths)], cache)
    qtbot.waitUntil(grid.thumbnails_loaded, timeout=60_000)
    heartbeat.stop()

    assert all(grid.thumbnail_state(f"SKU-{i:02d}") is ThumbState.READY for i in range(60))
    assert len(list(cache.folder.rglob("*.jpg"))) == 60
    assert len(gaps) > 20
    longest, second = sorted(gaps)[-1], sorted(gaps)[-2]
    print(
        f"heartbeat gaps loading 60 photos of 3000x2000: longest {longest} ms, second {second} ms "
        f"over {len(gaps)} ticks (idle: {idle})"
    )
    # Decoding on the GUI thread stalls once per batch (four ~250 ms gaps here); one hiccup of a shared
    # machine (a CI neighbour, a GC pass: 77 ms was seen once) must not fail the test, so the second-longest
    # gap is judged, against half the old stall, widened by what the idle heartbeat shows.
    assert second < max(120, idle + 60)


def test_memory_cache_drops_least_recently_used_first(qapp):
    lru = PixmapLru(max_bytes=3 * 10 * 10 * 4)
    pixmaps = [QPixmap(10, 10) for _ in range(4)]
    keys = [ThumbKey(f"p{i}", 10) for i in range(4)]
    for key, pixmap in zip(keys[:3], pixmaps, strict=False):
        lru.put(key, pixmap)
    assert lru.get(keys[0]) is not None  # p0 is now the most recently used
    lru.put(keys[3], pixmaps[3])
    assert keys[1] not in lru and keys[0] in lru and keys[3] in lru
    assert lru.bytes <= lru.max_bytes
    lru.put(ThumbKey("bad", 10), Unreadable("image 'bad' is damaged"))
    assert len(lru) == 3 and keys[2] not in lru and lru.bytes <= lru.max_bytes


def test_disk_cache_serves_a_reopened_catalog_without_decoding(qtbot, tmp_path):
    paths = _jpegs(tmp_path / "photos", 6)
    cache = ThumbnailDiskCache(tmp_path / "cache")
    tiles = [ProductTile(f"SKU-{i}", "x", image=p) for i, p in enumerate(paths)]
    first = _grid(qtbot, 1100, 500)
    first.set_products(tiles, cache)
    qtbot.waitUntil(first.thumbnails_loaded, timeout=10_000)
    assert len(list((tmp_path / "cache").rglob("*.jpg"))) == 6

    decode = RecordingDecode()
    again = _grid(qtbot, 1100, 500, decode)
    again.set_products(tiles, cache)
    qtbot.waitUntil(again.thumbnails_loaded, timeout=10_000)
    assert decode.paths == []
    assert all(again.thumbnail_state(t.sku) is ThumbState.READY for t in tiles)
    assert _close(_centre_colour(again, 2), _colour(2))


@pytest.mark.parametrize("broken", [False, True])
def test_product_photo_label_decodes_on_a_worker(qtbot, tmp_path, broken):
    first, second = _jpegs(tmp_path / "photos", 2)
    if broken:
        second.write_bytes(b"\xff\xd8\xff garbage")
    decode = RecordingDecode()
    label = ThumbnailLabel(96)
    qtbot.addWidget(label)
    label.loader.decode = decode
    label.show_photo(first)
    label.show_photo(second)  # the first photo's result arrives late and must not replace the second
    expected = ThumbState.UNREADABLE if broken else ThumbState.READY
    qtbot.waitUntil(lambda: label.state() is expected and not label.loader.busy(), timeout=10_000)
    assert threading.get_ident() not in decode.threads
    if not broken:
        assert _close(label.pixmap().toImage().pixelColor(48, 48), _colour(1))
    label.show_photo(None)
    assert label.state() is ThumbState.NO_PHOTO
