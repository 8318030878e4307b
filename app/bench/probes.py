"""Probes for the GUI benchmarks: repaint counting, event-loop latency and the first paint.

- `PaintCounter` counts the window's repaint passes (an `UpdateRequest` on the top-level
  window, during which Qt paints every dirty widget), the passes in which the stage painted, and
  the frames the player delivered to the window. A frame is drawn when a pass that began after
  it was applied painted the stage: so frames drawn <= frames applied, and extra passes that
  repaint the same frame (a plot settling its range, say) are counted apart.
- `run_loop` runs the event loop for a while, as the app would between a learner's clicks.
- `LatencyProbe` runs a precise 5 ms timer on the GUI thread; each tick's latency is how much
  later than 5 ms after the previous one it came. A busy event loop shows as high percentiles.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer, SignalInstance
from PySide6.QtWidgets import QWidget

from app.shell.descendants import descendants

__all__ = ["LatencyProbe", "PaintCounter", "run_loop"]


class PaintCounter(QObject):
    """Counts repaint passes of `window`, those in which `stage` painted, frames applied to the
    window and frames drawn (applied, then painted)."""

    def __init__(self, window: QWidget, stage: QWidget) -> None:
        super().__init__(window)
        self.window, self.stage = window, stage
        self.passes = self.stage_passes = self.drawn = self.paints = self.applied = 0
        self._counting = False
        self._stage_painted = False
        self._new_frame = False  # a frame was applied and not drawn yet
        self._pass_has_frame = False  # ... and that was so when the current pass began
        self._watched: list[QWidget] = []

    def start(self) -> None:
        """Watch the window and every widget of the stage, from zero."""
        self.passes = self.stage_passes = self.drawn = self.paints = self.applied = 0
        self._new_frame = self._pass_has_frame = self._stage_painted = False
        self._watched = [self.window, self.stage, *descendants(self.stage, QWidget)]
        for widget in self._watched:
            widget.installEventFilter(self)
        self._counting = True

    def stop(self) -> None:
        self._close_pass()
        self._counting = False
        for widget in self._watched:
            widget.removeEventFilter(self)
        self._watched = []

    def frame_applied(self, _frame: object) -> None:
        """Connected after the window's own slot: the frame has been shown."""
        if self._counting:
            self.applied += 1
            self._new_frame = True

    def figures(self, seconds: float) -> dict[str, Any]:
        """The counts, and rates over `seconds`."""
        return {
            "frames_drawn": self.drawn,
            "frames_applied": self.applied,
            "applied_fps": self.applied / seconds,
            "repaint_passes": self.passes,
            "stage_repaint_passes": self.stage_passes,
            "stage_passes_per_frame": self.stage_passes / max(self.drawn, 1),
            "stage_paint_events": self.paints,
        }

    def _close_pass(self) -> None:
        if self._stage_painted:
            self.stage_passes += 1
            if self._pass_has_frame:
                self.drawn += 1
        elif self._pass_has_frame:
            self._new_frame = True  # this pass did not paint the stage: still to be drawn
        self._stage_painted = self._pass_has_frame = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.UpdateRequest and watched is self.window:
            self._close_pass()
            self.passes += 1
            self._pass_has_frame, self._new_frame = self._new_frame, False
        elif kind == QEvent.Type.Paint and watched is not self.window:
            self.paints += 1
            self._stage_painted = True
        return False


class LatencyProbe(QObject):
    """A precise timer on the GUI thread; records how late each tick comes, in ms."""

    def __init__(self, interval_ms: int = 5) -> None:
        super().__init__()
        self.interval_ms = interval_ms
        self.samples: list[float] = []
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.samples = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        late = (now - self._last) * 1000.0 - self.interval_ms
        self.samples.append(max(0.0, late))
        self._last = now

    def percentiles(self) -> dict[str, Any]:
        """p50, p95, p99 and max latency in ms, and the number of ticks."""
        data = self.samples or [0.0]
        cuts = statistics.quantiles(data, n=100, method="inclusive") if len(data) > 1 else data * 99
        return {
            "p50": cuts[49],
            "p95": cuts[94],
            "p99": cuts[98],
            "max": max(data),
            "samples": len(self.samples),
        }


def run_loop(seconds: float, until: SignalInstance | None = None) -> float:
    """Run the event loop for `seconds` (or until `until` fires); returns the seconds it ran."""
    loop, deadline = QEventLoop(), QTimer()
    deadline.setSingleShot(True)
    deadline.setTimerType(Qt.TimerType.PreciseTimer)
    deadline.timeout.connect(loop.quit)
    if until is not None:
        until.connect(loop.quit)
    start = time.perf_counter()
    deadline.start(int(seconds * 1000))
    loop.exec()
    deadline.stop()
    if until is not None:
        until.disconnect(loop.quit)
    return time.perf_counter() - start
