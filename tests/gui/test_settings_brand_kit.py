"""Settings page and a broken brand_kit.json: the same error the batch fails with, never a silent default."""

from __future__ import annotations

import pytest

from studio.project.brand_kit import BrandKitError, brand_kit_path, broken_copy_path, load_brand_kit

BROKEN = '{"name": "Acme", "banned_words": ["cheap"'


@pytest.fixture
def broken_page(window):
    folder = window.state.store.folder
    brand_kit_path(folder).write_text(BROKEN, encoding="utf-8")
    window.state.project_changed.emit()
    return window.show_page("settings")


def _save_settings_only(page):
    from generators.runtime.settings import get_settings, reload_settings

    try:
        page.save()
    finally:  # the settings file lives in the session's throwaway home: leave it as other tests expect
        get_settings().config_file.unlink(missing_ok=True)
        reload_settings()


def test_broken_kit_shows_the_loader_error_and_no_default(broken_page, window):
    with pytest.raises(BrandKitError) as caught:
        load_brand_kit(window.state.store.folder)
    assert broken_page.brand_error.isVisible()
    assert broken_page.brand_error.text().startswith(str(caught.value))
    assert all(editor.text() == "" for editor in broken_page.brand_inputs.values())  # not the shipped kit


def test_save_keeps_a_broken_kit_nobody_edited(broken_page, window):
    _save_settings_only(broken_page)
    assert brand_kit_path(window.state.store.folder).read_text(encoding="utf-8") == BROKEN
    assert broken_page.brand_error.isVisible()


def test_a_kit_filled_in_replaces_the_broken_file_which_is_kept(broken_page, window):
    folder = window.state.store.folder
    broken_page.brand_inputs["name"].setText("Acme")
    broken_page.brand_inputs["banned_words"].setText("cheap， miracle")
    _save_settings_only(broken_page)
    kit = load_brand_kit(folder)
    assert (kit.name, kit.banned_words) == ("Acme", ("cheap", "miracle"))
    assert broken_copy_path(folder).read_text(encoding="utf-8") == BROKEN
    assert str(broken_copy_path(folder)) in broken_page.brand_error.text()
    window.state.project_changed.emit()  # reopened: the saved kit loads cleanly
    assert not broken_page.brand_error.isVisible() and broken_page.brand_inputs["name"].text() == "Acme"
