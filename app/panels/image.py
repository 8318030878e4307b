"""The image panel: a heat map of a 2-D array with a colour bar, labels and optional values.

Signed data uses the theme's diverging scale with levels symmetric around zero, so zero is
always the neutral colour.  Small arrays can write each cell's number on it; their cells then
fill the panel (not square) and the numbers are sized to each cell's width and height.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QGraphicsRectItem, QWidget

from app.panels.base import PanelView
from app.panels.chart import (
    HoverLabel,
    format_number,
    levels_for,
    make_pen,
    make_plot_widget,
    mouse_moves,
    style_axes,
)
from app.shell.theme import Theme
from lessons.core.base import Image, ImageData, Panel

__all__ = ["ImageView"]

MAX_VALUE_CELLS = 16  # show_values only for arrays up to 16 x 16
MAX_TICKS = 10
MIN_VALUE_PX = 11  # cell numbers smaller than this are hidden (hover still shows them)


def _cell_texts(values: np.ndarray) -> list[str]:
    """Short numbers for cells: integers as such, else two decimals (hover shows more)."""
    finite = values[np.isfinite(values)]
    integral = finite.size > 0 and bool(np.all(finite == np.round(finite)))
    texts = []
    for v in values.reshape(-1):
        if not math.isfinite(v):
            texts.append(format_number(float(v)))
        elif integral and abs(v) < 1e6:
            texts.append(f"{int(v)}".replace("-", "−"))
        elif abs(v) >= 100:
            texts.append(f"{v:.0f}".replace("-", "−"))
        else:
            texts.append(f"{v:.2f}".replace("-", "−"))
    return texts


def _ticks(count: int, labels: tuple[str, ...]) -> list[tuple[float, str]]:
    """Ticks at cell centres: the given labels, else indices; thinned when there are many."""
    step = max(1, math.ceil(count / MAX_TICKS))
    names = labels if len(labels) == count else tuple(str(i) for i in range(count))
    return [(i + 0.5, names[i]) for i in range(0, count, step)]


class ImageView(PanelView):
    """Shows :class:`~lessons.core.base.ImageData` for an :class:`~lessons.core.base.Image` spec."""

    accepts = (ImageData,)

    def __init__(self, spec: Panel, theme: Theme, parent: QWidget | None = None) -> None:
        if not isinstance(spec, Image):
            raise ValueError(f"ImageView needs an Image spec, got {type(spec).__name__}")
        super().__init__(spec, theme, parent)
        self._spec = spec
        self._diverging = spec.colormap == "diverging"
        theme.colormap(spec.colormap)  # unknown names fail here, not at the first step
        self.plot_widget = make_plot_widget(theme)
        self.plot_widget.setAccessibleName(spec.title or spec.id)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        vb = self.plot_item.getViewBox()
        vb.invertY(True)  # row 0 at the top, like a matrix
        vb.setAspectLocked(True, ratio=1.0)
        vb.setDefaultPadding(0.0)
        self.image_item = pg.ImageItem()
        self.plot_item.addItem(self.image_item)
        self.colorbar = pg.ColorBarItem(
            colorMap=theme.colormap(spec.colormap),
            interactive=False,
            colorMapMenu=False,
            width=14,
        )
        self.colorbar.setImageItem(self.image_item, insert_in=self.plot_item)
        self.box = QGraphicsRectItem()
        self.box.setZValue(20)
        self.box.hide()
        self.plot_item.addItem(self.box, ignoreBounds=True)
        self._cell_labels: list[pg.TextItem] = []
        self._array = np.zeros((0, 0))
        self._rows: tuple[str, ...] = ()
        self._cols: tuple[str, ...] = ()
        self._hover = HoverLabel(self.plot_item, theme)
        self._mouse_moves = mouse_moves(self.plot_widget, self._on_mouse_moved)
        vb.sigResized.connect(self._fit_cell_font)
        self._set_content(self.plot_widget)
        self._restyle()

    def _show(self, data: ImageData) -> None:
        array = np.array(data.image, dtype=np.float64)
        if array.ndim != 2:
            raise ValueError(
                f"panel {self.spec.id!r}: an image needs a 2-D array, got shape {array.shape}"
            )
        self._hide_hover()
        array[~np.isfinite(array)] = np.nan
        levels = levels_for(array, self._diverging, data.levels)
        self.image_item.setImage(array, autoLevels=False, levels=levels)
        self.image_item.setRect(QRectF(0, 0, array.shape[1], array.shape[0]))
        self.colorbar.setLevels(levels)
        self.plot_item.getViewBox().setRange(
            xRange=(0, max(array.shape[1], 1)), yRange=(0, max(array.shape[0], 1)), padding=0
        )
        # a picture keeps square pixels; cells that carry numbers fill the panel instead, so
        # that a tall grid in a narrow panel still has room to write them
        self.plot_item.getViewBox().setAspectLocked(not self._numbered(array), ratio=1.0)
        self._array, self._rows, self._cols = array, data.row_labels, data.col_labels
        self.plot_item.getAxis("left").setTicks([_ticks(array.shape[0], data.row_labels), []])
        self.plot_item.getAxis("bottom").setTicks([_ticks(array.shape[1], data.col_labels), []])
        self._show_box(data.highlight)
        self._show_cell_values(array, levels)
        self.set_caption(data.caption)

    def _show_box(self, box: tuple[int, int, int, int] | None) -> None:
        if box is None:
            self.box.hide()
            return
        row, col, height, width = box
        self.box.setRect(QRectF(col, row, width, height))
        self.box.show()

    def _numbered(self, array: np.ndarray) -> bool:
        """Whether each cell's number is written on it (small arrays of a show_values spec)."""
        rows, cols = array.shape
        return self._spec.show_values and rows <= MAX_VALUE_CELLS and cols <= MAX_VALUE_CELLS

    def _show_cell_values(self, array: np.ndarray, levels: tuple[float, float]) -> None:
        rows, cols = array.shape
        count = rows * cols if self._numbered(array) else 0
        while len(self._cell_labels) < count:
            label = pg.TextItem("", anchor=(0.5, 0.5))
            label.setZValue(10)
            self.plot_item.addItem(label, ignoreBounds=True)
            self._cell_labels.append(label)
        for label in self._cell_labels[count:]:
            label.hide()
        if count == 0:
            return
        lo, hi = levels
        norm = np.clip((np.nan_to_num(array, nan=lo) - lo) / (hi - lo), 0.0, 1.0).reshape(-1)
        rgba = self.theme.colormap(self._spec.colormap).map(norm, mode="float")
        luminance = 0.2126 * rgba[:, 0] + 0.7152 * rgba[:, 1] + 0.0722 * rgba[:, 2]
        texts = _cell_texts(array)
        for i, label in enumerate(self._cell_labels[:count]):
            r, c = divmod(i, cols)
            color = "#000000" if luminance[i] > 0.45 else "#ffffff"
            if not np.isfinite(array[r, c]):
                color = self.theme.foreground
            label.setText(texts[i], QColor(color))
            label.setPos(c + 0.5, r + 0.5)
            label.show()
        self._fit_cell_font()

    def _fit_cell_font(self) -> None:
        """Size cell numbers to the cells: as large as the theme says, never wider than a cell."""
        rows, cols = self._array.shape
        labels = [lab for lab in self._cell_labels if lab.isVisible()]
        if not labels or rows == 0 or cols == 0:
            return
        vb = self.plot_item.getViewBox()
        cell_w, cell_h = vb.width() / cols, vb.height() / rows
        font = self.theme.font("small")
        size = self.theme.px("small")
        metrics = QFontMetrics(font)
        widest = max(metrics.horizontalAdvance(lab.toPlainText()) for lab in labels) or 1
        # the cell's height bounds the text's height, its width the widest number (measured):
        # a wide, low cell still holds a number
        px = min(size, int(cell_h * 0.55), int(size * 0.9 * cell_w / widest))
        readable = px >= MIN_VALUE_PX
        font.setPixelSize(max(MIN_VALUE_PX, px))
        for label in labels:
            label.setFont(font)
            label.setOpacity(1.0 if readable else 0.0)

    def _restyle(self) -> None:
        t = self.theme
        self.plot_widget.setBackground(t.background)
        style_axes(self.plot_item, t, self._spec.x_label, self._spec.y_label, grid=False)
        self.colorbar.setColorMap(t.colormap(self._spec.colormap))
        metrics = QFontMetrics(t.font("tick"))
        for name in ("left", "right", "top", "bottom"):
            axis = self.colorbar.getAxis(name)
            axis.setPen(make_pen(t.muted, 1))
            axis.setTextPen(pg.mkPen(t.foreground))
            axis.setStyle(tickFont=t.font("tick"))
        self.colorbar.axis.setWidth(metrics.horizontalAdvance("−0.000") + 10)
        pen = make_pen(t.accent, t.line_width + 1)
        self.box.setPen(pen)
        self._hover.restyle(t)

    def _clear(self) -> None:
        self.image_item.clear()
        self.colorbar.setLevels((0.0, 1.0))
        for axis in ("left", "bottom"):
            self.plot_item.getAxis(axis).setTicks(None)
        self.box.hide()
        for label in self._cell_labels:
            label.hide()
        self._array = np.zeros((0, 0))
        self._hide_hover()

    def _is_empty(self, data: ImageData) -> bool:
        return np.size(data.image) == 0

    # ---- interaction ---------------------------------------------------------------------

    def hover_text(self) -> str:
        """The hover read-out shown now ("" when none)."""
        return self._hover.text()

    def _on_mouse_moved(self, event: tuple[QPointF]) -> None:
        (pos,) = event
        vb = self.plot_item.getViewBox()
        if self._array.size == 0 or not vb.sceneBoundingRect().contains(pos):
            self._hide_hover()
            return
        point = vb.mapSceneToView(pos)
        row, col = math.floor(point.y()), math.floor(point.x())
        rows, cols = self._array.shape
        if not (0 <= row < rows and 0 <= col < cols):
            self._hide_hover()
            return
        row_name = self._rows[row] if len(self._rows) == rows else f"row {row}"
        col_name = self._cols[col] if len(self._cols) == cols else f"col {col}"
        where = f"{row_name}, {col_name}"
        value = format_number(float(self._array[row, col]))
        self._hover.show(col + 0.5, row + 0.5, f"{where}\nvalue = {value}")

    def _hide_hover(self) -> None:
        self._hover.hide()

    def leaveEvent(self, event: QEvent) -> None:
        self._mouse_moves.flush()  # a move still queued must not show the read-out again
        super().leaveEvent(event)
