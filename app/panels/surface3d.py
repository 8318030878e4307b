"""The 3-D surface panel: heights z(x, y) the learner turns with the mouse, with a path over them.

With OpenGL the panel is a pyqtgraph ``GLViewWidget``: a ``GLSurfacePlotItem`` coloured by
height (the theme's colour scale, a light wire grid on top), the path as a ``GLLinePlotItem``
with its two ends marked, the marker as a dot, a floor grid and labelled axes.  Drag to turn,
wheel or +/- to zoom, arrow keys to turn, Home to reset the view.  The heights are scaled so
the surface is about half as tall as it is wide, whatever the units, and heights above the
data's colour range are drawn at its top.

Where OpenGL is not available (the offscreen Qt platform of the tests and of ``--screenshot``
without a display, no PyOpenGL, or no OpenGL context), or if it fails once started, the panel
shows the same data as a filled contour map with the path and says so in one line
(:data:`FALLBACK_MESSAGE`).  It never raises for a missing or broken OpenGL.  The OpenGL
scene itself lives in :mod:`app.panels.surface3d_gl`.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtGui import (
    QGuiApplication,
    QOffscreenSurface,
    QOpenGLContext,
)
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.panels.base import PanelView
from app.panels.chart import make_pen, make_plot_widget, style_axes
from app.panels.surface import SurfaceLayer
from app.panels.surface3d_gl import HINT, Scene, levels_of
from app.shell.theme import Theme
from lessons.core.base import Panel, PlotData
from lessons.core.panels import Surface3D, Surface3DData

__all__ = ["FALLBACK_MESSAGE", "Surface3DView", "gl_problem"]

log = logging.getLogger(__name__)

FALLBACK_MESSAGE = "3-D view needs OpenGL; showing contours"
NO_GL_PLATFORMS = ("offscreen", "minimal", "vnc")
CONTOURS = 8


@cache
def _probe(platform: str) -> str | None:
    """Why OpenGL cannot be used on ``platform`` (None: it can); tried once per platform."""
    if platform in NO_GL_PLATFORMS:
        return f"the {platform!r} Qt platform has no OpenGL"
    try:
        importlib.import_module("OpenGL.GL")  # PyOpenGL: pyqtgraph.opengl needs it
        importlib.import_module("pyqtgraph.opengl")
    except Exception as err:  # ImportError, or a broken GL library under it
        return f"pyqtgraph.opengl cannot be imported ({type(err).__name__}: {err})"
    context = QOpenGLContext()
    if not context.create():
        return "no OpenGL context could be created"
    surface = QOffscreenSurface()
    surface.create()
    try:
        if not context.makeCurrent(surface):
            return "the OpenGL context cannot be made current"
        version = context.format().version()
        if not context.isOpenGLES() and version < (2, 1):
            return f"OpenGL {version[0]}.{version[1]} is older than the 2.1 pyqtgraph needs"
    finally:
        context.doneCurrent()
        surface.destroy()
    return None


def gl_problem() -> str | None:
    """Why this process cannot draw in 3-D, or None when OpenGL works."""
    return _probe(QGuiApplication.platformName())


class Surface3DView(PanelView):
    """Shows :class:`~lessons.core.panels.Surface3DData`: in 3-D with OpenGL, else as contours."""

    accepts = (Surface3DData,)

    def __init__(self, spec: Panel, theme: Theme, parent: QWidget | None = None) -> None:
        if not isinstance(spec, Surface3D):
            raise ValueError(f"Surface3DView needs a Surface3D spec, got {type(spec).__name__}")
        super().__init__(spec, theme, parent)
        self._spec = spec
        self._host = QWidget(self)
        self._box = QVBoxLayout(self._host)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(2)
        self.message = QLabel(FALLBACK_MESSAGE, self._host)
        self.message.setObjectName("surface3dMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self._box.addWidget(self.message)
        self.problem = gl_problem()
        self.scene: Scene | None = None
        self.contours: _Contours | None = None
        if self.problem is None:
            try:
                self.scene = Scene(self._host, theme, self._gl_failed)
                self._box.addWidget(self.scene.view, 1)
            except Exception as err:  # a GL library that imports but cannot build a widget
                self.problem = f"{type(err).__name__}: {err}"
                self.scene = None
        if self.scene is None:
            self._use_contours()
        self._set_content(self._host)
        self._restyle()

    @property
    def mode(self) -> str:
        """ "3d" while drawing with OpenGL, "contours" when showing the fallback map."""
        return "3d" if self.scene is not None else "contours"

    def _use_contours(self) -> None:
        if self.problem:
            log.info("3-D panel %s shows contours: %s", self.spec.id, self.problem)
        self.message.setToolTip(f"OpenGL is not available: {self.problem}")
        self.message.show()
        self.contours = _Contours(self._host, self.theme, self._spec)
        self._box.addWidget(self.contours.widget, 1)

    def _gl_failed(self, problem: str) -> None:
        """OpenGL failed after the start: from the next event loop turn on, show contours."""
        if self.scene is None:
            return
        log.warning("3-D panel %s: OpenGL failed (%s); showing contours", self.spec.id, problem)
        self.problem = problem
        scene, self.scene = self.scene, None

        def switch() -> None:
            scene.view.hide()
            self._box.removeWidget(scene.view)
            scene.view.deleteLater()
            self._use_contours()
            self._restyle()
            if self._data is not None:
                self._show(self._data)

        QTimer.singleShot(0, switch)

    # ---- PanelView ---------------------------------------------------------------------

    def _show(self, data: Surface3DData) -> None:
        caption = data.caption
        if self.scene is not None:
            self.scene.show(data, self._spec, self.theme)
            caption = f"{caption}\n{HINT}" if caption else HINT
        elif self.contours is not None:
            self.contours.show(data, self.theme)
        self.set_caption(caption)

    def _restyle(self) -> None:
        t = self.theme
        self.message.setFont(t.font("caption"))
        self.message.setStyleSheet(f"color: {t.muted};")
        if self.scene is not None:
            self.scene.restyle(t)
        if self.contours is not None:
            self.contours.restyle(t, self._spec)

    def _clear(self) -> None:
        if self.scene is not None:
            self.scene.clear()
        if self.contours is not None:
            self.contours.clear()

    def _is_empty(self, data: Surface3DData) -> bool:
        return not bool(np.isfinite(data.z).any())


class _Contours:
    """The fallback: a plot with the surface as a coloured map, its level lines and the path."""

    def __init__(self, parent: QWidget, theme: Theme, spec: Surface3D) -> None:
        self.widget = make_plot_widget(theme)
        self.widget.setParent(parent)
        self.plot_item: pg.PlotItem = self.widget.getPlotItem()
        self.layer = SurfaceLayer(self.plot_item)
        self.path = pg.PlotDataItem()
        self.ends = pg.ScatterPlotItem()
        self.marker = pg.ScatterPlotItem()
        for item in (self.path, self.ends, self.marker):
            self.plot_item.addItem(item)
        self.restyle(theme, spec)

    def restyle(self, theme: Theme, spec: Surface3D) -> None:
        self.widget.setBackground(theme.background)
        style_axes(self.plot_item, theme, spec.x_label, spec.y_label)

    def show(self, data: Surface3DData, theme: Theme) -> None:
        x, y = np.asarray(data.x, float), np.asarray(data.y, float)
        dx, dy = (x[-1] - x[0]) / (len(x) - 1), (y[-1] - y[0]) / (len(y) - 1)
        rect = (x[0] - dx / 2, y[0] - dy / 2, x[-1] - x[0] + dx, y[-1] - y[0] + dy)
        levels = levels_of(data)
        contours = data.contours or tuple(np.linspace(*levels, CONTOURS + 2)[1:-1])
        z = np.clip(np.asarray(data.z, dtype=np.float64), None, levels[1])
        plot = PlotData(
            image=z,
            image_rect=rect,
            image_colormap=data.colormap,
            image_levels=levels,
            contours=tuple(float(c) for c in contours),
        )
        self.layer.show(plot, theme)
        width = theme.line_width * 1.2
        colour = theme.color(3)
        if data.path is not None and len(data.path):
            p = np.asarray(data.path, dtype=np.float64)
            self.path.setData(p[:, 0], p[:, 1], pen=make_pen(colour, width))
            self.ends.setData(
                p[[0, -1], 0],
                p[[0, -1], 1],
                brush=pg.mkBrush(colour),
                pen=make_pen(theme.background, 1),
                size=9 * theme.font_scale,
            )
            self.path.show()
            self.ends.show()
        else:
            self.path.hide()
            self.ends.hide()
        if data.marker is not None:
            self.marker.setData(
                [data.marker[0]],
                [data.marker[1]],
                symbol="star",
                brush=pg.mkBrush(theme.foreground),
                pen=make_pen(theme.background, 1),
                size=13 * theme.font_scale,
            )
            self.marker.show()
        else:
            self.marker.hide()
        self.plot_item.getViewBox().setRange(
            xRange=(rect[0], rect[0] + rect[2]), yRange=(rect[1], rect[1] + rect[3]), padding=0
        )

    def clear(self) -> None:
        self.layer.hide()
        for item in (self.path, self.ends, self.marker):
            item.hide()
