"""Screenshots of every page, made offscreen: `python -m studio.gui.capture [OUTDIR]` (default docs/screenshots).

Opens the studio on a throwaway project with the sample catalog imported, runs captions and copy for one
product when those pipelines are installed, then its outfit pairing (flat-lay only), a try-on on its catalog
person photo and a draft-size video from the Product page's own tabs, and writes one PNG per page (plus the
copy tab, a search by look, complete the look, the pairing, try-on and video tabs, and a Chinese UI).
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
TRYON_IMAGES = 2  # enough for a ranked gallery, few enough to keep the capture quick
ZH_PANEL = "pairing"  # the capability tab also captured in Chinese (the one with the most words)


def sample_catalog(workdir: Path) -> Path:
    """The shipped sample catalog if there is one (with its footage clip), else a small generated one."""
    for candidate in (REPO / "assets" / "sample" / "catalog.csv", REPO / "assets" / "sample_catalog" / "catalog.csv"):
        if candidate.is_file():
            return with_footage(candidate, workdir / "catalog")
    from studio.batch.synthetic import write_synthetic_catalog

    return write_synthetic_catalog(workdir / "catalog", 12, image_size=160)


def with_footage(catalog: Path, copy_dir: Path) -> Path:
    """A copy of `catalog`'s folder whose first product also has the sample footage clip (a `videos` column).

    The sample catalog names no footage (the clip is rendered media, not committed); giving it to the product
    the screenshots show lets the Video tab show footage shots with their CLIP scores.
    """
    import csv
    import shutil
    import subprocess

    shutil.copytree(catalog.parent, copy_dir)
    clip = copy_dir / "footage" / "runway.mp4"
    if not clip.is_file():  # rendered by its own command: the studio's layers do not import the samples
        subprocess.run([sys.executable, "-m", "studio.samples", "--footage", str(copy_dir)], check=True)
    copy = copy_dir / catalog.name
    with copy.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = [*rows[0].keys(), "videos"]
    rows[0]["videos"] = clip.relative_to(copy_dir).as_posix()
    with copy.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return copy


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


def panel_name(panel) -> str:
    """A capability tab's short name for its screenshot file ("pairing.tab" -> "pairing")."""
    return panel.tab_key.split(".")[0]


def loaders_idle(widget) -> bool:
    """True when no thumbnail under `widget` is still being decoded."""
    from studio.gui.widgets.thumbnail_loader import ThumbnailLoader

    return not any(loader.busy() for loader in widget.findChildren(ThumbnailLoader))


def run_panels(window) -> None:
    """Generate from each capability tab of the open product, small and quick, as a person would from the tab.

    Pairing lays out a flat-lay only; try-on makes TRYON_IMAGES images on the product's catalog person photo
    with its automatic mask; the video renders at the draft size (1/6 of the preset) for the shortest length.
    """
    product = window.show_page("product")
    for panel in product.panels:
        product.tabs.setCurrentWidget(panel)  # as on screen: pickers filled, the outfit and the mask found
        name = panel_name(panel)
        if name == "pairing":
            panel.mode_box.setCurrentIndex(panel.mode_box.findData("flatlay"))
            look = panel.look_job
            if look is not None:  # Generate lays out the outfit the tab shows
                wait_until(lambda look=look: look.state.finished, 300)
        elif name == "tryon":
            panel.count.setValue(TRYON_IMAGES)
        elif name == "video":
            panel.draft.setChecked(True)
            panel.length.setCurrentIndex(0)
        job = panel.generate()
        if job is not None and wait_until(lambda job=job: job.state.finished, 900) and job.error:
            print(f"{name}: {job.error}", file=sys.stderr)
    wait_until(lambda: not window.state.runner.active(), 300)


def grab_panel(window, panel, path: Path) -> Path:
    """Show a capability tab of the open product once its outfit, mask and thumbnails are in, and save it."""
    product = window.pages["product"]
    product.hide_provenance()  # the tab's own comparison and preview need the width
    product.tabs.setCurrentWidget(panel)
    look = getattr(panel, "look_job", None)
    if look is not None:
        wait_until(lambda: look.state.finished, 300)
    editor = getattr(panel, "mask_editor", None)
    if editor is not None:
        wait_until(lambda: editor.key is None or editor.key in editor.auto_masks, 120)
    wait_until(lambda: loaders_idle(panel), 60)
    return grab(window, path)


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
            run_panels(window)
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
                product.hide_provenance()  # the copy's provenance says nothing about complete the look
                product.tabs.setCurrentWidget(product.look_panel)  # showing the tab starts its job
                job = product.look_job
                if job is not None and wait_until(lambda job=job: job.state.finished, 300):
                    wait_until(lambda loader=product.look_panel.loader: not loader.busy(), 30)
                    paths.append(grab(window, outdir / "product-look.png"))
                for panel in product.panels:
                    paths.append(grab_panel(window, panel, outdir / f"product-{panel_name(panel)}.png"))
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
    if with_jobs:
        for panel in product.panels:
            if panel_name(panel) == ZH_PANEL:
                paths.append(grab_panel(window, panel, outdir / f"product-{ZH_PANEL}-zh.png"))
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
