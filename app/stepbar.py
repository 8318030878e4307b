"""The step bar: first, back, play/pause, next, speed, step counter and scrubber."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

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
        style = self.style()
        for name, icon, tip in (
            ("first", QStyle.StandardPixmap.SP_MediaSkipBackward, "First step (Home)"),
            ("back", QStyle.StandardPixmap.SP_MediaSeekBackward, "Back one step (Left, Page Up)"),
            ("play", QStyle.StandardPixmap.SP_MediaPlay, "Play / pause (Space)"),
            ("next", QStyle.StandardPixmap.SP_MediaSeekForward, "Next step (Right, Page Down)"),
        ):
            button = QToolButton()
            button.setIcon(style.standardIcon(icon))
            button.setIconSize(QSize(22, 22))
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
            lambda i: self.speed.emit(float(self.speed_box.itemData(i)))
        )
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
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.buttons["play"].setIcon(self.style().standardIcon(icon))
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
