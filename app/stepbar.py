"""The step bar: first, back, play/pause, next, speed, step counter and scrubber."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from app.player import SPEEDS, Frame


def _speed_label(speed: float) -> str:
    return "max" if speed == 0 else f"{speed:g}×/s"


class StepBar(QWidget):
    """Buttons and scrubber; it only emits requests, the window forwards them to the player."""

    first = Signal()
    back = Signal()
    play_pause = Signal()
    next = Signal()
    goto = Signal(int)
    speed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Step bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.buttons: dict[str, QToolButton] = {}
        for name, text, tip in (
            ("first", "⏮", "First step (Home)"),
            ("back", "◀", "Back one step (Left, Page Up)"),
            ("play", "▶", "Play / pause (Space)"),
            ("next", "▶▏", "Next step (Right, Page Down)"),
        ):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setAccessibleName(tip.split(" (")[0])
            button.setObjectName(f"step_{name}")
            button.setMinimumWidth(44)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            layout.addWidget(button)
            self.buttons[name] = button
        self.buttons["first"].clicked.connect(self.first.emit)
        self.buttons["back"].clicked.connect(self.back.emit)
        self.buttons["play"].clicked.connect(self.play_pause.emit)
        self.buttons["next"].clicked.connect(self.next.emit)
        self.speed_box = QComboBox()
        self.speed_box.setAccessibleName("Playback speed, steps per second")
        self.speed_box.setToolTip("Playback speed (steps per second)")
        for value in SPEEDS:
            self.speed_box.addItem(_speed_label(value), value)
        self.speed_box.currentIndexChanged.connect(
            lambda i: self.speed.emit(float(self.speed_box.itemData(i))))
        layout.addWidget(self.speed_box)
        self.counter = QLabel("Step – / –")
        self.counter.setObjectName("stepCounter")
        self.counter.setAccessibleName("Step counter")
        self.counter.setMinimumWidth(130)
        self.counter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.counter)
        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setAccessibleName("Step scrubber")
        self.scrubber.setMinimum(1)
        self.scrubber.setPageStep(1)
        self.scrubber.valueChanged.connect(self._scrubbed)
        layout.addWidget(self.scrubber, 1)
        self.busy = QLabel("")
        self.busy.setMinimumWidth(90)
        layout.addWidget(self.busy)

    def set_speed(self, speed: float) -> None:
        index = self.speed_box.findData(speed)
        if index >= 0:
            self.speed_box.blockSignals(True)
            self.speed_box.setCurrentIndex(index)
            self.speed_box.blockSignals(False)

    def set_playing(self, playing: bool) -> None:
        self.buttons["play"].setText("⏸" if playing else "▶")
        self.buttons["play"].setAccessibleName("Pause" if playing else "Play")

    def set_busy(self, busy: bool) -> None:
        self.busy.setText("computing…" if busy else "")

    def show_frame(self, frame: Frame) -> None:
        """Update counter and scrubber (1-based for people) without emitting goto."""
        total = frame.length if frame.length is not None else frame.computed
        more = "" if frame.length is not None else "+"
        self.counter.setText(f"Step {frame.position + 1} / {total}{more}")
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(frame.oldest + 1, max(frame.oldest + 1, frame.computed))
        self.scrubber.setValue(frame.position + 1)
        self.scrubber.blockSignals(False)
        self.buttons["back"].setEnabled(frame.position > frame.oldest)
        self.buttons["first"].setEnabled(frame.position > frame.oldest)
        self.buttons["next"].setEnabled(not frame.at_end)

    def _scrubbed(self, value: int) -> None:
        self.goto.emit(value - 1)
