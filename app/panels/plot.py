"""The plot panel: named series (lines, points, steps, areas), annotations and a background map.

Each series name gets one ``PlotDataItem`` the first time it appears; later steps only call
``setData`` on it.  Hovering near a point shows its exact values; when the spec names a
``pick`` control, a left click emits :attr:`PlotView.picked` with the x under the mouse.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from app.panels.base import PanelView
from app.panels.chart import (
    HoverLabel,
    finite_or_nan,
    format_number,
    make_pen,
    make_plot_widget,
    mouse_moves,
    style_axes,
)
from app.panels.legend import MARGIN_PX, LegendPlacer, key_html
from app.panels.surface import SurfaceLayer
from app.shell.theme import Theme
from lessons.core.base import Annotation, Panel, Plot, PlotData, Series

__all__ = ["PlotView"]

LONG_SERIES = 2000  # points above which sorted series are clipped to the view and downsampled
HOVER_RADIUS_PX = 14
MARKER_WEIGHT = 120.0  # a marker or label under the legend costs as much as this many px of line
POINT_WEIGHT = 40.0  # and a point of a scatter (it vanishes; a line shows on either side)
LEGEND_FREE_COST = POINT_WEIGHT / 2  # a corner hiding less (a few px of line) counts as free
_SYMBOLS = {"o", "s", "t", "t1", "t2", "t3", "d", "+", "x", "p", "h", "star", "star2"}


def _style_fields(s: Series) -> tuple[Any, ...]:
    """Everything of a series but its points: two series with equal fields and points draw
    the same (the points are compared apart, NaN equal to NaN)."""
    return (s.name, s.style, s.color, s.width, s.size, s.symbol, s.labels)


def _is_sorted(x: np.ndarray) -> bool:
    finite = x[np.isfinite(x)]
    return bool(np.all(finite[1:] >= finite[:-1]))


class PlotView(PanelView):
    """Shows :class:`~lessons.core.base.PlotData` for a :class:`~lessons.core.base.Plot` spec.

    Signals: ``picked(control_name, x)`` and ``picked_point(control_name, x, y)`` when the
    spec has ``pick`` and the learner left-clicks inside the plot.
    """

    accepts = (PlotData,)
    picked = Signal(str, object)
    picked_point = Signal(str, float, float)

    _axis_labels: tuple[str, str] | None = None  # the shown step's own (x, y) labels, if any
    _x_ticks: tuple[tuple[float, str], ...] = ()  # the shown step's named x positions
    _x_span: tuple[float, float] = (0.0, 1.0)  # the x range labels are placed against

    def __init__(self, spec: Panel, theme: Theme, parent: QWidget | None = None) -> None:
        if not isinstance(spec, Plot):
            raise ValueError(f"PlotView needs a Plot spec, got {type(spec).__name__}")
        super().__init__(spec, theme, parent)
        self._spec = spec
        self.plot_widget = make_plot_widget(theme)
        self.plot_widget.setAccessibleName(spec.title or spec.id)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self._items: dict[str, pg.PlotDataItem] = {}
        self._points: dict[str, tuple[str, np.ndarray, np.ndarray]] = {}  # key -> name, x, y
        self._styles: dict[str, str] = {}  # key -> the series' style
        # key -> what its item shows now: style fields, theme, x and y (copies)
        self._drawn: dict[str, tuple[tuple[Any, ...], Theme, np.ndarray, np.ndarray]] = {}
        self._point_labels: dict[str, list[pg.TextItem]] = {}
        self._annotations: list[pg.TextItem] = []
        self._placed: list[tuple[pg.TextItem, float, float, float]] = []  # label, x, anchor
        self._vlines: list[pg.InfiniteLine] = []
        self._hlines: list[pg.InfiniteLine] = []
        self._legend_entries: tuple[tuple[str, str], ...] = ()
        # the ranges last set and the view range they gave (see _apply_ranges)
        self._ranged: tuple[object, list[list[float]]] | None = None

        self.surface = SurfaceLayer(self.plot_item)
        self.legend: pg.LegendItem = self.plot_item.addLegend(offset=(-MARGIN_PX, MARGIN_PX))
        self.legend.hide()
        self._key = QLabel(self)  # the legend as a line of text, when it fits nowhere else
        self._key.setObjectName("legendKey")
        self._key.setWordWrap(True)
        self._key.setTextFormat(Qt.TextFormat.RichText)
        self._key.hide()
        self._placer = LegendPlacer(
            self.plot_item, self.legend, self._key, self._obstacles, LEGEND_FREE_COST
        )
        self._hover = HoverLabel(self.plot_item, theme)
        self._hover_dot = pg.ScatterPlotItem()
        self._hover_dot.setZValue(999)
        self._hover_dot.hide()
        self.plot_item.addItem(self._hover_dot, ignoreBounds=True)

        self.plot_item.setLogMode(x=False, y=spec.log_y)
        if spec.aspect_locked:
            self.plot_item.setAspectLocked(True, ratio=1.0)
        scene = self.plot_widget.scene()
        self._mouse_moves = mouse_moves(self.plot_widget, self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)
        self.plot_item.getViewBox().sigResized.connect(self._on_resized)
        self.plot_item.getViewBox().sigRangeChanged.connect(lambda *_: self._placer.place())
        if spec.pick:
            self.plot_widget.setCursor(Qt.CursorShape.CrossCursor)
            self.plot_widget.setToolTip("Click to choose a value")
        self._set_content(self.plot_widget)
        self._layout.insertWidget(1, self._key)  # under the title, above the plot
        self._restyle()
        self._apply_ranges(None)

    # ---- drawing -------------------------------------------------------------------------

    def _show(self, data: PlotData) -> None:
        self._hide_hover()
        self._x_span = self._target_x_range(data)
        self._placed = []
        keys: list[str] = []
        for i, series in enumerate(data.series):
            key = series.name if series.name not in keys else f"{series.name}#{i}"
            keys.append(key)
            self._show_series(key, series)
        for key in set(self._items) - set(keys):
            self._hide_series(key)
        self._show_annotations(data.annotations)
        self._vlines = self._show_lines(self._vlines, data.vlines, 90)
        self._hlines = self._show_lines(self._hlines, tuple(map(self._view_y, data.hlines)), 0)
        self.surface.show(data, self.theme)
        if data.axis_labels != self._axis_labels:
            self._axis_labels = data.axis_labels
            self._restyle()
        for side in ("left", "bottom"):  # a diagram has no axes, ticks or grid
            # Only on a change: showing a shown axis makes pyqtgraph redraw it from scratch
            # (about 2 ms an axis, every frame of a playing lesson).
            if self.plot_item.getAxis(side).isVisible() != data.axes:
                self.plot_item.showAxis(side, data.axes)
        if data.x_ticks != self._x_ticks:  # categories on the x axis, or numbers again
            self._x_ticks = data.x_ticks
            ticks = [list(data.x_ticks)] if data.x_ticks else None
            self.plot_item.getAxis("bottom").setTicks(ticks)
        self._update_legend(keys)
        self._apply_ranges(data)

    def _show_series(self, key: str, series: Series) -> None:
        item = self._items.get(key)
        if item is None:
            item = pg.PlotDataItem()
            self.plot_item.addItem(item)
            self._items[key] = item
        x, y = finite_or_nan(series.x), finite_or_nan(series.y)
        fields = _style_fields(series)
        drawn = self._drawn.get(key)
        if (
            drawn is not None
            and drawn[0] == fields
            and drawn[1] is self.theme
            and np.array_equal(drawn[2], x, equal_nan=True)
            and np.array_equal(drawn[3], y, equal_nan=True)
        ):  # the item already shows these points in this style: only labels are re-placed
            self._show_point_labels(key, series, x, y)
            return
        self._drawn[key] = (fields, self.theme, x, y)
        finite = np.isfinite(x) & np.isfinite(y)
        if series.style in ("scatter", "marker") or not finite.any():
            x, y = x[finite], y[finite]  # points need no gaps; pyqtgraph warns on all-NaN
        item.setData(x=x, y=y, connect="finite", **self._style(series))
        # Thick antialiased paths are slow in Qt's raster engine (tens of ms for a noisy
        # loss curve); drawn as separate round-capped segments they look the same, 5x faster.
        # Dashes restart at every segment, so dashed lines stay one path.
        item.curve.setSegmentedLineMode("off" if series.style == "dash" else "on")
        fast = x.size > LONG_SERIES and _is_sorted(x)
        item.setClipToView(fast)
        item.setDownsampling(auto=fast, method="peak")
        item.show()
        self._points[key] = (series.name, x, y)
        self._styles[key] = series.style
        self._show_point_labels(key, series, finite_or_nan(series.x), finite_or_nan(series.y))

    def _hide_series(self, key: str) -> None:
        item = self._items[key]
        item.setData(x=np.empty(0), y=np.empty(0))
        item.hide()
        self._drawn.pop(key, None)
        self._points.pop(key, None)
        for label in self._point_labels.get(key, ()):
            label.hide()

    def _style(self, s: Series) -> dict[str, Any]:
        t = self.theme
        color = t.color(s.color)
        width = s.width / 2.0 * t.line_width
        size = s.size * t.font_scale
        style: dict[str, Any] = {
            "pen": None,
            "symbol": None,
            "fillLevel": None,
            "fillBrush": None,
            "stepMode": None,
        }
        if s.style in ("line", "dash", "step", "area"):
            dash = Qt.PenStyle.DashLine if s.style == "dash" else Qt.PenStyle.SolidLine
            style["pen"] = make_pen(color, width, dash)
        if s.style == "step":
            style["stepMode"] = "left"
        elif s.style == "area":
            fill = QColor(color)
            fill.setAlpha(70)
            style["fillLevel"] = self._fill_level(s)
            style["fillBrush"] = pg.mkBrush(fill)
        elif s.style in ("scatter", "marker"):
            marker = s.style == "marker"
            style["symbol"] = s.symbol if s.symbol in _SYMBOLS else "o"
            style["symbolBrush"] = pg.mkBrush(QColor(color))
            style["symbolSize"] = size * (1.6 if marker else 1.0)
            outline = t.foreground if marker else t.background
            style["symbolPen"] = make_pen(outline, max(1.0, width * 0.75) if marker else 1.0)
        return style

    def _fill_level(self, s: Series) -> float:
        """Areas fill down to zero, or to the lowest decade shown on a log axis."""
        if not self._spec.log_y:
            return 0.0
        y = np.asarray(s.y, dtype=np.float64)
        positive = y[np.isfinite(y) & (y > 0)]
        return float(np.floor(np.log10(positive.min()))) if positive.size else 0.0

    def _show_point_labels(self, key: str, s: Series, x: np.ndarray, y: np.ndarray) -> None:
        labels = self._point_labels.setdefault(key, [])
        while len(labels) < len(s.labels):
            label = pg.TextItem("", anchor=(-0.2, 1.1))
            self.plot_item.addItem(label, ignoreBounds=True)
            labels.append(label)
        if not labels:
            return  # (most series have no labels: no fonts or colours to make)
        font = self.theme.font("small")
        color = QColor(self.theme.foreground)
        fill = QColor(self.theme.background)
        fill.setAlpha(190)
        for i, label in enumerate(labels):
            shown = i < min(len(s.labels), x.size)
            if not (shown and np.isfinite(x[i]) and np.isfinite(self._view_y(y[i]))):
                label.hide()
                continue
            vy = self._view_y(y[i])
            label.setFont(font)
            label.setText(s.labels[i], color)
            label.fill = pg.mkBrush(fill)
            self._placed.append((label, float(x[i]), -0.2, 1.1))
            self._place_label(label, float(x[i]), -0.2, 1.1)
            label.setPos(float(x[i]), vy)
            label.show()

    def _show_annotations(self, annotations: tuple[Annotation, ...]) -> None:
        while len(self._annotations) < len(annotations):
            item = pg.TextItem("")
            item.setZValue(500)
            self.plot_item.addItem(item, ignoreBounds=True)
            self._annotations.append(item)
        fill = QColor(self.theme.background)
        fill.setAlpha(200)
        for i, item in enumerate(self._annotations):
            if i >= len(annotations):
                item.hide()
                continue
            a = annotations[i]
            vy = self._view_y(a.y)
            if not (np.isfinite(a.x) and np.isfinite(vy)):
                item.hide()
                continue
            item.setFont(self.theme.font("label", bold=True))
            item.setText(a.text, QColor(self.theme.color(a.color)))
            item.fill = pg.mkBrush(fill)
            self._placed.append((item, float(a.x), *a.anchor))
            self._place_label(item, float(a.x), *a.anchor)
            item.setPos(float(a.x), vy)
            item.show()

    def _place_label(self, item: pg.TextItem, x: float, ax: float, ay: float) -> None:
        """Anchor a label as asked, or mirrored leftwards if its text would run off the right."""
        if ax <= 0.0 and self._runs_past_right(item, x, ax):
            ax = 1.0 - ax
        item.setAnchor((ax, ay))

    def _on_resized(self) -> None:
        """The plot changed size: labels measure again which way to write, the legend refits."""
        for item, x, ax, ay in self._placed:
            self._place_label(item, x, ax, ay)
        self._placer.place()

    def _runs_past_right(self, item: pg.TextItem, x: float, ax: float) -> bool:
        """Whether the text of ``item``, anchored at ``x`` with x-anchor ``ax``, runs off the right.

        Measured in pixels against the range this step shows; before the plot has a size,
        text starting in the right third of the range counts as running past.
        """
        left, right = self._x_span
        span = right - left
        width_px = self.plot_item.getViewBox().width()
        if not (span > 0 and width_px > 0):
            return x > left + 0.65 * span
        text_px = float(item.textItem.boundingRect().width())
        return bool(x + (1.0 - ax) * text_px * span / width_px > right)

    def _target_x_range(self, data: PlotData) -> tuple[float, float]:
        """The x range this step will show: its own or the spec's, else the current view's.

        Labels decide which way to write from it; the view itself only takes the new range
        after the series and labels are set, so asking the view would use the last step's
        range (the empty unit square on the first step).
        """
        x_range = data.x_range or self._spec.x_range
        if x_range is not None:
            return float(min(x_range)), float(max(x_range))
        (left, right), _ = self.plot_item.viewRange()
        return float(left), float(right)

    def _show_lines(
        self, pool: list[pg.InfiniteLine], positions: tuple[float, ...], angle: int
    ) -> list[pg.InfiniteLine]:
        if not pool and not positions:
            return pool
        pen = make_pen(self.theme.muted, max(1.0, self.theme.line_width * 0.75))
        # Dotted: dashes mean validation/test course-wide; a reference line is neither.
        pen.setStyle(Qt.PenStyle.DotLine)
        while len(pool) < len(positions):
            line = pg.InfiniteLine(angle=angle, movable=False)
            line.setZValue(-50)
            self.plot_item.addItem(line, ignoreBounds=True)
            pool.append(line)
        for i, line in enumerate(pool):
            pos = positions[i] if i < len(positions) else np.nan
            line.setVisible(bool(np.isfinite(pos)))
            if np.isfinite(pos):
                line.setPen(pen)
                line.setValue(float(pos))
        return pool

    def _update_legend(self, keys: list[str]) -> None:
        entries = tuple(
            (key, self._points[key][0])
            for key in keys
            if self._points[key][0] and not self._points[key][0].startswith("_")
        )
        wanted = self._spec.legend and len(entries) > 1
        if wanted and entries != self._legend_entries:
            self.legend.clear()
            for key, name in entries:
                self.legend.addItem(self._items[key], name)
            self._placer.invalidate()
        self._legend_entries = entries if wanted else ()
        self._placer.entries = len(self._legend_entries)
        self._key.setText(self._key_text())
        self._placer.place()

    def _key_text(self) -> str:
        """The legend's entries as rich text: each series' line style in its colour, its name."""
        entries = []
        for key, name in self._legend_entries:
            fields = self._drawn[key][0] if key in self._drawn else None
            style = self._styles.get(key, "line")
            color = self.theme.color(fields[2]) if fields is not None else self.theme.foreground
            entries.append((name, style, QColor(color).name()))
        return key_html(entries)

    def legend_side(self) -> str:
        """Where the legend is: "inside" the view box, in a strip to its "right" or "below",
        or as a text "key" under the panel title (see :mod:`app.panels.legend`)."""
        return self._placer.side

    def legend_key(self) -> str:
        """The text key shown under the title when the legend fits nowhere else ("" if none)."""
        return self._key.text() if self._placer.side == "key" else ""

    def _obstacles(self, px: float, py: float) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """What the legend should keep clear of: every series' points and every label."""
        points = [self._obstacle(key, px, py) for key in self._points]
        return points + self._label_samples(px, py)

    def _label_samples(self, px: float, py: float) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """A 3 x 3 grid of points over each shown annotation (view coordinates) for the legend.

        ``px`` and ``py`` are view units per pixel. A label a third covered by the legend
        costs as much as a hidden marker: half a label cannot be read.
        """
        out = []
        for item in self._annotations:
            if not item.isVisible():
                continue
            rect = item.textItem.boundingRect()
            w, h = rect.width() * px, rect.height() * py
            pos, anchor = item.pos(), item.anchor
            left = pos.x() - anchor.x() * w
            top = pos.y() + anchor.y() * h
            gx, gy = np.meshgrid(np.linspace(left, left + w, 3), np.linspace(top - h, top, 3))
            out.append((gx.ravel(), gy.ravel(), MARKER_WEIGHT / 3))
        return out

    def _obstacle(self, key: str, px: float, py: float) -> tuple[np.ndarray, np.ndarray, float]:
        """A series' points for the legend to avoid, and what hiding each one costs.

        A line costs the pixels of it that are hidden (its samples share its length); a
        point costs :data:`POINT_WEIGHT` pixels, a marker (what the step points at)
        :data:`MARKER_WEIGHT`. Shaded areas are backgrounds: the legend may lie on them.
        """
        x, y = self._dense(key)
        style = self._styles.get(key, "line")
        if style == "area":
            return x, y, 0.0
        if style == "marker":
            return x, y, MARKER_WEIGHT
        if style == "scatter" or x.size < 2:
            return x, y, POINT_WEIGHT
        with np.errstate(invalid="ignore"):
            steps = np.hypot(np.diff(x) / px, np.diff(y) / py)
        length = float(np.nansum(steps))
        return x, y, length / x.size if length > 0 else 1.0

    def _dense(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """A series' points in view coordinates, with lines filled in between vertices."""
        _name, x, y = self._points[key]
        item = self._items.get(key)
        vy = np.log10(np.where(y > 0, y, np.nan)) if self._spec.log_y else y
        if item is None or item.opts.get("pen") is None or x.size < 2 or x.size > LONG_SERIES:
            return x, vy
        t = np.linspace(0.0, 1.0, 9)[:-1]
        xs = (x[:-1, None] + (x[1:] - x[:-1])[:, None] * t).ravel()
        ys = (vy[:-1, None] + (vy[1:] - vy[:-1])[:, None] * t).ravel()
        return np.append(xs, x[-1]), np.append(ys, vy[-1])

    def _apply_ranges(self, data: PlotData | None) -> None:
        vb = self.plot_item.getViewBox()
        if data is None:  # empty: the unit square until data (or the spec) says otherwise
            vb.setRange(xRange=(0.0, 1.0), yRange=(0.0, 1.0), padding=0)
        x_range = (data.x_range if data else None) or self._spec.x_range
        y_range = (data.y_range if data else None) or self._spec.y_range
        if y_range is not None and self._spec.log_y and min(y_range) <= 0:
            y_range = None
        view_y = None if y_range is None else (self._view_y(y_range[0]), self._view_y(y_range[1]))
        view_x = None if x_range is None else (float(x_range[0]), float(x_range[1]))
        # One call for both axes: with a locked aspect ratio two calls would let the second
        # range crop the first.
        # Setting the same ranges again every frame of a playing lesson costs a range update,
        # its signals and a legend placement: skipped while the view still shows what the last
        # setting gave (no zoom, pan or resize since; a locked aspect widens one axis).
        target = (view_x, view_y)
        if (view_x is not None or view_y is not None) and (
            self._ranged is None or self._ranged != (target, vb.viewRange())
        ):
            vb.setRange(xRange=view_x, yRange=view_y, padding=0)
            self._ranged = (target, vb.viewRange())
        if [bool(a) for a in vb.autoRangeEnabled()] != [view_x is None, view_y is None]:
            vb.enableAutoRange(axis=pg.ViewBox.XAxis, enable=view_x is None)
            vb.enableAutoRange(axis=pg.ViewBox.YAxis, enable=view_y is None)

    def _view_y(self, y: float) -> float:
        """A data y in view coordinates (log10 on a log axis; NaN where undefined)."""
        if not self._spec.log_y:
            return float(y)
        return float(np.log10(y)) if np.isfinite(y) and y > 0 else float("nan")

    def _restyle(self) -> None:
        t = self.theme
        self.plot_widget.setBackground(t.background)
        x_label, y_label = self._axis_labels or (self._spec.x_label, self._spec.y_label)
        style_axes(self.plot_item, t, x_label, y_label)
        fill = QColor(t.background)
        fill.setAlpha(215)
        self.legend.setBrush(pg.mkBrush(fill))
        self.legend.setPen(pg.mkPen(QColor(t.grid)))
        self.legend.setLabelTextColor(QColor(t.foreground))
        self.legend.setLabelTextSize(f"{t.px('small')}px")
        self._key.setFont(t.font("small"))
        self._key.setStyleSheet(f"color: {t.foreground};")
        for _sample, label in self.legend.items:
            label.setText(label.text)  # re-render at the new size
        self.legend.updateSize()
        self._placer.invalidate()
        self._hover.restyle(t)
        self._hover_dot.setPen(make_pen(t.foreground, 2))
        self._hover_dot.setBrush(pg.mkBrush(None))
        self._hover_dot.setSize(16 * t.font_scale)

    def _clear(self) -> None:
        for key in list(self._items):
            self._hide_series(key)
        for item in (*self._annotations, *self._vlines, *self._hlines):
            item.hide()
        self.surface.hide()
        self._placer.reset()
        self._legend_entries = ()
        self._apply_ranges(None)
        self._hide_hover()

    def _is_empty(self, data: PlotData) -> bool:
        has_points = any(np.size(s.x) for s in data.series)
        return not (has_points or data.image is not None or data.annotations)

    # ---- interaction ---------------------------------------------------------------------

    def series_item(self, name: str) -> pg.PlotDataItem | None:
        """The plot item drawing series ``name`` (for tests and exports)."""
        return self._items.get(name)

    def hover_text(self) -> str:
        """The hover read-out shown now ("" when none)."""
        return self._hover.text()

    def _nearest(self, mx: float, my: float) -> tuple[str, int] | None:
        vb = self.plot_item.getViewBox()
        pw, ph = vb.viewPixelSize()
        if not (pw > 0 and ph > 0):
            return None
        best: tuple[float, str, int] | None = None
        for key, (_name, x, y) in self._points.items():
            if x.size == 0:
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                vy = np.log10(y) if self._spec.log_y else y
                d2 = ((x - mx) / pw) ** 2 + ((vy - my) / ph) ** 2
            d2[~np.isfinite(d2)] = np.inf
            i = int(np.argmin(d2))
            if d2[i] <= (HOVER_RADIUS_PX * self.theme.font_scale) ** 2 and (
                best is None or d2[i] < best[0]
            ):
                best = (float(d2[i]), key, i)
        return None if best is None else (best[1], best[2])

    def _on_mouse_moved(self, event: tuple[QPointF]) -> None:
        (pos,) = event
        vb = self.plot_item.getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            self._hide_hover()
            return
        mouse = vb.mapSceneToView(pos)
        hit = self._nearest(mouse.x(), mouse.y())
        if hit is None:
            self._hide_hover()
            return
        key, i = hit
        name, x, y = self._points[key]
        vy = self._view_y(y[i])
        heading = f"{name}\n" if name and not name.startswith("_") else ""
        text = f"{heading}x = {format_number(x[i])}\ny = {format_number(y[i])}"
        self._hover.show(float(x[i]), vy, text)
        self._hover_dot.setData([float(x[i])], [vy])
        self._hover_dot.show()

    def _hide_hover(self) -> None:
        self._hover.hide()
        self._hover_dot.hide()

    def leaveEvent(self, event: QEvent) -> None:
        self._mouse_moves.flush()  # a move still queued must not show the read-out again
        super().leaveEvent(event)

    def _on_mouse_clicked(self, event: Any) -> None:
        if not self._spec.pick or event.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.plot_item.getViewBox()
        pos = event.scenePos()
        if not vb.sceneBoundingRect().contains(pos):
            return
        point = vb.mapSceneToView(pos)
        x = float(point.x())
        y = float(10.0 ** point.y()) if self._spec.log_y else float(point.y())
        self.picked.emit(self._spec.pick, (x, y) if self._spec.pick_point else x)
        self.picked_point.emit(self._spec.pick, x, y)
