"""The Try-on tab's mask editor: the automatic garment mask, found on a thread, and painted over the photo.

The automatic mask is `generators.person_layout.find_person_mask` on the photo opened upright by
`generators.tryon_inputs.open_person_photo`: the same rule and the same pixels the try-on itself uses offline.
It runs on a plain thread (OpenCV's GrabCut and the cascades release the GIL), never on the GUI thread and never
queued behind a try-on on the job worker. Each photo keeps its own mask while the product is open; brush,
eraser, "Automatic mask" and "Clear" are steps on the studio's undo stack.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from studio.gui.jobs import to_qimage
from studio.gui.state import StudioState
from studio.gui.widgets.mask_painter import (
    MAX_EDIT_SIDE,
    MaskEdit,
    MaskEditCommand,
    MaskLayer,
    MaskPainter,
    MaskTool,
    replace_all,
)

MaskKey = tuple[str, str, int]  # (person photo sha, garment type, person index)


@dataclass(frozen=True)
class AutoMask:
    """The automatic mask of one photo, garment type and person (or why there is none)."""

    key: MaskKey
    photo: QImage | None  # the upright photo at the editing size; None: unreadable
    photo_size: tuple[int, int]  # the upright photo's own size
    values: np.ndarray | None  # uint8 mask at the editing size; None: no automatic mask
    people: int = 0
    error: str = ""


def compute_auto_mask(key: MaskKey, path: Path, name: str) -> AutoMask:
    """Open the photo upright and find its garment region as the try-on does. Safe on any thread."""
    from PIL import Image

    from generators.person_layout import GarmentType, find_person_mask
    from generators.runtime.errors import VitrineError, describe_error
    from generators.tryon_inputs import open_person_photo

    try:
        photo = open_person_photo(path).image
    except Exception as exc:
        return AutoMask(key, None, (0, 0), None, error=describe_error(exc))
    scale = min(1.0, MAX_EDIT_SIDE / max(photo.size))
    edit_size = (max(1, round(photo.width * scale)), max(1, round(photo.height * scale)))
    shown = to_qimage(photo if scale == 1.0 else photo.resize(edit_size, Image.Resampling.LANCZOS))
    try:
        found = find_person_mask(photo, GarmentType(key[1]), person_index=key[2], name=f"'{name}'")
    except VitrineError as exc:  # no person, or too little of the body: the message says to paint
        return AutoMask(key, shown, photo.size, None, error=str(exc))
    except Exception as exc:
        return AutoMask(key, shown, photo.size, None, error=describe_error(exc))
    values = Image.fromarray(np.round(found.mask * 255).astype(np.uint8))
    if scale != 1.0:
        values = values.resize(edit_size, Image.Resampling.BILINEAR)
    return AutoMask(key, shown, photo.size, np.asarray(values), found.people)


class _AutoMaskSignals(QObject):
    # Lives on the GUI thread; emitted from the mask thread, so the slot runs queued on the GUI thread.
    done = Signal(object)


class MaskEditor(QWidget):
    """Brush / eraser / size, the photo with its mask, and a line saying what the mask is.

    Signals:
        changed(): the mask shown, or what is known about its photo (how many people), changed.
    """

    changed = Signal()

    def __init__(self, state: StudioState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.key: MaskKey | None = None
        self._source: tuple[Path, str] | None = None  # the shown key's photo file and name
        self.layers: dict[str, MaskLayer] = {}  # photo sha -> the mask painted on it
        self.layer_keys: dict[str, MaskKey] = {}  # ... and the automatic mask it started from
        self.photos: dict[str, QImage] = {}
        self.auto_masks: dict[MaskKey, AutoMask] = {}
        self.hint = ""  # an extra line from the panel (e.g. "the category does not say …")
        self._computing: set[MaskKey] = set()
        self._reset_wanted: MaskKey | None = None
        self._signals = _AutoMaskSignals(self)
        self._signals.done.connect(self._auto_mask_done)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        tools = QHBoxLayout()
        self.brush = QPushButton(objectName="toggle", checkable=True, checked=True)
        self.eraser = QPushButton(objectName="toggle", checkable=True)
        group = QButtonGroup(self)
        for button, tool in ((self.brush, MaskTool.BRUSH), (self.eraser, MaskTool.ERASER)):
            group.addButton(button)
            button.toggled.connect(lambda on, t=tool: on and self.painter.set_tool(t))
            tools.addWidget(button)
        self.size_label = QLabel(objectName="muted")
        tools.addWidget(self.size_label)
        self.size = QSlider(Qt.Orientation.Horizontal, minimum=2, maximum=120, value=24)
        self.size.setMinimumWidth(60)
        self.size.setMaximumWidth(140)
        self.size.valueChanged.connect(lambda v: self.painter.set_brush_size(v))
        tools.addWidget(self.size, 1)
        layout.addLayout(tools)
        self.painter = MaskPainter()
        self.painter.stroke_finished.connect(self._stroke_finished)
        layout.addWidget(self.painter, 1)
        # Whole-mask actions under the photo: beside the brush they pushed the size slider out at 1280 px.
        actions = QHBoxLayout()
        self.reset_button = QPushButton()
        self.reset_button.clicked.connect(self.reset_mask)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear_mask)
        actions.addWidget(self.reset_button)
        actions.addWidget(self.clear_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.status = QLabel(objectName="muted")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

    def t(self, key: str, **fmt: object) -> str:
        return self.state.tr.t(key, **fmt)

    # ---- what is shown ------------------------------------------------------------------------------
    def forget(self) -> None:
        """Drop every photo's mask (another product was opened)."""
        self.layers.clear()
        self.layer_keys.clear()
        self.photos.clear()
        self.auto_masks.clear()
        self._reset_wanted = None

    def show_key(self, key: MaskKey | None, source: tuple[Path, str] | None, *, compute: bool) -> None:
        """Show the mask for `key`: the one painted on its photo, its automatic one, or (when `compute`) find it.

        Args:
            key: (photo sha, garment type, person index); None: no photo (`empty` message).
            source: the photo's file in the asset store and the name messages give it.
            compute: start finding the automatic mask when it is not known (only while the tab is on screen).
        """
        self.key, self._source = key, source
        if key is None:
            self.painter.set_photo(None, None)
            self.painter.set_message(self.t("tryon.no_person_photo"))
        elif (layer := self.layers.get(key[0])) is not None and (
            self.layer_keys.get(key[0]) == key or (layer.painted() and layer.coverage() > 0)
        ):  # a mask someone painted stays when the garment type or person changes
            self._show_layer(key[0])
        elif (auto := self.auto_masks.get(key)) is not None:
            self._install(auto)
        else:
            self.painter.set_photo(None, None)
            self.painter.set_message(self.t("tryon.finding"))
            if compute:
                self._start(key)
        self.update_status()

    def people(self) -> int:
        """How many people the automatic mask found on the shown photo (0: not known)."""
        auto = self.auto_masks.get(self.key) if self.key else None
        return auto.people if auto is not None else 0

    def painted_png(self) -> bytes | None:
        """The shown mask as the PNG the try-on reads, when it was painted; None when it is the automatic one."""
        layer = self.layers.get(self.key[0]) if self.key else None
        return layer.png_bytes() if layer is not None and layer.painted() else None

    def update_status(self) -> None:
        """What the mask is: automatic (over how much), painted, or why there is no automatic one."""
        layer, auto = self.painter.layer, self.auto_masks.get(self.key) if self.key else None
        lines = []
        if auto is not None and auto.error:
            # The finder's reason without its advice for the command line ("… pass it with --mask"): here the
            # advice is the brush.
            lines.append(auto.error.split(";")[0])
        if layer is not None and layer.coverage() == 0:
            lines.append(self.t("tryon.paint_hint"))
        elif layer is not None:
            share = f"{layer.coverage():.0%}"
            lines.append(self.t("tryon.mask_painted" if layer.painted() else "tryon.mask_auto", share=share))
        if self.people() > 1:
            lines.append(self.t("tryon.several_people", n=self.people()))
        if self.hint:
            lines.append(self.hint)
        self.status.setText("\n".join(lines))
        self.changed.emit()

    # ---- the automatic mask -------------------------------------------------------------------------
    def _start(self, key: MaskKey) -> None:
        if key in self._computing or self._source is None:
            return
        self._computing.add(key)
        (path, name), signals = self._source, self._signals

        def work() -> None:
            result = compute_auto_mask(key, path, name)
            with contextlib.suppress(RuntimeError):  # the studio was closed while the mask was being found
                signals.done.emit(result)

        threading.Thread(target=work, name="vitrine-tryon-mask", daemon=True).start()

    def _auto_mask_done(self, auto: AutoMask) -> None:
        self._computing.discard(auto.key)
        self.auto_masks[auto.key] = auto
        if self._reset_wanted == auto.key:
            self._reset_wanted = None
            self._apply_reset(auto)
        elif auto.key == self.key:
            self.show_key(self.key, self._source, compute=False)

    def _install(self, auto: AutoMask) -> None:
        """Start painting on `auto` (an empty mask when none was found) for its photo."""
        if auto.photo is None:
            self.painter.set_photo(None, None)
            self.painter.set_message(auto.error)
            return
        sha = auto.key[0]
        values = auto.values
        if values is None:
            values = np.zeros((auto.photo.height(), auto.photo.width()), np.uint8)
        self.layers[sha] = MaskLayer(auto.photo_size, values, automatic=auto.values is not None)
        self.layer_keys[sha] = auto.key
        self.photos[sha] = auto.photo
        self._show_layer(sha)

    def _show_layer(self, sha: str) -> None:
        self.painter.set_photo(self.photos.get(sha), self.layers.get(sha))
        self.painter.set_message("")

    # ---- edits through the undo stack ---------------------------------------------------------------
    def _layer_changed(self, layer: MaskLayer) -> None:
        if layer is self.painter.layer:
            self.painter.update()
            self.update_status()

    def _push(self, label: str, edit: MaskEdit) -> None:
        self.state.undo_stack.push(MaskEditCommand(label, edit, self._layer_changed))

    def _stroke_finished(self, edit: MaskEdit) -> None:
        self._push(self.t("tryon.stroke_paint" if self.painter.tool is MaskTool.BRUSH else "tryon.stroke_erase"), edit)

    def reset_mask(self) -> None:
        """Back to the automatic mask (one undo step); found first when it is not known yet."""
        if self.key is None:
            return
        if (auto := self.auto_masks.get(self.key)) is not None:
            self._apply_reset(auto)
        else:
            self._reset_wanted = self.key
            self._start(self.key)

    def _apply_reset(self, auto: AutoMask) -> None:
        layer = self.layers.get(auto.key[0])
        if layer is None or auto.values is None or auto.values.shape != (layer.size.height(), layer.size.width()):
            self.show_key(self.key, self._source, compute=False)
            return
        self.layer_keys[auto.key[0]] = auto.key
        layer.automatic_values = auto.values.copy()
        self._push(self.t("tryon.reset"), replace_all(layer, auto.values))

    def clear_mask(self) -> None:
        """An empty mask to paint from (one undo step)."""
        layer = self.painter.layer
        if layer is not None:
            empty = np.zeros((layer.size.height(), layer.size.width()), np.uint8)
            self._push(self.t("tryon.clear"), replace_all(layer, empty))

    def retranslate(self) -> None:
        self.brush.setText(self.t("tryon.brush"))
        self.eraser.setText(self.t("tryon.eraser"))
        self.size_label.setText(self.t("tryon.size"))
        self.reset_button.setText(self.t("tryon.reset"))
        self.reset_button.setToolTip(self.t("tryon.reset_tip"))
        self.clear_button.setText(self.t("tryon.clear"))
        self.painter.setToolTip(self.t("tryon.mask_tip"))
