"""The command line on far steps and unusable devices.

A far step of a live lesson shows its progress on stderr and Ctrl-C stops it: one line, exit
code 130, no traceback, no file.  ``DEEPSTEP_DEVICE`` naming a device that cannot be used is
one line and exit code 2 for every command that computes, never a traceback or an exit-0 file
holding an error page.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.main import main
from app.output import headless
from engine.core import backend
from lessons.core import runner
from lessons.core.runner import LessonRun
from lessons.registry import find

ROOT = Path(__file__).resolve().parents[3]


def _interrupt_soon(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def test_ctrl_c_stops_a_far_step_with_one_line_and_exit_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "PROGRESS_INTERVAL", 0.05)
    monkeypatch.setattr(headless, "PROGRESS_EVERY_S", 0.0)
    before = signal.getsignal(signal.SIGINT)  # default_int_handler; SIG_IGN in a background job
    shown = headless.ProgressLine.__call__
    timers: list[threading.Timer] = []

    def progress(line: headless.ProgressLine, done: int, target: int) -> None:
        shown(line, done, target)
        if line.shown and not timers:  # Ctrl-C once the first progress line is out, however
            timers.append(_interrupt_soon(0.2))  # long the start took on a loaded machine

    monkeypatch.setattr(headless.ProgressLine, "__call__", progress)

    def job(_request: object) -> int:
        LessonRun(find("playground")).goto(99_999_999)  # step 100,000,000
        return 0

    try:
        code = headless.interruptible(job, None)  # type: ignore[arg-type]
    finally:
        for timer in timers:
            timer.cancel()
    assert code == headless.EXIT_INTERRUPTED
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("deepstep: interrupted at step ") and "of 100,000,000" in err[-1]
    progress = err[:-1]
    assert progress and all(line.startswith("deepstep: computing step ") for line in progress)
    assert "Ctrl-C stops" in progress[-1]
    assert signal.getsignal(signal.SIGINT) is before  # put back as it was


def test_a_far_screenshot_step_is_interrupted_in_the_window_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], qapp: object
) -> None:
    """Through the non-threaded window's player: Ctrl-C, 130, nothing written."""
    out = tmp_path / "far.png"
    timer = _interrupt_soon(2.0)
    try:
        code = main(["--lesson", "playground", "--step", "100000000", "--screenshot", str(out)])
    finally:
        timer.cancel()
    assert code == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("deepstep: interrupted")
    assert not any("Traceback" in line for line in err)
    assert not out.exists()


@pytest.mark.slow
def test_the_deepstep_command_shows_progress_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """The real command in its own process: a progress line, then SIGINT: exit code 130."""
    out = tmp_path / "x.png"
    command = [sys.executable, "-m", "app", "--lesson", "playground", "--step", "100000000"]
    with subprocess.Popen(
        [*command, "--screenshot", str(out)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    ) as process:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert first.startswith("deepstep: computing step "), first
        process.send_signal(signal.SIGINT)
        rest = process.stderr.read()
        assert process.wait(timeout=60) == 130
    assert "deepstep: interrupted at step" in rest and "Traceback" not in rest
    assert not out.exists()


@pytest.fixture
def fresh_device(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    previous = backend.current()
    monkeypatch.setattr(backend, "_current", None)
    yield
    backend.use(previous)


@pytest.mark.parametrize("name", ["gpu", "bogus"])
@pytest.mark.parametrize(
    "args",
    [
        ["--lesson", "softmax", "--screenshot", "{tmp}/a.png"],
        ["--lesson", "softmax", "--screenshot", "{tmp}/a.png", "--presentation"],
        ["--lesson", "softmax", "--export-pdf", "{tmp}/a.pdf"],
        ["--lesson", "playground", "--export-data", "{tmp}/a.json"],
        ["--list", "--json"],
    ],
    ids=["screenshot", "presentation", "pdf", "data", "list"],
)
def test_an_unusable_device_in_the_environment_is_one_line_and_exit_2(
    name: str,
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fresh_device: None,
) -> None:
    if name == "gpu" and "gpu" in backend.available_devices():
        pytest.skip("a GPU is usable here")
    monkeypatch.setenv(backend.ENV_VAR, name)
    assert main([a.replace("{tmp}", str(tmp_path)) for a in args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"deepstep: error: DEEPSTEP_DEVICE={name}: ")
    assert not list(tmp_path.iterdir())  # no file holding an error page


def test_device_cpu_overrides_an_unusable_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_device: None, qapp: object
) -> None:
    monkeypatch.setenv(backend.ENV_VAR, "bogus")
    out = tmp_path / "a.json"
    assert main(["--lesson", "softmax", "--device", "cpu", "--export-data", str(out)]) == 0
    assert out.exists()
