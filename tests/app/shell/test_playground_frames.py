"""While the playground (3.1) trains in the worker thread, the player keeps delivering frames."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from app.panels.network import NetworkView
from app.shell.window import MainWindow
from app.state.store import JsonStore

SECONDS = 2.5


def test_player_delivers_frames_while_training_the_playground(qtbot: QtBot, tmp_path: Path) -> None:
    """A 4x8 network on 500 points trains at full speed; frames arrive and are drawn.

    Prints frames per second, epochs per second and the p95 event-loop latency (no assertion
    on speed: benchmarks are not tests).
    """
    window = MainWindow(JsonStore(tmp_path / "s.json"))
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    qtbot.waitExposed(window)
    window.open_lesson("playground", 0, {"layers": 4, "neurons": 8})
    qtbot.waitUntil(lambda: window.player.frame is not None, timeout=10_000)

    stamps: list[float] = []
    window.player.frame_ready.connect(lambda _frame: stamps.append(time.perf_counter()))
    lateness: list[float] = []
    probe = QTimer()
    probe.setInterval(10)
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, now - last[0] - 0.010))
        last[0] = now

    probe.timeout.connect(tick)
    window.player.set_speed(0.0)
    start = time.perf_counter()
    probe.start()
    window.player.play()
    qtbot.wait(int(SECONDS * 1000))
    window.player.pause()
    probe.stop()
    elapsed = time.perf_counter() - start
    qtbot.waitUntil(lambda: not window.player.busy, timeout=10_000)

    frame = window.player.frame
    assert frame is not None and frame.position > 0, "no training frame reached the screen"
    assert len(stamps) >= 2
    epochs = frame.step.figures["epoch"]
    p95 = 1000 * float(np.percentile(lateness, 95)) if lateness else float("nan")
    print(
        f"\nplayground 4x8, 500 points: {len(stamps) / elapsed:.1f} frames/s drawn, "
        f"{epochs / elapsed:.1f} epochs/s, p95 event-loop latency {p95:.0f} ms"
    )
    assert window.stage.views["network"].has_content()
    assert window.stage.views["boundary"].has_content()


def test_the_diagrams_plus_button_restarts_training_with_another_layer(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Clicking + on the network diagram sets the control: the run restarts with 3 layers."""
    window = MainWindow(JsonStore(tmp_path / "s.json"), threaded=False)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    window.open_lesson("playground", 6)
    view = window.stage.views["network"]
    assert isinstance(view, NetworkView) and view.hidden_layers() == 2
    qtbot.mouseClick(view.layers_stepper.plus, Qt.MouseButton.LeftButton)
    frame = window.player.frame
    assert frame is not None and frame.position == 0 and frame.values["layers"] == 3
    assert view.hidden_layers() == 3
    qtbot.mouseClick(view.neurons_stepper.minus, Qt.MouseButton.LeftButton)
    assert view.neurons_per_layer() == 3
    window.player.next()
    assert window.player.frame is not None and window.player.frame.position == 1
