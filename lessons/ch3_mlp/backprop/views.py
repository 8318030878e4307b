"""Panel data for lesson 3.2: the 2-3-2 diagram with values and deltas, weight tables, formulas.

Nothing is computed here beyond arranging and formatting what :mod:`lessons.ch3_mlp.backprop.model`
computed: the forward values, deltas, gradients and updates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.ch3_mlp.backprop.model import (
    HIDDEN,
    INPUTS,
    OUTPUTS,
    Backward,
    Forward,
    Net,
    locate,
    rows,
)
from lessons.core.base import NetworkData, NeuronLayer, PlotData, Series, TableData, TextData
from lessons.markup.numbers import plain, ptex, tex

# How far the passes have got: which numbers a step may show.
FORWARD_HIDDEN, FORWARD_OUTPUT, ERROR, DELTA_OUT, GRAD_OUT, DELTA_HIDDEN, GRAD_HIDDEN = range(7)
DONE = GRAD_HIDDEN


def diagram(
    net: Net,
    f: Forward,
    b: Backward | None,
    *,
    hidden_known: int = 3,
    output_known: int = 2,
    stage: int = DONE,
    selected: tuple[int, int] | None = None,
    highlight: tuple[int, int, int] | None = None,
) -> NetworkData:
    """The network with the numbers known so far written in its neurons."""
    inputs = tuple(f"{n}\n{plain(v)}" for n, v in zip(INPUTS, f.x, strict=True))
    hidden = []
    for j, name in enumerate(HIDDEN):
        lines = [name]
        if j < hidden_known:
            lines.append(f"a = {plain(f.a1[j])}")
        if b is not None and stage >= DELTA_HIDDEN:
            lines.append(f"δ = {plain(b.d1[j])}")
        hidden.append("\n".join(lines))
    outputs = []
    for k, name in enumerate(OUTPUTS):
        lines = [name]
        if k < output_known:
            lines.append(f"y = {plain(f.y[k])}")
        lines.append(f"t = {plain(f.t[k])}")
        if b is not None and stage >= DELTA_OUT:
            lines.append(f"δ = {plain(b.d2[k])}")
        outputs.append("\n".join(lines))
    g = b.grads if b is not None else None
    out_grads = g is not None and stage >= GRAD_OUT
    hidden_grads = g is not None and stage >= GRAD_HIDDEN
    layers = (
        NeuronLayer("inputs", 2, labels=inputs),
        NeuronLayer(
            "hidden",
            3,
            weights=net.w1,
            biases=net.b1,
            weight_grads=g.w1 if g is not None and hidden_grads else None,
            bias_grads=g.b1 if g is not None and hidden_grads else None,
            labels=tuple(hidden),
        ),
        NeuronLayer(
            "outputs",
            2,
            weights=net.w2,
            biases=net.b2,
            weight_grads=g.w2 if g is not None and out_grads else None,
            bias_grads=g.b2 if g is not None and out_grads else None,
            labels=tuple(outputs),
        ),
    )
    return NetworkData(layers, selected=selected, highlight_edge=highlight)


def weights_table(
    net: Net,
    grads: Net | None = None,
    after: Net | None = None,
    *,
    layers: Sequence[str] = ("1", "2"),
    highlight: str | None = None,
    central: Net | None = None,
    filling: Sequence[str] = (),
) -> TableData:
    """Every weight and bias: its value before, its gradient, its value after the update.

    With ``central`` (after "Check gradients"), each known gradient also gets its central
    difference next to it.  ``filling`` names the layers whose gradients this step fills: their
    rows are highlighted (so the table scrolls them into view), and the weight under the
    cursor is marked by its name cell only if it is one of them.
    """
    out: list[tuple[str, ...]] = []
    marked: list[int] = []
    cells_marked: list[tuple[int, int]] = []
    check = central is not None and grads is not None
    for label, name, index in rows(net):
        shown = name[1] in layers
        cells = [label, plain(getattr(net, name)[index], 6)]
        cells.append(plain(getattr(grads, name)[index], 6) if grads and shown else "")
        if check:
            cells.append(plain(getattr(central, name)[index], 6) if shown else "")
        cells.append(plain(getattr(after, name)[index], 6) if after and shown else "")
        selected = bool(highlight) and label == f"w {highlight}"
        if filling:
            if name[1] in filling:
                marked.append(len(out))
                if selected:
                    cells_marked.append((len(out), 0))
        elif selected:
            marked.append(len(out))
        out.append(tuple(cells))
    columns = ["parameter", "before", "∂J/∂w"]
    columns += ["central difference"] if check else []
    columns.append("after")
    return TableData(
        tuple(columns),
        tuple(out),
        highlight_rows=tuple(marked),
        highlight_cells=tuple(cells_marked),
    )


def check_table(backprop: Net, central: Net, engine: Net) -> TableData:
    """Every gradient three ways: the formulas, central differences, the engine's backward()."""
    out: list[tuple[str, ...]] = []
    for label, name, index in rows(backprop):
        bp = float(getattr(backprop, name)[index])
        cd = float(getattr(central, name)[index])
        en = float(getattr(engine, name)[index])
        diff = max(abs(bp - cd), abs(bp - en))
        out.append((label, plain(bp, 6), plain(cd, 6), plain(en, 6), f"{diff:.1e}"))
    columns = ("parameter", "backprop", "central difference", "engine", "largest gap")
    return TableData(columns, tuple(out))


def loss_plot(updates: Sequence[float], losses: Sequence[float]) -> PlotData:
    """The error J on the example after each update."""
    x = np.asarray(updates, dtype=np.float64)
    y = np.asarray(losses, dtype=np.float64)
    return PlotData(
        series=(
            Series("J", x, y, style="line", color=0),
            Series("_points", x[:30], y[:30], style="scatter", color=0, size=6),
        ),
        x_range=(-0.5, max(10.0, float(x.max()) if x.size else 0.0) + 0.5),
        y_range=(0.0, 1.05 * max(float(y.max()) if y.size else 0.5, 0.05)),
    )


IN_TEX = ("x_1", "x_2")
HID_TEX = ("h_1", "h_2", "h_3")
OUT_TEX = ("o_1", "o_2")


def _t(x: float) -> str:
    """A number for the narrow formula panel: 3 significant digits."""
    return tex(x, 3)


def _p(x: float) -> str:
    return ptex(x, 3)


def formula(net: Net, f: Forward, b: Backward | None, weight: str, stage: int) -> TextData:
    """The chain rule for the highlighted weight, with every number known at this stage.

    Lines are kept short: the panel shares a row with the diagram.
    """
    layer, i, j = locate(weight)
    lead = _lead(weight, net, layer, i, j)
    dj = "\\frac{\\partial J}"
    if layer == 2:
        w, d = f"w_{{{HID_TEX[i]} {OUT_TEX[j]}}}", f"\\delta_{{{OUT_TEX[j]}}}"
        general = (
            f"$${dj}{{\\partial {w}}} = {d} \\, a_{i + 1}$$"
            f"$${d} = (y_{j + 1} - t_{j + 1}) \\, y_{j + 1} (1 - y_{j + 1})$$"
        )
        if b is None or stage < GRAD_OUT:
            return TextData(lead + general + _wait(stage))
        y, t, a = float(f.y[j]), float(f.t[j]), float(f.a1[i])
        filled = (
            f"$${d} = {_p(y - t)} \\cdot {_t(y)} \\cdot {_t(1 - y)}$$"
            f"$$= {_t(float(b.d2[j]))}$$"
            f"$${dj}{{\\partial {w}}} = {_p(float(b.d2[j]))} \\cdot {_t(a)}$$"
            f"$$= {_t(float(b.grads.w2[i, j]))}$$"
        )
        return TextData(lead + general + filled)
    w, d = f"w_{{{IN_TEX[i]} {HID_TEX[j]}}}", f"\\delta_{{{HID_TEX[j]}}}"
    general = (
        f"$${dj}{{\\partial {w}}} = {d} \\, x_{i + 1}$$"
        f"$${d} = a_{j + 1} (1 - a_{j + 1}) \\sum_k w_{{{HID_TEX[j]} o_k}} \\delta_{{o_k}}$$"
    )
    if b is None or stage < GRAD_HIDDEN:
        return TextData(lead + general + _wait(stage))
    a = float(f.a1[j])
    products = [f"{_p(float(net.w2[j, k]))} \\cdot {_p(float(b.d2[k]))}" for k in range(2)]
    filled = (
        f"$$\\sum_k w \\delta = {products[0]}$$"
        f"$$+ {products[1]} = {_t(float(b.back[j]))}$$"
        f"$${d} = {_t(a)} \\cdot {_t(1 - a)} \\cdot {_p(float(b.back[j]))}$$"
        f"$$= {_t(float(b.d1[j]))}$$"
        f"$${dj}{{\\partial {w}}} = {_p(float(b.d1[j]))} \\cdot {_p(float(f.x[i]))}$$"
        f"$$= {_t(float(b.grads.w1[i, j]))}$$"
    )
    return TextData(lead + general + filled)


def _lead(weight: str, net: Net, layer: int, i: int, j: int) -> str:
    value = float((net.w1 if layer == 1 else net.w2)[i, j])
    return f"The highlighted weight <b>{weight}</b> is ${tex(value)}$. Its gradient:"


def _wait(stage: int) -> str:
    return (
        "<p>The numbers fill in as the backward pass reaches this weight.</p>"
        if stage < DONE
        else ""
    )
