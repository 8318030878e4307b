"""The canvas panel: the learner draws with the mouse; each finished stroke sets a control.

A square pad (ink in the theme's foreground colour on its background) keeps the strokes as
points in [0, 1] (y down).  When the mouse button is released, the view emits
``picked(control, strokes)`` with every stroke so far as one flat tuple (see
:class:`lessons.core.controls.Drawing`), the same signal clickable plots use, so the stage
passes it to the player.  The Clear button (also Delete or Backspace while the pad has focus)
wipes the pad and emits an empty drawing.  The step's data shows the strokes the lesson read.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.panels.base import PanelView
from app.shell.theme import Theme
from lessons.core.panels import Canvas, CanvasData, Panel

__all__ = ["CanvasView", "DrawingPad"]

PEN_SHARE = 0.08  # pen width as a share of the pad's side (the lesson's raster uses 2 x 0.04)
MAX_POINTS = 990  # keep the flat tuple within the Drawing control's 2000 numbers
LIFT = (-1.0, -1.0)  # the pen-up marker between strokes


class DrawingPad(QWidget):
    """The square the strokes are drawn on; ``finished(strokes)`` after each stroke."""

    finished = Signal(object)
    cleared = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.strokes: list[list[tuple[float, float]]] = []
        self._drawing = False
        self.setMouseTracking(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(120, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Drawing pad")
        self.setAccessibleDescription(
            "Draw a digit with the mouse; Delete or Backspace clears the pad."
        )

    def sizeHint(self) -> QSize:
        return QSize(200, 200)

    def square(self) -> QRectF:
        """The drawing square, centred in the widget."""
        side = float(min(self.width(), self.height()))
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def _unit(self, pos: QPointF) -> tuple[float, float]:
        sq = self.square()
        x = (pos.x() - sq.left()) / max(sq.width(), 1.0)
        y = (pos.y() - sq.top()) / max(sq.height(), 1.0)
        return min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)

    def flat(self) -> tuple[float, ...]:
        """Every stroke as one flat tuple, strokes separated by the pen-up marker."""
        values: list[float] = []
        for i, stroke in enumerate(self.strokes):
            if i:
                values.extend(LIFT)
            for x, y in stroke:
                values.extend((x, y))
        return tuple(values)

    def set_strokes(self, flat: tuple[float, ...]) -> None:
        """Show the strokes of a flat tuple (what the lesson read), unless a stroke is on."""
        if self._drawing:
            return
        strokes: list[list[tuple[float, float]]] = [[]]
        for x, y in zip(flat[0::2], flat[1::2], strict=False):
            if x < 0 or y < 0:
                strokes.append([])
            else:
                strokes[-1].append((float(x), float(y)))
        self.strokes = [s for s in strokes if s]
        self.update()

    def clear(self) -> None:
        """Wipe the pad and say so."""
        self.strokes = []
        self._drawing = False
        self.update()
        self.cleared.emit()

    def _points(self) -> int:
        return sum(len(s) + 1 for s in self.strokes)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._points() >= MAX_POINTS:
            return
        self._drawing = True
        self.strokes.append([self._unit(event.position())])
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self._drawing or self._points() >= MAX_POINTS:
            return
        point = self._unit(event.position())
        if point != self.strokes[-1][-1]:
            self.strokes[-1].append(point)
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if not self._drawing or event.button() != Qt.MouseButton.LeftButton:
            return
        self._drawing = False
        self.finished.emit(self.flat())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        sq = self.square()
        painter.fillRect(sq, QColor("#000000"))  # MNIST: white ink on black
        painter.setPen(QPen(QColor(self.theme.grid), 1))
        painter.drawRect(sq.adjusted(0, 0, -1, -1))
        if self.hasFocus():
            painter.setPen(QPen(QColor(self.theme.accent), 2))
            painter.drawRect(sq.adjusted(1, 1, -2, -2))
        pen = QPen(QColor("#ffffff"), PEN_SHARE * sq.width())
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for stroke in self.strokes:
            points = [
                QPointF(sq.left() + x * sq.width(), sq.top() + y * sq.height()) for x, y in stroke
            ]
            if len(points) == 1:
                painter.drawPoint(points[0])
                continue
            path = QPainterPath(points[0])
            for p in points[1:]:
                path.lineTo(p)
            painter.drawPath(path)
        painter.end()


class CanvasView(PanelView):
    """Shows :class:`~lessons.core.panels.CanvasData` for a :class:`Canvas` spec.

    Signal: ``picked(control_name, strokes)`` after each stroke and after Clear.
    """

    accepts = (CanvasData,)
    picked = Signal(str, object)

    def __init__(self, spec: Panel, theme: Theme, parent: QWidget | None = None) -> None:
        if not isinstance(spec, Canvas):
            raise ValueError(f"CanvasView needs a Canvas spec, got {type(spec).__name__}")
        super().__init__(spec, theme, parent)
        self._spec = spec
        host = QWidget(self)
        column = QVBoxLayout(host)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self.pad = DrawingPad(theme, host)
        self.clear_button = QPushButton("&Clear", host)
        self.clear_button.setAccessibleName("Clear the drawing")
        self.clear_button.setToolTip("Wipe the pad (Delete or Backspace on the pad)")
        self.clear_button.clicked.connect(self.pad.clear)
        column.addWidget(self.pad, 1)
        column.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.pad.finished.connect(lambda flat: self.picked.emit(self._spec.control, flat))
        self.pad.cleared.connect(lambda: self.picked.emit(self._spec.control, ()))
        self._set_content(host)
        self._restyle()

    def _show(self, data: CanvasData) -> None:
        self.pad.set_strokes(tuple(data.strokes))
        self.set_caption(data.caption)

    def _restyle(self) -> None:
        self.pad.theme = self.theme
        self.clear_button.setFont(self.theme.font("body"))
        self.pad.update()

    def _clear(self) -> None:
        self.pad.set_strokes(())
