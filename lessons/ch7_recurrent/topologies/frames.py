"""Lesson 7.2's animation: one topology's sample, shown before it runs and at every time step.

``columns(run)`` is the number of time steps the unrolled diagram has (T, or 2T for the
encoder-decoder: T encoder steps, then T decoder steps).  ``panels(run, tr, k)`` gives the four
panels with columns 0..k computed (k = -1: nothing computed yet).  Column k is what the learner
reads as time step t = k + 1 (decoder step k - T + 1): the course numbers time from 1, with
h_0 = 0 the initial state, so every label, tick and plot axis here is 1-based.  Every value
comes from the trained model (:mod:`lessons.ch7_recurrent.topologies.tasks`): outputs from
``predict``, hidden states from the engine's RNNStep events.
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
    """Column col's place in the unrolled diagram (0-based; the diagram has no axes)."""
    return col + (GAP if run.topology == "encoder-decoder" and col >= run.length else 0.0)


def _at(run: Trained, col: int) -> float:
    """Column col's place on the signals plot's time axis: time step col + 1."""
    return _x(run, col) + 1.0


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
    """The diagram's squares for ``sample`` with columns 0..k computed."""
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
    t = np.arange(1, t_len + 1, dtype=np.float64)  # time steps 1..T
    x_in, y_true, y_hat = run.inputs[sample], run.targets[sample], tr.shown
    notes: list[Annotation] = []
    if topo == "vector-to-sequence":
        fine = np.linspace(0.5, t_len + 0.5, 200)
        series = [
            Series(
                "sin(ωt)",
                fine,
                np.sin(float(x_in) * fine),
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
                t + t_len + GAP,  # the decoder's steps 1..T follow the encoder's
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
                    j + 1 + t_len + GAP,
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
    span = (0.4, _at(run, columns(run) - 1) + 0.6)
    return PlotData(
        tuple(series),
        tuple(notes),
        vlines=() if k < 0 else (_at(run, k),),
        hlines=(0.0,) if topo != "encoder-decoder" else (),
        x_range=span,
        y_range=y_range,
        x_ticks=_plot_ticks(run),
    )


def _plot_ticks(run: Trained) -> tuple[tuple[float, str], ...]:
    """The signals plot's time axis: steps 1..T; the encoder-decoder's 'e1 … eT', 'd1 … dT'."""
    labels = _labels(run)
    if run.topology == "encoder-decoder":
        t_len = run.length
        keep = (0, t_len - 1, t_len, 2 * t_len - 1)  # first and last of each half
        return tuple((_at(run, col), labels[col]) for col in keep)
    return tuple((_at(run, col), labels[col]) for col in range(columns(run)))


def _ticks(run: Trained) -> list[str]:
    """Column tick labels for the hidden-state image: few enough to read in a narrow panel."""
    if run.topology == "encoder-decoder":
        return [
            "e1" if col == 0 else "d1" if col == run.length else "" for col in range(columns(run))
        ]
    every = 1 if run.length <= 6 else 3
    return [str(col + 1) if col % every == 0 else "" for col in range(run.length)]


def _labels(run: Trained) -> list[str]:
    """Each column's time step as the learner reads it: '1' … 'T', or 'e1' … 'eT', 'd1' … 'dT'."""
    if run.topology == "encoder-decoder":
        steps = range(1, run.length + 1)
        return [f"e{t}" for t in steps] + [f"d{t}" for t in steps]
    return [str(col + 1) for col in range(run.length)]


def state_names(run: Trained, k: int) -> tuple[str, str]:
    """The table's names of the states into and out of column k, with 1-based indices:
    'state in h(0) = 0' at the first step; the decoder's states are its own, numbered 1..T."""
    t_len = run.length
    if run.topology == "encoder-decoder" and k >= t_len:
        d = k - t_len + 1
        into = f"state in: encoder h({t_len})" if d == 1 else f"state in: decoder h({d - 1})"
        return into, f"state out: decoder h({d})"
    t = k + 1
    into = "state in h(0) = 0" if t == 1 else f"state in h({t - 1})"
    return into, f"state out h({t})"


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
    into, out = state_names(run, k)
    rows = [
        ("input", source),
        (into, views.vector_text(h_prev)),
        (out, views.vector_text(tr.states[k])),
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
    """Diagram, signals, hidden states and numbers with columns 0..k computed (k = -1: none)."""
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
    """Column k as the learner reads it: 't = 3', 'encoder t = 3', 'decoder step 1' (1-based)."""
    if run.topology != "encoder-decoder":
        return f"t = {k + 1}"
    return f"encoder t = {k + 1}" if k < run.length else f"decoder step {k - run.length + 1}"
