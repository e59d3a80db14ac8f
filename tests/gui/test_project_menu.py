"""File → New project: an empty project in a folder a person picks; exports default to the project's folder."""

from __future__ import annotations

from pathlib import Path


def test_new_project_opens_an_empty_project_and_exports_go_inside_it(window, tmp_path):
    from studio.batch.synthetic import write_synthetic_catalog
    from studio.project.importer import import_catalog

    import_catalog(window.state.store, write_synthetic_catalog(tmp_path / "cat", 1, image_size=32))
    folder = tmp_path / "new project"
    assert window.new_project(folder)
    assert window.state.store.folder == folder.resolve() and window.state.store.products() == []
    assert "new project" in window.project_label.text()
    batch = window.pages["batch"]
    assert Path(batch.out_dir.text()) == folder.resolve() / "exports"
    assert window.pages["catalog"].stack.currentWidget() is window.pages["catalog"].empty


def test_new_project_refuses_a_folder_with_files(window, tmp_path):
    before = window.state.store.folder
    busy = tmp_path / "photos"
    busy.mkdir()
    (busy / "keep.jpg").write_bytes(b"not a project")
    assert not window.new_project(busy)
    assert window.state.store.folder == before and (busy / "keep.jpg").read_bytes() == b"not a project"
    assert "not empty" in window.statusBar().currentMessage()


def test_a_chosen_export_folder_survives_switching_projects(window, tmp_path):
    batch = window.pages["batch"]
    chosen = str(tmp_path / "my exports")
    batch.out_dir.setText(chosen)
    batch.out_dir.textEdited.emit(chosen)  # as typing does
    window.new_project(tmp_path / "other")
    assert batch.out_dir.text() == chosen
