"""The soak: the real window, every lesson in turn, a seeded random learner at the controls.

Each lesson gets a slot of `lesson_seconds`. The lesson is opened in the window; once its first
step is on the stage the paint counter and the latency probe start (app.bench.probes), and the
learner acts every 0.1-1.2 s: steps with the step bar (Next, Back, First, the scrubber), plays
and pauses at a random speed, moves a control widget to a random in-range or boundary value,
presses buttons, enters and leaves presentation mode (and, while presenting, uses the clicker
keys: next, back, home, blank, go to step). While the lesson is computing it mostly waits, as a
person would, but now and then acts anyway. The lessons are walked in the registry's order,
again and again, until the time is up; one walk over all of them is a pass, and the first pass
is always completed (a short run is stretched to run every lesson).

Every few seconds the resident set size is sampled (/proc/self/status, else getrusage). The
report holds, per slot and per lesson: frames drawn per second, event-loop latency percentiles,
the time the first step took to show, the actions done; and for the whole run: RSS at the start,
after the first pass, at each whole minute, its peak and at the end, the objects alive after
the first pass and at the end with what grew between (app.soak.census: Python objects by type,
Qt objects, wrappers of deleted Qt objects, top-level widgets), and every distinct warning and
error logged (app.soak.capture.Messages).
"""

from __future__ import annotations

import logging
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import shiboken6
from PySide6 import QtCore
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.bench.probes import LatencyProbe, PaintCounter, run_loop
from app.shell.player import Frame
from app.shell.window import MainWindow
from app.soak.capture import Messages
from app.soak.census import census, growth
from app.state.progress import ProgressStore
from app.state.store import JsonStore
from lessons.core.base import Button, Choice, Lesson, Slider, Toggle, Vector
from lessons.registry import entries, find

__all__ = [
    "ACTIONS",
    "default_lesson_seconds",
    "lesson_ids",
    "peak_rss_bytes",
    "rss_bytes",
    "run_soak",
    "slider_value",
]

log = logging.getLogger(__name__)

WINDOW_SIZE = (1600, 900)
FIRST_FRAME_TIMEOUT_S = 120.0  # a lesson that shows no step in this time is reported as an error
RSS_SAMPLE_S = 5.0
MIN_SLOT_S = 5.0  # the shortest slot (the first pass runs every lesson at least this long)
ACTION_GAP_S = (0.1, 1.2)
BUSY_WAIT_S = 0.5  # while the lesson computes, the learner mostly waits this long
IMPATIENCE = 0.2  # ... and acts anyway this often
SLOW_ACTION_S = 0.2  # an action that holds the GUI thread this long is listed in the report
# What the learner does, with weights.
ACTIONS: dict[str, int] = {
    "next": 14,
    "back": 10,
    "first": 3,
    "play": 9,
    "speed": 4,
    "scrub": 6,
    "control": 24,
    "presentation": 4,
    "blank": 2,
}
PRESENTER_KEYS = {
    "next": Qt.Key.Key_Right,
    "back": Qt.Key.Key_Left,
    "first": Qt.Key.Key_Home,
    "play": Qt.Key.Key_P,
}
MB = 1024 * 1024


# ---- memory ------------------------------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _maxrss_bytes() -> int:
    try:
        import resource
    except ImportError:  # Windows: no figure
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere


def rss_bytes() -> int:
    """The process's resident set size now (VmRSS; the peak so far where /proc is missing)."""
    kb = _status_kb("VmRSS")
    return kb * 1024 if kb is not None else _maxrss_bytes()


def peak_rss_bytes() -> int:
    """The process's peak resident set size so far (VmHWM, or getrusage's ru_maxrss)."""
    kb = _status_kb("VmHWM")
    return kb * 1024 if kb is not None else _maxrss_bytes()


def _mb(value: float) -> float:
    return round(value / MB, 1)


# ---- the probes ---------------------------------------------------------------------------------


class _Counter(PaintCounter):
    """PaintCounter that survives stage widgets deleted while it watched them."""

    def stop(self) -> None:
        self._watched = [w for w in self._watched if shiboken6.isValid(w)]
        super().stop()


class _RssSampler(QtCore.QObject):
    """Samples RSS every RSS_SAMPLE_S on the GUI thread: (seconds since start, bytes)."""

    def __init__(self, start: float) -> None:
        super().__init__()
        self.start_time = start
        self.samples: list[tuple[float, int]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(int(RSS_SAMPLE_S * 1000))
        self._timer.timeout.connect(self.sample)

    def sample(self) -> int:
        value = rss_bytes()
        self.samples.append((time.monotonic() - self.start_time, value))
        return value

    def start(self) -> None:
        self.sample()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()


# ---- the learner --------------------------------------------------------------------------------


def slider_value(spec: Slider, rng: random.Random) -> float:
    """A boundary, the default or a random value in range (log-uniform on a log slider)."""
    draw = rng.random()
    if draw < 0.25:
        return float(rng.choice((spec.minimum, spec.maximum)))
    if draw < 0.35:
        return float(spec.default)
    if spec.log:
        low, high = spec.minimum, spec.maximum
        return float(min(high, max(low, low * (high / low) ** rng.random())))
    return rng.uniform(spec.minimum, spec.maximum)


class _Learner:
    """Acts on the window at random (seeded): step bar, controls, presentation mode."""

    def __init__(self, window: MainWindow, rng: random.Random) -> None:
        self.window = window
        self.rng = rng
        self.actions: Counter[str] = Counter()
        self.presented = False  # presentation mode was on during this slot

    @property
    def presentation(self) -> Any:
        return self.window.presentation

    def act(self) -> str:
        kinds = list(ACTIONS)
        kind = self.rng.choices(kinds, weights=[ACTIONS[k] for k in kinds])[0]
        done = getattr(self, f"_{kind}")()
        name = kind if done is None else str(done)
        self.actions[name] += 1
        if self.presentation is not None:
            self.presented = True
        return name

    # each returns None (the action's kind) or the name of what it actually did

    def _step(self, name: str) -> str | None:
        if self.presentation is not None:
            self.presentation.key(PRESENTER_KEYS[name])
            return f"{name} (presenter key)"
        self.window.stepbar.buttons[name].click()  # a disabled button does nothing, as for a person
        return None

    def _next(self) -> str | None:
        return self._step("next")

    def _back(self) -> str | None:
        return self._step("back")

    def _first(self) -> str | None:
        return self._step("first")

    def _play(self) -> str | None:
        return self._step("play")

    def _speed(self) -> str | None:
        box = self.window.stepbar.speed_box
        box.setCurrentIndex(self.rng.randrange(box.count()))
        return None

    def _scrub(self) -> str | None:
        frame = self.window.player.frame
        if frame is None:
            return "scrub (no step yet)"
        number = self.rng.randint(frame.oldest, max(frame.oldest, frame.computed - 1))
        if self.presentation is not None:
            projector = self.presentation.projector
            projector.open_goto(str(number + 1))
            projector.goto_box.returnPressed.emit()
            return "scrub (presenter go to)"
        self.window.stepbar.scrubber.setValue(number + 1)
        return None

    def _presentation(self) -> str | None:
        self.window.toggle_presentation()
        return "presentation on" if self.presentation is not None else "presentation off"

    def _blank(self) -> str | None:
        if self.presentation is None:
            return self._presentation()
        key = self.rng.choice((Qt.Key.Key_B, Qt.Key.Key_W, Qt.Key.Key_L))
        self.presentation.key(key)
        return "presenter blank/laser"

    def _control(self) -> str | None:
        editors = self.window.controls.editors
        if not editors:
            return "control (lesson has none)"
        name = self.rng.choice(sorted(editors))
        editor: Any = editors[name]
        spec = editor.spec
        if isinstance(spec, Slider):
            value = slider_value(spec, self.rng)
            if self.rng.random() < 0.5:
                editor.spin.setValue(value)
            else:
                editor.slider.setValue(editor._to_ticks(value))
        elif isinstance(spec, Choice):
            editor.combo.setCurrentIndex(self.rng.randrange(len(spec.options)))
        elif isinstance(spec, Toggle):
            editor.box.toggle()
        elif isinstance(spec, Vector):
            self._vector(editor, spec)
        elif isinstance(spec, Button):
            editor.button.click()
        else:
            return f"control {type(spec).__name__} (unknown kind)"
        return f"control {type(spec).__name__.lower()}"

    def _vector(self, editor: Any, spec: Vector) -> None:
        resizable = not editor.less.isHidden()
        if resizable and self.rng.random() < 0.3:
            button = editor.more if self.rng.random() < 0.5 else editor.less
            button.click()  # disabled at the length limits: nothing happens
            return
        if not editor.spins:
            return
        spin = self.rng.choice(editor.spins)
        draw = self.rng.random()
        if draw < 0.3:
            spin.setValue(self.rng.choice((spec.minimum, spec.maximum)))
        else:
            spin.setValue(self.rng.uniform(spec.minimum, spec.maximum))


# ---- the soak -----------------------------------------------------------------------------------


def lesson_ids(chosen: Sequence[str] | None = None) -> list[str]:
    """The lessons to soak: those chosen (ids or numbers; ValueError if unknown), else all."""
    if not chosen:
        return [entry.id for entry in entries()]
    return [find(item).id for item in chosen]


def default_lesson_seconds(seconds: float, lessons: int) -> float:
    """A slot per lesson: `seconds` split evenly over `lessons`, between 5 and 20 s. (The soak
    splits the time left over the lessons left in the pass, so a short run still completes
    its first pass and the last pass of a long one is finished if it can be.)"""
    return max(MIN_SLOT_S, min(20.0, seconds / max(lessons, 1)))


def _percentile_summary(probe: LatencyProbe) -> dict[str, float]:
    figures = probe.percentiles()
    return {key: round(float(value), 2) for key, value in figures.items()}


class _Soak:
    def __init__(
        self,
        window: MainWindow,
        messages: Messages,
        rng: random.Random,
        progress: Callable[[str], None] | None,
    ) -> None:
        self.window = window
        self.messages = messages
        self.rng = rng
        self.progress = progress or (lambda _line: None)
        self.counter = _Counter(window, window.stage)
        window.player.frame_ready.connect(self.counter.frame_applied)  # after the window's slot
        window.player.frame_ready.connect(self._frame_shown)
        self.probe = LatencyProbe()
        self._shown: Frame | None = None
        self.started = time.monotonic()

    def _frame_shown(self, frame: Frame) -> None:
        self._shown = frame

    def _wait_first_frame(self, lesson: type[Lesson]) -> float | None:
        """Seconds until the lesson's first step is delivered; None if it never comes."""
        start = time.monotonic()
        player = self.window.player
        while True:
            frame = self._shown
            if frame is not None and frame.lesson is lesson:
                return time.monotonic() - start
            left = FIRST_FRAME_TIMEOUT_S - (time.monotonic() - start)
            if left <= 0:
                return None
            run_loop(min(left, 0.5), until=player.frame_ready)

    def slot(self, lesson_id: str, seconds: float, number: int, passes: int) -> dict[str, Any]:
        """Open one lesson and act on it for `seconds`: its figures."""
        window, rng = self.window, self.rng
        lesson = find(lesson_id)
        self.messages.lesson = lesson_id
        errors, warnings = self.messages.errors, self.messages.warnings
        began = time.monotonic()
        self._shown = None
        window.open_lesson(lesson_id)
        first_frame_s = self._wait_first_frame(lesson)
        if first_frame_s is None:
            log.error("lesson %s showed no step in %.0f s", lesson_id, FIRST_FRAME_TIMEOUT_S)
        learner = _Learner(window, rng)
        learner.presented = window.presentation is not None
        run_loop(0.05)  # let the first frame paint before counting
        self.counter.start()
        self.probe.start()
        counting = time.monotonic()
        end = counting + seconds
        max_step = 0
        slow: list[dict[str, Any]] = []
        while (now := time.monotonic()) < end:
            player = window.player
            if player.busy and rng.random() > IMPATIENCE:
                run_loop(min(BUSY_WAIT_S, end - now), until=player.frame_ready)
            else:
                before = time.perf_counter()
                name = learner.act()
                took = time.perf_counter() - before
                if took >= SLOW_ACTION_S:
                    slow.append({"action": name, "ms": round(took * 1000, 1)})
                run_loop(min(rng.uniform(*ACTION_GAP_S), max(end - time.monotonic(), 0.0)))
            if player.frame is not None and player.frame.lesson is lesson:
                max_step = max(max_step, player.frame.position)
        self.probe.stop()
        self.counter.stop()
        elapsed = time.monotonic() - counting
        window.player.pause()
        if window.presentation is not None and rng.random() < 0.5:
            window.toggle_presentation()  # sometimes the next lesson opens still presenting
        figures = self.counter.figures(elapsed)
        latency = _percentile_summary(self.probe)
        row = {
            "lesson": lesson_id,
            "slot": number,
            "pass": passes,
            "start_s": round(began - self.started, 2),
            "seconds": round(elapsed, 2),
            "first_step_s": None if first_frame_s is None else round(first_frame_s, 2),
            "fps": round(figures["frames_drawn"] / elapsed, 2) if elapsed > 0 else 0.0,
            "frames_drawn": figures["frames_drawn"],
            "frames_applied": figures["frames_applied"],
            "furthest_step": max_step + 1,
            "latency_ms": latency,
            "presentation": learner.presented,
            "actions": dict(sorted(learner.actions.items())),
            "slow_actions": slow,
            "rss_mb": _mb(rss_bytes()),
            "warnings": self.messages.warnings - warnings,
            "errors": self.messages.errors - errors,
        }
        self.progress(
            f"{row['start_s']:7.1f} s  pass {passes}  {lesson_id:<18} {row['fps']:5.1f} fps  "
            f"p95 {latency['p95']:6.1f} ms  RSS {row['rss_mb']:.0f} MB  "
            f"{row['warnings']} warnings, {row['errors']} errors"
        )
        return row


def _per_lesson(slots: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for row in slots:
        entry = table.setdefault(
            row["lesson"],
            {"slots": 0, "fps": [], "p95_ms": [], "p99_ms": 0.0, "max_ms": 0.0, "first": []},
        )
        entry["slots"] += 1
        entry["fps"].append(row["fps"])
        entry["p95_ms"].append(row["latency_ms"]["p95"])
        entry["p99_ms"] = max(entry["p99_ms"], row["latency_ms"]["p99"])
        entry["max_ms"] = max(entry["max_ms"], row["latency_ms"]["max"])
        if row["first_step_s"] is not None:
            entry["first"].append(row["first_step_s"])
    return {
        lesson: {
            "slots": e["slots"],
            "fps_mean": round(sum(e["fps"]) / len(e["fps"]), 2),
            "fps_min": min(e["fps"]),
            "p95_ms_worst": max(e["p95_ms"]),
            "p99_ms_worst": e["p99_ms"],
            "max_ms": e["max_ms"],
            "first_step_s_worst": max(e["first"]) if e["first"] else None,
        }
        for lesson, e in table.items()
    }


def _rss_report(
    samples: list[tuple[float, int]], start: int, after_pass: int | None, final: int, peak: int
) -> dict[str, Any]:
    at_minutes: dict[str, float] = {}
    for t, value in samples:  # the first sample at or after each whole minute
        minute = int(t // 60)
        if minute >= 1 and str(minute) not in at_minutes:
            at_minutes[str(minute)] = _mb(value)
    growth = None if after_pass is None else round(100.0 * (final - after_pass) / after_pass, 2)
    return {
        "start": _mb(start),
        "after_first_pass": None if after_pass is None else _mb(after_pass),
        "peak_sampled": _mb(max([start, final, *(v for _, v in samples)])),
        "peak": _mb(peak),
        "final": _mb(final),
        "growth_after_first_pass_pct": growth,
        "at_minutes": at_minutes,
        "samples": [[round(t, 1), _mb(v)] for t, v in samples],
    }


def _objects_report(
    after_pass: dict[str, Any] | None, final: dict[str, Any] | None
) -> dict[str, Any]:
    def totals(counted: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if counted is None else {k: v for k, v in counted.items() if k != "by_type"}

    return {
        "after_first_pass": totals(after_pass),
        "final": totals(final),
        "growth_after_first_pass": None
        if after_pass is None or final is None
        else growth(after_pass, final),
    }


def _environment(qapp: QApplication) -> dict[str, Any]:
    import PySide6

    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "python": platform.python_version(),
        "qt": QtCore.qVersion(),
        "pyside6": PySide6.__version__,
        "qt_platform": qapp.platformName(),
        "cores": os.cpu_count(),
        "load_average_at_start": load,
    }


def run_soak(
    seconds: float,
    *,
    seed: int = 0,
    lessons: Sequence[str] | None = None,
    lesson_seconds: float | None = None,
    folder: Path | None = None,
    progress: Callable[[str], None] | None = None,
    echo: bool = False,
    messages: Messages | None = None,
) -> dict[str, Any]:
    """Soak the window for about `seconds` (at least one pass); the report (see the module
    docstring).

    `lessons`: ids or numbers (default: every lesson of the registry, in order). `folder`: where
    the window keeps its settings and progress (default: a temporary folder). `progress` gets a
    line after each slot. `messages`: a collector to use (entered here), e.g. a test's.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    ids = lesson_ids(lessons)
    slot_s = planned = lesson_seconds or default_lesson_seconds(seconds, len(ids))
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    collector = messages if messages is not None else Messages(echo=echo)
    rss_start = rss_bytes()
    environment = _environment(qapp)
    slots: list[dict[str, Any]] = []
    after_first_pass: int | None = None
    counted: dict[str, Any] | None = None  # the objects after the first pass
    counted_final: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="deepstep-soak-") as tmp, collector:
        base = folder or Path(tmp)
        window = MainWindow(
            JsonStore(base / "settings.json"), progress=ProgressStore(base / "progress.json")
        )
        window.resize(*WINDOW_SIZE)
        window.show()
        soak = _Soak(window, collector, random.Random(seed), progress)
        started = soak.started = time.monotonic()
        sampler = _RssSampler(started)
        sampler.start()
        number = passes = 0
        try:
            # the first pass is always completed (every lesson runs), then until the time is up
            while (left := seconds - (time.monotonic() - started)) > 0.5 or number < len(ids):
                lesson_id = ids[number % len(ids)]
                if lesson_seconds is None:  # spread what is left over the rest of this pass
                    slot_s = default_lesson_seconds(left, len(ids) - number % len(ids))
                row = soak.slot(lesson_id, max(min(slot_s, left), MIN_SLOT_S), number, passes + 1)
                slots.append(row)
                number += 1
                if number % len(ids) == 0:
                    passes += 1
                    if passes == 1:
                        after_first_pass = sampler.sample()
                        counted = census()
        finally:
            sampler.stop()
            collector.lesson = ""
            rss_final = sampler.sample()
            counted_final = census()
            elapsed = time.monotonic() - started
            if window.presentation is not None:
                window.toggle_presentation()
            window.close()
            window.deleteLater()
            qapp.processEvents()
    per_lesson = _per_lesson(slots)
    worst = max(slots, key=lambda r: r["latency_ms"]["p95"], default=None)
    items = collector.items()
    return {
        "tool": "deepstep soak",
        "schema": 1,
        "seed": seed,
        "seconds_requested": seconds,
        "seconds": round(elapsed, 1),
        "lesson_seconds": round(planned, 2),
        "lessons": ids,
        "slots_run": len(slots),
        "passes_completed": passes,
        "environment": environment,
        "rss_mb": _rss_report(
            sampler.samples, rss_start, after_first_pass, rss_final, peak_rss_bytes()
        ),
        "objects": _objects_report(counted, counted_final),
        "worst_p95": None
        if worst is None
        else {"ms": worst["latency_ms"]["p95"], "lesson": worst["lesson"], "slot": worst["slot"]},
        "per_lesson": per_lesson,
        "slots": slots,
        "warnings": collector.warnings,
        "errors": collector.errors,
        "messages": [m.as_dict() for m in items],
        "ok": collector.errors == 0,
    }
