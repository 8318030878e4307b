"""How the network diagram is painted: heat-map images, weighted edges, neurons, read-outs.

:class:`NetworkPainter` draws one :class:`NetworkScene`: what
:class:`app.panels.network_canvas.NetworkCanvas` has laid out (node rectangles, edge segments
grouped by colour and width) and what the mouse is over.  The canvas owns a painter and hands it
a fresh scene in each ``paintEvent``; the painter keeps nothing between paints.  Edges are
coloured on the theme's diverging scale (blue for a negative weight, orange for a positive one;
never the background colour) and widened with the weight's magnitude.  Neurons a layer marks
inactive (``NeuronLayer.active``, e.g. dropped by dropout at this step) are greyed out, and
their edges are drawn thin and faint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QLineF, QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from app.panels.chart import format_number as fmt
from app.shell.theme import Theme
from lessons.core.base import NetworkData

__all__ = [
    "EDGE_LEVELS",
    "Hit",
    "NetworkPainter",
    "NetworkScene",
    "dropped",
    "heat_images",
    "neuron_exists",
    "neuron_name",
]

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
        lo = np.asarray(levels[0], np.float32)
        span = np.asarray(max(levels[1] - levels[0], 1e-12), np.float32)
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


def dropped(data: NetworkData, layer: int, neuron: int) -> bool:
    """Whether the layer marks this neuron inactive at this step (``NeuronLayer.active``)."""
    active = data.layers[layer].active
    return active is not None and not bool(active[neuron])


def neuron_exists(data: NetworkData | None, layer: int, neuron: int) -> bool:
    """Whether ``data`` has neuron ``neuron`` in layer ``layer``."""
    return data is not None and layer < len(data.layers) and neuron < data.layers[layer].size


def neuron_name(data: NetworkData, layer: int, neuron: int) -> str:
    """How read-outs name a neuron: "input x₁", the layer's name, or "hidden 1 · neuron 2"."""
    ly = data.layers[layer]
    if layer == 0 and ly.labels:
        return f"input {ly.labels[neuron].splitlines()[0]}"
    if ly.size == 1:
        return ly.name
    return f"{ly.name} · neuron {neuron + 1}"


@dataclass(frozen=True)
class Hit:
    """What the mouse is over: a neuron (``source`` is None) or the edge source -> neuron."""

    layer: int
    neuron: int
    source: int | None = None

    def fits(self, data: NetworkData | None) -> bool:
        """Whether the neuron (and the edge's source neuron) exist in ``data``."""
        if not neuron_exists(data, self.layer, self.neuron):
            return False
        return self.source is None or neuron_exists(data, self.layer - 1, self.source)


@dataclass(frozen=True)
class NetworkScene:
    """Everything one paint of the diagram needs, handed from the canvas to the painter."""

    theme: Theme
    size: QSize  # the canvas's size in pixels
    data: NetworkData | None = None
    rects: Sequence[Sequence[QRectF]] = ()  # [layer][neuron]: where each neuron is drawn
    images: Sequence[Sequence[QImage] | None] = ()  # [layer][neuron] heat maps (None: boxes)
    segments: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))  # x0, y0, x1, y1
    segment_ids: Sequence[Hit] = ()  # the edge each segment draws
    edge_groups: Mapping[tuple[int, int], Sequence[int]] = field(default_factory=dict)
    scale: float = 1.0  # |w| drawn widest and deepest
    lut: np.ndarray = field(default_factory=lambda: np.zeros((256, 3), np.uint8))
    box_font: QFont = field(default_factory=QFont)  # the labels inside neuron boxes
    box_lines: int = 0  # how many lines of a box's label are drawn (0: all)
    hover: Hit | None = None
    hover_text: str = ""  # the read-out for ``hover``
    mouse: QPointF = field(default_factory=QPointF)
    enlarged: tuple[int, int] | None = None  # (layer, neuron) shown large over the diagram

    @property
    def rect(self) -> QRect:
        """The whole canvas."""
        return QRect(QPoint(0, 0), self.size)

    def line(self, index: int) -> QLineF:
        """Segment ``index`` as a line."""
        x0, y0, x1, y1 = self.segments[index]
        return QLineF(x0, y0, x1, y1)


def column_room(rects: Sequence[Sequence[QRectF]], c: int) -> float:
    """The width a column's title may take: the distance to the nearest other column."""
    centres = [col[0].center().x() for col in rects if col]
    if len(centres) < 2 or not rects[c]:
        return 120.0
    x = rects[c][0].center().x()
    return min(abs(x - other) for k, other in enumerate(centres) if k != c)


def short_layer_name(name: str) -> str:
    """A layer title for a narrow column: "hidden 2" -> "h2", "outputs" -> "out"."""
    words = name.split()
    if len(words) > 1 and words[-1].isdigit():
        return f"{words[0][0]}{words[-1]}"
    common = {"inputs": "in", "input": "in", "outputs": "out", "output": "out"}
    return common.get(name.lower(), name[:3])


class NetworkPainter:
    """Paints a :class:`NetworkScene` onto a QPainter (the canvas calls it from paintEvent)."""

    def paint(self, painter: QPainter, s: NetworkScene) -> None:
        """The background, then (with data) edges, neurons, the weight tag and a read-out."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(s.rect, QColor(s.theme.background))
        if s.data is not None and s.rects:
            self._paint_edges(painter, s)
            self._paint_nodes(painter, s)
            self._paint_weight_tag(painter, s)
            if s.enlarged is not None:
                self._paint_overlay(painter, s, *s.enlarged)
            elif s.hover is not None and s.hover_text:
                self._paint_box(painter, s, s.mouse, s.hover_text)

    def _colour(self, s: NetworkScene, value: float) -> QColor:
        """Blue for negative, orange for positive, deeper when larger (never the background)."""
        if not np.isfinite(value):
            return QColor(s.theme.muted)
        frac = 0.25 + 0.25 * min(abs(value) / s.scale, 1.0)
        pos = 0.5 + (frac if value > 0 else -frac)
        r, g, b = s.lut[round(pos * (len(s.lut) - 1))]
        return QColor(int(r), int(g), int(b))

    def _paint_edges(self, painter: QPainter, s: NetworkScene) -> None:
        data = s.data
        if data is None or len(s.segments) != sum(len(g) for g in s.edge_groups.values()):
            return
        unit = max(1.0, s.theme.line_width / 2)
        marked = [
            i
            for i, hit in enumerate(s.segment_ids)
            if hit == s.hover or (data.highlight_edge == (hit.layer, hit.source, hit.neuron))
        ]
        for i in marked:
            painter.setPen(QPen(QColor(s.theme.accent), unit * 9))
            painter.drawLine(s.line(i))
        faded = {
            i
            for i, hit in enumerate(s.segment_ids)
            if hit.source is not None
            and hit.fits(data)
            and (dropped(data, hit.layer, hit.neuron) or dropped(data, hit.layer - 1, hit.source))
        }
        if faded:  # edges of switched-off neurons carry nothing at this step: thin and faint
            faint = QColor(s.theme.muted)
            faint.setAlpha(110)
            painter.setPen(QPen(faint, unit * 0.75, Qt.PenStyle.DashLine))
            painter.drawLines([s.line(i) for i in sorted(faded)])
        for (sign, level), indices in s.edge_groups.items():
            width = unit * (0.5 + 4.5 * level / EDGE_LEVELS) if sign != 2 else unit
            value = sign * s.scale * level / EDGE_LEVELS if sign != 2 else float("nan")
            painter.setPen(QPen(self._colour(s, value), width))
            painter.drawLines([s.line(i) for i in indices if i not in faded])

    def _paint_weight_tag(self, painter: QPainter, s: NetworkScene) -> None:
        """The highlighted weight's value on its edge, drawn over the neurons so none hides it.

        It sits at the middle of the edge, inside the gap between the two columns so that it
        covers no neuron's text: "w = ..." where that fits, else the number alone, else none.
        """
        data = s.data
        highlight = data.highlight_edge if data is not None else None
        if data is None or highlight is None:
            return
        layer, i, j = highlight
        weights = data.layers[layer].weights
        if weights is None or not Hit(layer, j, i).fits(data):
            return
        a, b = s.rects[layer - 1][i], s.rects[layer][j]
        mid = QPointF((a.right() + b.left()) / 2, (a.center().y() + b.center().y()) / 2)
        value = fmt(float(weights[i, j]))
        metrics = QFontMetricsF(s.theme.font("small"))
        room = b.left() - a.right() - 4
        for text in (f"w = {value}", value):
            if metrics.horizontalAdvance(text) + 12 <= room:
                self._paint_box(painter, s, mid, text, centred=True)
                return
        # No room between the columns: the edge stays marked, and hovering it shows the value.

    def _paint_nodes(self, painter: QPainter, s: NetworkScene) -> None:
        data = s.data
        if data is None:
            return
        t = s.theme
        font = t.font("small")
        painter.setFont(font)
        fm = QFontMetricsF(font)
        unit = max(1.0, t.line_width / 2)
        for c, layer in enumerate(data.layers):
            column = s.rects[c]
            room = column_room(s.rects, c)
            title_rect = QRectF(column[0].center().x() - room / 2, 0, room, fm.height() + 4)
            painter.setPen(QColor(t.muted))
            name = layer.name
            if fm.horizontalAdvance(name) > room - 4:
                name = short_layer_name(name)
            painter.drawText(title_rect, Qt.AlignmentFlag.AlignCenter, name)
            images = s.images[c] if c < len(s.images) else None
            for i, rect in enumerate(column):
                selected = data.selected == (c, i) or s.hover == Hit(c, i)
                pen = QPen(
                    QColor(t.accent if selected else t.muted), unit * (2.5 if selected else 1)
                )
                off = dropped(data, c, i)
                if images is not None:
                    image = images[i]
                    if off:  # a switched-off neuron's map in greys
                        image = image.convertToFormat(QImage.Format.Format_Grayscale8)
                    # Smooth but not antialiased: Qt's raster engine scales an image into a
                    # fractional rect about 6x slower with antialiasing, and the frame drawn
                    # over the map hides its edge anyway.
                    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                    painter.drawImage(rect, image)
                    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                    painter.setPen(pen)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRect(rect)
                    if c == 0 and layer.labels:
                        painter.setPen(QColor(t.foreground))
                        label = QRectF(0, rect.top(), rect.left() - 6, rect.height())
                        flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        painter.drawText(label, flags, layer.labels[i])
                    if layer.biases is not None:
                        self._paint_bias(painter, s, rect, float(layer.biases[i]))
                    if off:
                        self._paint_dropped(painter, s, rect)
                else:
                    painter.setPen(pen)
                    painter.setBrush(QColor(t.highlight if selected else t.window))
                    painter.drawRoundedRect(rect, 6, 6)
                    painter.setPen(QColor(t.highlight_text if selected else t.foreground))
                    painter.setFont(s.box_font)
                    text = layer.labels[i] if layer.labels else f"{layer.name} {i + 1}"
                    if s.box_lines:
                        text = "\n".join(text.splitlines()[: s.box_lines])
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
                    painter.setFont(font)
                    if off:
                        self._paint_dropped(painter, s, rect)

    def _paint_dropped(self, painter: QPainter, s: NetworkScene, rect: QRectF) -> None:
        """Grey a switched-off neuron out: a veil of the background, a muted cross over it."""
        veil = QColor(s.theme.background)
        veil.setAlpha(150)
        painter.fillRect(rect, veil)
        muted = QColor(s.theme.muted)
        painter.setPen(QPen(muted, max(1.0, s.theme.line_width / 2)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        inner = rect.adjusted(
            rect.width() * 0.3, rect.height() * 0.3, -rect.width() * 0.3, -rect.height() * 0.3
        )
        painter.drawLine(inner.topLeft(), inner.bottomRight())
        painter.drawLine(inner.topRight(), inner.bottomLeft())

    def _paint_bias(self, painter: QPainter, s: NetworkScene, rect: QRectF, bias: float) -> None:
        """A small square at the neuron's lower left corner, coloured by the bias."""
        side = max(4.0, rect.width() * 0.2)
        box = QRectF(rect.left() - side * 0.5, rect.bottom() - side * 0.5, side, side)
        painter.setPen(QPen(QColor(s.theme.muted), 1))
        painter.setBrush(self._colour(s, bias))
        painter.drawRect(box)

    def _paint_box(
        self, painter: QPainter, s: NetworkScene, at: QPointF, text: str, *, centred: bool = False
    ) -> None:
        """A boxed text near ``at`` that stays inside the canvas."""
        t = s.theme
        font = t.font("small")
        painter.setFont(font)
        fm = QFontMetricsF(font)
        lines = text.split("\n")
        w = max(fm.horizontalAdvance(line) for line in lines) + 12
        h = fm.lineSpacing() * len(lines) + 12
        x, y = (at.x() - w / 2, at.y() - h / 2) if centred else (at.x() + 14, at.y() + 14)
        x = min(max(2.0, x), s.size.width() - w - 2)
        if y + h > s.size.height() - 2:
            y = at.y() - h - 8 if not centred else s.size.height() - h - 2
        y = max(2.0, y)
        box = QRectF(x, y, w, h)
        fill = QColor(t.background)
        fill.setAlpha(240)
        painter.setPen(QPen(QColor(t.muted), 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(QColor(t.foreground))
        painter.drawText(box.adjusted(6, 5, -6, -5), Qt.AlignmentFlag.AlignLeft, text)

    def _paint_overlay(
        self, painter: QPainter, s: NetworkScene, layer_index: int, neuron: int
    ) -> None:
        """The enlarged map of one neuron, over the whole diagram, with its value range."""
        data = s.data
        if data is None:
            return
        t = s.theme
        width, height = s.size.width(), s.size.height()
        layer = data.layers[layer_index]
        images = s.images[layer_index]
        fill = QColor(t.background)
        fill.setAlpha(245)
        painter.fillRect(s.rect, fill)
        font = t.font("small")
        painter.setFont(font)
        fm = QFontMetricsF(font)
        line = fm.height()
        name = neuron_name(data, layer_index, neuron)
        painter.setPen(QColor(t.foreground))
        title = QRectF(0, 4, width, line)
        painter.drawText(title, Qt.AlignmentFlag.AlignCenter, f"{name}: output over the plane")
        side = max(20.0, min(width - 80.0, height - 4 * line - 20))
        box = QRectF((width - side) / 2, line + 10, side, side)
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
        foot = QRectF(0, below.bottom() + 2, width, line)
        painter.setPen(QColor(t.muted))
        painter.drawText(foot, Qt.AlignmentFlag.AlignCenter, note)
