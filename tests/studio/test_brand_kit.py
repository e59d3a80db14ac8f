"""One brand kit loader: a broken project file is one BrandKitError, and the batch's copy step fails with it."""

from __future__ import annotations

import pytest

from generators.words.presets import BrandKit, default_brand_kit
from studio.project.brand_kit import (
    BrandKitError,
    brand_kit_path,
    broken_copy_path,
    load_brand_kit,
    read_brand_kit_file,
    save_brand_kit,
)


def test_a_project_without_a_file_follows_the_shipped_kit(tmp_path):
    assert load_brand_kit(tmp_path) == default_brand_kit() == load_brand_kit(None)


def test_saved_kit_reads_back(tmp_path):
    kit = BrandKit("Acme", ("honest",), ("cheap", "最便宜"), ("Made in Portugal",))
    path = save_brand_kit(tmp_path, kit)
    assert path == brand_kit_path(tmp_path) and load_brand_kit(tmp_path) == kit
    assert "最便宜" in path.read_text(encoding="utf-8")  # written as text, not \\u escapes


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"name": "A", "banned_words": ["cheap"', "not valid JSON (line 1, column"),
        ('["cheap"]', "must be a JSON object"),
        ('{"name": "A", "banned_word": ["cheap"]}', "unknown key 'banned_word'"),
        ('{"banned_words": [1, 2]}', "'banned_words' must be a list of words"),
        ('{"name": ["A"]}', "'name' must be text"),
    ],
)
def test_a_broken_file_says_which_file_and_what_is_wrong(tmp_path, content, problem):
    brand_kit_path(tmp_path).write_text(content, encoding="utf-8")
    with pytest.raises(BrandKitError) as caught:
        load_brand_kit(tmp_path)
    message = str(caught.value)
    assert str(brand_kit_path(tmp_path)) in message and problem in message


def test_bytes_that_are_not_utf8_and_a_missing_file_are_named(tmp_path):
    brand_kit_path(tmp_path).write_bytes('{"name": "品牌"}'.encode("gbk"))
    with pytest.raises(BrandKitError, match="not UTF-8"):
        load_brand_kit(tmp_path)
    with pytest.raises(BrandKitError, match="nope.json"):
        read_brand_kit_file(tmp_path / "nope.json")


def test_a_broken_file_is_never_overwritten_silently(tmp_path):
    path = brand_kit_path(tmp_path)
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(BrandKitError):
        save_brand_kit(tmp_path, BrandKit("New"))
    assert path.read_text(encoding="utf-8") == "{broken"
    save_brand_kit(tmp_path, BrandKit("New"), replace_broken=True)
    assert load_brand_kit(tmp_path).name == "New"
    assert broken_copy_path(tmp_path).read_text(encoding="utf-8") == "{broken"  # kept, not lost


def test_the_copy_step_fails_with_the_same_error(tmp_path):
    from studio.batch.context import StepOutput
    from studio.batch.recipe import Recipe, StepName
    from studio.batch.runner import BatchOptions, run_batch
    from studio.batch.synthetic import write_synthetic_catalog
    from studio.project.importer import import_catalog
    from studio.project.store import JobState, Store

    def skipped(_ctx: object) -> StepOutput:
        return StepOutput(JobState.SKIPPED, "not needed here")

    catalog = write_synthetic_catalog(tmp_path / "cat", 1, image_size=32)
    with Store.create(tmp_path / "p") as store:
        import_catalog(store, catalog)
        brand_kit_path(store.folder).write_text('{"name": "A", "banned_words": "cheap",}', encoding="utf-8")
        with pytest.raises(BrandKitError) as caught:
            load_brand_kit(store.folder)
        steps = {StepName.CAPTION: skipped, StepName.ATTRIBUTES: skipped}
        result = run_batch(store, BatchOptions(Recipe.COPY, profile="tiny", step_functions=steps))
        assert [(f.step, f.message) for f in result.failures] == [("copy", str(caught.value))]
        assert store.job(store.products()[0].id, "copy").state is JobState.FAILED
