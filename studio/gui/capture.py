"""Screenshots of every page, made offscreen: `python -m studio.gui.capture [OUTDIR]` (default docs/screenshots).

Opens the studio on a throwaway project with the sample catalog imported, runs captions and copy for one
product when those pipelines are installed, and writes one PNG per page (plus the copy tab, a search by look,
complete the look, and a Chinese UI).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generators.runtime.environment import prepare_environment

REPO = Path(__file__).resolve().parents[2]
SEARCH_EXAMPLE = "a red cotton t-shirt"  # the catalog's search-by-look screenshot


def sample_catalog(workdir: Path) -> Path:
    """The shipped sample catalog if there is one, else a small generated one."""
    for candidate in (REPO / "assets" / "sample" / "catalog.csv", REPO / "assets" / "sample_catalog" / "catalog.csv"):
        if candidate.is_file():
            return candidate
    from studio.batch.synthetic import write_synthetic_catalog

    return write_synthetic_catalog(workdir / "catalog", 12, image_size=160)


def is_blank(image) -> bool:
    """True when an image is (nearly) one colour: a page that failed to paint."""
    step = max(1, min(image.width(), image.height()) // 40)
    colours = {image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)}
    return len(colours) < 8


def wait_until(condition: Callable[[], bool], timeout_s: float = 120.0) -> bool:
    """Process Qt events until `condition()` holds (the worker's results arrive as queued signals)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def grab(window, path: Path) -> Path:
    from PySide6.QtCore import QCoreApplication

    for _ in range(3):
        QCoreApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    image = window.grab().toImage()
    if is_blank(image):
        raise RuntimeError(f"screenshot {path.name} is blank")
    image.save(str(path))
    return path


def capture_pages(window, outdir: Path, *, with_jobs: bool = True) -> list[Path]:
    """Save one PNG per page of `window` (already holding a project) into `outdir`; returns the paths."""
    state, paths = window.state, []
    runner = state.runner
    if with_jobs:
        product = window.pages["product"]
        store = state.store
        if store is not None and store.products():
            state.open_product(store.products()[0].sku)
            for start in (product.generate_captions, product.generate_copy):
                job = start()
                if job is not None:
                    wait_until(lambda job=job: job.state.finished, 600)
        models = window.show_page("models")  # showing it the first time starts its status job
        wait_until(lambda: bool(models.rows), 300)
        wait_until(lambda: not runner.active(), 300)
    catalog = window.pages["catalog"]
    grid = catalog.grid
    for spec in window.specs:
        window.show_page(spec.key)
        if spec.key == "catalog":  # thumbnails are decoded for the tiles on screen, once the grid is shown
            wait_until(grid.thumbnails_loaded, 60)
            if with_jobs:
                paths.append(grab(window, outdir / "catalog.png"))
                job = catalog.search_by_look(SEARCH_EXAMPLE)
                if job is not None and wait_until(lambda job=job: job.state.finished, 300) and catalog.look_result:
                    wait_until(grid.thumbnails_loaded, 60)
                    paths.append(grab(window, outdir / "catalog-search.png"))
                catalog.clear_look()
                continue
        if spec.key == "product":
            product = window.pages["product"]
            wait_until(lambda photo=product.photo: not photo.loader.busy(), 30)  # decoded on a worker too
            product.tabs.setCurrentIndex(0)
            paths.append(grab(window, outdir / "product-captions.png"))
            product.tabs.setCurrentIndex(1)
            if product.copy_list.cards:
                product.show_provenance(product.copy_list.cards[0].view.id)
            paths.append(grab(window, outdir / "product-copy.png"))
            if with_jobs:
                product.tabs.setCurrentWidget(product.look_panel)  # showing the tab starts its job
                job = product.look_job
                if job is not None and wait_until(lambda job=job: job.state.finished, 300):
                    wait_until(lambda loader=product.look_panel.loader: not loader.busy(), 30)
                    paths.append(grab(window, outdir / "product-look.png"))
            continue
        if spec.key == "history" and window.pages["history"].table.rowCount():
            window.pages["history"].table.selectRow(0)  # its provenance opens below the table
        paths.append(grab(window, outdir / f"{spec.key}.png"))
    window.set_language("zh")
    window.show_page("catalog")
    wait_until(grid.thumbnails_loaded, 60)
    paths.append(grab(window, outdir / "catalog-zh.png"))
    product = window.show_page("product")
    product.tabs.setCurrentIndex(1)
    if product.copy_list.cards:
        product.show_provenance(product.copy_list.cards[0].view.id)
    paths.append(grab(window, outdir / "product-copy-zh.png"))
    window.show_page("history")
    paths.append(grab(window, outdir / "history-zh.png"))
    window.set_language("en")
    return paths


def compact_png(path: Path) -> None:
    """Re-save as a 256-colour PNG (about a third of the size; the docs do not need 24-bit screenshots)."""
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.FLOYDSTEINBERG)
    small.save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--no-jobs", action="store_true", help="skip caption/copy generation")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    prepare_environment()
    work = Path(tempfile.mkdtemp(prefix="vitrine-capture-"))
    from studio.gui.app import create_app
    from studio.gui.main_window import DEFAULT_SIZE, MainWindow
    from studio.project.importer import import_catalog

    app = create_app([sys.argv[0]])
    window = MainWindow()
    window.resize(DEFAULT_SIZE)  # the size every page is tested to fit (tests/gui/test_fit.py)
    store = window.state.open_project(work / "project")
    report = import_catalog(store, sample_catalog(work))
    window.state.project_changed.emit()
    window.pages["catalog"]._imported(report)
    window.show()
    paths = capture_pages(window, args.outdir, with_jobs=not args.no_jobs)
    window.state.runner.shutdown(120_000)
    window.state.close()
    window.deleteLater()
    app.processEvents()
    for p in paths:
        compact_png(p)
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
