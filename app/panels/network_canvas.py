"""The network diagram's canvas: its layout, hover read-outs, clicks and the enlarged neuron.

It lays the layers out in columns (neurons as small heat maps of their output over the input
plane, or as boxes with their labels), groups the edges by colour and width for painting,
finds what the mouse is over, and keeps the neuron shown large after a click.  It owns a
:class:`~app.panels.network_paint.NetworkPainter` and hands it a
:class:`~app.panels.network_paint.NetworkScene` in each ``paintEvent``.  The layout is
recomputed only when the data's shape or the widget's size changes; a read-out that follows
the mouse over the same neuron or edge is repainted at most 60 times a second.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetricsF, QImage, QMouseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.panels.chart import format_number as fmt
from app.panels.network_paint import (
    EDGE_LEVELS,
    Hit,
    NetworkPainter,
    NetworkScene,
    heat_images,
    neuron_exists,
    neuron_name,
)
from app.shell.theme import Theme
from lessons.core.base import NetworkData, NeuronLayer

__all__ = ["Hit", "NetworkCanvas", "heat_images"]

MAX_NODE = 72.0  # largest neuron square (px at font scale 1)
MIN_NODE = 8.0
MIN_TEXT_PX = 11  # the smallest text drawn (readable from the back of a hall)
EDGE_HIT_PX = 6.0
FOLLOW_MS = 1000 // 60  # a read-out following the mouse is repainted at most this often


class NetworkCanvas(QWidget):
    """Paints a :class:`~lessons.core.base.NetworkData`; emits ``enlarged_changed`` on clicks."""

    enlarged_changed = Signal(object)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.data: NetworkData | None = None
        self.images: list[list[QImage] | None] = []
        self.rects: list[list[QRectF]] = []
        self.enlarged: tuple[int, int] | None = None
        self.hover: Hit | None = None
        self._mouse = QPointF()
        self._shape: tuple[object, ...] | None = None
        self._segments = np.zeros((0, 4))
        self._segment_ids: list[Hit] = []
        self._lut = np.zeros((256, 3), np.uint8)
        self._heat_cache: dict[int, tuple[np.ndarray, object, list[QImage]]] = {}
        self._scale = 1.0
        self._edge_groups: dict[tuple[int, int], list[int]] = {}
        self.box_font = theme.font("small")
        self.box_lines = 0  # label lines shown in a neuron box (0: all); the rest on hover
        self._painter = NetworkPainter()
        self._follow = QTimer(self)  # repaints the read-out after the mouse moved within a hit
        self._follow.setSingleShot(True)
        self._follow.setInterval(FOLLOW_MS)
        self._follow.timeout.connect(self.update)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 90)
        self.restyle(theme)

    # ---- data -------------------------------------------------------------------------------

    def restyle(self, theme: Theme) -> None:
        self.theme = theme
        self._lut = theme.colormap("diverging").getLookupTable(nPts=256, alpha=False)
        self._heat_cache = {}  # layer -> (maps, levels, images) shown last (new colours: none)
        self._shape = None
        if self.data is not None:
            self.set_data(self.data)

    def set_data(self, data: NetworkData | None) -> None:
        self.data = data
        self.images = []
        if data is not None:
            for i, layer in enumerate(data.layers):
                self.images.append(self._heat_images(i, layer.heatmaps, layer.levels))
            if self.enlarged is not None and not neuron_exists(data, *self.enlarged):
                self.set_enlarged(None)
        shape = None if data is None else (data.sizes, tuple(ly.labels for ly in data.layers))
        if shape != self._shape:
            self._shape = shape
            self._layout()
        if self.hover is not None and not self.hover.fits(data):
            self.hover = None
        self._prepare_edges()
        self.update()

    def _heat_images(
        self, layer: int, maps: np.ndarray | None, levels: tuple[float, float] | None
    ) -> list[QImage] | None:
        """The layer's maps as images; those of the last step again when its maps did not change
        (the input features' maps are the same at every step of a training run)."""
        if maps is None:
            return None
        maps = np.asarray(maps)
        cached = self._heat_cache.get(layer)
        if (
            cached is not None
            and cached[1] == levels
            and cached[0].shape == maps.shape
            and np.array_equal(cached[0], maps, equal_nan=True)
        ):
            return cached[2]
        images = heat_images(maps, levels, self._lut)
        self._heat_cache[layer] = (maps.copy(), levels, images)
        return images

    def set_enlarged(self, which: tuple[int, int] | None) -> None:
        if which != self.enlarged:
            self.enlarged = which
            self.enlarged_changed.emit(which)
            self.update()

    # ---- layout -------------------------------------------------------------------------------

    def _label_box(self, layer: NeuronLayer) -> bool:
        """Neurons without maps are boxes with their labels inside."""
        return layer.heatmaps is None

    def _layout(self) -> None:
        self.rects = []
        data = self.data
        if data is None or not data.layers:
            self._segments = np.zeros((0, 4))
            self._segment_ids = []
            return
        t = self.theme
        fm = QFontMetricsF(t.font("small"))
        line_h = fm.height()
        label_w = 0.0
        first = data.layers[0]
        if not self._label_box(first) and first.labels:
            label_w = max(fm.horizontalAdvance(s) for s in first.labels) + 6
        top = line_h + 6  # column titles
        width, height = max(1.0, self.width() - 8.0), max(1.0, self.height() - top - 6.0)
        left = 4.0 + label_w
        columns = len(data.layers)
        most = max(data.sizes)
        box_w = box_h = 0.0
        for layer in data.layers:
            if self._label_box(layer):
                lines = [s.split("\n") for s in layer.labels] or [[layer.name]]
                box_w = max(box_w, *(max(fm.horizontalAdvance(x) for x in ls) for ls in lines))
                box_h = max(box_h, max(len(ls) for ls in lines) * line_h)
        usable = width - label_w
        gap = usable / max(columns, 1)
        size = min(MAX_NODE * t.font_scale, height / (most * 1.3), gap * 0.5)
        size = max(MIN_NODE, size)
        self.box_font = t.font("small")
        self.box_lines = 0
        if box_w:  # labelled boxes: shrink the text (not under MIN_TEXT_PX) where they crowd
            shrink = min(1.0, gap * 0.6 / (box_w + 12), height / (most * 1.25) / (box_h + 8))
            shrink = max(0.7, MIN_TEXT_PX / t.px("small"), shrink)
            self.box_font.setPixelSize(max(MIN_TEXT_PX, round(t.px("small") * shrink)))
            box_w, box_h = box_w * shrink, box_h * shrink
            wanted = max(1, round(box_h / (line_h * shrink)))
            room = int((height / (most * 1.15) - 8) // (line_h * shrink))
            if room < wanted:  # the last lines (numbers) go to the hover read-out
                self.box_lines = max(1, room)
                box_h = self.box_lines * line_h * shrink
        node_w = max(size, box_w + 12) if box_w else size
        node_h = max(size, box_h + 8) if box_h else size
        if box_w:
            node_w = min(node_w, gap * 0.75)
            node_h = min(node_h, height / (most * 1.15))
        for c, layer in enumerate(data.layers):
            x = left + gap * c + (gap - node_w) / 2
            step = height / layer.size
            column = []
            for i in range(layer.size):
                y = top + step * i + (step - node_h) / 2
                column.append(QRectF(x, y, node_w, node_h))
            self.rects.append(column)
        segments, ids = [], []
        for c in range(1, columns):
            for j, target in enumerate(self.rects[c]):
                for i, source in enumerate(self.rects[c - 1]):
                    segments.append(
                        (source.right(), source.center().y(), target.left(), target.center().y())
                    )
                    ids.append(Hit(c, j, i))
        self._segments = np.array(segments, dtype=np.float64).reshape(-1, 4)
        self._segment_ids = ids

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout()

    # ---- painting -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._painter.paint(painter, self.scene())
        painter.end()

    def scene(self) -> NetworkScene:
        """What the painter draws now: the layout, the data and what the mouse is over."""
        return NetworkScene(
            theme=self.theme,
            size=self.size(),
            data=self.data,
            rects=self.rects,
            images=self.images,
            segments=self._segments,
            segment_ids=self._segment_ids,
            edge_groups=self._edge_groups,
            scale=self._scale,
            lut=self._lut,
            box_font=self.box_font,
            box_lines=self.box_lines,
            hover=self.hover,
            hover_text=self.hover_text() if self.enlarged is None else "",
            mouse=QPointF(self._mouse),
            enlarged=self.enlarged,
        )

    def _edge_weights(self) -> np.ndarray:
        """Every edge's weight, in the order of the layout's segments (NaN where unknown)."""
        data = self.data
        if data is None:
            return np.zeros(0)
        parts = []
        for layer, prev in zip(data.layers[1:], data.layers, strict=False):
            w = layer.weights
            shape = (layer.size * prev.size,)
            parts.append(
                np.full(shape, np.nan) if w is None else np.asarray(w, np.float64).T.ravel()
            )
        return np.concatenate(parts) if parts else np.zeros(0)

    def _prepare_edges(self) -> None:
        """Group the edges by colour and width bucket, so painting sets few pens."""
        weights = self._edge_weights()
        finite = np.abs(weights[np.isfinite(weights)])
        self._scale = max(1.0, float(finite.max())) if finite.size else 1.0
        frac = np.where(np.isfinite(weights), np.minimum(np.abs(weights) / self._scale, 1.0), 0.0)
        level = np.round(frac * EDGE_LEVELS).astype(np.intp)
        sign = np.where(weights > 0, 1, np.where(weights < 0, -1, 0))
        sign[~np.isfinite(weights)] = 2
        groups: dict[tuple[int, int], list[int]] = {}
        for index, key in enumerate(zip(sign.tolist(), level.tolist(), strict=True)):
            groups.setdefault(key, []).append(index)
        self._edge_groups = groups

    # ---- hover and clicks ---------------------------------------------------------------------

    def neuron_name(self, layer: int, neuron: int) -> str:
        return "" if self.data is None else neuron_name(self.data, layer, neuron)

    def edge_line(self, hit: Hit) -> QLineF:
        """Where the edge ``hit`` (with its source) is drawn, in canvas coordinates."""
        for index, segment_id in enumerate(self._segment_ids):
            if segment_id == hit:
                x0, y0, x1, y1 = self._segments[index]
                return QLineF(x0, y0, x1, y1)
        raise IndexError(f"no edge {hit.source} -> {hit.neuron} into layer {hit.layer}")

    def hit(self, pos: QPointF) -> Hit | None:
        """The neuron under ``pos``, else the nearest edge within a few pixels, else None."""
        for c, column in enumerate(self.rects):
            for i, rect in enumerate(column):
                if rect.adjusted(-3, -3, 3, 3).contains(pos):
                    return Hit(c, i)
        if not len(self._segments):
            return None
        x0, y0, x1, y1 = self._segments.T
        dx, dy = x1 - x0, y1 - y0
        length2 = np.maximum(dx * dx + dy * dy, 1e-9)
        u = np.clip(((pos.x() - x0) * dx + (pos.y() - y0) * dy) / length2, 0.0, 1.0)
        d2 = (x0 + u * dx - pos.x()) ** 2 + (y0 + u * dy - pos.y()) ** 2
        best = int(np.argmin(d2))
        return self._segment_ids[best] if d2[best] <= EDGE_HIT_PX**2 else None

    def hover_text(self) -> str:
        """The read-out for what the mouse is over ("" when nothing)."""
        data, hit = self.data, self.hover
        if data is None or hit is None or not hit.fits(data):
            return ""
        layer = data.layers[hit.layer]
        if hit.source is not None:
            source = self.neuron_name(hit.layer - 1, hit.source)
            lines = [f"weight {source} → {self.neuron_name(hit.layer, hit.neuron)}"]
            if layer.weights is not None:
                lines.append(f"w = {fmt(float(layer.weights[hit.source, hit.neuron]))}")
            if layer.weight_grads is not None:
                g = float(layer.weight_grads[hit.source, hit.neuron])
                lines.append(f"last gradient ∂J/∂w = {fmt(g)}")
            return "\n".join(lines)
        lines = [self.neuron_name(hit.layer, hit.neuron)]
        if layer.labels:  # an input's first line is its name, already written above
            label = layer.labels[hit.neuron].splitlines()
            lines += label if hit.layer > 0 else label[1:]
        if layer.biases is not None:
            lines.append(f"bias b = {fmt(float(layer.biases[hit.neuron]))}")
        if layer.bias_grads is not None:
            lines.append(f"last gradient ∂J/∂b = {fmt(float(layer.bias_grads[hit.neuron]))}")
        if layer.heatmaps is not None:
            values = np.asarray(layer.heatmaps[hit.neuron], np.float32)
            lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
            lines.append(f"output {fmt(lo)} … {fmt(hi)} over the plane")
            lines.append("click to enlarge")
        return "\n".join(lines)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """A new hit repaints at once; a read-out following the mouse, at most 60 times a second."""
        self._mouse = event.position()
        hit = self.hit(self._mouse) if self.enlarged is None else None
        if hit != self.hover:
            self.hover = hit
            self._follow.stop()
            self.update()
        elif hit is not None and not self._follow.isActive():
            self._follow.start()
        super().mouseMoveEvent(event)

    def clear_hover(self) -> None:
        if self.hover is not None:
            self.hover = None
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        if self.enlarged is not None:
            self.set_enlarged(None)
            return
        hit = self.hit(event.position())
        if hit is not None and hit.source is None and self.images[hit.layer] is not None:
            self.hover = None
            self.set_enlarged((hit.layer, hit.neuron))
