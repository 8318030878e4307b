"""Panel data of lesson 7.3: the unrolled chain (Graph), gradient norms on a log axis, tables.

Nothing is computed here beyond arranging what :mod:`lessons.ch7_recurrent.bptt.model` got from
the engine.  A long sequence is drawn as its first and last two steps with one box
standing for the steps in between; every step is in the table and the plot.
"""

from __future__ import annotations

import math

import numpy as np

from lessons.ch7_recurrent.bptt import model as m
from lessons.core.panels import (
    Annotation,
    GraphData,
    GraphEdge,
    GraphNode,
    PlotData,
    Series,
    TableData,
)
from lessons.markup.numbers import plain
from lessons.shared import colors

RUN = colors.MODEL  # blue: the run the step is about
FULL = colors.COMPARISON  # yellow: full BPTT, what truncation is held against
PLAIN_GD = colors.SGD  # orange: plain gradient descent, without clipping
REFERENCE = (colors.MOMENTUM, colors.RMSPROP, colors.ADAM)  # the fixed rho values (no optimizer
# is compared in chapter 7, so these colours carry no other meaning here)

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
HEAD, TAIL = 1, 2  # boxes drawn before and after the gap of a long chain
RUN_LENGTH = 6  # boxes per row of the chain


def sub(t: int) -> str:
    return str(t).translate(_SUB)


def shown_steps(length: int) -> list[int | None]:
    """Which steps (1-based) the chain draws; None is the box for the steps in between."""
    if length <= HEAD + TAIL + 1:
        return list(range(1, length + 1))
    return [*range(1, HEAD + 1), None, *range(length - TAIL + 1, length + 1)]


def _places(count: int) -> list[tuple[int, float]]:
    """(column, row) of ``count`` boxes in runs of at most ``RUN_LENGTH`` (so the text stays
    readable); each run is a row, every arrow pointing the same way."""
    runs = max(1, math.ceil(count / RUN_LENGTH))
    per = math.ceil(count / runs)
    return [(i % per, float(i // per)) for i in range(count)]


def chain(p: m.Pass, reached: int | None, caption: str) -> GraphData:
    """h_1 -> h_2 ... -> h_T -> L.  ``reached``: the earliest step (1-based) whose dL/dh_t the
    backward walk has filled in so far (None: the forward pass only)."""
    steps = shown_steps(p.length)
    places = _places(len(steps) + 1)
    first = p.first + 1  # the earliest step the truncated walk can reach
    nodes: list[GraphNode] = []
    known = reached is not None

    def has_grad(t: int) -> bool:
        return reached is not None and t >= max(reached, first)

    for (col, row), t in zip(places, steps, strict=False):
        if t is None:
            nodes.append(GraphNode("gap", "input", "⋯", layer=col, row=row))
            continue
        if has_grad(t):
            grad, state = plain(float(p.norms[t - 1]), 3), "done"
            if t == reached:
                state = "active"
        elif known and t < first:
            grad, state = "0 (cut)", "idle"
        else:
            grad, state = "", "idle"
        nodes.append(
            GraphNode(f"h{t}", "", f"h{sub(t)}", grad=grad, layer=col, row=row, state=state)
        )
    col, row = places[-1]
    nodes.append(
        GraphNode(
            "L",
            "",
            "L",
            value=plain(p.loss, 4),
            grad="1" if known else "",
            layer=col,
            row=row,
            state="done" if known else "idle",
        )
    )
    ids = [f"h{t}" if t is not None else "gap" for t in steps]
    edges: list[GraphEdge] = []
    for a, b, t in zip(ids, ids[1:], steps[1:], strict=False):
        label, lit = "", False
        if t is not None and a != "gap" and has_grad(t) and has_grad(t - 1):
            factor = float(p.norms[t - 2] / p.norms[t - 1]) if p.norms[t - 1] else math.nan
            label, lit = f"×{plain(factor, 3)}", True
        edges.append(GraphEdge(a, b, label, lit))
    scored = [f"h{t}" for t in steps if t is not None] if p.every else [f"h{p.length}"]
    edges.extend(GraphEdge(h, "L", lit=known) for h in scored)
    return GraphData(tuple(nodes), tuple(edges), caption)


def _positive(y: np.ndarray) -> np.ndarray:
    """Zero (no gradient) and non-finite values become gaps on a log axis."""
    y = np.asarray(y, dtype=np.float64).copy()
    y[~(np.isfinite(y) & (y > 0))] = np.nan
    return y


def norm_series(
    p: m.Pass, name: str, color: int, reached: int | None = None, style: str = "line"
) -> Series:
    """||dL/dh_t|| (the engine's hidden_grad_norms) for t >= reached."""
    t = np.arange(1, p.length + 1, dtype=np.float64)
    y = _positive(p.norms)
    if reached is not None:
        y[: reached - 1] = np.nan
    return Series(name, t, y, style=style, color=color, width=3.0 if color == RUN else 2.0)


def norm_range(p: m.Pass) -> tuple[float, float] | None:
    """A y range holding every finite positive norm of ``p`` (so the axes keep still)."""
    y = p.norms[np.isfinite(p.norms) & (p.norms > 0)]
    return (float(y.min()) / 2, float(y.max()) * 2) if y.size else None


def headroom(passes: list[m.Pass]) -> tuple[float, float] | None:
    """A y range over every pass's norms with empty decades on top, where a legend can sit."""
    ranges = [r for r in (norm_range(p) for p in passes) if r is not None]
    if not ranges:
        return None
    low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
    decades = math.log10(high / low)
    return low, high * 10 ** (0.4 * decades)


def norms_plot(
    series: tuple[Series, ...],
    length: int,
    vlines: tuple[float, ...] = (),
    annotations: tuple[Annotation, ...] = (),
    y_range: tuple[float, float] | None = None,
    hlines: tuple[float, ...] = (),
) -> PlotData:
    return PlotData(
        series=series,
        vlines=vlines,
        hlines=hlines,
        annotations=annotations,
        x_range=(0.0, length + 1.0),
        y_range=y_range,
        axis_labels=("time step t", "‖∂L/∂hₜ‖ (log scale)"),
    )


def band_plot(p: m.Pass) -> PlotData:
    """||dL/dh_t|| with the band "within 10x of step T" the try-it task asks for."""
    end = float(p.norms[-1])
    if not (math.isfinite(end) and end > 0):
        return norms_plot((norm_series(p, "‖∂L/∂hₜ‖", RUN),), p.length)
    lo, hi = end / m.BAND, end * m.BAND
    span = norm_range(p) or (lo, hi)
    return norms_plot(
        (norm_series(p, "‖∂L/∂hₜ‖", RUN),),
        p.length,
        annotations=(Annotation(1.0, hi, "within 10× of step T", anchor=(0.0, 0.0)),),
        y_range=(min(span[0], lo / 2), max(span[1], hi * 2)),
        hlines=(lo, hi),
    )


def state_plot(p: m.Pass) -> PlotData:
    """||h_t|| over the sequence (the forward pass)."""
    t = np.arange(1, p.length + 1, dtype=np.float64)
    y = _positive(np.linalg.norm(p.h[1:], axis=1))
    return PlotData(
        series=(Series("‖hₜ‖", t, y, style="line", color=RUN, width=3.0),),
        x_range=(0.0, p.length + 1.0),
        axis_labels=("time step t", "‖hₜ‖ (log scale)"),
    )


def state_table(p: m.Pass) -> TableData:
    """The forward pass: input and state length per step, last step first."""
    rows = tuple(
        (t, float(p.x[t - 1]), float(np.linalg.norm(p.h[t])), float(p.y_hat[t - 1]))
        for t in range(p.length, 0, -1)
    )
    return TableData(("t", "xₜ", "‖hₜ‖", "ŷₜ"), rows, number_format="{:.3g}")


def step_table(p: m.Pass, reached: int) -> TableData:
    """One row per step the walk has reached, last step first (the walk's order)."""
    rows = []
    for t in range(p.length, reached - 1, -1):
        factor: object = ""
        if t < p.length and p.norms[t]:
            factor = float(p.norms[t - 1] / p.norms[t])
        rows.append((t, float(p.norms[t - 1]), float(p.dh[t - 1, 0]), factor))
    return TableData(
        ("t", "‖∂L/∂hₜ‖", "∂L/∂hₜ,₁ (unit 1)", "× per step"),
        tuple(rows),
        highlight_rows=(len(rows) - 1,),
        number_format="{:.3g}",
    )


def rho_table(rows: list[tuple[float, m.Verdict]], mine: int) -> TableData:
    return TableData(
        ("ρ", "‖∂L/∂h₁‖ ÷ ‖∂L/∂h_T‖", "× per step", "verdict"),
        tuple((rho, plain(v.ratio, 3), plain(v.per_step, 3), v.word) for rho, v in rows),
        highlight_rows=(mine,),
        number_format="{:.3g}",
    )


def loss_plot(clipped: m.Training, plain_gd: m.Training, clip: float) -> PlotData:
    """The loss over the updates with and without clipping (log axis; NaN after a stop)."""
    n = np.arange(m.TRAIN_UPDATES + 1, dtype=np.float64)
    return PlotData(
        series=(
            Series("not clipped", n, _positive(plain_gd.losses), color=PLAIN_GD),
            Series(
                f"clipped at {plain(clip, 3)}", n, _positive(clipped.losses), color=RUN, width=3.0
            ),
        ),
        x_range=(0, m.TRAIN_UPDATES),
        axis_labels=("update", "loss L (log scale)"),
    )


def clip_table(clipped: m.Training, plain_gd: m.Training, clip: float) -> TableData:
    g = float(plain_gd.grad_norms[0])
    scale = float(clipped.scales[0])

    def last(tr: m.Training) -> object:
        finite = tr.losses[np.isfinite(tr.losses)]
        if tr.stopped is not None:
            return f"stopped at update {tr.stopped} (overflow)"
        return float(finite[-1]) if finite.size else "NaN"

    rows = (
        ("‖g‖ at the first update", g, g),
        ("factor min(1, c/‖g‖)", 1.0, scale),
        ("first update's length η‖g‖", m.LEARNING_RATE * g, m.LEARNING_RATE * scale * g),
        ("loss after 1 update", float(plain_gd.losses[1]), float(clipped.losses[1])),
        (f"loss after {m.TRAIN_UPDATES} updates", last(plain_gd), last(clipped)),
        ("updates clipped", 0, int(np.sum(clipped.scales < 1.0))),
    )
    return TableData(
        ("", "not clipped", f"clipped, c = {plain(clip, 3)}"), rows, number_format="{:.3g}"
    )


def truncation_table(full: m.Pass, cut: m.Pass) -> TableData:
    rows = []
    for t in range(full.length, 0, -1):
        gets = bool(cut.norms[t - 1] != 0)
        rows.append((t, float(full.norms[t - 1]), float(cut.norms[t - 1]), "yes" if gets else "no"))
    return TableData(
        ("t", "‖∂L/∂hₜ‖ full", "‖∂L/∂hₜ‖ truncated", "gets gradient"),
        tuple(rows),
        highlight_rows=(full.length - cut.first - 1,),
        number_format="{:.3g}",
    )
