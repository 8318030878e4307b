"""The step bar: first, back, play/pause, next, speed, step counter and scrubber."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QWidget,
)

from app.shell.player import SPEEDS, Frame


def media_icon(kind: str, color: str, size: int = 64) -> QIcon:
    """A flat media-control icon ("first", "back", "play", "pause", "next") in ``color``."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    s = size / 64

    def triangle(x0: float, x1: float) -> None:
        painter.drawPolygon(
            QPolygonF([QPointF(x0 * s, 12 * s), QPointF(x1 * s, 32 * s), QPointF(x0 * s, 52 * s)])
        )

    if kind == "play":
        triangle(18, 50)
    elif kind == "pause":
        painter.drawRect(QRectF(16 * s, 12 * s, 11 * s, 40 * s))
        painter.drawRect(QRectF(37 * s, 12 * s, 11 * s, 40 * s))
    elif kind == "next":
        triangle(14, 42)
        painter.drawRect(QRectF(44 * s, 12 * s, 7 * s, 40 * s))
    elif kind == "back":
        triangle(50, 22)
        painter.drawRect(QRectF(13 * s, 12 * s, 7 * s, 40 * s))
    elif kind == "first":
        triangle(54, 32)
        triangle(34, 12)
        painter.drawRect(QRectF(6 * s, 12 * s, 6 * s, 40 * s))
    else:
        painter.end()
        raise ValueError(f"unknown media icon {kind!r}")
    painter.end()
    return QIcon(pixmap)


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
        self._color = "#202020"
        self._playing = False
        for name, tip in (
            ("first", "First step (Home)"),
            ("back", "Back one step (Left, Page Up)"),
            ("play", "Play / pause (Space)"),
            ("next", "Next step (Right, Page Down)"),
        ):
            button = QToolButton()
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
        self.apply_theme(self._color)

    def set_speed(self, speed: float) -> None:
        index = self.speed_box.findData(speed)
        if index >= 0:
            with QSignalBlocker(self.speed_box):
                self.speed_box.setCurrentIndex(index)

    def apply_theme(self, color: str, scale: float = 1.0) -> None:
        """Draw the button icons in the theme's text colour at the theme's scale."""
        self._color = color
        size = round(22 * scale)
        for name, button in self.buttons.items():
            button.setIconSize(QSize(size, size))
            kind = ("pause" if self._playing else "play") if name == "play" else name
            button.setIcon(media_icon(kind, color))

    def set_playing(self, playing: bool) -> None:
        self._playing = playing
        self.buttons["play"].setIcon(media_icon("pause" if playing else "play", self._color))
        self.buttons["play"].setAccessibleName("Pause" if playing else "Play")

    def set_busy(self, busy: bool) -> None:
        self.busy.setText("computing…" if busy else "")

    def show_frame(self, frame: Frame) -> None:
        """Update counter and scrubber (1-based for people) without emitting goto."""
        # the total is known for a finite lesson, or once a live one's run has ended
        ended = frame.length is not None or frame.at_end or frame.error is not None
        total = frame.length if frame.length is not None else frame.computed
        more = "" if ended else "+"
        self.counter.setText(f"Step {frame.position + 1} / {total}{more}")
        with QSignalBlocker(self.scrubber):
            self.scrubber.setRange(frame.oldest + 1, max(frame.oldest + 1, frame.computed))
            self.scrubber.setValue(frame.position + 1)
        self.buttons["back"].setEnabled(frame.position > frame.oldest)
        self.buttons["first"].setEnabled(frame.position > frame.oldest)
        self.buttons["next"].setEnabled(not frame.at_end)

    def _scrubbed(self, value: int) -> None:
        self.goto.emit(value - 1)
