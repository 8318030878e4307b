"""A plot's background layer: a coloured 2-D field (decision regions, a loss surface) with
optional contour lines, drawn under the series and stretched over a rectangle in data units.

The contour lines are pyqtgraph ``IsocurveItem`` children of the image, so they follow its
rectangle; they read the array in the image's axis order and run through its pixel centres.

A 3-D field with the colour map "classes" holds one weight per class at every cell (k class
probabilities): the cell gets the classes' palette colours mixed by those weights.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem

from app.panels.chart import levels_for, make_pen
from app.shell.theme import Theme
from lessons.core.base import PlotData

__all__ = ["SurfaceLayer", "class_colours"]

OPACITY = 0.5  # the field is a backdrop: series drawn over it must stay clear


def class_colours(weights: np.ndarray, theme: Theme) -> np.ndarray:
    """(h, w, k) class weights (e.g. probabilities) as RGB: each class's palette colour mixed
    in proportion to its weight, so sure cells show their class's colour, unsure ones a blend.
    """
    k = weights.shape[-1]
    colours = [QColor(theme.color(c)) for c in range(k)]
    palette = np.array([(q.redF(), q.greenF(), q.blueF()) for q in colours])  # (k, 3)
    w = np.clip(np.nan_to_num(weights, nan=1.0 / k), 0.0, None)
    total = w.sum(axis=-1, keepdims=True)
    w = np.where(total > 0, w / np.where(total > 0, total, 1.0), 1.0 / k)
    rgb: np.ndarray = np.clip(w @ palette, 0.0, 1.0)
    return rgb


class SurfaceLayer:
    """One ImageItem and a pool of IsocurveItems, created once and updated per step."""

    def __init__(self, plot_item: pg.PlotItem) -> None:
        self.image = pg.ImageItem()
        self.image.setZValue(-100)
        self.image.setOpacity(OPACITY)
        self.image.hide()
        plot_item.addItem(self.image)
        self.contours: list[pg.IsocurveItem] = []
        self._colormap: tuple[str, Theme] | None = None  # the colour map set on the image

    def show(self, data: PlotData, theme: Theme) -> None:
        """Draw ``data.image`` (and its ``contours``), or hide the layer when there is none."""
        if data.image is None:
            self.hide()
            return
        array = np.array(data.image, dtype=np.float64)
        array[~np.isfinite(array)] = np.nan
        if array.ndim == 3 and data.image_colormap == "classes":
            array = class_colours(array, theme)
            self._set_rgb(array)
        elif array.ndim == 3:  # already coloured: RGB or RGBA in 0..1
            self._set_rgb(np.clip(np.nan_to_num(array), 0, 1))
        elif array.ndim == 2:
            diverging = data.image_colormap == "diverging"
            levels = levels_for(array, diverging, data.image_levels)
            if self._colormap != (data.image_colormap, theme):  # (building its table: ~0.3 ms)
                self._colormap = (data.image_colormap, theme)
                self.image.setColorMap(theme.colormap(data.image_colormap))
            self.image.setImage(array, levels=levels, autoLevels=False)
        else:
            raise ValueError(f"a plot background needs a 2-D field, got shape {array.shape}")
        h, w = array.shape[:2]
        self.image.setRect(QRectF(*(data.image_rect or (0.0, 0.0, float(w), float(h)))))
        self.image.show()
        self._show_contours(array if array.ndim == 2 else None, data.contours, theme)

    def _set_rgb(self, array: np.ndarray) -> None:
        """Show an image that is already coloured (no colour map until one is set again)."""
        self._colormap = None
        self.image.setLookupTable(None)
        self.image.setImage(array, levels=(0.0, 1.0))

    def _show_contours(
        self, field: np.ndarray | None, levels: tuple[float, ...], theme: Theme
    ) -> None:
        wanted = levels if field is not None else ()
        while len(self.contours) < len(wanted):
            # The value of cell (row, col) lies at (col + 0.5, row + 0.5), the pixel's centre,
            # in the image's coordinates: the curve needs no offset of its own.
            curve = pg.IsocurveItem(axisOrder=self.image.axisOrder)
            curve.setParentItem(self.image)  # follows the image's rectangle
            curve.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresParentOpacity)
            self.contours.append(curve)
        color = QColor(theme.foreground)
        color.setAlpha(150)
        pen = make_pen(color, max(1.0, theme.line_width * 0.6))
        # Non-finite cells would break the isocurve's interpolation: put them below every level.
        if field is not None:
            finite = field[np.isfinite(field)]
            floor = float(finite.min(initial=0.0)) - 1.0 - abs(min(levels, default=0.0))
            field = np.where(np.isfinite(field), field, floor)
        for i, curve in enumerate(self.contours):
            if i < len(wanted):
                curve.setPen(pen)
                curve.setData(field, float(wanted[i]))
                curve.show()
            else:
                curve.setData(None)
                curve.hide()

    def hide(self) -> None:
        self.image.hide()
