"""`python -m app.bench`: the GUI figures of BENCHMARKS.md, G1 (live training) and G2 (start-up).

    python -m app.bench                          G1 for 10 s, then G2 (5 starts of each window)
    python -m app.bench --json                   the same as JSON, with machine and versions
    python -m app.bench --only G1 --seconds 3 --lesson gradient_descent
    python -m app.bench --only G2 --runs 1

G1 opens a lesson in the real window (default: the live playground), plays it at maximum speed
for `--seconds` and counts the frames drawn: event-loop repaint passes of the window in which the
stage (the lesson's panels) painted; next to it, the frames the player delivered and the window
applied. A 5 ms precise timer probes the event loop; its latency is how late each tick comes
(actual interval - 5 ms), reported as percentiles. G2 starts the app in a fresh Python process
and times it from the spawn to the first painted window, against a bare PySide6 + pyqtgraph
window started the same way: same interpreter, same module entry point, bytecode cached in a
temporary folder after one uncounted start of each, the median of `--runs` alternating starts.

Qt runs offscreen unless QT_QPA_PLATFORM is set (e.g. DISPLAY=:0 QT_QPA_PLATFORM=xcb for a real
X display). The learner's settings and progress are never touched: each window uses a temporary
folder. Bad arguments print one line on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["IDS", "g1", "g2", "main", "table"]

EXIT_USAGE = 2
IDS = ("G1", "G2")
ROOT = Path(__file__).resolve().parents[2]
WINDOW_SIZE = (1600, 900)
FIRST_FRAME_TIMEOUT_S = 60.0
CHILD_TIMEOUT_S = 120.0
CHILD_MARK = "first-paint"
LESSON_MARK = "lesson-shown"  # the app's first lesson step delivered to the stage


class UsageError(Exception):
    """A bad command-line argument: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _number(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m app.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--only", metavar="IDS", help="comma-separated: G1, G2")
    parser.add_argument(
        "--seconds", type=_number(float), default=10.0, help="G1: seconds of play (default 10)"
    )
    parser.add_argument("--lesson", metavar="ID", help="G1: lesson id (default: playground)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="G1: set a lesson control (repeatable), e.g. --set layers=4 --set neurons=8",
    )
    parser.add_argument("--runs", type=_number(int), default=5, help="G2: starts of each window")
    return parser


def _ensure_platform() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


# ---- G1: live training on the window ---------------------------------------------------------


def default_lesson() -> str:
    """The playground when registered, else the first live lesson, else the first lesson."""
    from lessons.registry import all_lessons

    lessons = all_lessons()
    ids = [lesson.id for lesson in lessons]
    if "playground" in ids:
        return "playground"
    return next((lesson.id for lesson in lessons if lesson.live), ids[0])


def g1(lesson_id: str, seconds: float, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """Play `lesson_id` (with control `values`) at maximum speed in the window for `seconds`:
    fps and loop latency."""
    _ensure_platform()
    from PySide6.QtWidgets import QApplication

    from app.bench.probes import LatencyProbe, PaintCounter, run_loop
    from app.shell.window import MainWindow
    from app.state.progress import ProgressStore
    from app.state.store import JsonStore
    from lessons.registry import find

    lesson = find(lesson_id)
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        window = MainWindow(
            JsonStore(folder / "settings.json"), progress=ProgressStore(folder / "progress.json")
        )
        window.resize(*WINDOW_SIZE)
        window.show()
        window.open_lesson(lesson.id, 0, values)
        player = window.player
        if player.frame is None:
            run_loop(FIRST_FRAME_TIMEOUT_S, until=player.frame_ready)
        if player.frame is None:
            window.close()
            raise RuntimeError(f"lesson {lesson.id!r} showed no step in {FIRST_FRAME_TIMEOUT_S} s")
        first_position = player.frame.position
        counter, probe = PaintCounter(window, window.stage), LatencyProbe()
        player.frame_ready.connect(counter.frame_applied)  # after the window's own slot
        player.set_speed(0)
        player.play()
        counter.start()
        probe.start()
        elapsed = run_loop(seconds)
        probe.stop()
        counter.stop()
        player.pause()
        steps = (player.frame.position if player.frame else first_position) - first_position
        window.close()
        window.deleteLater()
        qapp.processEvents()
    latency = probe.percentiles()
    fps = counter.drawn / elapsed
    return {
        "id": "G1",
        "status": "ok",
        "lesson": lesson.id,
        "controls": dict(values or {}),
        "lesson_live": bool(lesson.live),
        "window_size": list(WINDOW_SIZE),
        "seconds": elapsed,
        "fps": fps,
        "steps_computed": steps,
        "latency_ms": latency,
        "probe_interval_ms": probe.interval_ms,
        **counter.figures(elapsed),
        "target": "fps >= 30 and p95 latency < 50 ms",
        "met": fps >= 30 and latency["p95"] < 50,
    }


# ---- G2: start to first painted window ------------------------------------------------------


# Each start runs one of these programs with `python -c`, so the bare window imports nothing of
# DeepStep. The filter prints the monotonic clock once the first main-window widget has painted
# and the event loop is free again (the paint pass has finished). The app's program then also
# waits for its first lesson step to reach the stage (the window paints before the lesson's
# panels are built) and prints that time too; then the process ends.
_CHILD_PRELUDE = f"""
import os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
{{body_imports}}
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

class FirstPaint(QObject):
    seen = False

    def eventFilter(self, watched, event):
        if not self.seen and event.type() == QEvent.Type.Paint and isinstance(
            watched, QWidget
        ) and isinstance(watched.window(), QMainWindow):
            self.seen = True
            QTimer.singleShot(0, self.report)
        return False

    def report(self):
        print("{CHILD_MARK}", time.monotonic(), flush=True)
        self.lesson_shown()

    def lesson_shown(self):
        windows = [w for w in QApplication.topLevelWidgets() if hasattr(w, "player")]
        if not windows:  # the bare window has no lesson
            os._exit(0)
        if windows[0].player.frame is None:
            QTimer.singleShot(2, self.lesson_shown)
            return
        print("{LESSON_MARK}", time.monotonic(), flush=True)
        os._exit(0)

qapp = QApplication(sys.argv[:1])
watcher = FirstPaint()
qapp.installEventFilter(watcher)
"""
CHILDREN = {
    "app": _CHILD_PRELUDE.format(body_imports="import app.main") + "sys.exit(app.main.main([]))\n",
    "bare": _CHILD_PRELUDE.format(body_imports="import pyqtgraph")
    + f"""
window = QMainWindow()
plot = pyqtgraph.PlotWidget()
plot.plot([0.0, 1.0, 0.5, 2.0])
window.setCentralWidget(plot)
window.resize{WINDOW_SIZE}
window.show()
sys.exit(qapp.exec())
""",
}


def _start_once(kind: str, env: dict[str, str]) -> tuple[float, float | None]:
    """Seconds from spawning the `kind` program to its first painted window, and to its first
    lesson step on the stage (None for the bare window)."""
    spawned = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process of the machine
    done = subprocess.run(
        [sys.executable, "-c", CHILDREN[kind]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    marks = {line.split()[0]: float(line.split()[1]) - spawned for line in done.stdout.splitlines()}
    if CHILD_MARK in marks:
        return marks[CHILD_MARK], marks.get(LESSON_MARK)
    tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
    raise RuntimeError(f"the {kind} window never painted (exit {done.returncode}): {tail}")


def g2(runs: int) -> dict[str, Any]:
    """Median start-to-first-paint of the app and of a bare window, and their ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        env["DEEPSTEP_CONFIG_DIR"] = str(Path(tmp) / "config")
        env["DEEPSTEP_DATA_DIR"] = str(Path(tmp) / "data")
        for kind in ("app", "bare"):  # uncounted: compiles and caches the bytecode
            _start_once(kind, env)
        times: dict[str, list[float]] = {"app": [], "bare": [], "lesson": []}
        for _ in range(runs):
            for kind in ("app", "bare"):
                painted, lesson = _start_once(kind, env)
                times[kind].append(painted)
                if lesson is not None:
                    times["lesson"].append(lesson)
    app_s, bare_s = statistics.median(times["app"]), statistics.median(times["bare"])
    lesson_s = statistics.median(times["lesson"]) if times["lesson"] else None
    return {
        "id": "G2",
        "status": "ok",
        "platform": env["QT_QPA_PLATFORM"],
        "runs": runs,
        "method": "python -c, spawn to first paint; bytecode cached after 1 uncounted start each",
        "app_s": app_s,
        "bare_s": bare_s,
        "ratio": app_s / bare_s,
        "app_lesson_s": lesson_s,  # the first lesson step on the stage
        "app_runs_s": times["app"],
        "bare_runs_s": times["bare"],
        "target": "<= 1.5x the bare window",
        "met": app_s / bare_s <= 1.5,
    }


# ---- report ---------------------------------------------------------------------------------


def _environment() -> dict[str, Any]:
    from importlib import metadata

    import numpy
    import PySide6
    from PySide6 import QtCore

    from engine.bench.machine import machine_info
    from engine.core import backend

    info = machine_info(backend.current())
    info.update(
        pyside6=PySide6.__version__,
        qt=QtCore.qVersion(),
        pyqtgraph=metadata.version("pyqtgraph"),
        numpy=numpy.__version__,
        qt_platform=os.environ.get("QT_QPA_PLATFORM", ""),
        display=os.environ.get("DISPLAY"),
    )
    return info


def _chosen(only: str | None) -> list[str]:
    if only is None:
        return list(IDS)
    ids = [part.strip().upper() for part in only.split(",") if part.strip()]
    unknown = [i for i in ids if i not in IDS]
    if unknown or not ids:
        raise UsageError(f"unknown benchmark id {only!r}; choose from {', '.join(IDS)}")
    return [i for i in IDS if i in ids]


def _percent(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}%"


def table(report: dict[str, Any]) -> str:
    """The report as the text `python -m app.bench` prints."""
    m = report["machine"]
    load = " ".join(f"{v:.2f}" for v in m["load_average"] or ())
    lines = [
        f"DeepStep GUI benchmarks, {m['date']}",
        f"machine: {m['cpu_model']}, {m['cores']['usable']} cores, load average {load or '?'}, "
        f"CPU busy with other work just before: {_percent(m['cpu_busy_pct'])}",
        f"software: Python {m['python']}, Qt {m['qt']} (PySide6 {m['pyside6']}), "
        f"pyqtgraph {m['pyqtgraph']}, NumPy {m['numpy']}; Qt platform {m['qt_platform']}",
        "",
    ]
    for row in report["results"]:
        met = {True: "met", False: "NOT met", None: "-"}[row.get("met")]
        if row["status"] != "ok":
            lines.append(f"{row['id']}  {row['status']}: {row['reason']}")
        elif row["id"] == "G1":
            lat = row["latency_ms"]
            lines += [
                f"G1  {row['lesson']} at max speed for {row['seconds']:.1f} s "
                f"({row['window_size'][0]}x{row['window_size'][1]}): {row['fps']:.1f} fps drawn, "
                f"event-loop latency p95 {lat['p95']:.1f} ms  [{row['target']}: {met}]",
                f"    frames applied {row['frames_applied']} ({row['applied_fps']:.1f}/s), "
                f"drawn {row['frames_drawn']}; steps computed {row['steps_computed']}; stage "
                f"repaint passes {row['stage_repaint_passes']} "
                f"({row['stage_passes_per_frame']:.1f} per frame drawn)",
                f"    latency p50 {lat['p50']:.1f} ms, p99 {lat['p99']:.1f} ms, "
                f"max {lat['max']:.1f} ms ({lat['samples']} ticks of the "
                f"{row['probe_interval_ms']} ms probe)",
            ]
        else:
            lines.append(
                f"G2  start to first painted window: {row['app_s']:.3f} s vs bare PySide6 + "
                f"pyqtgraph {row['bare_s']:.3f} s = {row['ratio']:.2f}x "
                f"(median of {row['runs']})  [{row['target']}: {met}]"
            )
            if row.get("app_lesson_s") is not None:
                lines.append(
                    f"    first lesson step on the stage: {row['app_lesson_s']:.3f} s "
                    f"= {row['app_lesson_s'] / row['bare_s']:.2f}x the bare window's first paint"
                )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m app.bench`."""
    try:
        args = _parser().parse_args(argv)
        ids = _chosen(args.only)
        from lessons.core.controls import Values, parse_assignments
        from lessons.registry import find

        try:
            lesson = find(args.lesson or default_lesson()).id
            values = parse_assignments(args.set)
            Values(find(lesson).controls, values)  # refuse a bad --set before anything runs
        except ValueError as err:
            raise UsageError(str(err)) from None
    except UsageError as err:
        print(f"app.bench: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    _ensure_platform()
    report: dict[str, Any] = {"benchmark": "deepstep gui", "schema": 1}
    report["machine"] = _environment()
    results = []
    for bench_id in ids:
        try:
            if bench_id == "G1":
                results.append(g1(lesson, args.seconds, values))
            else:
                results.append(g2(args.runs))
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as err:
            results.append({"id": bench_id, "status": "error", "reason": str(err), "met": None})
    report["results"] = results
    print(json.dumps(report, indent=2) if args.json else table(report))
    return 1 if any(r["status"] == "error" for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
