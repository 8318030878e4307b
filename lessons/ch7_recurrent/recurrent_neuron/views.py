"""Panel data of lesson 7.1: the neuron folded and unrolled, h_t over time, the step's sums.

The diagram is a plot without axes: the folded neuron with its loop on the left, and the same
neuron unrolled into a chain x_1..x_T -> h_1..h_T on the right, time step t at x = t (h nodes
at y = 0, inputs at y = -1.3).  The step being computed and the two arrows it uses are drawn
in vermillion, states already computed in yellow (the chapter's colour of the plain RNN),
states still to come as small black dots.  Every number comes from a :class:`RNNRun`.
"""

from __future__ import annotations

import numpy as np

from lessons.ch7_recurrent.recurrent_neuron.model import RNNRun, echo
from lessons.core.base import Annotation, PlotData, Series
from lessons.shared.colors import DATA, SIMPLE_RNN

NOW = 3  # vermillion: the step being computed, its arrows and its formula
INK = DATA  # black: inputs, arrows not in use, labels
X_ROW, H_ROW, FOLD = -1.3, 0.0, -2.2  # diagram rows and the folded neuron's x
SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def sub(name: str, t: int | str) -> str:
    """``name`` with subscript ``t`` in Unicode: sub("h", 12) = "h₁₂"."""
    return f"{name}{str(t).translate(SUB)}"


def num(x: float, digits: int = 3) -> str:
    """A number for labels and table cells, with a true minus sign."""
    return f"{x:.{digits}f}".replace("-", "−")


def par(x: float, digits: int = 3) -> str:
    """A factor in a written-out product: negative numbers in parentheses."""
    return f"({num(x, digits)})" if x < 0 else num(x, digits)


def _arrow(
    name: str, a: tuple[float, float], b: tuple[float, float], color: int, width: float
) -> list[Series]:
    """A straight arrow from a to b: a line and a triangle at b pointing along it."""
    (x0, y0), (x1, y1) = a, b
    if abs(x1 - x0) >= abs(y1 - y0):
        head = "t2" if x1 > x0 else "t3"
    else:
        head = "t1" if y1 > y0 else "t"
    return [
        Series(name, np.array([x0, x1]), np.array([y0, y1]), color=color, width=width),
        Series(
            f"_{name} tip", np.array([x1]), np.array([y1]), "scatter", color, size=11, symbol=head
        ),
    ]


def _loop(color: int, width: float) -> list[Series]:
    """The folded neuron's loop: out of h on the right, over the top, back in on the left."""
    angle = np.linspace(-0.35 * np.pi, 1.3 * np.pi, 60)
    xs = FOLD + 0.42 * np.cos(angle)
    ys = H_ROW + 0.62 + 0.5 * np.sin(angle)
    return [
        Series("loop", xs, ys, color=color, width=width),
        Series("_loop tip", xs[-1:], ys[-1:], "scatter", color, size=11, symbol="t"),
    ]


def diagram(
    run: RNNRun, t: int | None, w: float, u: float, lit_all: bool = False, sized: bool = False
) -> PlotData:
    """Folded neuron and unrolled chain; ``t`` (1-based) the step being computed (0: none yet,
    None: all computed).

    ``lit_all`` draws every arrow of the chain in vermillion (the shared weights); ``sized``
    (one neuron) draws each h_t as a dot whose area grows with |h_t|, its value beside it."""
    steps, units = run.steps, run.units
    series: list[Series] = []
    notes: list[Annotation] = []
    if units == 1:
        wname, uname = f"w = {num(w, 2)}", f"u = {num(u, 2)}"
    else:
        wname, uname = f"W (1 × {units})", f"U ({units} × {units})"
    # The folded neuron (a layer: one node per unit, stacked).
    series += _arrow("input arrow", (FOLD, X_ROW + 0.28), (FOLD, H_ROW - 0.3), INK, 2.0)
    series += _loop(NOW if lit_all else INK, 3.0 if lit_all else 2.0)
    series.append(
        Series("folded x", np.array([FOLD]), np.array([X_ROW]), "scatter", INK, size=16, symbol="s")
    )
    offsets = np.linspace(-0.28, 0.28, units) if units > 1 else np.zeros(1)
    half = float(offsets[-1])  # half the height of a stack of unit nodes
    size = 17.0 if units == 1 else 9.0
    series.append(
        Series(
            "folded h",
            np.full(units, FOLD),
            H_ROW + offsets,
            "marker",
            SIMPLE_RNN,
            size=20.0 if units == 1 else 10.0,
        )
    )
    notes += [
        Annotation(FOLD, X_ROW - 0.2, "xₜ", INK, (0.5, 0.0)),
        Annotation(FOLD - 0.35, H_ROW, "hₜ", INK, (1.0, 0.5)),
        Annotation(FOLD + 0.12, 0.55 * X_ROW, wname, INK, (0.0, 0.5)),
        Annotation(FOLD, H_ROW + 1.2, uname, NOW if lit_all else INK, (0.5, 0.0)),
        Annotation(-0.9, X_ROW, "unroll ⟶", INK, (0.5, 0.5)),
    ]
    # The chain: h_0 and one column per time step.
    done = steps if t is None else t
    if t is not None and t < 1:
        t = None
    series.append(Series("h₀", np.array([0.0]), np.array([H_ROW]), "scatter", INK, size=9))
    notes.append(Annotation(0.0, H_ROW + 0.12, "h₀ = 0", INK, (0.5, 1.0)))
    for k in range(1, steps + 1):
        lit = lit_all or k == t
        color, width = (NOW, 3.0) if lit else (INK, 1.2)
        series += _arrow(f"_u{k}", (k - 0.78, H_ROW), (k - 0.2, H_ROW), color, width)
        series += _arrow(f"_w{k}", (k, X_ROW + 0.24), (k, H_ROW - 0.22 - half), color, width)
    ts = np.arange(1, steps + 1, dtype=np.float64)
    series.append(Series("inputs", ts, np.full(steps, X_ROW), "scatter", INK, size=13, symbol="s"))
    for j, dy in enumerate(offsets):
        if done and sized and units == 1:
            for k in range(steps):
                value = float(run.h[k, 0])
                series.append(
                    Series(
                        f"_h{k + 1} dot",
                        ts[k : k + 1],
                        np.array([H_ROW]),
                        "scatter",
                        SIMPLE_RNN,
                        size=float(4.0 + 22.0 * np.sqrt(abs(value))),
                    )
                )
                notes.append(Annotation(k + 0.92, H_ROW - 0.22, num(value, 2), INK, (1.0, 0.0)))
        elif done:
            series.append(
                Series(
                    f"computed h{j}",
                    ts[:done],
                    np.full(done, H_ROW + dy),
                    "scatter",
                    SIMPLE_RNN,
                    size=size,
                )
            )
        if done < steps:
            series.append(
                Series(
                    f"h{j} to come",
                    ts[done:],
                    np.full(steps - done, H_ROW + dy),
                    "scatter",
                    INK,
                    size=7,
                )
            )
    if t is not None:
        series.append(
            Series("h now", np.full(units, float(t)), H_ROW + offsets, "marker", NOW, size=size)
        )
    for k in range(1, steps + 1):
        notes.append(
            Annotation(
                k, H_ROW + 0.25 + 1.2 * half, sub("h", k), NOW if k == t else INK, (0.5, 1.0)
            )
        )
        notes.append(Annotation(k, X_ROW - 0.2, sub("x", k), NOW if k == t else INK, (0.5, 0.0)))
    if t is not None and run.units == 1:
        i = t - 1
        text = (
            f"{sub('h', t)} = tanh({par(w, 2)}·{par(float(run.x[i, 0]), 2)} + {par(u, 2)}·"
            f"{par(float(run.h_prev[i, 0]))}) = tanh({num(float(run.z[i, 0]))}) = "
            f"{num(float(run.h[i, 0]))}"
        )
        notes.append(Annotation(-0.3, H_ROW + 1.2, text, NOW, (0.0, 0.0)))
    elif lit_all:
        notes.append(
            Annotation(
                0.5 * (steps + 1),
                H_ROW + 1.2,
                f"every step: the same w = {num(w, 2)} and u = {num(u, 2)}",
                NOW,
                (0.5, 0.0),
            )
        )
    return PlotData(
        series=tuple(series),
        annotations=tuple(notes),
        x_range=(FOLD - 1.1, steps + 0.75),
        y_range=(X_ROW - 0.75, H_ROW + 1.75),
        axes=False,
    )


def timeline(run: RNNRun, t: int | None, unit_names: bool = False) -> PlotData:
    """x_t (black squares) and h_t (yellow) over time, h only up to step ``t`` (None: all)."""
    steps = run.steps
    ts = np.arange(1, steps + 1, dtype=np.float64)
    shown = steps if t is None else t
    series = [Series("input xₜ", ts, run.x[:, 0], "scatter", INK, size=9, symbol="s")]
    symbols = ("o", "s", "t1", "d", "p")
    for j in range(run.units):
        h = np.full(steps, np.nan)
        h[:shown] = run.h[:shown, j]
        name = f"unit {j + 1}" if unit_names else "state hₜ"
        series.append(
            Series(
                f"_{name} line" if unit_names else name,
                ts,
                h,
                color=SIMPLE_RNN,
                width=2.5 if j == 0 else 1.5,
            )
        )
        series.append(
            Series(
                name if unit_names else f"_{name} points",
                ts[:shown],
                h[:shown],
                "scatter",
                SIMPLE_RNN,
                size=10 if unit_names else 9,
                symbol=symbols[j % len(symbols)],
            )
        )
    return PlotData(
        series=tuple(series),
        vlines=() if t is None else (float(t),),
        hlines=(0.0,),
        x_range=(0.5, steps + 0.5),
        y_range=(-1.15, 1.15),
    )


def spread(ys: list[float], gap: float = 0.2, low: float = -1.05) -> list[float]:
    """Sorted label heights moved apart to at least ``gap`` (upwards from ``low``), then shifted
    down as a block if the top one passed 1.05."""
    out: list[float] = []
    for y in ys:
        out.append(max(y, low, out[-1] + gap) if out else max(y, low))
    over = out[-1] - 1.05 if out else 0.0
    return [y - over for y in out] if over > 0 else out


def sweep_plot(pulse: int, w: float, u: float, others: tuple[float, ...], steps: int) -> PlotData:
    """h after the pulse for a few recurrent weights (thin) and the learner's (thick), each
    labelled with its u at its last point."""
    series = []
    symbols = ("o", "s", "t1", "d", "p", "h")
    chosen = [o for o in others if o != u]
    for n, value in enumerate((*chosen, u)):
        e = echo(pulse, w, value)
        ks = np.arange(pulse, pulse + len(e.after), dtype=np.float64)
        mine = value == u
        name = f"u = {value:g}" + (" (yours)" if mine else "")
        series.append(Series(name, ks, e.after, color=SIMPLE_RNN, width=4.0 if mine else 1.5))
        series.append(
            Series(
                f"_{name} points",
                ks,
                e.after,
                "scatter",
                SIMPLE_RNN,
                size=7,
                symbol=symbols[n % len(symbols)],
            )
        )
    ends = [(float(echo(pulse, w, value).after[-1]), value) for value in (*chosen, u)]
    notes = []
    for (_y, value), at in zip(sorted(ends), spread([y for y, _ in sorted(ends)]), strict=True):
        e = echo(pulse, w, value)
        text = f"u = {value:g}" + (" (yours)" if value == u else "")
        notes.append(Annotation(steps + 0.15, at, text, INK, (0.0, 0.5)))
    return PlotData(
        series=tuple(series),
        annotations=tuple(notes),
        hlines=(0.0,),
        x_range=(0.5, steps + 2.9),
        y_range=(-1.15, 1.15),
        axis_labels=("time step t", "state h"),
    )
