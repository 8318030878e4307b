"""Where a plot's legend goes: a free corner, a strip beside the plot, or a key under the title.

:class:`LegendPlacer` tries, in this order, and keeps the first that works:

1. a corner of the view box that hides (almost) no data, with one column or several side by
   side (a wide, flat legend fits the band above the data that many plots leave for it);
2. a strip right of the plot (one column) or below it (as many columns as fit), whichever
   takes the smaller share, as long as the plot keeps :data:`PLOT_SHARE` of its width and
   height;
3. a compact legend below the plot: tighter spacing, at most :data:`KEY_ROWS` rows, within the
   same budget;
4. a text key under the panel title: each entry's line style in its colour, then its name,
   wrapped like prose. The legend is never dropped and never squeezes the plot below budget.

Everything is judged against the whole plot area (view box plus any strip, plus the key's
height), so the choice does not flip when the view box shrinks for the chosen layout.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

__all__ = ["KEY_ROWS", "PLOT_SHARE", "LegendPlacer", "key_html"]

MARGIN_PX = 8  # between the legend and the plot's edge
MAX_COLUMNS = 4  # a legend that hides data may lay its entries out side by side
PLOT_SHARE = 0.6  # a strip beside the plot leaves it at least this share of width and height
KEY_ROWS = 2  # a compact legend under the plot has at most this many rows
_GLYPHS = {"dash": "╌╌", "scatter": "●", "marker": "●", "area": "■"}  # else a line: ——

Obstacles = list[tuple[np.ndarray, np.ndarray, float]]  # x, y (view units), cost per point


def key_html(entries: Sequence[tuple[str, str, str]]) -> str:
    """A one-paragraph key for (name, style, colour) entries: each style's glyph in its colour."""
    parts = []
    for name, style, color in entries:
        glyph = _GLYPHS.get(style, "——")
        parts.append(
            f'<span style="white-space: nowrap"><span style="color: {color}">{glyph}</span>'
            f"&nbsp;{html.escape(name)}</span>"
        )
    return "&nbsp;&nbsp; ".join(parts)


class LegendPlacer:
    """Places ``legend`` for ``plot_item`` (see the module doc); ``key`` is the text key label.

    ``obstacles(px, py)`` gives the shown points to keep clear, with view units per pixel.
    """

    def __init__(
        self,
        plot_item: pg.PlotItem,
        legend: pg.LegendItem,
        key: QLabel,
        obstacles: Callable[[float, float], Obstacles],
        free_cost: float,
    ) -> None:
        self.plot_item = plot_item
        self.legend = legend
        self.key = key
        self.obstacles = obstacles
        self.free_cost = free_cost  # a corner hiding less counts as free
        self.entries = 0  # how many entries the legend has (0: none shown)
        self.side = "inside"  # or "right" / "below" (a strip) or "key" (text under the title)
        self._strip = (0.0, 0.0)  # the (right, bottom) pixels reserved for a strip
        self._margins = plot_item.layout.getContentsMargins()
        self._spacing = (legend.layout.horizontalSpacing(), legend.layout.verticalSpacing())
        self._busy = False
        # Laying the legend out is most of a placement's cost (Qt re-measures every label), and
        # a playing lesson places it twice a frame: its size for each (columns, compact) layout
        # is measured once per set of entries, and the legend is re-laid only to change layout.
        self._sizes: dict[tuple[int, bool], tuple[float, float]] = {}
        self._layout: tuple[int, bool] | None = None

    def invalidate(self) -> None:
        """The entries, their text or the font changed: measure the layouts afresh."""
        self._sizes.clear()
        self._layout = None

    def place(self) -> None:
        """Place the legend now; moving it resizes the view box, which asks again: ignored."""
        if self._busy:
            return
        self._busy = True
        try:
            self._place()
        finally:
            self._busy = False

    def reset(self) -> None:
        """No legend: hidden, the view box at full size, no key."""
        self.entries = 0
        self.legend.hide()
        self._inside()

    def _place(self) -> None:
        if not self.entries:
            self.reset()
            return
        vb = self.plot_item.getViewBox()
        if vb.width() <= 0 or vb.height() <= 0:
            return
        width = vb.width() + self._strip[0]
        height = vb.height() + self._strip[1]
        if self.side == "key":
            height += self.key.height() + 4  # the key's line goes back to the plot without it
        if self._corner(vb, width, height):
            return
        if self._beside(width, height, compact=False) or self._beside(width, height, True):
            return
        self._text_key()

    def _corner(self, vb: pg.ViewBox, width: float, height: float) -> bool:
        """Put the legend in the corner that hides least, if that is (almost) nothing."""
        (x0, x1), (y0, y1) = vb.viewRange()
        px, py = (x1 - x0) / width, (y1 - y0) / height
        points = self.obstacles(px, py)
        best: tuple[float, int, tuple[int, int]] | None = None  # hidden, columns, corner
        for columns in range(1, min(self.entries, MAX_COLUMNS) + 1):
            rect_w, rect_h = self._size(columns, compact=False)
            room = 0.6 * width if columns == 1 else width - 2 * MARGIN_PX
            if rect_w >= room or rect_h >= 0.7 * height:
                continue
            lw = (rect_w + MARGIN_PX) * px
            lh = (rect_h + MARGIN_PX) * py
            for right, bottom in ((1, 0), (0, 0), (1, 1), (0, 1)):
                xa = x1 - lw if right else x0
                ya = y0 if bottom else y1 - lh
                count = 0.0
                for x, y, weight in points:
                    inside = (x >= xa) & (x <= xa + lw) & (y >= ya) & (y <= ya + lh)
                    count += weight * int(np.count_nonzero(inside))
                if best is None or count < best[0]:
                    best = (count, columns, (right, bottom))
            if best is not None and best[0] == 0:
                break
        if best is None or best[0] > self.free_cost:
            return False
        _count, columns, corner = best
        self._lay_out(columns, compact=False)
        self._inside()
        self.legend.show()
        right, bottom = corner
        offset = (-MARGIN_PX if right else MARGIN_PX, -MARGIN_PX if bottom else MARGIN_PX)
        self.legend.anchor(itemPos=corner, parentPos=corner, offset=offset)
        return True

    def _beside(self, width: float, height: float, compact: bool) -> bool:
        """A strip right of or below the plot, if one leaves the plot its share of the area.

        Right: one column; below: as many columns as fit the width (at most
        :data:`KEY_ROWS` rows when ``compact``). The side taking the smaller share wins.
        """
        margin = MARGIN_PX
        budget = 1.0 - PLOT_SHARE
        column_w, column_h = self._size(1, compact)
        right_share = (column_w + 2 * margin) / width
        fits_right = not compact and right_share <= budget and column_h <= height
        columns = self.entries
        while columns > 1 and self._size(columns, compact)[0] > width - 2 * margin:
            columns -= 1
        row_w, row_h = self._size(columns, compact)
        below_share = (row_h + margin) / height
        rows = math.ceil(self.entries / columns)
        fits_below = (
            below_share <= budget
            and row_w <= width - 2 * margin
            and (not compact or rows <= KEY_ROWS)
        )
        if not (fits_right or fits_below):
            return False
        side = "below" if fits_below and (not fits_right or below_share < right_share) else "right"
        if side == "right":
            self._lay_out(1, compact)
            strip = (column_w + 2 * margin, 0.0)
        else:
            self._lay_out(columns, compact)
            strip = (0.0, row_h + margin)
        self.key.hide()
        if self.side in ("inside", "key"):
            self.legend.setParentItem(self.plot_item)
        self.side = side
        self._reserve(*strip)
        self.legend.show()
        if side == "right":
            self.legend.anchor(itemPos=(1, 0.5), parentPos=(1, 0.5), offset=(-margin, 0))
        else:
            self.legend.anchor(itemPos=(0.5, 1), parentPos=(0.5, 1), offset=(0, -margin / 2))
        return True

    def _text_key(self) -> None:
        """No room for the legend anywhere: its entries as a line of text under the title."""
        self._lay_out(1, compact=False)
        self.legend.hide()
        if self.side != "inside":
            self.legend.setParentItem(self.plot_item.getViewBox())
        self.side = "key"
        self._reserve(0.0, 0.0)
        self.key.show()

    def _inside(self) -> None:
        """Give the legend back to the view box and the view box its full size."""
        if self.side != "inside":
            if self.side != "key":
                self.legend.setParentItem(self.plot_item.getViewBox())
            self.side = "inside"
        self.key.hide()
        self._reserve(0.0, 0.0)

    def _size(self, columns: int, compact: bool) -> tuple[float, float]:
        """The legend's (width, height) in pixels laid out in ``columns`` (measured once)."""
        size = self._sizes.get((columns, compact))
        if size is None:
            self._lay_out(columns, compact)
            rect = self.legend.boundingRect()
            size = self._sizes[columns, compact] = (float(rect.width()), float(rect.height()))
        return size

    def _lay_out(self, columns: int, compact: bool) -> None:
        """Give the legend this layout, unless it has it already."""
        if self._layout == (columns, compact):
            return
        self._spaced(compact)
        self._columns(columns)
        self._layout = (columns, compact)

    def _spaced(self, compact: bool) -> None:
        """Normal spacing, or tight rows and columns for the compact legend."""
        horizontal, vertical = (2.0, -4.0) if compact else self._spacing
        layout = self.legend.layout
        if (layout.horizontalSpacing(), layout.verticalSpacing()) != (horizontal, vertical):
            layout.setHorizontalSpacing(horizontal)
            layout.setVerticalSpacing(vertical)
            self.legend.updateSize()

    def _columns(self, columns: int) -> None:
        """Lay the legend's entries out in ``columns`` columns, each entry at its natural size.

        pyqtgraph's legend keeps the widths its layout last stretched the labels to, so every
        re-layout would measure wider; the labels go back to their preferred size first.
        """
        self.legend.setColumnCount(columns)
        preferred = Qt.SizeHint.PreferredSize
        for _sample, label in self.legend.items:
            label.resize(label.effectiveSizeHint(preferred))
        self.legend.updateSize()

    def _reserve(self, right: float, bottom: float) -> None:
        """Widen the plot's right/bottom margins by these pixels (the view box shrinks)."""
        if (right, bottom) == self._strip:
            return
        self._strip = (right, bottom)
        left, top, r0, b0 = self._margins
        self.plot_item.layout.setContentsMargins(left, top, r0 + right, b0 + bottom)
