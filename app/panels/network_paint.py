"""How the network diagram is painted: heat-map images, weighted edges, neurons, read-outs.

:class:`NetworkPainting` is the painting half of :class:`app.panels.network_canvas.NetworkCanvas`:
it draws what the canvas has laid out (node rectangles, edge segments grouped by colour and
width) in one ``paintEvent``.  Edges are coloured on the theme's diverging scale (blue for a
negative weight, orange for a positive one; never the background colour) and widened with the
weight's magnitude.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from app.panels.chart import format_number as fmt

__all__ = ["EDGE_LEVELS", "Hit", "NetworkPainting", "heat_images"]

EDGE_LEVELS = 12  # edge widths and shades are drawn in this many steps of |w|


def heat_images(
    maps: np.ndarray, levels: tuple[float, float] | None, lut: np.ndarray
) -> list[QImage]:
    """Maps (k, h, w), rows upwards, as RGB images coloured through ``lut`` (n, 3) uint8.

    ``levels`` is the value range of the colour scale; None scales each map symmetrically
    about zero by its largest magnitude.
    """
    v = np.nan_to_num(np.asarray(maps, dtype=np.float32), nan=0.0)
    if levels is None:
        top = np.max(np.abs(v), axis=(1, 2), keepdims=True) if v.size else np.ones((len(v), 1, 1))
        top = np.where(top > 0, top, 1.0)
        lo, span = -top, 2 * top
    else:
        lo, span = np.float32(levels[0]), np.float32(max(levels[1] - levels[0], 1e-12))
    frac = np.clip((v - lo) / span, 0.0, 1.0)
    index = np.round(frac * (len(lut) - 1)).astype(np.intp)
    packed = _packed(lut)[index][:, ::-1]  # row 0 is the lowest: draw it at the bottom
    k, h, w = v.shape
    # 32-bit pixels are what the painter draws without converting them first
    return [
        QImage(
            np.ascontiguousarray(packed[i]).tobytes(), w, h, 4 * w, QImage.Format.Format_RGB32
        ).copy()
        for i in range(k)
    ]


def _packed(lut: np.ndarray) -> np.ndarray:
    """The colour table as 0xffRRGGBB words."""
    rgb = lut.astype(np.uint32)
    packed: np.ndarray = 0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    return packed


@dataclass(frozen=True)
class Hit:
    """What the mouse is over: a neuron (``source`` is None) or the edge source -> neuron."""

    layer: int
    neuron: int
    source: int | None = None


class NetworkPainting(QWidget):
    """Painting for the network canvas (the canvas sets the attributes it reads)."""

    def _colour(self, value: float) -> QColor:
        """Blue for negative, orange for positive, deeper when larger (never the background)."""
        if not np.isfinite(value):
            return QColor(self.theme.muted)
        frac = 0.25 + 0.25 * min(abs(value) / self._scale, 1.0)
        pos = 0.5 + (frac if value > 0 else -frac)
        r, g, b = self._lut[round(pos * (len(self._lut) - 1))]
        return QColor(int(r), int(g), int(b))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), QColor(self.theme.background))
        if self.data is not None and self.rects:
            self._paint_edges(painter)
            self._paint_nodes(painter)
            self._paint_weight_tag(painter)
            if self.enlarged is not None:
                self._paint_overlay(painter, *self.enlarged)
            elif self.hover is not None:
                self._paint_hover(painter)
        painter.end()

    def _line(self, index: int) -> QLineF:
        x0, y0, x1, y1 = self._segments[index]
        return QLineF(x0, y0, x1, y1)

    def _paint_edges(self, painter: QPainter) -> None:
        data = self.data
        if data is None or len(self._segments) != sum(len(g) for g in self._edge_groups.values()):
            return
        unit = max(1.0, self.theme.line_width / 2)
        marked = [
            i
            for i, hit in enumerate(self._segment_ids)
            if hit == self.hover or (data.highlight_edge == (hit.layer, hit.source, hit.neuron))
        ]
        for i in marked:
            painter.setPen(QPen(QColor(self.theme.accent), unit * 9))
            painter.drawLine(self._line(i))
        for (sign, level), indices in self._edge_groups.items():
            width = unit * (0.5 + 4.5 * level / EDGE_LEVELS) if sign != 2 else unit
            value = sign * self._scale * level / EDGE_LEVELS if sign != 2 else float("nan")
            painter.setPen(QPen(self._colour(value), width))
            painter.drawLines([self._line(i) for i in indices])

    def _paint_weight_tag(self, painter: QPainter) -> None:
        """The highlighted weight's value on its edge, drawn over the neurons so none hides it.

        It sits at the middle of the edge, inside the gap between the two columns so that it
        covers no neuron's text: "w = ..." where that fits, else the number alone, else none.
        """
        data = self.data
        highlight = data.highlight_edge if data is not None else None
        if data is None or highlight is None:
            return
        layer, i, j = highlight
        weights = data.layers[layer].weights
        if weights is None or not self._valid(Hit(layer, j, i)):
            return
        a, b = self.rects[layer - 1][i], self.rects[layer][j]
        mid = QPointF((a.right() + b.left()) / 2, (a.center().y() + b.center().y()) / 2)
        value = fmt(float(weights[i, j]))
        metrics = QFontMetricsF(self.theme.font("small"))
        room = b.left() - a.right() - 4
        for text in (f"w = {value}", value):
            if metrics.horizontalAdvance(text) + 12 <= room:
                self._paint_box(painter, mid, text, centred=True)
                return
        # No room between the columns: the edge stays marked, and hovering it shows the value.

    def _paint_nodes(self, painter: QPainter) -> None:
        data = self.data
        if data is None:
            return
        t = self.theme
        font = t.font("small")
        painter.setFont(font)
        fm = QFontMetricsF(font)
        unit = max(1.0, t.line_width / 2)
        for c, layer in enumerate(data.layers):
            column = self.rects[c]
            title_rect = QRectF(column[0].center().x() - 60, 0, 120, fm.height() + 4)
            painter.setPen(QColor(t.muted))
            painter.drawText(title_rect, Qt.AlignmentFlag.AlignCenter, layer.name)
            images = self.images[c] if c < len(self.images) else None
            for i, rect in enumerate(column):
                selected = data.selected == (c, i) or self.hover == Hit(c, i)
                pen = QPen(
                    QColor(t.accent if selected else t.muted), unit * (2.5 if selected else 1)
                )
                if images is not None:
                    painter.drawImage(rect, images[i])
                    painter.setPen(pen)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRect(rect)
                    if c == 0 and layer.labels:
                        painter.setPen(QColor(t.foreground))
                        label = QRectF(0, rect.top(), rect.left() - 6, rect.height())
                        flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        painter.drawText(label, flags, layer.labels[i])
                    if layer.biases is not None:
                        self._paint_bias(painter, rect, float(layer.biases[i]))
                else:
                    painter.setPen(pen)
                    painter.setBrush(QColor(t.highlight if selected else t.window))
                    painter.drawRoundedRect(rect, 6, 6)
                    painter.setPen(QColor(t.highlight_text if selected else t.foreground))
                    painter.setFont(self.box_font)
                    text = layer.labels[i] if layer.labels else f"{layer.name} {i + 1}"
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
                    painter.setFont(font)

    def _paint_bias(self, painter: QPainter, rect: QRectF, bias: float) -> None:
        """A small square at the neuron's lower left corner, coloured by the bias."""
        side = max(4.0, rect.width() * 0.2)
        box = QRectF(rect.left() - side * 0.5, rect.bottom() - side * 0.5, side, side)
        painter.setPen(QPen(QColor(self.theme.muted), 1))
        painter.setBrush(self._colour(bias))
        painter.drawRect(box)

    def _paint_box(
        self, painter: QPainter, at: QPointF, text: str, *, centred: bool = False
    ) -> None:
        """A boxed text near ``at`` that stays inside the canvas."""
        t = self.theme
        font = t.font("small")
        painter.setFont(font)
        fm = QFontMetricsF(font)
        lines = text.split("\n")
        w = max(fm.horizontalAdvance(s) for s in lines) + 12
        h = fm.lineSpacing() * len(lines) + 12
        x, y = (at.x() - w / 2, at.y() - h / 2) if centred else (at.x() + 14, at.y() + 14)
        x = min(max(2.0, x), self.width() - w - 2)
        if y + h > self.height() - 2:
            y = at.y() - h - 8 if not centred else self.height() - h - 2
        y = max(2.0, y)
        box = QRectF(x, y, w, h)
        fill = QColor(t.background)
        fill.setAlpha(240)
        painter.setPen(QPen(QColor(t.muted), 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(QColor(t.foreground))
        painter.drawText(box.adjusted(6, 5, -6, -5), Qt.AlignmentFlag.AlignLeft, text)

    def _paint_hover(self, painter: QPainter) -> None:
        text = self.hover_text()
        if text:
            self._paint_box(painter, self._mouse, text)

    def _paint_overlay(self, painter: QPainter, layer_index: int, neuron: int) -> None:
        """The enlarged map of one neuron, over the whole diagram, with its value range."""
        data = self.data
        if data is None:
            return
        t = self.theme
        layer = data.layers[layer_index]
        images = self.images[layer_index]
        fill = QColor(t.background)
        fill.setAlpha(245)
        painter.fillRect(self.rect(), fill)
        font = t.font("small")
        painter.setFont(font)
        fm = QFontMetricsF(font)
        line = fm.height()
        name = self.neuron_name(layer_index, neuron)
        painter.setPen(QColor(t.foreground))
        title = QRectF(0, 4, self.width(), line)
        painter.drawText(title, Qt.AlignmentFlag.AlignCenter, f"{name}: output over the plane")
        side = max(20.0, min(self.width() - 80.0, self.height() - 4 * line - 20))
        box = QRectF((self.width() - side) / 2, line + 10, side, side)
        if images is not None:
            painter.drawImage(box, images[neuron])
        painter.setPen(QPen(QColor(t.muted), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box)
        x, y, w, h = data.extent
        painter.setPen(QColor(t.foreground))
        below = QRectF(box.left(), box.bottom() + 2, box.width(), line)
        painter.drawText(below, Qt.AlignmentFlag.AlignLeft, fmt(x))
        painter.drawText(below, Qt.AlignmentFlag.AlignRight, fmt(x + w))
        painter.drawText(below, Qt.AlignmentFlag.AlignHCenter, "x₁ →")
        side_label = QRectF(box.left() - 44, box.top(), 40, box.height())
        flags = Qt.AlignmentFlag.AlignRight
        painter.drawText(side_label, flags | Qt.AlignmentFlag.AlignTop, fmt(y + h))
        painter.drawText(side_label, flags | Qt.AlignmentFlag.AlignBottom, fmt(y))
        painter.drawText(side_label, flags | Qt.AlignmentFlag.AlignVCenter, "x₂ ↑")
        values = None if layer.heatmaps is None else np.asarray(layer.heatmaps[neuron], np.float32)
        if values is not None and values.size:
            lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
            note = f"output from {fmt(lo)} to {fmt(hi)}   ·   click anywhere to close"
        else:
            note = "click anywhere to close"
        foot = QRectF(0, below.bottom() + 2, self.width(), line)
        painter.setPen(QColor(t.muted))
        painter.drawText(foot, Qt.AlignmentFlag.AlignCenter, note)
