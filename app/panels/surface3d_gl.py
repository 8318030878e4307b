"""The OpenGL side of the 3-D surface panel: the scene, its labels, its shader and camera.

Nothing here imports ``pyqtgraph.opengl`` (which needs PyOpenGL) until a :class:`Scene` is
built, and :mod:`app.panels.surface3d` builds one only after checking that OpenGL works.
Coordinates: x and y are drawn over [-HALF, HALF], the colour range of z over [0, HEIGHT].
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMatrix4x4,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QVector3D,
)
from PySide6.QtWidgets import QWidget

from app.panels.chart import format_number
from app.shell.theme import Theme
from lessons.core.panels import Surface3D, Surface3DData

__all__ = ["CAMERA", "HINT", "Scene", "levels_of"]

HINT = "Drag to turn · wheel or +/− to zoom · arrow keys turn · Home resets"
HALF = 1.0  # x and y are drawn over [-HALF, HALF]
HEIGHT = 1.1  # the colour range of z is drawn over [0, HEIGHT]
CAMERA = {"distance": 4.2, "elevation": 36.0, "azimuth": -60.0}
FLOOR = -0.03  # the floor grid and axes lie this far below the lowest height


def _unit(values: np.ndarray, lo: float, hi: float, size: float) -> np.ndarray:
    """``values`` from [lo, hi] onto [-size, size]."""
    span = hi - lo if hi > lo else 1.0
    return np.asarray((values - lo) / span * 2 * size - size, dtype=np.float64)


def levels_of(data: Surface3DData) -> tuple[float, float]:
    if data.levels is not None:
        return float(data.levels[0]), float(data.levels[1])
    finite = data.z[np.isfinite(data.z)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    return (lo, hi) if hi > lo else (lo - 0.5, lo + 0.5)


def _heights(z: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """Heights in [0, HEIGHT]: clipped to the colour range; NaN and inf at the top."""
    lo, hi = levels
    z = np.nan_to_num(np.asarray(z, dtype=np.float64), nan=hi, posinf=hi, neginf=lo)
    return np.asarray((np.clip(z, lo, hi) - lo) / (hi - lo) * HEIGHT, dtype=np.float64)


def _tick(value: float) -> str:
    """An axis end value, short: 3 significant digits, a real minus sign."""
    return format_number(float(f"{value:.3g}"))


def _rgba(color: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    q = QColor(color)
    return (q.redF(), q.greenF(), q.blueF(), alpha)


class Scene:
    """The OpenGL view and its items, built once and updated per step."""

    def __init__(self, parent: QWidget, theme: Theme, failed: Callable[[str], None]) -> None:
        import pyqtgraph.opengl as gl

        self.gl = gl
        self.view = _gl_view_class()(failed)
        self.view.setParent(parent)
        self.view.setMinimumSize(120, 100)
        self.surface = gl.GLSurfacePlotItem(
            computeNormals=True, smooth=True, shader=_soft_shader(), glOptions="opaque"
        )
        self.path = gl.GLLinePlotItem(mode="line_strip", antialias=True, glOptions="translucent")
        # The same path, faint and drawn over everything: where the surface hides the path,
        # its course still shows through.
        gl_module = importlib.import_module("OpenGL.GL")
        through = {
            gl_module.GL_DEPTH_TEST: False,
            gl_module.GL_BLEND: True,
            "glBlendFunc": (gl_module.GL_SRC_ALPHA, gl_module.GL_ONE_MINUS_SRC_ALPHA),
        }
        self.hidden_path = gl.GLLinePlotItem(mode="line_strip", antialias=True, glOptions=through)
        self.ends = gl.GLScatterPlotItem(pxMode=True, glOptions=through)  # always in sight
        self.marker = gl.GLScatterPlotItem(pxMode=True, glOptions="translucent")
        self.floor = gl.GLGridItem()
        self.floor.setSize(2 * HALF, 2 * HALF, 1)
        self.floor.setSpacing(HALF / 2, HALF / 2, 1)
        self.floor.translate(0, 0, FLOOR)  # just below the lowest point: no flicker where they meet
        self.axes = gl.GLLinePlotItem(mode="lines", antialias=True, glOptions="translucent")
        scene = (self.floor, self.axes, self.surface, self.path, self.ends, self.marker)
        for item in (*scene, self.hidden_path):
            self.view.addItem(item)
        self.view.reset_camera()
        self.restyle(theme)

    def restyle(self, theme: Theme) -> None:
        self.view.setBackgroundColor(QColor(theme.background))
        self.floor.setColor(QColor(theme.grid))

    def show(self, data: Surface3DData, spec: Surface3D, theme: Theme) -> None:
        x, y = np.asarray(data.x, float), np.asarray(data.y, float)
        levels = levels_of(data)
        xs, ys = _unit(x, x[0], x[-1], HALF), _unit(y, y[0], y[-1], HALF)
        heights = _heights(data.z, levels).T  # GLSurfacePlotItem: z[i, j] at (x[i], y[j])
        cmap = theme.colormap(data.colormap)
        shade = np.clip(heights / HEIGHT, 0.0, 1.0)
        # One RGBA row per vertex, in the order of the item's vertices (x index, then y).
        colors = np.asarray(cmap.map(shade.ravel(), mode="float"), dtype=np.float32)
        wire = QColor(theme.foreground)
        wire.setAlphaF(0.25)
        self.surface.setData(
            x=xs, y=ys, z=heights, colors=colors, showGrid=True, lineColor=wire, lineWidth=1.0
        )
        self.surface.show()
        colour = _rgba(theme.color(3))
        if data.path is not None and len(data.path):
            p = np.asarray(data.path, dtype=np.float64)
            pos = np.column_stack(
                [
                    _unit(p[:, 0], x[0], x[-1], HALF),
                    _unit(p[:, 1], y[0], y[-1], HALF),
                    _heights(p[:, 2], levels) + 0.02,  # just above the surface it touches
                ]
            )
            width = 3.0 * theme.line_width / 2
            self.path.setData(pos=pos, color=colour, width=width)
            self.hidden_path.setData(pos=pos, color=(*colour[:3], 0.35), width=width)
            self.ends.setData(pos=pos[[0, -1]], color=colour, size=11.0 * theme.font_scale)
            for item in (self.path, self.hidden_path, self.ends):
                item.show()
        else:
            for item in (self.path, self.hidden_path, self.ends):
                item.hide()
        if data.marker is not None:
            mx, my, mz = data.marker
            point = [
                float(_unit(np.array([mx]), x[0], x[-1], HALF)[0]),
                float(_unit(np.array([my]), y[0], y[-1], HALF)[0]),
                float(_heights(np.array([mz]), levels)[0]) + 0.04,
            ]
            self.marker.setData(
                pos=np.array([point]), color=_rgba(theme.foreground), size=12.0 * theme.font_scale
            )
            self.marker.show()
        else:
            self.marker.hide()
        self._show_axes(spec, theme, (x[0], x[-1]), (y[0], y[-1]), levels)

    def _show_axes(
        self,
        spec: Surface3D,
        theme: Theme,
        xr: tuple[float, float],
        yr: tuple[float, float],
        levels: tuple[float, float],
    ) -> None:
        h, e, f = HALF, HALF * 1.25, FLOOR
        # x along the front edge, y along the left edge (the floor's edges), the height at the
        # back right corner: the three sets of labels stay apart in the default view.
        self.axes.setData(
            pos=np.array([[h, h, f], [h, h, HEIGHT]]), color=_rgba(theme.muted), width=1.5
        )
        self.axes.show()
        texts = (
            ((0.0, -e - 0.1, f), spec.x_label),
            ((-e - 0.1, 0.0, f), spec.y_label),
            ((h + 0.35, h + 0.35, HEIGHT / 2), spec.z_label),
            ((-h, -e, f), _tick(xr[0])),
            ((h, -e, f), _tick(xr[1])),
            ((-e, -h, f), _tick(yr[0])),
            ((-e, h, f), _tick(yr[1])),
            ((h + 0.15, h + 0.15, f), _tick(levels[0])),
            ((h + 0.15, h + 0.15, HEIGHT), _tick(levels[1])),
        )
        names = (spec.x_label, spec.y_label, spec.z_label)
        self.view.labels.show_labels(
            [(np.array(pos, dtype=np.float64), text, text in names) for pos, text in texts], theme
        )

    def clear(self) -> None:
        for item in (self.surface, self.path, self.hidden_path, self.ends, self.marker, self.axes):
            item.hide()
        self.view.labels.clear()


class _Labels(QWidget):
    """Axis names and end values, painted over the 3-D view where their 3-D points project.

    A plain widget on top of the OpenGL one (mouse events pass through it): its text shows on
    screen and in ``QWidget.grab()`` pictures alike, which text painted inside the OpenGL
    frame does not.
    """

    def __init__(self, view: Any) -> None:
        super().__init__(view)
        self._view = view
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self._items: list[tuple[np.ndarray, str, bool]] = []
        self._colour = QColor("black")
        self._halo = QColor(255, 255, 255, 170)
        self._fonts: tuple[QFont, QFont] = (QFont(), QFont())

    def show_labels(self, items: list[tuple[np.ndarray, str, bool]], theme: Theme) -> None:
        """``items``: (3-D point, text, is an axis name) each."""
        self._items = items
        self._colour = QColor(theme.foreground)
        self._halo = QColor(theme.background)
        self._halo.setAlpha(170)
        self._fonts = (theme.font("tick"), theme.font("label", bold=True))
        self.update()

    def clear(self) -> None:
        self._items = []
        self.update()

    def project(self, point: np.ndarray) -> QPointF:
        """Where a 3-D point of the scene lands on this widget (in widget pixels)."""
        view = self._view
        w, h = max(view.deviceWidth(), 1), max(view.deviceHeight(), 1)
        mvp = view.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * view.viewMatrix()
        screen = QMatrix4x4()
        screen.viewport(0.0, float(self.height()), float(self.width()), -float(self.height()))
        mapped: QPointF = (screen * mvp).map(QVector3D(*(float(v) for v in point))).toPointF()
        return mapped

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._items:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for point, text, name in self._items:
            font = self._fonts[1 if name else 0]
            painter.setFont(font)
            at = self.project(point)
            metrics = QFontMetrics(font)
            width, height = metrics.horizontalAdvance(text), metrics.height()
            box = QRectF(at.x() - width / 2 - 2, at.y() - height / 2, width + 4, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._halo)  # readable over the surface's dark and light parts
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(self._colour)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


_SOFT_VERTEX = """
uniform mat4 u_mvp;
uniform mat3 u_normal;
attribute vec4 a_position;
attribute vec3 a_normal;
attribute vec4 a_color;
varying vec4 v_color;
varying vec3 v_normal;
void main() {
    v_normal = normalize(u_normal * a_normal);
    v_color = a_color;
    gl_Position = u_mvp * a_position;
}
"""
_SOFT_FRAGMENT = """
#ifdef GL_ES
precision mediump float;
#endif
varying vec4 v_color;
varying vec3 v_normal;
void main() {
    // Light from above the viewer, on both faces; never darker than 60%: the colour keeps
    // meaning the height, the shading only shows the slopes.
    float p = abs(dot(normalize(v_normal), normalize(vec3(0.3, 0.5, 1.0))));
    gl_FragColor = vec4(v_color.rgb * (0.6 + 0.4 * p), v_color.a);
}
"""


@cache
def _soft_shader() -> Any:
    """The surface's shader: the colour scale, gently shaded by the slope (built once)."""
    shaders = importlib.import_module("pyqtgraph.opengl.shaders")
    return shaders.ShaderProgram(
        "deepstep_soft",
        [shaders.VertexShader(_SOFT_VERTEX), shaders.FragmentShader(_SOFT_FRAGMENT)],
    )


@cache
def _gl_view_class() -> type:
    """The GLViewWidget subclass (built on first use: importing pyqtgraph.opengl needs GL)."""
    import pyqtgraph.opengl as gl

    class View(gl.GLViewWidget):  # type: ignore[misc]  # pyqtgraph ships no type hints
        """A GLViewWidget that zooms with +/-, resets with Home, and reports GL failures."""

        def __init__(self, failed: Callable[[str], None]) -> None:
            super().__init__()
            self._failed = failed
            self._broken = False
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.setToolTip(HINT)
            self.setAccessibleName("3-D surface")
            self.setAccessibleDescription(HINT)
            self.labels = _Labels(self)

        def resizeEvent(self, ev: QResizeEvent) -> None:
            super().resizeEvent(ev)
            self.labels.setGeometry(self.rect())

        def reset_camera(self) -> None:
            self.setCameraPosition(**CAMERA)
            self.opts["center"] = pg.Vector(0.0, -0.1, HEIGHT * 0.1)
            self.update()

        def zoom(self, factor: float) -> None:
            self.opts["distance"] = float(np.clip(self.opts["distance"] * factor, 1.0, 40.0))
            self.update()

        def keyPressEvent(self, ev: QKeyEvent) -> None:
            key = ev.key()
            if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
                self.zoom(1 / 1.15)
            elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
                self.zoom(1.15)
            elif key == Qt.Key.Key_Home:
                self.reset_camera()
            else:
                super().keyPressEvent(ev)
                return
            ev.accept()

        def initializeGL(self) -> None:
            try:
                super().initializeGL()
            except Exception as err:  # an old or broken OpenGL: never crash the lesson
                self._broken = True
                self._failed(f"{type(err).__name__}: {err}")

        def paintGL(self) -> None:
            if self._broken:
                return
            try:
                super().paintGL()
            except Exception as err:
                self._broken = True
                self._failed(f"{type(err).__name__}: {err}")
                return
            self.labels.update()  # the camera may have moved: the labels follow

    return View
