"""Lesson 7.2's animation: one topology's sample, shown before it runs and at every time step.

``columns(run)`` is the number of time steps the unrolled diagram has (T, or 2T for the
encoder-decoder: T encoder steps, then T decoder steps).  ``panels(run, tr, k)`` gives the four
panels with steps 0..k computed (k = -1: nothing computed yet); every value comes from the
trained model (:mod:`lessons.ch7_recurrent.topologies.tasks`): outputs from ``predict``, hidden
states from the engine's RNNStep events.
"""

from __future__ import annotations

import numpy as np

from lessons.ch7_recurrent.topologies import views
from lessons.ch7_recurrent.topologies.tasks import Trace, Trained
from lessons.core.base import Annotation, PanelData, PlotData, Series
from lessons.markup.numbers import plain
from lessons.shared import colors

GAP = 0.4  # extra space between the encoder's and the decoder's squares


def columns(run: Trained) -> int:
    """Time steps in the unrolled diagram."""
    return 2 * run.length if run.topology == "encoder-decoder" else run.length


def _x(run: Trained, col: int) -> float:
    return col + (GAP if run.topology == "encoder-decoder" and col >= run.length else 0.0)


def digit_probability(raw: np.ndarray) -> np.ndarray:
    """softmax of the decoder's logits per step, the likeliest digit's probability."""
    z = raw.astype(np.float64) - raw.max(axis=-1, keepdims=True)
    e = np.exp(z)
    p: np.ndarray = (e / e.sum(axis=-1, keepdims=True)).max(axis=-1)
    return p


def short(value: float, steps: int) -> str:
    """A diagram label: two decimals, one when many steps share the width."""
    text = f"{float(value):.{2 if steps <= 6 else 1}f}".replace("-", "−")
    return text[1:] if text.strip("−0.") == "" and text.startswith("−") else text


def cells(run: Trained, sample: int, tr: Trace, k: int) -> list[views.Cell]:
    """The diagram's squares for ``sample`` with steps 0..k computed."""
    t_len, topo = run.length, run.topology
    x_in, y_true, y_hat = run.inputs[sample], run.targets[sample], tr.shown
    out: list[views.Cell] = []
    for col in range(columns(run)):
        done = col <= k
        if topo == "sequence-to-sequence":
            cell = views.Cell(
                col,
                0.0,
                short(x_in[col], 10),  # inputs are tenths
                short(y_hat[col], t_len),
                short(y_true[col], 10),  # running sums of tenths
                done,
            )
        elif topo == "sequence-to-vector":
            last = col == t_len - 1
            answer = "yes" if y_true > 0.5 else "no"
            cell = views.Cell(
                col,
                0.0,
                short(x_in[col], 10),  # inputs are tenths
                f"P(yes) = {float(y_hat):.2f}" if last else None,
                f"target: {answer}" if last else None,
                done,
            )
        elif topo == "vector-to-sequence":
            cell = views.Cell(
                col,
                0.0,
                short(float(x_in), t_len),
                short(y_hat[col], t_len),
                short(y_true[col], t_len),
                done,
            )
        elif col < t_len:
            cell = views.Cell(_x(run, col), 0.0, str(int(x_in[col])), None, None, done)
        else:
            j = col - t_len
            cell = views.Cell(_x(run, col), 0.0, "c", str(int(y_hat[j])), str(int(y_true[j])), done)
        out.append(cell)
    return out


def _row_names(run: Trained) -> list[Annotation]:
    left = -0.75
    names = [Annotation(left, -0.85, "input", colors.DATA, (1.0, 0.0))]
    if run.topology != "sequence-to-vector":
        names += [
            Annotation(left, 0.7, "output", views.RNN, (1.0, 1.0)),
            Annotation(left, 1.15, "target", colors.DATA, (1.0, 1.0)),
        ]
    if run.topology == "encoder-decoder":
        t_len = run.length
        names += [
            Annotation((t_len - 1) / 2, -1.3, "encoder reads", colors.DATA, (0.5, 0.0)),
            Annotation(
                t_len + GAP + (t_len - 1) / 2, -1.3, "decoder writes", views.RNN, (0.5, 0.0)
            ),
        ]
    return names


def signals(run: Trained, sample: int, tr: Trace, k: int) -> PlotData:
    """The sample over time: inputs, targets and the outputs computed so far."""
    t_len, topo = run.length, run.topology
    t = np.arange(t_len, dtype=np.float64)
    x_in, y_true, y_hat = run.inputs[sample], run.targets[sample], tr.shown
    notes: list[Annotation] = []
    if topo == "vector-to-sequence":
        fine = np.linspace(-0.5, t_len - 0.5, 200)
        series = [
            Series(
                "sin(ω(t + 1))",
                fine,
                np.sin(float(x_in) * (fine + 1)),
                color=colors.DATA,
                width=1.0,
            ),
            Series("target", t, y_true, style="scatter", color=colors.DATA),
        ]
        y_range = (-1.3, 2.4)  # headroom for the legend
    elif topo == "encoder-decoder":
        series = [
            Series(
                "input digit",
                t,
                x_in.astype(np.float64),
                style="line",
                color=colors.DATA,
                width=1.5,
            ),
            Series(
                "target",
                t + t_len + GAP,
                y_true.astype(np.float64),
                style="scatter",
                color=colors.DATA,
            ),
        ]
        y_range = (-0.6, 17.5)  # headroom for the legend
    else:
        total = np.cumsum(x_in)
        series = [
            Series("input xₜ", t, x_in, style="line", color=colors.DATA, width=1.5),
            Series(
                "running sum" if topo == "sequence-to-sequence" else "sum so far",
                t,
                total,
                style="scatter",
                color=colors.DATA,
                symbol="o",
            ),
        ]
        lo = min(float(total.min()), float(x_in.min()), -0.5) - 0.3
        hi = max(float(total.max()), float(x_in.max()), 0.5) + 0.3
        y_range = (lo, hi + 0.6 * (hi - lo))  # headroom for the legend
    if k >= 0:
        if topo == "sequence-to-vector":
            if k >= t_len - 1:
                series.append(
                    Series(
                        "model: P(sum > 0)",
                        t[-1:],
                        np.array([float(y_hat)]),
                        style="marker",
                        color=views.RNN,
                        symbol="d",
                    )
                )
        elif topo == "encoder-decoder":
            j = np.arange(max(k - t_len + 1, 0))
            series.append(
                Series(
                    "model output",
                    j + t_len + GAP,
                    y_hat[j].astype(np.float64),
                    style="marker",
                    color=views.RNN,
                    symbol="d",
                )
            )
        else:
            shown = t[: k + 1]
            series.append(
                Series(
                    "model output",
                    shown,
                    y_hat[: k + 1],
                    style="marker",
                    color=views.RNN,
                    symbol="d",
                )
            )
    span = (-0.6, columns(run) - 0.4 + (GAP if topo == "encoder-decoder" else 0.0))
    return PlotData(
        tuple(series),
        tuple(notes),
        vlines=() if k < 0 else (_x(run, k),),
        hlines=(0.0,) if topo != "encoder-decoder" else (),
        x_range=span,
        y_range=y_range,
    )


def _ticks(run: Trained) -> list[str]:
    """Column tick labels for the hidden-state image: few enough to read in a narrow panel."""
    if run.topology == "encoder-decoder":
        return ["e0" if t == 0 else "d0" if t == run.length else "" for t in range(columns(run))]
    every = 1 if run.length <= 6 else 3
    return [str(t) if t % every == 0 else "" for t in range(run.length)]


def _labels(run: Trained) -> list[str]:
    if run.topology == "encoder-decoder":
        return [f"e{t}" for t in range(run.length)] + [f"d{t}" for t in range(run.length)]
    return [str(t) for t in range(run.length)]


def numbers(run: Trained, sample: int, tr: Trace, k: int) -> list[tuple[str, str]]:
    """The quantities of time step k as (name, value) rows."""
    topo, t_len = run.topology, run.length
    h_prev = tr.states[k - 1] if k > 0 else np.zeros(tr.states.shape[1])
    if topo == "encoder-decoder" and k == t_len:
        h_prev = tr.states[t_len - 1]
    x_in = run.inputs[sample]
    if topo == "vector-to-sequence":
        source = f"ω = {plain(float(x_in), 2)} (the same at every step)"
    elif topo == "encoder-decoder":
        source = (
            f"digit {int(x_in[k])} (one-hot)"
            if k < t_len
            else f"c = last encoder h: {views.vector_text(tr.states[t_len - 1])}"
        )
    else:
        source = plain(x_in[k], 2)
    rows = [
        ("input", source),
        ("state in h(t−1)", views.vector_text(h_prev)),
        ("state out h(t)", views.vector_text(tr.states[k])),
    ]
    y_true, y_hat = run.targets[sample], tr.shown
    if topo in ("sequence-to-sequence", "vector-to-sequence"):
        error = abs(float(y_hat[k]) - float(y_true[k]))
        rows += [
            ("output", plain(y_hat[k], 3)),
            ("target", plain(y_true[k], 3)),
            ("error", plain(error, 2)),
        ]
    elif topo == "sequence-to-vector":
        if k == t_len - 1:
            answer = "yes" if float(y_hat) > 0.5 else "no"
            rows += [
                ("output", f"P(yes) = σ(logit) = {plain(float(y_hat), 3)}: {answer}"),
                (
                    "target",
                    f"sum = {plain(float(np.sum(x_in)), 2)}: {'yes' if y_true > 0.5 else 'no'}",
                ),
            ]
        else:
            rows.append(("output", "none: only the last state is read"))
    elif k >= t_len:
        j = k - t_len
        p = digit_probability(tr.raw)[j]
        rows += [
            ("output", f"digit {int(y_hat[j])} (softmax p = {plain(float(p), 4)})"),
            ("target", str(int(y_true[j]))),
        ]
    else:
        rows.append(("output", "none: the encoder only reads"))
    return rows


def panels(run: Trained, sample: int, tr: Trace, k: int) -> dict[str, PanelData]:
    """Diagram, signals, hidden states and numbers with steps 0..k computed (k = -1: none)."""
    n = columns(run)
    cell_list = cells(run, sample, tr, k)
    last = _x(run, n - 1)
    names = _row_names(run)
    diagram = views.diagram(
        cell_list,
        names,
        now=None if k < 0 else cell_list[k].x,
        x_range=(-1.3 - 0.17 * last, last + (1.4 if run.topology == "sequence-to-vector" else 0.6)),
    )
    caption = "tanh: −1 … 1; " + (
        "filled in as it runs" if k < 0 else f"columns up to {_labels(run)[k]}"
    )
    hidden = views.hidden(tr.states[: k + 1], tr.states.shape[1], _ticks(run), caption)
    data: dict[str, PanelData] = {
        "diagram": diagram,
        "signals": signals(run, sample, tr, k),
        "hidden": hidden,
    }
    if k >= 0:
        data["numbers"] = views.quantity_table(numbers(run, sample, tr, k))
    return data


def label(run: Trained, k: int) -> str:
    """Time step k as the learner reads it: 't = 2', 'encoder t = 2', 'decoder step 0'."""
    if run.topology != "encoder-decoder":
        return f"t = {k}"
    return f"encoder t = {k}" if k < run.length else f"decoder step {k - run.length}"
