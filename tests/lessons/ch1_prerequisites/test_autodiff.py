"""Lesson 1.2: the graph is the engine's, the gradients are right, traversals are outputs + 1."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from engine.core.autodiff import topological_order
from lessons.ch1_prerequisites.autodiff import graphs as cg
from lessons.ch1_prerequisites.autodiff.lesson import Autodiff
from lessons.core.base import Step
from lessons.core.panels import GraphData
from lessons.core.runner import LessonRun

PRESETS = tuple(cg.PRESETS)
DATA, WEIGHTS = (1.5, -2.0, 1.0), (0.5, 0.75, 0.1)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# Plain-Python references, independent of the engine: output names, and the outputs from the
# inputs in preset order (x1, x2, w1, w2, b, y for the neuron; x, y, z for the others).
Reference = tuple[tuple[str, ...], Callable[[np.ndarray], tuple[float, ...]]]
REFERENCE: dict[str, Reference] = {
    PRESETS[0]: (("L",), lambda v: ((_sigmoid(v[2] * v[0] + v[3] * v[1] + v[4]) - v[5]) ** 2,)),
    PRESETS[1]: (("f",), lambda v: ((v[0] + v[1]) * v[2],)),
    PRESETS[2]: (("f", "g"), lambda v: (v[0] * v[1] + v[2], v[0] * v[1] * v[2])),
    PRESETS[3]: (("f",), lambda v: (v[0] * v[1] + v[0],)),
}


def _run(expression: str, data: tuple[float, ...] = DATA) -> list[Step]:
    values = {"expression": expression, "data": data, "weights": WEIGHTS}
    return LessonRun(Autodiff, values, strict=True).steps_so_far()


def _figures(steps: list[Step]) -> dict[str, float]:
    merged: dict[str, float] = {}
    for step in steps:
        merged.update(step.figures)
    return merged


@pytest.mark.parametrize("expression", PRESETS)
def test_gradients_equal_central_differences(expression: str) -> None:
    """Every gradient shown equals a float64 central difference of a plain-Python reference."""
    preset = cg.PRESETS[expression]
    values = np.array(cg.input_values(preset, DATA, WEIGHTS), dtype=np.float64)
    f = _figures(_run(expression))
    outputs, fn = REFERENCE[expression]
    h = 1e-6
    for i, name in enumerate(preset.inputs):
        up, down = values.copy(), values.copy()
        up[i] += h
        down[i] -= h
        for k, out in enumerate(outputs):
            central = (fn(up)[k] - fn(down)[k]) / (2 * h)
            assert f[f"grad_{out}_{name}"] == pytest.approx(central, rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("expression", PRESETS)
def test_gradients_equal_the_engine_backward(expression: str) -> None:
    """The reverse pass shown step by step gives exactly what Tensor.backward() gives."""
    preset = cg.PRESETS[expression]
    values = cg.input_values(preset, DATA, WEIGHTS)
    f = _figures(_run(expression))
    for k in range(len(cg.build(preset, values)[1])):
        leaves, outs = cg.build(preset, values)
        outs[k].backward()
        for leaf in leaves:
            assert f[f"grad_{outs[k].name}_{leaf.name}"] == cg.scalar(leaf.grad)


@pytest.mark.parametrize("expression", PRESETS)
def test_traversal_count_is_outputs_plus_one(expression: str) -> None:
    """One forward pass plus one reverse pass per output; finite differences: inputs + 1."""
    f = _figures(_run(expression))
    assert f["traversals"] == f["outputs"] + 1
    assert f["evaluations"] == len(cg.PRESETS[expression].inputs) + 1


@pytest.mark.parametrize("expression", PRESETS)
def test_finite_differences_agree_to_about_one_in_a_million(expression: str) -> None:
    """The forward-difference column differs from reverse mode by at most ~1e-6."""
    assert _figures(_run(expression))["fd_worst"] < 5e-6


@pytest.mark.parametrize("expression", PRESETS)
def test_one_step_per_forward_node_and_per_reverse_operation(expression: str) -> None:
    """Forward: one step per operation; reverse: one step per operation and output."""
    steps = _run(expression)
    preset = cg.PRESETS[expression]
    _, outs = cg.build(preset, cg.input_values(preset, DATA, WEIGHTS))
    ops = [t for t in cg.layout(outs).nodes if t.parents]
    per_output = [sum(1 for t in topological_order(o) if t.parents) for o in outs]
    assert sum(s.title.startswith("Forward:") for s in steps) == len(ops)
    assert sum(s.title.startswith("Reverse:") for s in steps) == sum(per_output)


def test_graph_panel_shows_the_engine_graph() -> None:
    """Nodes and edges of the panel are the Tensor graph's nodes and parent links."""
    steps = _run(PRESETS[0])
    graph = steps[0].data["graph"]
    assert isinstance(graph, GraphData)
    preset = cg.PRESETS[PRESETS[0]]
    _, (loss,) = cg.build(preset, cg.input_values(preset, DATA, WEIGHTS))
    order = topological_order(loss)
    assert len(graph.nodes) == len(order) == 13
    assert len(graph.edges) == sum(len(t.parents) for t in order)
    assert {n.label for n in graph.nodes} >= {"w₁", "x₁", "b", "y", "L"}
    for edge in graph.edges:  # every edge goes one or more columns to the right
        layer = {n.id: n.layer for n in graph.nodes}
        assert layer[edge.target] > layer[edge.source]


def test_reverse_steps_light_the_edges_into_the_active_node() -> None:
    """In a reverse step the lit edges end at an active node and carry a local derivative."""
    for step in _run(PRESETS[0]):
        if not step.title.startswith("Reverse:"):
            continue
        graph = step.data["graph"]
        assert isinstance(graph, GraphData)
        active = {n.id for n in graph.nodes if n.state == "active"}
        lit = [e for e in graph.edges if e.lit]
        assert all(e.target in active and e.label.startswith("×") for e in lit)


def test_forward_values_follow_the_data_control() -> None:
    """Changing the data changes the loss the forward pass computes."""
    a = _figures(_run(PRESETS[0]))["value_L"]
    b = _figures(_run(PRESETS[0], (0.0, 0.0, 0.0)))["value_L"]
    assert b == pytest.approx((_sigmoid(0.1) - 0.0) ** 2)
    assert a != pytest.approx(b)


def test_fan_out_preset_adds_the_gradients_of_both_paths() -> None:
    """f = x·y + x: x is used twice; the text writes ∂f/∂x as the sum of its two shares."""
    key = "one value used twice: f = x · y + x"
    run = LessonRun(Autodiff, {"expression": key, "data": (1.5, -2.0, 0.0)}, strict=True)
    steps = run.steps_so_far()
    text = " ".join(s.text for s in steps if s.title.startswith("Reverse"))
    assert "\\frac{\\partial f}{\\partial x} = 1 + (-2) = -1" in text.replace("−", "-")
    figures = {k: v for s in steps for k, v in s.figures.items()}
    assert figures["grad_f_x"] == pytest.approx(-2.0 + 1.0)  # y + 1
    inputs = next(s for s in steps if s.title == "The inputs get their values")
    assert "top row" in inputs.text and "left" not in inputs.text
