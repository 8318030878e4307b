"""Panel data of lesson 6.4: diagrams (Graph), layer tables and log-scale plots from model.py.

Shapes are written channels × height × width; a box's parameter count is the exact sum of the
engine layers folded into it.  Plots that need a logarithmic axis plot log10 of the value (the
axis says so), because the same plot panel also shows signed values.
"""

from __future__ import annotations

import math

import numpy as np

from engine.models.architectures import ArchitectureSpec
from lessons.ch6_convnets.architectures import model as m
from lessons.core.panels import (
    Annotation,
    GraphData,
    GraphEdge,
    GraphNode,
    PlotData,
    Series,
    TableData,
)
from lessons.shared import colors


def wrap(n: int) -> list[tuple[int, float]]:
    """(layer, row) of n boxes in a chain cut into runs of at most 5 boxes: each run is one
    row (the panel draws a tall layout as columns), every arrow pointing the same way."""
    runs = max(1, math.ceil(n / 5))
    per = math.ceil(n / runs)
    return [(i % per, float(i // per)) for i in range(n)]


def _p(n: int) -> str:
    return f"{n:,} params" if n else "no params"


def _titled(label: str, params: int) -> str:
    """A box title with its parameter count: "3x3 · 111k" (no count for parameter-free ones)."""
    return f"{label} · {m.compact(params)}" if params else label


def chain_graph(boxes: tuple[m.Box, ...], caption: str) -> GraphData:
    """The boxes one after the other, cut into runs (see ``wrap``)."""
    places = wrap(len(boxes))
    nodes = tuple(
        GraphNode(
            f"b{i}",
            "input",
            f"{box.label} · {m.compact(box.params)}",
            value=m.shape_text(box.shape),
            layer=places[i][0],
            row=places[i][1],
        )
        for i, box in enumerate(boxes)
    )
    edges = tuple(GraphEdge(f"b{i}", f"b{i + 1}") for i in range(len(boxes) - 1))
    return GraphData(nodes, edges, caption)


def _fold(rows: tuple[tuple[str, str, int], ...]) -> dict[str, tuple[str, int]]:
    """Role prefix -> (output shape, parameters), batch norm and ReLU joined to their conv."""
    out: dict[str, tuple[str, int]] = {}
    for role, shape, params in rows:
        key = role
        for suffix in ("conv", "bn", "relu"):
            if role.endswith(suffix) and role != "pool":
                key = role[: -len(suffix)].rstrip("_") or role
        prev = out.get(key, ("", 0))
        out[key] = (shape, prev[1] + params)
    return out


def inception_graph(rows: tuple[tuple[str, str, int], ...], caption: str) -> GraphData:
    """Input, four parallel paths (1x1 | 1x1 -> 3x3 | 1x1 -> 5x5 | pool -> 1x1), concatenation."""
    f = _fold(rows)
    place = {
        "input": (0, 1.5),
        "1x1": (2, 0.0),
        "3x3_reduce": (1, 1.0),
        "3x3": (2, 1.0),
        "5x5_reduce": (1, 2.0),
        "5x5": (2, 2.0),
        "pool": (1, 3.0),
        "pool_proj": (2, 3.0),
        "output": (3, 1.5),
    }
    # short titles keep four paths side by side readable (with their shapes at 1280x720: the
    # widest title sets every box's width, so the "5x5" path gets single quotes); the table
    # has the roles
    names = {
        "input": "input",
        "1x1": "1x1",
        "3x3_reduce": "1x1",
        "3x3": "3x3",
        "5x5_reduce": "1x1",
        "5x5": "‘5x5’",
        "pool": "max pool",
        "pool_proj": "1x1",
        "output": "concatenate",
    }
    nodes = tuple(
        GraphNode(
            k,
            "input",
            _titled(names[k], f[k][1]),
            value=f[k][0],
            layer=place[k][0],
            row=place[k][1],
        )
        for k in place
    )
    pairs = [
        ("input", "1x1"),
        ("input", "3x3_reduce"),
        ("3x3_reduce", "3x3"),
        ("input", "5x5_reduce"),
        ("5x5_reduce", "5x5"),
        ("input", "pool"),
        ("pool", "pool_proj"),
        ("1x1", "output"),
        ("3x3", "output"),
        ("5x5", "output"),
        ("pool_proj", "output"),
    ]
    return GraphData(nodes, tuple(GraphEdge(a, b) for a, b in pairs), caption)


def residual_graph(rows: tuple[tuple[str, str, int], ...], caption: str) -> GraphData:
    """x -> conv a (-> BN -> ReLU) -> conv b (-> BN) -> add x -> ReLU, the skip drawn below."""
    f = _fold(rows)
    out_shape = f["output"][0]
    nodes = (
        GraphNode("input", "input", "x", value=f["input"][0], layer=0, row=1.0),
        GraphNode("a", "input", _titled("conv a 3x3", f["a"][1]), value=f["a"][0], layer=1),
        GraphNode("b", "input", _titled("conv b 3x3", f["b"][1]), value=f["b"][0], layer=2),
        GraphNode("add", "add", "F(x) + x", value=out_shape, layer=3, row=1.0),
        GraphNode("relu", "relu", "output", value=out_shape, layer=4, row=1.0),
    )
    edges = (
        GraphEdge("input", "a"),
        GraphEdge("a", "b"),
        GraphEdge("b", "add", "F(x)"),
        GraphEdge("input", "add", "skip: x"),
        GraphEdge("add", "relu"),
    )
    return GraphData(nodes, edges, caption)


def totals_graph(items: list[tuple[str, int, int]], caption: str) -> GraphData:
    """The networks in time order: (title, year, engine total) each."""
    nodes = tuple(
        GraphNode(f"n{i}", "input", f"{title} ({year})", value=_p(total), layer=i)
        for i, (title, year, total) in enumerate(items)
    )
    edges = tuple(GraphEdge(f"n{i}", f"n{i + 1}") for i in range(len(items) - 1))
    return GraphData(nodes, edges, caption)


def layer_table(spec: ArchitectureSpec) -> TableData:
    """Every layer of the engine's spec: name, output shape, parameters (exact)."""
    rows = tuple(
        (layer.name, m.shape_text(layer.output_shape), f"{layer.params:,}") for layer in spec.layers
    )
    total = ("total", "", f"{spec.total_params:,}")
    return TableData(("layer", "output", "params"), (total, *rows), highlight_rows=(0,))


def rows_table(rows: tuple[tuple[str, str, int], ...]) -> TableData:
    """One row per sub-layer of a block."""
    body = tuple((role, shape, f"{params:,}") for role, shape, params in rows)
    return TableData(("layer (role)", "output shape", "params"), body)


def params_plot(boxes: tuple[m.Box, ...]) -> PlotData:
    """log10 of each box's parameter count (boxes without parameters left out)."""
    idx = np.array([i for i, b in enumerate(boxes) if b.params > 0], dtype=np.float64)
    val = np.log10([boxes[int(i)].params for i in idx])
    series = Series("params per box", idx, np.asarray(val), "marker", colors.MODEL, size=10.0)
    line = Series("", idx, np.asarray(val), "line", colors.MODEL, width=1.0)
    return PlotData((line, series), axis_labels=("box (input = 0)", "log₁₀ parameters"))


# Where each network's name sits around its point (the 2014 and 2015 points are close).
_ANCHORS = ((0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0))


def totals_plot(
    names: list[str], years: list[int], engine: list[int], published: list[int]
) -> PlotData:
    """Each network's total against its year: engine count and published count (log10)."""
    x = np.array(years, dtype=np.float64)
    y = np.log10(np.array(engine, dtype=np.float64))
    return PlotData(
        (
            Series("engine's count", x, y, "marker", colors.MODEL, size=14.0),
            Series(
                "published",
                x,
                np.log10(np.array(published, dtype=np.float64)),
                "marker",
                colors.DATA,
                size=7.0,
                symbol="x",
            ),
        ),
        annotations=tuple(
            Annotation(float(xi), float(yi), name, colors.DATA, anchor)
            for xi, yi, name, anchor in zip(x, y, names, _ANCHORS, strict=True)
        ),
        x_range=(1994.0, 2022.0),
        y_range=(4.0, 8.5),
        axis_labels=("year published", "log₁₀ parameters"),
    )


def gradient_plot(g: m.Gradients) -> PlotData:
    """log10 of each convolution's gradient norm, plain (yellow) and residual (blue)."""
    x = np.arange(1, len(g.plain) + 1, dtype=np.float64)
    tiny = 1e-300  # a norm of exactly 0 is drawn at -300, not as -inf
    return PlotData(
        (
            Series("plain", x, np.log10(np.maximum(g.plain, tiny)), "line", colors.COMPARISON, 2.5),
            Series(
                "with skips", x, np.log10(np.maximum(g.residual, tiny)), "line", colors.MODEL, 2.5
            ),
        ),
        axis_labels=("conv layer (1 = input side)", "log₁₀ ‖∂L/∂W‖"),
    )


def gradient_table(g: m.Gradients) -> TableData:
    """Per convolution: the two gradient norms and their ratio."""
    rows = tuple(
        (i + 1, float(p), float(r), float(r / p) if p > 0 else float("inf"))
        for i, (p, r) in enumerate(zip(g.plain, g.residual, strict=True))
    )
    return TableData(
        ("conv", "‖∇‖ plain", "‖∇‖ with skips", "skips ÷ plain"), rows, number_format="{:.3g}"
    )


def reduction_plot(with_reduce: list[int], direct: list[int], names: list[str]) -> PlotData:
    """Parameters of each inception path as built, and without its 1x1 reduction (log10)."""
    x = np.arange(1, len(names) + 1, dtype=np.float64)
    return PlotData(
        (
            Series(
                "as built",
                x,
                np.log10(np.array(with_reduce, dtype=np.float64)),
                "marker",
                colors.MODEL,
                size=12.0,
            ),
            Series(
                "without the 1×1 reduce",
                x[1:3],
                np.log10(np.array(direct, dtype=np.float64)),
                "marker",
                colors.COMPARISON,
                size=12.0,
                symbol="s",
            ),
        ),
        x_range=(0.5, len(names) + 0.5),
        axis_labels=("path", "log₁₀ parameters"),
        # the path names under the axis, not beside the points: the 5x5 and pool paths have
        # nearly the same count, and their labels would overlap
        x_ticks=tuple(zip(x.tolist(), names, strict=True)),
    )


def closed_form_plot(channels: list[int], engine: list[int]) -> PlotData:
    """Identity residual blocks of ResNet-18: engine count (points) and 18c² + 4c (line)."""
    c = np.array(channels, dtype=np.float64)
    fine = np.linspace(c.min(), c.max(), 50)
    return PlotData(
        (
            Series("18c² + 4c", fine, np.log10(18 * fine**2 + 4 * fine), "line", colors.DATA, 1.5),
            Series(
                "engine",
                c,
                np.log10(np.array(engine, dtype=np.float64)),
                "marker",
                colors.MODEL,
                size=12.0,
            ),
        ),
        axis_labels=("channels c", "log₁₀ parameters"),
    )
