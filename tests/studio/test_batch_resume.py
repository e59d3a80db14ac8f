"""A batch killed with SIGKILL mid-run and resumed ends exactly like an uninterrupted one."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from studio.batch.recipe import Recipe, step_availability
from studio.batch.runner import temp_files_under
from studio.batch.synthetic import write_synthetic_catalog

REPO = Path(__file__).resolve().parents[2]
N = 20


def batch_cmd(catalog: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "studio",
        "batch",
        str(catalog),
        "--recipe",
        "images",
        "--out",
        str(out),
        "--quiet",
        "--platform",
        "generic",
    ]


def done_jobs(db: Path) -> int:
    if not db.is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            # Finished jobs of every step (a product may have nothing to pair: skipped is finished too).
            return conn.execute("SELECT COUNT(*) FROM jobs WHERE state IN ('done', 'skipped')").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0


def outputs(out: Path) -> dict:
    """Everything a batch leaves behind, minus paths and timings: candidates, asset files, the summary."""
    project = out.with_name(out.name + ".project")
    db = project / "project.sqlite"
    with sqlite3.connect(db) as conn:
        cands = conn.execute(
            "SELECT p.sku, c.kind, c.rank, c.file_sha, c.text, c.state FROM candidates c"
            " JOIN products p ON p.id = c.product_id ORDER BY p.sku, c.kind, c.rank"
        ).fetchall()
        jobs = conn.execute(
            "SELECT p.sku, j.step, j.state FROM jobs j JOIN products p ON p.id = j.product_id ORDER BY p.sku, j.step"
        ).fetchall()
    assets = sorted(p.name for p in (project / "assets").rglob("*") if p.is_file())
    summary = json.loads((out / "batch_summary.json").read_text())
    for key in ("project", "catalog"):
        summary.pop(key)
    summary["export"].pop("report_html")
    package = {}
    for p in sorted(out.rglob("*")):
        if p.is_file() and p.name != "batch_summary.json":
            data = p.read_bytes()
            if p.suffix in (".html", ".json", ".md"):  # reports and manifests state when they were made
                data = re.sub(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\+00:00| UTC)?", b"<time>", data)
            package[p.relative_to(out).as_posix()] = hashlib.sha256(data).hexdigest()
    return {"candidates": cands, "jobs": jobs, "assets": assets, "summary": summary, "package": package}


def test_kill_9_then_resume_matches_uninterrupted_run(tmp_path):
    catalog = write_synthetic_catalog(tmp_path / "catalog", N, image_size=1600)
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    straight = tmp_path / "straight"
    subprocess.run(batch_cmd(catalog, straight), check=True, env=env, capture_output=True, cwd=REPO)

    interrupted = tmp_path / "interrupted"
    db = tmp_path / "interrupted.project" / "project.sqlite"
    proc = subprocess.Popen(
        batch_cmd(catalog, interrupted), env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while done_jobs(db) < 4 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)  # polling the database, not waiting for time to pass
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done_at_kill = done_jobs(db)
    runnable = sum(step_availability(s).available for s in Recipe.IMAGES.steps)
    assert 4 <= done_at_kill < N * runnable, "the kill must land mid-run"

    resumed = subprocess.run(
        batch_cmd(catalog, interrupted), check=True, env=env, capture_output=True, text=True, cwd=REPO
    )
    assert f"{done_at_kill} already done" in resumed.stdout

    with sqlite3.connect(db) as conn:
        attempts = conn.execute("SELECT SUM(attempts), MAX(attempts) FROM jobs WHERE step='ingest'").fetchone()
    assert attempts[1] <= 2 and attempts[0] <= N + 1  # nothing finished was redone; at most the one in flight

    expected = outputs(straight)
    assert "report.html" in expected["package"] and expected["summary"]["export"]["state"] == "done"
    assert outputs(interrupted) == expected
    leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith(".") or p.name.endswith((".tmp", ".partial"))]
    assert temp_files_under(tmp_path) == [] and leftovers == []
