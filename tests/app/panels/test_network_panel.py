"""The network-diagram panel draws neurons and weights, reads them out, edits and enlarges."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.panels import create_panel
from app.panels.network import NetworkView
from app.panels.network_paint import Hit
from app.shell.theme import THEMES
from lessons.core.base import Network, NetworkData, NeuronLayer, Plot, PlotData

SPEC = Network("net", "Network", layers_control="layers", neurons_control="neurons")


def _data(editable: bool = True, hidden: int = 3) -> NetworkData:
    """x1, x2 -> `hidden` tanh neurons -> 1 output, with maps over an 8 x 8 plane."""
    axis = np.linspace(-1, 1, 8)
    x1, x2 = np.meshgrid(axis, axis)
    w1 = np.array([[1.5, -2.0, 0.1], [0.5, 1.0, -3.0]])[:, :hidden]
    w2 = np.array([[2.0], [-1.0], [0.5]])[:hidden]
    h = np.tanh(np.einsum("ij,jkl->ikl", w1.T, np.stack([x1, x2])))
    out = 1 / (1 + np.exp(-np.einsum("ij,jkl->ikl", w2.T, h)))
    layers = (
        NeuronLayer("inputs", 2, heatmaps=np.stack([x1, x2]), labels=("x₁", "x₂")),
        NeuronLayer(
            "hidden 1",
            hidden,
            heatmaps=h,
            levels=(-1.0, 1.0),
            weights=w1,
            biases=np.linspace(-0.5, 0.5, hidden),
            weight_grads=w1 * 0.01,
            bias_grads=np.full(hidden, 0.002),
        ),
        NeuronLayer(
            "output",
            1,
            heatmaps=out,
            levels=(0.0, 1.0),
            weights=w2,
            biases=np.zeros(1),
            weight_grads=w2 * -0.1,
            bias_grads=np.zeros(1),
        ),
    )
    return NetworkData(layers, editable=editable, extent=(-1.0, -1.0, 2.0, 2.0))


def _view(qtbot: QtBot, spec: Network = SPEC) -> NetworkView:
    view = create_panel(spec, THEMES["light"])
    assert isinstance(view, NetworkView)
    qtbot.addWidget(view)
    view.resize(640, 420)
    view.show()
    qtbot.waitExposed(view)
    return view


def _colours(image: QImage) -> int:
    return len(
        {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    )


def _move(view: NetworkView, pos: QPointF) -> None:
    event = QMouseEvent(
        QMouseEvent.Type.MouseMove,
        pos,
        view.canvas.mapToGlobal(pos),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view.canvas, event)


def test_view_draws_neuron_maps_and_weights(qtbot: QtBot) -> None:
    """With data the panel has content: many colours, blue and orange edges, column titles."""
    view = _view(qtbot)
    assert not view.has_content()
    view.set_data(_data())
    assert view.has_content()
    image = view.canvas.grab().toImage()
    assert _colours(image) > 40
    assert view.hidden_layers() == 1 and view.neurons_per_layer() == 3
    # the 1.5 weight (x1 -> neuron 1) is drawn orange, the -2.0 one (x1 -> neuron 2) blue
    for target, warm in ((0, True), (1, False)):
        p = view.edge_point(1, 0, target)
        colour = image.pixelColor(round(p.x()), round(p.y()))
        assert (colour.red() > colour.blue()) is warm, (target, colour.name())


def test_hover_reads_a_weight_and_its_gradient_or_a_bias(qtbot: QtBot) -> None:
    """Over an edge: its weight and last gradient; over a neuron: its bias; outside: nothing."""
    view = _view(qtbot)
    view.set_data(_data())
    _move(view, view.edge_point(1, 1, 2))  # x2 -> hidden neuron 3: w = -3
    text = view.hover_text()
    assert "w = −3" in text and "last gradient ∂J/∂w = −0.03" in text
    assert "x₂" in text and "neuron 3" in text
    _move(view, view.neuron_rect(1, 0).center())
    text = view.hover_text()
    assert "bias b = −0.5" in text and "∂J/∂b = 0.002" in text
    _move(view, QPointF(2, 2))
    assert view.hover_text() == ""


class _PaintCounter(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_read_out_following_the_mouse_is_repainted_at_most_60_times_a_second(
    qtbot: QtBot,
) -> None:
    """Moves along one edge, each handled at once, repaint ~60 times a second, not per move."""
    view = _view(qtbot)
    view.set_data(_data())
    edge = view.canvas.edge_line(Hit(1, 2, 1))
    _move(view, edge.pointAt(0.3))
    assert view.canvas.hover == Hit(1, 2, 1)
    qtbot.wait(40)
    paints = _PaintCounter()
    view.canvas.installEventFilter(paints)
    start = time.perf_counter()
    for k in range(20):
        _move(view, edge.pointAt(0.3 + 0.01 * k))
        QApplication.processEvents()
    elapsed_ms = (time.perf_counter() - start) * 1000
    qtbot.waitUntil(lambda: paints.count >= 1)
    qtbot.wait(40)
    view.canvas.removeEventFilter(paints)
    assert paints.count <= 2 + elapsed_ms / 16 and paints.count < 20
    assert view.canvas.scene().mouse == edge.pointAt(0.49) and "w = −3" in view.hover_text()


def test_plus_and_minus_emit_the_new_topology(qtbot: QtBot) -> None:
    """The buttons ask for one layer/neuron more or fewer, within the spec's ranges."""
    view = _view(qtbot)
    view.set_data(_data())
    assert view.header.isVisible()
    with qtbot.waitSignal(view.picked) as blocker:
        qtbot.mouseClick(view.layers_stepper.plus, Qt.MouseButton.LeftButton)
    assert blocker.args == ["layers", 2]
    with qtbot.waitSignal(view.picked) as blocker:
        qtbot.mouseClick(view.neurons_stepper.minus, Qt.MouseButton.LeftButton)
    assert blocker.args == ["neurons", 2]
    with qtbot.waitSignal(view.picked) as blocker:
        qtbot.mouseClick(view.neurons_stepper.plus, Qt.MouseButton.LeftButton)
    assert blocker.args == ["neurons", 4]
    view.set_data(_data(hidden=1))
    assert not view.neurons_stepper.minus.isEnabled()  # 1 is the fewest neurons
    view.set_data(_data(editable=False))
    assert not view.header.isVisible()


def test_clicking_a_neuron_shows_its_map_large_until_the_next_click(qtbot: QtBot) -> None:
    """A click on a neuron enlarges it over the diagram; it follows new data; a click closes."""
    view = _view(qtbot)
    view.set_data(_data())
    before = view.canvas.grab().toImage()
    centre = view.neuron_rect(1, 1).center().toPoint()
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=centre)
    assert view.enlarged() == (1, 1)
    enlarged = view.canvas.grab().toImage()
    assert enlarged != before and _colours(enlarged) > 20
    view.set_data(_data())  # live data keeps the enlarged neuron
    assert view.enlarged() == (1, 1)
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=centre)
    assert view.enlarged() is None
    view.set_data(_data(hidden=1))
    qtbot.mouseClick(
        view.canvas, Qt.MouseButton.LeftButton, pos=view.neuron_rect(2, 0).center().toPoint()
    )
    assert view.enlarged() == (2, 0)
    view.set_data(NetworkData(_data().layers[:2]))  # the neuron is gone: the overlay closes
    assert view.enlarged() is None


def test_neurons_without_maps_are_labelled_boxes(qtbot: QtBot) -> None:
    """Without heat maps each neuron is a box with its label (values, as in lesson 3.2)."""
    view = _view(qtbot, Network("net", "Network"))
    data = _data(editable=False)
    layers = tuple(
        NeuronLayer(
            ly.name,
            ly.size,
            weights=ly.weights,
            labels=tuple(f"{ly.name[0]}{i + 1}\na = 0.{i}" for i in range(ly.size)),
        )
        for ly in data.layers
    )
    view.set_data(NetworkData(layers, selected=(1, 0), highlight_edge=(1, 0, 0)))
    assert view.has_content() and not view.header.isVisible()
    assert _colours(view.canvas.grab().toImage()) > 10
    _move(view, view.neuron_rect(1, 2).center())
    assert "a = 0.2" in view.hover_text()


def test_view_rejects_other_specs_and_data(qtbot: QtBot) -> None:
    """A Network view only takes a Network spec and NetworkData; layer shapes are checked."""
    with pytest.raises(ValueError, match="Network spec"):
        NetworkView(Plot("p"), THEMES["light"])
    view = _view(qtbot)
    with pytest.raises(ValueError, match="cannot show PlotData"):
        view.set_data(PlotData())
    with pytest.raises(ValueError, match="weights must have shape"):
        NetworkData((NeuronLayer("a", 2), NeuronLayer("b", 1, weights=np.zeros((3, 1)))))


def test_dark_theme_redraws(qtbot: QtBot) -> None:
    """Switching theme keeps the data and changes the pixels."""
    view = _view(qtbot)
    view.set_data(_data())
    light = view.canvas.grab().toImage()
    view.apply_theme(THEMES["dark"])
    assert view.has_content() and view.canvas.grab().toImage() != light


def test_crowded_boxes_keep_11_px_text_and_move_their_last_lines_to_hover(qtbot: QtBot) -> None:
    """Boxes never shrink their text under 11 px; lines that do not fit are read on hover."""
    view = _view(qtbot, Network("net", "Network"))
    labels = tuple(f"o{i + 1}\ny = 0.{i}\nt = 1\nδ = −0.0{i}" for i in range(4))
    layers = (
        NeuronLayer("inputs", 2, labels=("x₁\n0.8", "x₂\n0.2")),
        NeuronLayer("outputs", 4, weights=np.ones((2, 4)), labels=labels),
    )
    view.set_data(NetworkData(layers))
    view.resize(420, 230)
    QApplication.processEvents()
    assert view.smallest_text_px() >= 11
    assert 1 <= view.canvas.box_lines < 4  # four lines do not fit four boxes this high
    _move(view, view.neuron_rect(1, 3).center())
    assert "δ = −0.03" in view.hover_text()
    _move(view, view.neuron_rect(0, 0).center())
    assert "0.8" in view.hover_text()  # an input's value line too
    view.resize(640, 900)
    QApplication.processEvents()
    assert view.canvas.box_lines == 0  # room again: every line in its box


def test_layer_titles_shorten_in_narrow_columns() -> None:
    """ "hidden 2" becomes "h2" where columns are narrow; a title gets the room to its neighbour."""
    from PySide6.QtCore import QRectF

    from app.panels.network_paint import column_room, short_layer_name

    assert [short_layer_name(n) for n in ("hidden 2", "outputs", "inputs", "softmax")] == [
        "h2",
        "out",
        "in",
        "sof",
    ]
    rects = [[QRectF(x, 40, 20, 20)] for x in (0, 50, 130)]
    assert [column_room(rects, c) for c in range(3)] == [50, 50, 80]
