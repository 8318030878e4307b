"""`python -m app.soak`: a short soak over two lessons reports its figures and every message;
the collector catches each channel; errors decide the exit status; bad arguments exit 2.

No test asserts a time or a memory figure: a soak reports them, the note judges them.
"""

from __future__ import annotations

import json
import logging
import random
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer, qCritical, qWarning
from PySide6.QtWidgets import QApplication

from app.soak import cli
from app.soak import soak as soak_module
from app.soak.capture import Messages
from app.soak.soak import (
    default_lesson_seconds,
    lesson_ids,
    peak_rss_bytes,
    rss_bytes,
    slider_value,
)
from lessons.core.controls import Slider

LESSONS = "softmax,playground"  # one finite, one live lesson; both cheap
PLANTED = "planted soak warning"
PLANTED_QT = "planted Qt warning"


def test_a_short_soak_reports_figures_and_catches_a_planted_warning(
    qapp: QApplication, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """12 s over two lessons through the command line: both lessons ran with frame rate and
    latency figures, RSS at start/peak/end, and the warnings planted during the run are listed
    with the lesson they came under; nothing logged an error, so the exit status is 0."""
    report_path = tmp_path / "soak.json"
    # planted while the soak runs its event loop: a Python warning and a Qt warning
    QTimer.singleShot(1500, lambda: warnings.warn(PLANTED, UserWarning, stacklevel=1))
    QTimer.singleShot(2000, lambda: qWarning(PLANTED_QT))
    code = cli.main(
        ["--minutes", "0.2", "--lessons", LESSONS, "--seed", "3", "--report", str(report_path)]
    )
    out, _err = capsys.readouterr()
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    errors = [m for m in report["messages"] if m["level"] in ("ERROR", "CRITICAL")]
    assert code == 0 and report["ok"] and report["errors"] == 0, errors

    objects = report["objects"]
    assert objects["after_first_pass"]["qt_objects"] > 0 and objects["final"]["python_objects"]
    assert set(objects["growth_after_first_pass"]) >= {"qt_wrappers_of_deleted", "types"}
    assert "Objects since the first pass" in out
    assert report["lessons"] == ["softmax", "playground"] and report["seed"] == 3
    assert report["slots_run"] >= 2 and report["passes_completed"] >= 1
    assert set(report["per_lesson"]) == {"softmax", "playground"}
    for slot in report["slots"]:
        assert slot["seconds"] > 0 and slot["fps"] >= 0 and slot["first_step_s"] is not None
        latency = slot["latency_ms"]
        assert latency["samples"] > 0
        assert 0 <= latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
        assert sum(slot["actions"].values()) > 0
    rss = report["rss_mb"]
    assert 0 < rss["start"] <= rss["peak"] and 0 < rss["final"] <= rss["peak"]
    assert rss["after_first_pass"] is not None and rss["samples"]
    assert report["worst_p95"]["lesson"] in ("softmax", "playground")

    planted = [m for m in report["messages"] if m["text"] == PLANTED]
    assert len(planted) == 1, report["messages"]
    assert planted[0]["level"] == "WARNING" and planted[0]["source"] == "warning:UserWarning"
    # attributed to the lesson on screen (softmax, unless a loaded machine was slow to start)
    assert planted[0]["count"] == 1 and set(planted[0]["lessons"]) <= {"softmax", "playground"}
    qt = [m for m in report["messages"] if m["text"] == PLANTED_QT]
    assert len(qt) == 1 and qt[0]["source"] == "qt" and qt[0]["level"] == "WARNING"
    assert report["warnings"] >= 2

    assert "RSS: start" in out and "worst p95 latency" in out and PLANTED in out
    assert "softmax" in out and "playground" in out


def test_an_error_logged_during_the_soak_makes_the_exit_status_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exit status says whether anything was logged at error level (the soak stubbed)."""
    seen: dict[str, Any] = {}

    def fake_soak(seconds: float, **kwargs: Any) -> dict[str, Any]:
        seen.update(kwargs, seconds=seconds)
        with Messages() as messages:
            logging.getLogger("app.shell.player").error("planted error")
        return _report(messages, kwargs.get("seed", 0))

    monkeypatch.setattr(soak_module, "run_soak", fake_soak)
    report_path = tmp_path / "r.json"
    code = cli.main(["--minutes", "2", "--seed", "9", "--report", str(report_path)])
    assert code == cli.EXIT_ERRORS
    assert seen["seconds"] == 120.0 and seen["seed"] == 9 and seen["lessons"] == lesson_ids()
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["errors"] == 1 and not report["ok"]
    assert "[ERROR] x1 logging:app.shell.player: planted error" in capsys.readouterr().out


def _report(messages: Messages, seed: int) -> dict[str, Any]:
    return {
        "seed": seed,
        "seconds": 1.0,
        "lesson_seconds": 1.0,
        "lessons": ["softmax"],
        "slots_run": 0,
        "passes_completed": 0,
        "environment": {
            "qt": "6",
            "qt_platform": "offscreen",
            "cores": 2,
            "load_average_at_start": [],
        },
        "rss_mb": {
            "start": 1.0,
            "after_first_pass": None,
            "peak": 1.0,
            "final": 1.0,
            "growth_after_first_pass_pct": None,
            "at_minutes": {},
        },
        "worst_p95": None,
        "per_lesson": {},
        "slots": [],
        "warnings": messages.warnings,
        "errors": messages.errors,
        "messages": [m.as_dict() for m in messages.items()],
        "ok": messages.errors == 0,
    }


def test_messages_collects_every_channel_and_restores_them(qapp: QApplication) -> None:
    """Log records, Python warnings, Qt warnings and criticals, uncaught exceptions in slots
    and threads: each is kept once with its count and lesson; on leaving, all is put back."""
    hooks = (sys.excepthook, threading.excepthook, sys.unraisablehook)
    with Messages() as messages:
        messages.lesson = "softmax"
        for _ in range(3):
            warnings.warn("again and again", RuntimeWarning, stacklevel=1)
        logging.getLogger("lessons.core.runner").warning("a lesson warned")
        messages.lesson = "playground"
        logging.getLogger("lessons.core.runner").error("a lesson failed")
        logging.getLogger("quiet").info("not kept")
        qWarning("qt says careful")
        qCritical("qt says broken")
        try:
            raise ValueError("boom")
        except ValueError as err:
            sys.excepthook(type(err), err, err.__traceback__)
        thread = threading.Thread(target=lambda: 1 / 0, name="worker")
        thread.start()
        thread.join()
    assert (sys.excepthook, threading.excepthook, sys.unraisablehook) == hooks
    found = {(m.source, m.text.splitlines()[0]): m for m in messages.items()}
    repeated = found[("warning:RuntimeWarning", "again and again")]
    assert repeated.count == 3 and repeated.lessons == ["softmax"]
    assert found[("logging:lessons.core.runner", "a lesson warned")].level == logging.WARNING
    failed = found[("logging:lessons.core.runner", "a lesson failed")]
    assert failed.level == logging.ERROR and failed.lessons == ["playground"]
    assert found[("qt", "qt says careful")].level == logging.WARNING
    assert found[("qt", "qt says broken")].level == logging.ERROR
    assert any(s == "exception" and "ValueError: boom" in m.text for (s, _), m in found.items())
    assert any(s.startswith("exception:thread worker") for s, _ in found)
    assert not any(text == "not kept" for _, text in found)
    assert messages.warnings == 5 and messages.errors == 4
    assert messages.items()[0].level == logging.ERROR  # most severe first
    with pytest.raises(UserWarning):  # the suite's filter (error) is back
        warnings.warn("outside", UserWarning, stacklevel=1)


def test_slider_values_cover_the_range_boundaries_and_decades() -> None:
    """Slider values drawn by the learner are in range, boundaries and log spacing included."""
    spec = Slider("rate", "Rate", 0.001, 10.0, default=0.1, log=True)
    rng = random.Random(1)
    values = [slider_value(spec, rng) for _ in range(400)]
    assert all(spec.minimum <= v <= spec.maximum for v in values)
    assert spec.minimum in values and spec.maximum in values
    assert sum(v < 0.01 for v in values) > 40  # log-uniform: the low decades are visited


def test_rss_and_slot_defaults() -> None:
    assert 0 < rss_bytes() <= peak_rss_bytes()
    assert default_lesson_seconds(180, 18) == 10.0
    assert default_lesson_seconds(1800, 18) == 20.0 and default_lesson_seconds(20, 2) == 10.0
    assert default_lesson_seconds(10, 18) == 5.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--minutes", "0"], "--minutes"),
        (["--minutes", "nan"], "--minutes"),
        (["--minutes", "soon"], "--minutes"),
        (["--seed", "-1"], "--seed"),
        (["--lessons", "softmax,nope"], "unknown lesson"),
        (["--lessons", "softmax,"], "empty id"),
        (["--lesson-seconds", "0"], "--lesson-seconds"),
        (["--report", "/no/such/folder/r.json"], "does not exist"),
        (["--report", "."], "is a folder"),
        (["--report", ""], "needs a file name"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """Nothing is run: one line on stderr, exit status 2."""
    assert cli.main(args) == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and message in err
