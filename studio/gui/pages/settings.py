"""Settings page: device, threads, model folder, default profile, UI language (live), brand kit editor.

The brand kit is saved as `brand_kit.json` in the open project, in the format of `assets/presets/brand_kit.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from studio.gui.i18n import Language
from studio.gui.pages import Page, PageSpec
from studio.gui.state import StudioState

BRAND_KIT_FILE = "brand_kit.json"  # inside the project folder
BRAND_FIELDS = (  # key (as in assets/presets/brand_kit.json), label
    ("name", "Brand name"),
    ("voice_words", "Voice words"),
    ("banned_words", "Never use"),
    ("required_phrases", "Always include"),
)


def read_brand_kit(project: Path | None) -> dict[str, str]:
    """The project's brand kit (else the shipped default) as editable text, lists joined by commas."""
    data: dict = {}
    if project is not None:
        try:
            data = json.loads((project / BRAND_KIT_FILE).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            data = {}
    if not data:
        try:
            from generators.words.presets import read_asset_json

            data = read_asset_json("brand_kit.json")
        except (ImportError, OSError, json.JSONDecodeError):
            data = {}
    return {k: ", ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in data.items()}


def write_brand_kit(project: Path, values: dict[str, str]) -> Path:
    """Save the brand kit into the project folder (atomically), lists split on commas."""
    from studio.atomic_files import atomic_write_text

    data: dict[str, object] = {"name": values.get("name", "").strip() or "Custom"}
    for key, _label in BRAND_FIELDS[1:]:
        data[key] = [w.strip() for w in values.get(key, "").replace("，", ",").split(",") if w.strip()]
    return atomic_write_text(project / BRAND_KIT_FILE, json.dumps(data, ensure_ascii=False, indent=1))


class SettingsPage(Page):
    """Edits the settings file (applied to new jobs) and the open project's brand kit."""

    title_key = "nav.settings"

    def __init__(self, state: StudioState) -> None:
        super().__init__(state)
        from generators.runtime.settings import get_settings

        s = get_settings()
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        general = QFrame(objectName="panel")
        form = QFormLayout(general)
        form.setContentsMargins(16, 14, 16, 14)
        self.general_title = QLabel(objectName="sectionTitle")
        form.addRow(self.general_title)
        self.device = QComboBox()
        self.device.addItems(["auto", "cpu", "cuda"])
        self.device.setCurrentText(s.device)
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setValue(s.threads)
        self.threads.setSpecialValueText("all cores")
        self.profile = QComboBox()
        self.profile.addItems(["auto", "tiny", "perf", "packaged", "standard"])
        self.profile.setCurrentText(s.profile)
        self.models_dir = QLineEdit(str(s.models_dir))
        self.browse = QPushButton()
        self.browse.clicked.connect(self._browse)
        models_row = QHBoxLayout()
        models_row.addWidget(self.models_dir, 1)
        models_row.addWidget(self.browse)
        self.language = QComboBox()
        self.language.addItem("English", Language.EN.value)
        self.language.addItem("中文", Language.ZH.value)
        self.language.setCurrentIndex(0 if state.tr.language is Language.EN else 1)
        self.language.currentIndexChanged.connect(lambda _i: state.tr.set_language(self.language.currentData()))
        self.labels = {k: QLabel() for k in ("device", "threads", "profile", "models_dir", "language")}
        form.addRow(self.labels["device"], self.device)
        form.addRow(self.labels["threads"], self.threads)
        form.addRow(self.labels["profile"], self.profile)
        form.addRow(self.labels["models_dir"], models_row)
        form.addRow(self.labels["language"], self.language)
        grid.addWidget(general, 0, 0)

        brand = QFrame(objectName="panel")
        brand_layout = QVBoxLayout(brand)
        brand_layout.setContentsMargins(16, 14, 16, 14)
        self.brand_title = QLabel(objectName="sectionTitle")
        brand_layout.addWidget(self.brand_title)
        brand_form = QFormLayout()
        self.brand_inputs: dict[str, QLineEdit] = {}
        for key, label in BRAND_FIELDS:
            editor = QLineEdit()
            editor.setPlaceholderText("comma-separated" if key != "name" else "")
            self.brand_inputs[key] = editor
            brand_form.addRow(label, editor)
        brand_layout.addLayout(brand_form)
        brand_layout.addStretch(1)
        grid.addWidget(brand, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.layout_.addLayout(grid)

        buttons = QHBoxLayout()
        self.saved_label = QLabel(objectName="hint")
        buttons.addWidget(self.saved_label, 1)
        self.save_button = QPushButton(objectName="primary")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        self.layout_.addLayout(buttons)
        self.layout_.addStretch(1)
        state.project_changed.connect(self._load_brand_kit)
        self._load_brand_kit()
        self.retranslate()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.t("settings.models_dir"), self.models_dir.text())
        if folder:
            self.models_dir.setText(folder)

    def _load_brand_kit(self) -> None:
        values = read_brand_kit(self.state.store.folder if self.state.store is not None else None)
        for key, editor in self.brand_inputs.items():
            editor.setText(values.get(key, ""))

    def brand_values(self) -> dict[str, str]:
        return {
            k: (e.toPlainText() if isinstance(e, QPlainTextEdit) else e.text()) for k, e in self.brand_inputs.items()
        }

    def save(self) -> Path:
        """Write the settings file (and the brand kit into the open project); returns the settings path."""
        from generators.runtime.settings import get_settings, save_settings

        new = get_settings().with_changes(
            device=self.device.currentText(),
            threads=self.threads.value(),
            profile=self.profile.currentText(),
            models_dir=Path(self.models_dir.text()).expanduser().resolve(),
            ui_language=self.state.tr.language.value,
        )
        path = save_settings(new)
        if self.state.store is not None:
            write_brand_kit(self.state.store.folder, self.brand_values())
        self.saved_label.setText(self.t("settings.saved", path=path))
        return path

    def retranslate(self) -> None:
        super().retranslate()
        self.general_title.setText(self.t("settings.general"))
        self.brand_title.setText(self.t("settings.brand_kit"))
        for key, label in self.labels.items():
            label.setText(self.t(f"settings.{key}") if key != "profile" else "Model profile")
        self.browse.setText(self.t("settings.browse"))
        self.save_button.setText(self.t("settings.save"))


PAGE = PageSpec("settings", "nav.settings", "⚙", SettingsPage)
