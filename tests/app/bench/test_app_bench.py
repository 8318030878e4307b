"""Tests for `python -m app.bench`: G1 and G2 in smoke form report their fields; bad input exits 2.

No test here asserts a time: benchmarks are not tests.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from app.bench import cli as bench


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code = bench.main(["--json", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


@pytest.mark.slow
def test_g1_smoke_reports_fps_and_latency_percentiles(
    qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    """G1 for 1 s on the default live lesson: frames drawn per second and p95 latency."""
    report = run_json(capsys, "--only", "G1", "--seconds", "1")
    assert {"date", "cpu_model", "qt", "pyside6", "pyqtgraph", "qt_platform"} <= set(
        report["machine"]
    )
    (row,) = report["results"]
    assert row["status"] == "ok" and row["lesson"] == bench.default_lesson() == "playground"
    assert row["lesson_live"] is True and row["seconds"] > 0
    assert row["fps"] == row["frames_drawn"] / row["seconds"]
    assert 0 <= row["frames_drawn"] <= row["frames_applied"]
    assert row["stage_repaint_passes"] >= row["frames_drawn"]
    latency = row["latency_ms"]
    assert latency["samples"] > 0
    assert 0 <= latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    assert isinstance(row["met"], bool) and row["target"]
    text = bench.table(report)
    assert "fps drawn" in text and "latency p95" in text and "G2" not in text


@pytest.mark.slow
def test_g2_smoke_with_one_run_compares_with_the_bare_window(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """G2 with --runs 1: one start of each window in a fresh process, and their ratio."""
    report = run_json(capsys, "--only", "G2", "--runs", "1")
    (row,) = report["results"]
    assert row["status"] == "ok" and row["runs"] == 1
    assert len(row["app_runs_s"]) == len(row["bare_runs_s"]) == 1
    assert row["app_s"] > 0 and row["bare_s"] > 0
    assert row["ratio"] == row["app_s"] / row["bare_s"]
    assert "start to first painted window" in bench.table(report)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "G3"], "unknown benchmark id"),
        (["--seconds", "0"], "--seconds"),
        (["--seconds", "ten"], "--seconds"),
        (["--runs", "0"], "--runs"),
        (["--lesson", "no_such_lesson"], "unknown lesson"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """Bad ids, numbers and lessons: one line on stderr, exit status 2, nothing run."""
    assert bench.main(args) == bench.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and message in err
