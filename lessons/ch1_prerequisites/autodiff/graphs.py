"""The computation graphs of lesson 1.2: preset expressions built from engine Tensors, laid out.

A preset builds its outputs from named leaf Tensors; the graph shown is the engine's own graph,
walked with :func:`engine.core.autodiff.topological_order`.  Every node gets a column (its depth;
an input sits just left of the first node that uses it) and a row (ordered to keep edges from
crossing), and :class:`GraphState` turns the current values, gradients and highlights into
:class:`~lessons.core.panels.GraphData` for one step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.core.autodiff import no_grad, topological_order
from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.nn import activations
from lessons.core.panels import GraphData, GraphEdge, GraphNode
from lessons.markup.mathtext import to_plain
from lessons.markup.numbers import plain

Build = Callable[[Sequence[Tensor]], tuple[Tensor, ...]]


def _named(t: Tensor, name: str) -> Tensor:
    t.name = name
    return t


def _neuron(v: Sequence[Tensor]) -> tuple[Tensor, ...]:
    x1, x2, w1, w2, b, y = v
    s = _named(_named(w1 * x1, "p_1") + _named(w2 * x2, "p_2"), "s")
    z = _named(s + b, "z")
    a = _named(activations.sigmoid(z), "a")
    e = _named(a - y, "e")
    return (_named(e**2, "L"),)


def _sum_times(v: Sequence[Tensor]) -> tuple[Tensor, ...]:
    x, y, z = v[:3]
    return (_named(_named(x + y, "q") * z, "f"),)


def _fan_out(v: Sequence[Tensor]) -> tuple[Tensor, ...]:
    x, y = v[:2]
    return (_named(_named(x * y, "u") + x, "f"),)


def _two_outputs(v: Sequence[Tensor]) -> tuple[Tensor, ...]:
    x, y, z = v[:3]
    u = _named(x * y, "u")
    return (_named(u + z, "f"), _named(u * z, "g"))


@dataclass(frozen=True)
class Preset:
    """A choice of expression: its inputs (TeX names, in the order of the values control)."""

    key: str
    inputs: tuple[str, ...]
    formula: str  # TeX
    build: Build


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "one neuron, squared error",
            ("x_1", "x_2", "w_1", "w_2", "b", "y"),
            r"L = \left(\sigma(w_1 x_1 + w_2 x_2 + b) - y\right)^2",
            _neuron,
        ),
        Preset("f = (x + y) · z", ("x", "y", "z"), r"f = (x + y) \cdot z", _sum_times),
        Preset(
            "two outputs: f = xy + z, g = xyz",
            ("x", "y", "z"),
            r"f = x y + z, \quad g = x y z",
            _two_outputs,
        ),
        Preset("one value used twice: f = x · y + x", ("x", "y"), r"f = x \cdot y + x", _fan_out),
    )
}


def input_values(
    preset: Preset, data: Sequence[float], weights: Sequence[float]
) -> tuple[float, ...]:
    """The value of each of the preset's inputs from the two controls (data, then weights)."""
    known = dict(zip(("x_1", "x_2", "y"), data, strict=True))
    known |= dict(zip(("w_1", "w_2", "b"), weights, strict=True))
    if preset.inputs != ("x_1", "x_2", "w_1", "w_2", "b", "y"):
        known = dict(zip(preset.inputs, data, strict=False))  # a preset may use fewer
    return tuple(float(known[name]) for name in preset.inputs)


def scalar(a: object) -> float:
    """A one-element engine array (NumPy or CuPy) or number as a Python float."""
    return float(np.asarray(to_numpy(a)).reshape(()))


def build(preset: Preset, values: Sequence[float]) -> tuple[list[Tensor], tuple[Tensor, ...]]:
    """Leaf Tensors (float64, requiring grad) for ``values`` and the preset's outputs."""
    leaves = [
        Tensor(float(v), requires_grad=True, dtype="float64", name=n)
        for n, v in zip(preset.inputs, values, strict=False)
    ]
    return leaves, preset.build(leaves)


def evaluate(preset: Preset, values: Sequence[float]) -> np.ndarray:
    """The outputs for ``values`` by one forward pass without recording a graph."""
    with no_grad():
        _, outs = build(preset, values)
    return np.array([t.item() for t in outs])


def label(t: Tensor) -> str:
    """A node's name as readable Unicode (w_1 -> w₁)."""
    return to_plain(f"${t.name}$") if t.name else t.op


def display_op(t: Tensor) -> str:
    """The op shown on a node; the presets only ever raise to the power 2."""
    return "square" if t.op == "pow" else t.op


@dataclass
class Layout:
    """Every node of the outputs' graph (inputs first), with an id, column and row each."""

    nodes: list[Tensor]
    ids: dict[int, str]
    layer: dict[str, int]
    row: dict[str, float]
    edges: list[tuple[str, str]]

    def id(self, t: Tensor) -> str:
        return self.ids[id(t)]


def layout(outputs: Sequence[Tensor]) -> Layout:
    """Columns by depth (inputs just before their first user) and rows by barycentres."""
    nodes: list[Tensor] = []
    seen: set[int] = set()
    for out in outputs:
        for t in topological_order(out):
            if id(t) not in seen:
                seen.add(id(t))
                nodes.append(t)
    ids = {id(t): f"n{i}" for i, t in enumerate(nodes)}
    edges = [(ids[id(p)], ids[id(t)]) for t in nodes for p in t.parents]
    users: dict[str, list[str]] = {ids[id(t)]: [] for t in nodes}
    for src, dst in edges:
        users[src].append(dst)
    layer: dict[str, int] = {}
    for t in nodes:
        layer[ids[id(t)]] = 1 + max((layer[ids[id(p)]] for p in t.parents), default=-1)
    for t in nodes:
        n = ids[id(t)]
        if not t.parents and users[n]:
            layer[n] = min(layer[u] for u in users[n]) - 1
    parents = {ids[id(t)]: [ids[id(p)] for p in t.parents] for t in nodes}
    columns: dict[int, list[str]] = {}
    for n in (ids[id(t)] for t in nodes):
        columns.setdefault(layer[n], []).append(n)
    rank = {n: float(i) for col in columns.values() for i, n in enumerate(col)}
    for sweep in range(4):  # barycentre ordering, forwards then backwards
        forward = sweep % 2 == 0
        for c in sorted(columns, reverse=not forward):
            first, second = (parents, users) if forward else (users, parents)
            centre = {n: _barycentre(n, first, second, rank) for n in columns[c]}
            columns[c].sort(key=centre.__getitem__)
            for i, n in enumerate(columns[c]):
                rank[n] = float(i)
    row = {n: i - (len(col) - 1) / 2 for col in columns.values() for i, n in enumerate(col)}
    return Layout(nodes, ids, layer, row, edges)


def _barycentre(
    n: str, first: dict[str, list[str]], second: dict[str, list[str]], rank: dict[str, float]
) -> float:
    """The mean rank of a node's neighbours on one side (the other side if it has none)."""
    near = first[n] or second[n]
    return float(np.mean([rank[m] for m in near])) if near else rank[n]


@dataclass
class GraphState:
    """What the graph panel shows now; ``snapshot`` freezes it into GraphData for a step."""

    layout: Layout
    values: dict[str, str] = field(default_factory=dict)
    grads: dict[str, str] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    edge_labels: dict[tuple[str, str], str] = field(default_factory=dict)

    def snapshot(
        self,
        caption: str,
        active: Sequence[str] = (),
        lit: Sequence[tuple[str, str]] = (),
    ) -> GraphData:
        lay = self.layout
        nodes = tuple(
            GraphNode(
                id=lay.id(t),
                op=display_op(t),
                label=label(t),
                value=self.values.get(lay.id(t), ""),
                grad=self.grads.get(lay.id(t), ""),
                layer=lay.layer[lay.id(t)],
                row=lay.row[lay.id(t)],
                state="active"
                if lay.id(t) in active
                else ("done" if lay.id(t) in self.done else "idle"),
            )
            for t in lay.nodes
        )
        lit_set = set(lit)
        edges = tuple(
            GraphEdge(src, dst, self.edge_labels.get((src, dst), ""), (src, dst) in lit_set)
            for src, dst in lay.edges
        )
        return GraphData(nodes, edges, caption)


def fmt(x: float) -> str:
    """A node value or gradient as shown on the graph."""
    return plain(x, 4)
