"""A graph of operations built first and run later, in the style of TensorFlow 1.

The engine computes eagerly: ``a + b`` on two Tensors gives the sum at once.  To show the older
"build the graph, initialise the variables, then run it" way, this module keeps the graph as a
plain description (:class:`GraphDef`: variables, placeholders and operation nodes) and a
:class:`Session` that gives it values: it initialises the variables, takes the placeholders'
data, and runs one operation node at a time with the engine's Tensor operations.
:meth:`Session.snapshot` draws the graph as it stands for the Graph panel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.core.tensor import Tensor
from lessons.core.panels import GraphData, GraphEdge, GraphNode
from lessons.markup.numbers import plain

KINDS = ("variable", "placeholder", "add", "matmul", "dot")

# The engine operation each kind of operation node runs (on the values of its inputs).
OPS: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "add": lambda x, y: x + y,
    "matmul": lambda x, y: x @ y,
    "dot": lambda x, y: (x * y).sum(),
}


@dataclass(frozen=True)
class Node:
    """One node of a graph: a variable, a placeholder (data fed at run time) or an operation.

    ``layer`` and ``row`` place it in the drawing (inputs in layer 0).
    """

    id: str
    kind: str
    inputs: tuple[str, ...] = ()
    layer: int = 0
    row: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"node {self.id!r}: unknown kind {self.kind!r}")
        if (self.kind in OPS) != bool(self.inputs):
            raise ValueError(f"node {self.id!r}: operations have inputs, the rest have none")


@dataclass(frozen=True)
class GraphDef:
    """The nodes of a graph in an order where every node comes after its inputs."""

    nodes: tuple[Node, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for node in self.nodes:
            missing = [i for i in node.inputs if i not in seen]
            if missing or node.id in seen:
                raise ValueError(f"node {node.id!r}: inputs {missing} must come before it")
            seen.add(node.id)

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        return tuple((src, node.id) for node in self.nodes for src in node.inputs)

    def operations(self) -> tuple[Node, ...]:
        return tuple(node for node in self.nodes if node.kind in OPS)


def fmt(value: np.ndarray) -> str:
    """A node's value on the graph: the number for a scalar, the shape for an array."""
    if value.size == 1:
        return plain(float(value.reshape(())), 4)
    return "×".join(str(d) for d in value.shape) + " numbers"


@dataclass
class Session:
    """Gives a graph its values: variables, fed placeholders, then operations one by one."""

    graph: GraphDef
    values: dict[str, Tensor] = field(default_factory=dict)

    def initialise(self, initial: Mapping[str, np.ndarray | float]) -> None:
        """Give every variable its initial value (like ``global_variables_initializer``)."""
        for node in self.graph.nodes:
            if node.kind == "variable":
                self.values[node.id] = Tensor(initial[node.id], dtype="float64", name=node.id)

    def feed(self, data: Mapping[str, np.ndarray]) -> None:
        """Give the placeholders their data for this run."""
        for node_id, value in data.items():
            if self.graph.node(node_id).kind != "placeholder":
                raise ValueError(f"{node_id!r} is not a placeholder")
            self.values[node_id] = Tensor(value, dtype="float64", name=node_id)

    def run_node(self, node_id: str) -> np.ndarray:
        """Compute one operation from its inputs' values with the engine; ValueError if an
        input has no value yet (an uninitialised variable, a placeholder not fed)."""
        node = self.graph.node(node_id)
        if node.kind not in OPS:
            raise ValueError(f"{node_id!r} is not an operation")
        missing = [i for i in node.inputs if i not in self.values]
        if missing:
            raise ValueError(f"cannot run {node_id!r}: {', '.join(missing)} has no value yet")
        out = OPS[node.kind](*(self.values[i] for i in node.inputs))
        out.name = node_id
        self.values[node_id] = out
        return out.numpy()

    def value(self, node_id: str) -> np.ndarray | None:
        """The node's value as a host array, None before it has one."""
        tensor = self.values.get(node_id)
        return None if tensor is None else tensor.numpy()

    def snapshot(
        self, caption: str, labels: Mapping[str, str], active: Sequence[str] = ()
    ) -> GraphData:
        """The graph as it stands: values where known, ``active`` nodes and their inputs lit."""
        nodes = tuple(
            GraphNode(
                id=n.id,
                op="input" if n.kind in ("variable", "placeholder") else n.kind,
                label=labels.get(n.id, n.id),
                value=fmt(self.values[n.id].numpy()) if n.id in self.values else "",
                layer=n.layer,
                row=n.row,
                state="active" if n.id in active else ("done" if n.id in self.values else "idle"),
            )
            for n in self.graph.nodes
        )
        edges = tuple(GraphEdge(s, t, lit=t in active) for s, t in self.graph.edges)
        return GraphData(nodes, edges, caption)


SUM = GraphDef(
    (
        Node("a", "variable", row=-0.5),
        Node("b", "variable", row=0.5),
        Node("f", "add", ("a", "b"), layer=1),
    )
)

DENSE = GraphDef(
    (
        Node("X", "placeholder", row=-0.5),
        Node("W", "variable", row=0.5),
        Node("XW", "matmul", ("X", "W"), layer=1),
        Node("b", "variable", layer=1, row=1.0),
        Node("Y", "add", ("XW", "b"), layer=2, row=0.5),
    )
)


def dot_products(rows: int, cols: int) -> GraphDef:
    """The product of ``rows`` rows of X with ``cols`` columns of W as separate dot products:
    one node per output entry, each using only its own row and column."""
    n = rows + cols
    nodes = [Node(f"x{i}", "placeholder", row=i - (n - 1) / 2) for i in range(rows)]
    nodes += [Node(f"w{j}", "variable", row=rows + j - (n - 1) / 2) for j in range(cols)]
    nodes += [
        Node(
            f"z{i}{j}", "dot", (f"x{i}", f"w{j}"), layer=1, row=i * cols + j - (rows * cols - 1) / 2
        )
        for i in range(rows)
        for j in range(cols)
    ]
    return GraphDef(tuple(nodes))
