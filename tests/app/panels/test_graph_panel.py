"""The computation-graph panel draws nodes with their numbers, highlights, and rejects bad data."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.panels import create_panel
from app.panels.graph import GraphView
from app.shell.theme import THEMES
from lessons.ch1_prerequisites.autodiff.lesson import Autodiff
from lessons.core.base import Plot, PlotData
from lessons.core.panels import Graph, GraphData, GraphEdge, GraphNode
from lessons.core.runner import LessonRun


def _graph(state: str = "idle") -> GraphData:
    """(a + b) * c with values and gradients; node "mul" in ``state``."""
    nodes = (
        GraphNode("a", "input", "a", "2", "-4", layer=0, row=-0.5, state="done"),
        GraphNode("b", "input", "b", "-1", "-4", layer=0, row=0.5, state="done"),
        GraphNode("add", "add", "q", "1", "-4", layer=1, row=0.0),
        GraphNode("c", "input", "c", "-4", "1", layer=1, row=1.0),
        GraphNode("mul", "mul", "f", "-4", "1", layer=2, row=0.5, state=state),
    )
    edges = (
        GraphEdge("a", "add", "× 1"),
        GraphEdge("b", "add", "× 1"),
        GraphEdge("add", "mul", "× -4", lit=state == "active"),
        GraphEdge("c", "mul", "× 1", lit=state == "active"),
    )
    return GraphData(nodes, edges, "Traversals: 2")


def _view(qtbot: QtBot, width: int = 640, height: int = 420) -> GraphView:
    view = create_panel(Graph("g", "Graph"), THEMES["light"])
    assert isinstance(view, GraphView)
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return view


def _colours(image: QImage) -> int:
    return len(
        {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    )


def test_view_renders_every_node_with_its_numbers(qtbot: QtBot) -> None:
    """Each box shows the op symbol and name, its value and gradient; the panel is not blank."""
    view = _view(qtbot)
    view.set_data(_graph())
    assert view.has_content()
    title, value, grad, _ = view.node_texts("mul")
    assert "×" in title and "f" in title and "-4" in value and "1" in grad
    assert view.node_texts("a")[3] == "✓"  # done nodes are marked
    assert view.edge_label("add", "mul") == "× -4"
    assert _colours(view.grab().toImage()) > 20


def test_highlighting_the_active_node_changes_pixels(qtbot: QtBot) -> None:
    """An active node and its lit edges are drawn differently from the idle graph."""
    view = _view(qtbot)
    view.set_data(_graph("idle"))
    idle = view.view.grab().toImage()
    view.set_data(_graph("active"))
    active = view.view.grab().toImage()
    assert idle.size() == active.size() and idle != active
    accent = THEMES["light"].accent.lower()

    def names(image: QImage) -> set[str]:
        return {
            image.pixelColor(x, y).name()
            for x in range(0, image.width(), 2)
            for y in range(0, image.height(), 2)
        }

    assert accent not in names(idle) and accent in names(active)


def test_wrong_data_or_spec_raises_value_error(qtbot: QtBot) -> None:
    """Plot data on a graph panel, or a graph view for a plot spec, is a clear ValueError."""
    view = _view(qtbot)
    with pytest.raises(ValueError, match="cannot show PlotData"):
        view.set_data(PlotData())
    with pytest.raises(ValueError, match="Graph spec"):
        GraphView(Plot("p"), THEMES["light"])


def test_items_are_reused_while_the_structure_stays(qtbot: QtBot) -> None:
    """New values on the same graph update the same box items; a new graph rebuilds them."""
    view = _view(qtbot)
    view.set_data(_graph())
    box = view.node_item("mul")
    changed = replace(_graph(), nodes=tuple(replace(n, value="7") for n in _graph().nodes))
    view.set_data(changed)
    assert view.node_item("mul") is box and view.node_texts("mul")[1] == "= 7"
    smaller = GraphData(_graph().nodes[:2], ())
    view.set_data(smaller)
    assert set(view._nodes) == {"a", "b"}


def test_a_deep_graph_is_laid_out_along_the_longer_side(qtbot: QtBot) -> None:
    """The neuron's seven columns go left to right in a wide panel, top down in a tall one."""
    run = LessonRun(Autodiff)
    data = run.step_at(run.length - 1 if run.length else 0).data["graph"]
    wide = _view(qtbot, 1400, 400)
    wide.set_data(data)
    assert wide.horizontal
    tall = _view(qtbot, 400, 900)
    tall.set_data(data)
    assert not tall.horizontal


def test_boxes_grow_with_the_theme_font_scale(qtbot: QtBot) -> None:
    """Presentation mode's larger fonts give larger boxes."""
    view = _view(qtbot)
    view.set_data(_graph())
    small = view._node_size
    view.apply_theme(THEMES["light"].scaled(1.5))
    assert view._node_size[0] > small[0] * 1.3 and view._node_size[1] > small[1] * 1.3


def test_text_stays_readable_by_showing_fewer_numbers_in_small_panels(qtbot: QtBot) -> None:
    """Boxes drop a number before text shrinks under 11 px; the numbers stay in the tooltip."""
    run = LessonRun(Autodiff)
    data = run.step_at(run.length - 1 if run.length else 0).data["graph"]
    roomy = _view(qtbot, 1400, 1000)
    roomy.set_data(data)
    assert roomy.level == 0 and roomy.smallest_text_px() >= 11
    window_sized = _view(qtbot, 340, 500)  # the graph panel of the 1280x720 window
    window_sized.set_data(data)
    assert window_sized.level >= 1 and window_sized.smallest_text_px() >= 11
    node = next(n for n in data.nodes if n.grad)
    items = window_sized._nodes[node.id]
    if window_sized.level == 1:  # one number: the gradient once there is one
        assert items.grad.isVisible() and not items.value.isVisible()
    assert node.value in items.box.toolTip() and node.grad in items.box.toolTip()
    window_sized.resize(1400, 1000)  # more room: the full boxes come back
    qtbot.wait(10)
    assert window_sized.level == 0 and items.value.isVisible() and items.grad.isVisible()
