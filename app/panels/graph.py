"""The computation-graph panel: nodes as rounded boxes in layered columns, edges as arrows.

Each node shows its operation symbol and name, its value and its gradient; the active node
and the edges in use ("lit") are drawn in the theme's accent colour, finished nodes carry a
check mark, and an edge can carry a label (a local derivative).  The items are built once per
graph structure; later steps only change texts and colours.  The graph is laid out left to
right or top to bottom, whichever lets it be drawn larger in the panel, and is scaled to fit.

Text is never drawn under :data:`MIN_TEXT_PX` pixels on screen: where the full boxes would
have to shrink below that, a box shows one number (the gradient once it has one, else the
value), then only its name; the numbers stay in the box's tooltip (and the lesson's table).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QSizePolicy,
    QWidget,
)

from app.panels.base import PanelView
from app.shell.theme import Theme
from lessons.core.panels import Graph, GraphData, GraphEdge, GraphNode, Panel

__all__ = ["GraphView"]

SYMBOLS = {
    "input": "",
    "const": "const",
    "add": "+",
    "sub": "−",
    "mul": "×",
    "div": "÷",
    "neg": "−",
    "pow": "^",
    "square": "x²",
    "exp": "exp",
    "log": "log",
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "ReLU",
    "matmul": "@",
    "sum": "Σ",
    "mean": "mean",
    "max": "max",
}
MAX_SCALE = 1.6  # a small graph in a big panel grows, but not without limit
MARGIN = 12.0
MIN_TEXT_PX = 11.0  # the smallest text on screen (readable from the back of a hall)
DETAIL_LEVELS = 3  # 0: name, value and gradient; 1: name and one number; 2: name only
# Distances between box centres, in box widths (across layers left to right, or along a layer
# laid out top to bottom) and box heights (the other way).
LAYER_GAP_H, ROW_GAP_H = 1.7, 1.35
LAYER_GAP_V, ROW_GAP = 1.65, 1.08
LABEL_AT = 0.4  # where along an edge its label sits: nearer the source, so labels of edges
# that meet at one node do not pile up


def symbol(op: str) -> str:
    """The symbol drawn for an op name (unknown ops are shown by name)."""
    return SYMBOLS.get(op, op)


@dataclass
class _NodeItems:
    box: QGraphicsPathItem
    title: QGraphicsSimpleTextItem
    value: QGraphicsSimpleTextItem
    grad: QGraphicsSimpleTextItem
    mark: QGraphicsSimpleTextItem


@dataclass
class _EdgeItems:
    line: QGraphicsPathItem
    head: QGraphicsPathItem
    label: QGraphicsSimpleTextItem
    label_box: QGraphicsPathItem


class _FitView(QGraphicsView):
    """A graphics view without scroll bars that asks its panel to refit when resized."""

    def __init__(self, scene: QGraphicsScene, owner: GraphView) -> None:
        super().__init__(scene, owner)
        self._owner = owner
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._owner._fit()


class GraphView(PanelView):
    """Shows :class:`~lessons.core.panels.GraphData` for a `Graph` spec."""

    accepts = (GraphData,)

    def __init__(self, spec: Panel, theme: Theme, parent: QWidget | None = None) -> None:
        if not isinstance(spec, Graph):
            raise ValueError(f"GraphView needs a Graph spec, got {type(spec).__name__}")
        super().__init__(spec, theme, parent)
        self.scene = QGraphicsScene(self)
        self.view = _FitView(self.scene, self)
        self.view.setAccessibleName(spec.title or spec.id)
        self._structure: tuple[object, ...] | None = None
        self._nodes: dict[str, _NodeItems] = {}
        self._edges: dict[tuple[str, str], _EdgeItems] = {}
        self._node_size = (0.0, 0.0)
        self.horizontal = True
        self.level = 0  # how much each box shows (see DETAIL_LEVELS)
        self._set_content(self.view)
        self._restyle()

    # ---- drawing -------------------------------------------------------------------------

    def _show(self, data: GraphData) -> None:
        structure = (
            tuple((n.id, n.op, n.label, n.layer, n.row) for n in data.nodes),
            tuple((e.source, e.target) for e in data.edges),
        )
        if structure != self._structure:
            self._build(data)
            self._structure = structure
        for node in data.nodes:
            self._update_node(node)
        for edge in data.edges:
            self._update_edge(edge)
        self.set_caption(data.caption)
        self._arrange(data)
        self._fit_view()

    def _build(self, data: GraphData) -> None:
        self.scene.clear()
        self._nodes.clear()
        self._edges.clear()
        for edge in data.edges:
            line = QGraphicsPathItem()
            line.setZValue(1)
            head = QGraphicsPathItem()
            head.setZValue(1)
            label_box = QGraphicsPathItem()
            label_box.setZValue(3)
            label = QGraphicsSimpleTextItem()
            label.setZValue(4)
            for item in (line, head, label_box, label):
                self.scene.addItem(item)
            self._edges[(edge.source, edge.target)] = _EdgeItems(line, head, label, label_box)
        for node in data.nodes:
            box = QGraphicsPathItem()
            box.setZValue(2)
            self.scene.addItem(box)
            texts = [QGraphicsSimpleTextItem(box) for _ in range(4)]
            self._nodes[node.id] = _NodeItems(box, *texts)

    def _fonts(self) -> tuple[QFont, QFont]:
        return self.theme.font("small", bold=True), self.theme.font("small")

    def _update_node(self, node: GraphNode) -> None:
        items = self._nodes[node.id]
        t = self.theme
        title_font, small = self._fonts()
        sym = symbol(node.op)
        title = f"{sym}  {node.label}".strip() if sym else node.label
        items.title.setText(title or node.id)
        items.title.setFont(title_font)
        items.value.setText(f"= {node.value}" if node.value else "")
        items.value.setFont(small)
        items.grad.setText(f"∇ {node.grad}" if node.grad else "")
        items.grad.setFont(small)
        items.mark.setText("✓" if node.state == "done" else "")
        items.mark.setFont(small)
        active = node.state == "active"
        text = QColor(t.highlight_text if active else t.foreground)
        items.title.setBrush(QBrush(text))
        items.value.setBrush(QBrush(text))
        items.grad.setBrush(QBrush(QColor(t.highlight_text if active else t.color(3))))
        items.mark.setBrush(QBrush(QColor(t.color(2))))
        width = max(1.0, t.line_width)
        if active:
            pen, fill = QPen(QColor(t.accent), 2.0 * width), QColor(t.highlight)
        elif node.state == "done":
            pen, fill = QPen(QColor(t.foreground), 0.75 * width), QColor(t.background)
        else:
            pen, fill = QPen(QColor(t.muted), 0.5 * width), QColor(t.window)
        if node.op == "input" and node.state == "idle" and not node.value:
            pen.setStyle(Qt.PenStyle.DashLine)
        items.box.setPen(pen)
        items.box.setBrush(QBrush(fill))
        items.box.setToolTip(
            f"{node.label or node.id} ({node.op})\nvalue: {node.value or '?'}"
            f"\ngradient: {node.grad or '?'}"
        )

    def _update_edge(self, edge: GraphEdge) -> None:
        items = self._edges[(edge.source, edge.target)]
        t = self.theme
        color = QColor(t.accent if edge.lit else t.muted)
        width = max(1.0, t.line_width) * (1.5 if edge.lit else 0.6)
        pen = QPen(color, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        items.line.setPen(pen)
        items.head.setPen(QPen(color, 1.0))
        items.head.setBrush(QBrush(color))
        items.line.setZValue(1.5 if edge.lit else 1)
        items.head.setZValue(1.5 if edge.lit else 1)
        _, small = self._fonts()
        font = QFont(small)
        font.setBold(edge.lit)
        items.label.setFont(font)
        items.label.setText(edge.label)
        items.label.setBrush(QBrush(QColor(t.accent if edge.lit else t.foreground)))
        fill = QColor(t.background)
        fill.setAlpha(230)
        items.label_box.setBrush(QBrush(fill))
        items.label_box.setPen(QPen(color, 1.0) if edge.lit else QPen(Qt.PenStyle.NoPen))
        items.label.setVisible(bool(edge.label))
        items.label_box.setVisible(bool(edge.label))

    # ---- layout ----------------------------------------------------------------------------

    def _arrange(self, data: GraphData) -> None:
        """The most detailed boxes whose text stays readable once fitted, then place them."""
        for level in range(DETAIL_LEVELS):
            self.level = level
            self._size_nodes(data)
            scale = self._choose_orientation(data)
            if self.theme.px("small") * scale >= MIN_TEXT_PX:
                break
        self._place(data)

    def _size_nodes(self, data: GraphData) -> None:
        """One box size for all nodes, wide enough for every text (and typical numbers).

        At detail level 1 a box keeps one number (its gradient once it has one), at level 2
        none; the hidden texts stay in the tooltip.
        """
        title_font, small = self._fonts()
        tm, sm = QFontMetricsF(title_font), QFontMetricsF(small)
        mark = sm.horizontalAdvance(" ✓")
        lines = 2 - self.level
        widths = [tm.horizontalAdvance("×  w₁") + mark]
        if lines:
            widths.append(sm.horizontalAdvance("∇ −0.0000"))
        for items in self._nodes.values():
            shown = [items.value, items.grad]
            if lines == 1:
                shown = [items.grad if items.grad.text() else items.value]
            elif lines == 0:
                shown = []
            for item in (items.value, items.grad):
                item.setVisible(item in shown)
            for row, item in enumerate(shown):
                item.setData(0, row)
            widths += [tm.horizontalAdvance(items.title.text()) + mark]
            widths += [sm.horizontalAdvance(item.text()) for item in shown]
        pad = 0.4 * sm.height()
        width = max(widths) + 2 * pad
        height = tm.height() + lines * sm.height() + 1.6 * pad
        self._node_size = (width, height)
        path = QPainterPath()
        radius = 0.35 * sm.height()
        path.addRoundedRect(QRectF(0, 0, width, height), radius, radius)
        for items in self._nodes.values():
            items.box.setPath(path)
            items.title.setPos(pad, 0.6 * pad)
            for item in (items.value, items.grad):
                row = item.data(0) or 0
                item.setPos(pad, 0.6 * pad + tm.height() + row * sm.height())
            items.mark.setPos(width - pad - sm.horizontalAdvance("✓"), 0.6 * pad)

    def _extent(self, data: GraphData, horizontal: bool) -> tuple[float, float]:
        """Width and height the layout needs in one orientation (scene units)."""
        w, h = self._node_size
        layers = max((n.layer for n in data.nodes), default=0) + 1
        rows = [n.row for n in data.nodes] or [0.0]
        span = max(rows) - min(rows) + 1
        if horizontal:
            return layers * w + (layers - 1) * (LAYER_GAP_H - 1) * w, span * h * ROW_GAP_H
        return span * w * ROW_GAP, layers * h + (layers - 1) * (LAYER_GAP_V - 1) * h

    def _choose_orientation(self, data: GraphData) -> float:
        """Lay out left to right or top to bottom; the scale the chosen layout is drawn at."""
        vw, vh = max(1, self.view.viewport().width()), max(1, self.view.viewport().height())
        scales = []
        for horizontal in (True, False):
            ew, eh = self._extent(data, horizontal)
            scale = min(vw / (ew + 2 * MARGIN), vh / (eh + 2 * MARGIN))
            scales.append(min(scale, MAX_SCALE))
        self.horizontal = scales[0] >= 0.9 * scales[1]  # left to right reads like a formula
        return scales[0] if self.horizontal else scales[1]

    def _centre(self, node: GraphNode, data: GraphData) -> QPointF:
        w, h = self._node_size
        low = min((n.row for n in data.nodes), default=0.0)
        if self.horizontal:
            return QPointF(
                node.layer * LAYER_GAP_H * w + w / 2, (node.row - low) * ROW_GAP_H * h + h / 2
            )
        return QPointF((node.row - low) * ROW_GAP * w + w / 2, node.layer * LAYER_GAP_V * h + h / 2)

    def _place(self, data: GraphData) -> None:
        w, h = self._node_size
        centres = {n.id: self._centre(n, data) for n in data.nodes}
        for node_id, c in centres.items():
            self._nodes[node_id].box.setPos(c.x() - w / 2, c.y() - h / 2)
        for (src, dst), items in self._edges.items():
            self._route(items, centres[src], centres[dst])
        self.scene.setSceneRect(
            self.scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        )

    def _route(self, items: _EdgeItems, a: QPointF, b: QPointF) -> None:
        """A smooth arrow from box ``a``'s out side to box ``b``'s in side, label at mid-way."""
        w, h = self._node_size
        if self.horizontal:
            start, end = QPointF(a.x() + w / 2, a.y()), QPointF(b.x() - w / 2, b.y())
            bend = QPointF((end.x() - start.x()) * 0.5, 0)
            tip = QPointF(-1, 0)
        else:
            start, end = QPointF(a.x(), a.y() + h / 2), QPointF(b.x(), b.y() - h / 2)
            bend = QPointF(0, (end.y() - start.y()) * 0.5)
            tip = QPointF(0, -1)
        size = 0.22 * h
        path = QPainterPath(start)
        stop = end + tip * size * 0.8
        path.cubicTo(start + bend, stop - bend, stop)
        items.line.setPath(path)
        back = end + tip * size
        side = QPointF(-tip.y(), tip.x()) * size * 0.5
        head = QPainterPath(end)
        head.lineTo(back + side)
        head.lineTo(back - side)
        head.closeSubpath()
        items.head.setPath(head)
        mid = path.pointAtPercent(LABEL_AT)
        rect = items.label.boundingRect()
        items.label.setPos(mid.x() - rect.width() / 2, mid.y() - rect.height() / 2)
        box = QPainterPath()
        r = rect.adjusted(-3, -1, 3, 1).translated(items.label.pos())
        box.addRoundedRect(r, 3, 3)
        items.label_box.setPath(box)

    def _fit(self) -> None:
        """The view was resized: choose the layout again and scale it to the new size."""
        if not self._nodes or self.scene.sceneRect().isEmpty():
            return
        if self._data is not None:
            self._arrange(self._data)  # a new size may allow (or need) another layout
        self._fit_view()

    def _fit_view(self) -> None:
        """Scale the scene to the view (never above MAX_SCALE)."""
        rect = self.scene.sceneRect()
        if not self._nodes or rect.isEmpty():
            return
        self.view.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        scale = self.view.transform().m11()
        if scale > MAX_SCALE:
            self.view.resetTransform()
            self.view.scale(MAX_SCALE, MAX_SCALE)

    # ---- PanelView hooks -------------------------------------------------------------------

    def _restyle(self) -> None:
        self.view.setBackgroundBrush(QBrush(QColor(self.theme.background)))
        self._structure = None  # fonts and sizes change: rebuild on the next show

    def _clear(self) -> None:
        self.scene.clear()
        self._nodes.clear()
        self._edges.clear()
        self._structure = None

    def _is_empty(self, data: GraphData) -> bool:
        return not data.nodes

    # ---- for tests and exports -------------------------------------------------------------

    def smallest_text_px(self) -> float:
        """The pixel size the graph's smallest text is drawn at on screen now."""
        return self.theme.px("small") * self.view.transform().m11()

    def node_texts(self, node_id: str) -> tuple[str, ...]:
        """The texts drawn in a node's box: title, value line, gradient line, mark."""
        items = self._nodes[node_id]
        return tuple(i.text() for i in (items.title, items.value, items.grad, items.mark))

    def edge_label(self, source: str, target: str) -> str:
        """The label drawn on an edge ("" when none)."""
        return self._edges[(source, target)].label.text()

    def node_item(self, node_id: str) -> QGraphicsItem:
        """The box item of a node (its children are the texts)."""
        return self._nodes[node_id].box
