"""Settings page: device, threads, model folder, default profile, UI language (live), brand kit editor.

The brand kit is read and saved by `studio.project.brand_kit` (the copy step's loader): a broken
`brand_kit.json` shows the same error the batch fails with, and Save never overwrites it unless the brand
kit was edited here (the broken file is then kept beside the new one).
"""

from __future__ import annotations

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
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from generators.words.presets import BrandKit
from studio.gui.i18n import Language
from studio.gui.pages import Page, PageSpec
from studio.gui.state import StudioState
from studio.gui.theme import DANGER

BRAND_FIELDS = (  # BrandKit field, label
    ("name", "Brand name"),
    ("voice_words", "Voice words"),
    ("banned_words", "Never use"),
    ("required_phrases", "Always include"),
)


def brand_kit_text(kit: BrandKit) -> dict[str, str]:
    """A brand kit as the form's text, lists joined by commas."""
    return {key: ", ".join(v) if isinstance(v := getattr(kit, key), tuple) else str(v) for key, _ in BRAND_FIELDS}


def brand_kit_from_text(values: dict[str, str]) -> BrandKit:
    """The form's text as a brand kit: lists split on commas (ASCII or Chinese)."""

    def words(key: str) -> tuple[str, ...]:
        return tuple(w.strip() for w in values.get(key, "").replace("，", ",").split(",") if w.strip())

    return BrandKit(
        name=values.get("name", "").strip() or "Custom",
        voice_words=words("voice_words"),
        banned_words=words("banned_words"),
        required_phrases=words("required_phrases"),
    )


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
        for name in ("auto", "cpu", "cuda"):
            self.device.addItem(name, name)  # shown names are set by retranslate; data is the setting
        self.device.setCurrentIndex(max(0, self.device.findData(s.device)))
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setValue(s.threads)
        self.profile = QComboBox()
        for name in ("auto", "tiny", "perf", "packaged", "standard"):
            self.profile.addItem(name, name)
        self.profile.setCurrentIndex(max(0, self.profile.findData(s.profile)))
        for combo in (self.device, self.profile):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
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
        brand_form = self.brand_form = QFormLayout()
        self.brand_inputs: dict[str, QLineEdit] = {}
        self._filling = self._brand_broken = self._brand_dirty = False
        for key, label in BRAND_FIELDS:
            editor = QLineEdit()
            editor.textChanged.connect(self._brand_edited)
            self.brand_inputs[key] = editor
            brand_form.addRow(label, editor)
        brand_layout.addLayout(brand_form)
        # The same BrandKitError the copy step fails with, while the project's file is broken.
        self.brand_error = QLabel(objectName="brandKitError", wordWrap=True)
        self.brand_error.setStyleSheet(f"color: {DANGER};")
        self.brand_error.hide()
        brand_layout.addWidget(self.brand_error)
        brand_layout.addStretch(1)
        # Below the general settings, not beside them: side by side at 1280 px, both forms' text fields
        # (the model folder's path, the brand's word lists) were cut to a few characters.
        grid.setVerticalSpacing(12)
        grid.addWidget(brand, 1, 0)
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
        from studio.project.brand_kit import BrandKitError, load_brand_kit

        folder = self.state.store.folder if self.state.store is not None else None
        self._brand_broken = False
        self._brand_dirty = False
        try:
            values = brand_kit_text(load_brand_kit(folder))
            self.brand_error.hide()
        except BrandKitError as exc:  # never the default in its place: Save would then overwrite the file
            self._brand_broken = True
            values = {}
            self.brand_error.setText(f"{exc}. Fix the file, or fill in the brand kit here and save to replace it.")
            self.brand_error.show()
        self._filling = True
        for key, editor in self.brand_inputs.items():
            editor.setText(values.get(key, ""))
        self._filling = False

    def _brand_edited(self, _text: str) -> None:
        if not self._filling:
            self._brand_dirty = True

    def brand_values(self) -> dict[str, str]:
        """The brand kit form's text, by BrandKit field."""
        return {k: e.text() for k, e in self.brand_inputs.items()}

    def _save_brand_kit(self) -> None:
        """Save the edited form into the open project. An untouched form writes nothing: the project keeps
        following its file (or the shipped kit), and a broken file stays for a person to fix."""
        from studio.project.brand_kit import BrandKitError, broken_copy_path, save_brand_kit

        if self.state.store is None or not self._brand_dirty:
            return
        folder = self.state.store.folder
        try:
            save_brand_kit(folder, brand_kit_from_text(self.brand_values()), replace_broken=True)
        except (BrandKitError, OSError) as exc:
            self.brand_error.setText(str(exc))
            self.brand_error.show()
            return
        if self._brand_broken:
            self.brand_error.setText(f"The unreadable brand kit was kept as '{broken_copy_path(folder)}'.")
        else:
            self.brand_error.hide()
        self._brand_broken = self._brand_dirty = False

    def save(self) -> Path:
        """Write the settings file (and the brand kit into the open project); returns the settings path."""
        from generators.runtime.settings import get_settings, save_settings

        new = get_settings().with_changes(
            device=self.device.currentData(),
            threads=self.threads.value(),
            profile=self.profile.currentData(),
            models_dir=Path(self.models_dir.text()).expanduser().resolve(),
            ui_language=self.state.tr.language.value,
        )
        path = save_settings(new)
        self._save_brand_kit()
        self.saved_label.setText(self.t("settings.saved", path=path))
        return path

    def retranslate(self) -> None:
        super().retranslate()
        self.general_title.setText(self.t("settings.general"))
        self.brand_title.setText(self.t("settings.brand_kit"))
        for key, label in self.labels.items():
            label.setText(self.t(f"settings.{key}"))
        for combo, group in ((self.device, "device"), (self.profile, "profile")):
            for i in range(combo.count()):
                combo.setItemText(i, self.state.tr.name(group, combo.itemData(i)))
        self.threads.setSpecialValueText(self.t("settings.all_cores"))
        # The language box follows the language however it was switched (menu, this box, a test).
        self.language.blockSignals(True)
        self.language.setCurrentIndex(max(0, self.language.findData(self.state.tr.language.value)))
        self.language.blockSignals(False)
        for key, editor in self.brand_inputs.items():
            label = self.brand_form.labelForField(editor)
            if isinstance(label, QLabel):
                label.setText(self.t(f"brand.{key}"))
            editor.setPlaceholderText(self.t("settings.comma_separated") if key != "name" else "")
        self.browse.setText(self.t("settings.browse"))
        self.save_button.setText(self.t("settings.save"))


PAGE = PageSpec("settings", "nav.settings", "⚙", SettingsPage)
