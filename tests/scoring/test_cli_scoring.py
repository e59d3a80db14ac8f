"""Tier 2: `vitrine score` and `vitrine rank` with the tiny CLIP."""

from __future__ import annotations

import json
import shutil

from studio.cli import main


def test_score_prints_a_table_and_labels_placeholders(image_dir, capsys):
    files = [str(p) for p in sorted(image_dir.iterdir())[:2]]
    assert main(["score", *files, "--text", "a red shirt", "--profile", "tiny"]) == 0
    out, err = capsys.readouterr()
    assert "PLACEHOLDER MODEL (random weights): scores are meaningless" in err
    assert "CLIPScore" in out and "cand0.png" in out


def test_score_json_and_bad_file(image_dir, tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_text("nope")
    rc = main(["score", str(sorted(image_dir.iterdir())[0]), str(bad), "-t", "x", "--profile", "tiny", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 1 and data["placeholder"] is True
    assert data["rows"][0]["clip_score"] >= 0 and "bad.png" in data["rows"][1]["error"]


def test_rank_folder_with_reasons(image_dir, tmp_path, capsys):
    folder = tmp_path / "cands"
    shutil.copytree(image_dir, folder)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff")
    rc = main(["rank", str(folder), "--prompt", "a red shirt", "--profile", "tiny", "--duplicate", "1.01", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and data["notice"].startswith("PLACEHOLDER")
    statuses = [it["status"] for it in data["items"]]
    assert statuses.count("shown") == 6 and statuses[-1] == "failed"
    assert all(it["reason"] for it in data["items"]) and data["items"][0]["position"] == 1
    assert main(["rank", str(folder), "--profile", "tiny"]) == 2  # nothing to compare with: clear error
    assert "needs a prompt" in capsys.readouterr().err


def test_rank_each_prompt_prints_one_ranking_per_prompt(image_dir, capsys):
    args = ["rank", str(image_dir), "-p", "a red shirt", "-p", "blue jeans", "--profile", "tiny", "--each"]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["texts"] for r in data["rankings"]] == [["a red shirt"], ["blue jeans"]]
    assert all(len(r["items"]) == 6 for r in data["rankings"])
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "prompt: a red shirt" in out and "prompt: blue jeans" in out
    assert main(["rank", str(image_dir), "--profile", "tiny", "--each"]) == 2
    assert "give at least one" in capsys.readouterr().err


def test_chinese_text_on_an_english_only_clip_is_warned_about(image_dir, capsys):
    image = str(sorted(image_dir.iterdir())[0])
    assert main(["score", image, "-t", "红色T恤", "--profile", "tiny", "--json"]) == 0
    assert "reads English only" in json.loads(capsys.readouterr().out)["warnings"][0]
    assert main(["rank", str(image_dir), "-p", "冲浪板", "--profile", "tiny"]) == 0  # no vocabulary knows it
    assert "warning: vitrine-tiny/clip reads English only" in capsys.readouterr().err
    assert main(["rank", str(image_dir), "-p", "红色T恤", "--profile", "tiny", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["texts"] == ["red t-shirt"] and "ranked against 'red t-shirt'" in err
    assert main(["score", image, "-t", "a red t-shirt", "--profile", "tiny", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []
