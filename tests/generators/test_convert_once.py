"""One-time model conversions: announced on stderr, published whole or not at all."""

from __future__ import annotations

import pytest

from generators.runtime.models.copywriter import convert_once


def _write(out):
    out.mkdir()
    (out / "weights.bin").write_text("w")


def test_a_conversion_announces_start_and_end_and_publishes_one_complete_folder(tmp_path, capsys):
    folder = convert_once(tmp_path / "model", _write, '{"from": "x"}', "the test model")
    err = capsys.readouterr().err
    assert "Converting the test model once" in err and "Converted the test model in" in err
    assert (folder / "weights.bin").read_text() == "w" and (folder / ".vitrine-complete.json").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temp folder left behind


def test_a_failed_conversion_leaves_nothing_and_does_not_claim_success(tmp_path, capsys):
    def broken(out):
        out.mkdir()
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        convert_once(tmp_path / "model", broken, "{}", "the test model")
    assert "Converted" not in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
