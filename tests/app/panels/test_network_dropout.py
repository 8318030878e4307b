"""The network diagram greys out neurons a layer marks inactive (dropout) and fades their edges."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.panels import create_panel
from app.panels.network import NetworkView
from app.panels.network_paint import dropped
from app.shell.theme import THEMES
from lessons.core.base import Network, NetworkData, NeuronLayer
from lessons.markup.exportdata import panel_data

SPEC = Network("net", "Network")
ACTIVE = np.array([True, False, True])


def _data(active: np.ndarray | None) -> NetworkData:
    """x1, x2 -> 3 tanh neurons (strong weights, vivid maps) -> 1 output; ``active`` masks them."""
    axis = np.linspace(-1, 1, 8)
    x1, x2 = np.meshgrid(axis, axis)
    w1 = np.array([[3.0, -3.0, 3.0], [3.0, 3.0, -3.0]])
    w2 = np.array([[3.0], [-3.0], [3.0]])
    h = np.tanh(np.einsum("ij,jkl->ikl", w1.T, np.stack([x1, x2])))
    out = 1 / (1 + np.exp(-np.einsum("ij,jkl->ikl", w2.T, h)))
    layers = (
        NeuronLayer("inputs", 2, heatmaps=np.stack([x1, x2]), labels=("x₁", "x₂")),
        NeuronLayer(
            "hidden 1", 3, heatmaps=h, levels=(-1.0, 1.0), weights=w1, biases=np.zeros(3),
            active=active,
        ),
        NeuronLayer("output", 1, heatmaps=out, levels=(0.0, 1.0), weights=w2, biases=np.zeros(1)),
    )  # fmt: skip
    return NetworkData(layers)


def _view(qtbot: QtBot, theme: str = "light") -> NetworkView:
    view = create_panel(SPEC, THEMES[theme])
    assert isinstance(view, NetworkView)
    qtbot.addWidget(view)
    view.resize(640, 420)
    view.show()
    qtbot.waitExposed(view)
    return view


def _saturation(image: QImage, view: NetworkView, layer: int, neuron: int) -> float:
    """The mean colour saturation inside a neuron's square (0 for greys)."""
    rect = view.neuron_rect(layer, neuron).adjusted(3, 3, -3, -3)
    values = [
        QColor(image.pixel(x, y)).hsvSaturationF()
        for x in range(int(rect.left()), int(rect.right()), 2)
        for y in range(int(rect.top()), int(rect.bottom()), 2)
    ]
    return float(np.mean(values))


def _edge_saturation(image: QImage, view: NetworkView, source: int, target: int) -> float:
    p = view.edge_point(2, source, target) if source >= 0 else view.edge_point(1, 0, target)
    return QColor(image.pixel(round(p.x()), round(p.y()))).hsvSaturationF()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_inactive_neurons_are_greyed_and_their_edges_faded(qtbot: QtBot, theme: str) -> None:
    """The dropped neuron's map loses its colour; the kept ones keep it; its edges go grey."""
    view = _view(qtbot, theme)
    view.set_data(_data(None))
    before = view.canvas.grab().toImage()
    view.set_data(_data(ACTIVE))
    after = view.canvas.grab().toImage()
    for neuron in (0, 2):  # kept: drawn exactly as without a mask
        assert _saturation(after, view, 1, neuron) == pytest.approx(
            _saturation(before, view, 1, neuron)
        )
    assert _saturation(before, view, 1, 1) > 0.3
    assert _saturation(after, view, 1, 1) < 0.5 * _saturation(before, view, 1, 1)
    # the edge into the dropped neuron and the one out of it: coloured before, grey after
    for source, target in ((-1, 1), (1, 0)):
        edge_before = _edge_saturation(before, view, source, target)
        assert edge_before > 0.3
        assert _edge_saturation(after, view, source, target) < 0.5 * edge_before
    # an edge between kept neurons is untouched
    assert _edge_saturation(after, view, 0, 0) == pytest.approx(
        _edge_saturation(before, view, 0, 0)
    )


def test_dropped_reads_the_mask_and_none_means_all_active() -> None:
    data = _data(ACTIVE)
    assert [dropped(data, 1, i) for i in range(3)] == [False, True, False]
    assert not dropped(data, 0, 0) and not dropped(data, 2, 0)
    assert not any(dropped(_data(None), 1, i) for i in range(3))


def test_active_is_validated_and_exported() -> None:
    """One bool per neuron or a clear error; the JSON export carries the mask (null: none)."""
    with pytest.raises(ValueError, match="active must be 3 bools"):
        _data(np.array([True, False]))
    with pytest.raises(ValueError, match="active must be 3 bools"):
        _data(np.array([1, 0, 1]))
    exported = panel_data(_data(ACTIVE))
    assert exported["layers"][1]["active"] == [True, False, True]
    assert exported["layers"][0]["active"] is None
