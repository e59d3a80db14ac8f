"""`vitrine gui`: a catalog file instead of a project folder, and missing X11 libraries, are clear errors."""

from __future__ import annotations

import sys

import pytest

from generators.runtime.errors import VitrineError
from studio.cli import main
from studio.cli.gui_cmd import XCB_LIBRARIES, check_display, missing_xcb_packages


def test_gui_on_a_csv_says_it_is_a_file_not_a_project(tmp_path, capsys):
    catalog = tmp_path / "some.csv"
    catalog.write_text("sku,title\nA,Tee\n", encoding="utf-8")
    assert main(["gui", str(catalog)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a project folder" in err and "Import CSV" in err
    assert "Traceback" not in err and "FileExistsError" not in err
    assert catalog.read_text(encoding="utf-8").startswith("sku,title")  # untouched
    missing = tmp_path / "missing.csv"
    assert main(["gui", str(missing)]) == 2  # a catalog's name never becomes a project folder
    assert "not a project folder" in capsys.readouterr().err and not missing.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb check is for Linux X11 only")
def test_missing_xcb_libraries_are_named_as_packages():
    absent = {"libxcb-cursor.so.0", "libxcb-keysyms.so.1"}
    loads = lambda soname: soname not in absent  # noqa: E731
    assert missing_xcb_packages(loads) == ["libxcb-cursor0", "libxcb-keysyms1"]
    with pytest.raises(VitrineError) as info:
        check_display({"DISPLAY": ":0"}, loads)
    assert "apt-get install libxcb-cursor0 libxcb-keysyms1" in str(info.value)
    check_display({"DISPLAY": ":0"}, lambda _s: True)  # everything there: the studio starts
    check_display({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, loads)  # not X11: not needed
    check_display({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, loads)  # Wayland session


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is for Linux only")
def test_no_display_is_refused_before_qt():
    with pytest.raises(VitrineError, match="no display"):
        check_display({}, lambda _s: True)


def test_readme_lists_the_xcb_packages():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for package in list(XCB_LIBRARIES.values())[:3]:
        assert package in readme
