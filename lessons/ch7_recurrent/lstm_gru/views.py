"""Panel data of lesson 7.4: gate heat maps, state curves, training curves, results, equations."""

from __future__ import annotations

import numpy as np

from engine.models.sequential import Sequential
from lessons.ch7_recurrent.lstm_gru import model as m
from lessons.core.base import ImageData, PlotData, Series, TableData, TextData
from lessons.shared import colors

GATE_ROWS = {"LSTM": ("forget", "input", "output"), "GRU": ("update", "reset")}
GATE_LETTERS = {"forget": "f", "input": "i", "output": "o", "update": "z", "reset": "r"}


def symbols_of(x: np.ndarray) -> list[str]:
    """The symbol read at each step of a one-hot sequence (gap, 5)."""
    return [m.SYMBOLS[int(k)] for k in np.argmax(x[:, 1:], axis=1)]


def gate_row(cell: str, gate: str, unit: int) -> int:
    """The gate image's row of one gate of one unit (rows: every unit's first gate, then ...)."""
    return GATE_ROWS[cell].index(gate) * m.UNITS + unit


def gate_image(tr: m.CellTrace, t: int | None = None, row: int | None = None) -> ImageData:
    """Rows: each gate of each unit; columns: time steps 1..gap.  Boxed: the column of step
    ``t``, or else the whole row ``row`` (one gate of one unit), or nothing."""
    names = GATE_ROWS[tr.cell]
    image = np.concatenate([tr.gates[name].T for name in names], axis=0)
    rows = tuple(f"{GATE_LETTERS[name]}{j + 1}" for name in names for j in range(m.UNITS))
    cols = tuple(str(k + 1) for k in range(len(tr.x)))
    box = None
    if t is not None:
        box = (0, t - 1, image.shape[0], 1)
    elif row is not None:
        box = (row, 0, 1, image.shape[1])
    return ImageData(image, levels=(0.0, 1.0), highlight=box, row_labels=rows, col_labels=cols)


def gate_lines(tr: m.CellTrace, unit: int) -> PlotData:
    """The memory unit's two memory gates over steps 1..gap (LSTM forget f and input i, GRU
    update z and reset r), between 0 and 1: the first a line, the second dots."""
    steps = np.arange(1, len(tr.x) + 1, dtype=np.float64)
    colour = colors.CELL_COLORS[tr.cell]
    series = []
    for name, style in zip(GATE_ROWS[tr.cell][:2], ("line", "scatter"), strict=True):
        label = f"{name} {GATE_LETTERS[name]}{unit + 1}"
        series.append(Series(label, steps, tr.gates[name][:, unit], style, colour, 3.0, size=7))
    return PlotData(
        tuple(series),
        hlines=(0.0, 1.0),
        x_range=(0.5, len(steps) + 0.5),
        y_range=(-0.05, 1.05),
        axis_labels=("step t", "gate value"),
    )


def cell_equations(cell: str) -> TextData:
    """The cell's equations in symbols, beside the gate map while the cells train."""
    bias = "b_\\ast" if cell == "LSTM" else "b_\\ast + b'_\\ast"
    start = "$h_0 = c_0 = 0$" if cell == "LSTM" else "$h_0 = 0$"
    head = (
        f"<b>{cell}</b>, steps t = 1 … T from {start}; each gate $\\ast$ sums"
        f"<br>$a_\\ast = x_t W_\\ast + h_{{t-1}} U_\\ast + {bias}$"
    )
    if cell == "LSTM":
        lines = [
            "$f_t = \\sigma(a_f)$: forget, keeps $c_{t-1}$",
            "$i_t = \\sigma(a_i)$: input, lets $\\tilde c_t$ in",
            "$o_t = \\sigma(a_o)$: output, shows $\\tanh(c_t)$",
            "$\\tilde c_t = \\tanh(a_c)$",
            "$c_t = f_t\\, c_{t-1} + i_t\\, \\tilde c_t$",
            "$h_t = o_t \\tanh(c_t)$",
        ]
    else:
        lines = [
            "$z_t = \\sigma(a_z)$: update, keeps $h_{t-1}$",
            "$r_t = \\sigma(a_r)$: reset, old $h$ in the candidate",
            "$\\tilde h_t = \\tanh(x_t W_h + b_h + r_t\\, (h_{t-1} U_h + b'_h))$",
            "$h_t = z_t\\, h_{t-1} + (1 - z_t)\\, \\tilde h_t$",
        ]
    return TextData(head + "<br>" + "<br>".join(lines))


def states_plot(
    tr: m.CellTrace, plain: m.CellTrace, unit: int, plain_unit: int, t: int | None = None
) -> PlotData:
    """The memory unit's c_t (LSTM) and h_t over time, beside the SimpleRNN's h_t."""
    steps = np.arange(len(tr.h), dtype=np.float64)
    colour = colors.CELL_COLORS[tr.cell]
    series = []
    if tr.c is not None:
        series.append(Series("c (LSTM)", steps, tr.c[:, unit], "line", colour, 3))
    series.append(
        Series(
            f"h ({tr.cell})",
            steps,
            tr.h[:, unit],
            "scatter",
            colour,
            size=7,
        )
    )
    series.append(
        Series(
            "h (SimpleRNN)",
            steps,
            plain.h[:, plain_unit],
            "scatter",
            colors.SIMPLE_RNN,
            size=7,
        )
    )
    top = max(1.05, float(np.nanmax(np.abs(tr.c[:, unit]))) + 0.1) if tr.c is not None else 1.05
    return PlotData(
        tuple(series),
        vlines=() if t is None else (float(t),),
        hlines=(0.0,),
        x_range=(-0.5, float(len(steps)) - 0.5),
        y_range=(-top, top),
    )


def solved_epoch(c: m.Contender) -> int | None:
    """The first epoch after which the cell's validation accuracy reached SOLVED, if any."""
    return next((e for e, a in enumerate(c.val_acc) if a >= m.SOLVED), None)


def curves_plot(race: m.Race, mark_solved: bool = False) -> PlotData:
    """Training (solid) and validation (dashed) accuracy per epoch for the three cells;
    ``mark_solved``: a diamond where each cell's validation accuracy first reached SOLVED."""
    series = []
    for name, c in race.cells.items():
        x = np.arange(len(c.val_acc), dtype=np.float64)
        colour = colors.CELL_COLORS[name]
        series.append(Series(name, x, np.array(c.train_acc), "line", colour))
        series.append(Series(f"_{name} val.", x, np.array(c.val_acc), "dash", colour))
        first = solved_epoch(c)
        if mark_solved and first is not None:
            at = np.array([float(first)]), np.array([c.val_acc[first]])
            series.append(Series(f"_{name} solved", *at, "marker", colour, size=12, symbol="d"))
    return PlotData(
        tuple(series),
        hlines=(m.CHANCE, m.SOLVED),
        x_range=(0.0, float(m.EPOCHS)),
        y_range=(0.3, 1.02),
    )


def results_table(race: m.Race, detail: bool = False) -> TableData:
    """Per cell: accuracies after the newest epoch and the verdict; ``detail`` adds to a
    solved verdict the first epoch the validation accuracy reached SOLVED."""
    rows = []
    for name, c in race.cells.items():
        verdict = m.verdict(c.final)
        first = solved_epoch(c)
        if detail and verdict == "solved" and first is not None:
            verdict = f"solved (ep. {first})"
        rows.append((name, f"{100 * c.train_acc[-1]:.1f}%", f"{100 * c.final:.1f}%", verdict))
    return TableData(
        ("cell", "train", "val.", "verdict"),
        tuple(rows),
        highlight_rows=tuple(i for i, c in enumerate(race.cells.values()) if c.final >= m.SOLVED),
    )


def _n(v: float) -> str:
    """A number for the equations: three decimals, a true minus sign."""
    return f"{v:.3f}".replace("-", "−")


def _p(v: float) -> str:
    """A factor after a product sign: negative numbers in parentheses."""
    return _n(v) if v >= 0 else f"({_n(v)})"


def _gate(letter: str, pre: float, value: float) -> str:
    """One sigmoid gate's line: its formula, pre-activation and value."""
    return f"${letter}_t = \\sigma(a_{letter}) = \\sigma({_n(pre)}) = {_n(value)}$"


def equations(model: Sequential, tr: m.CellTrace, unit: int, t: int) -> TextData:
    """The cell's equations at step t for one unit, with the engine's numbers."""
    j, k = unit, t - 1
    pre = m.pre_activations(model, tr.x[k].astype(np.float64), tr.h[k])
    sym = symbols_of(tr.x)[k]
    head = f"<b>{tr.cell}, unit {j + 1}, step t = {t}</b>: reads {sym}"
    head += " (start flag on)" if t == 1 else ""
    bias = "b_\\ast" if tr.cell == "LSTM" else "b_\\ast + b'_\\ast"
    head += f"<br>$a_\\ast = x_t W_\\ast + h_{{t-1}} U_\\ast + {bias}$"
    g = tr.gates
    h_prev, h_t = tr.h[k, j], tr.h[k + 1, j]
    if tr.cell == "LSTM" and tr.c is not None:
        c_prev, c_t = tr.c[k, j], tr.c[k + 1, j]
        f, i, o, cand = g["forget"][k, j], g["input"][k, j], g["output"][k, j], g["candidate"][k, j]
        lines = [
            _gate("f", pre["f"][j], f),
            _gate("i", pre["i"][j], i),
            _gate("o", pre["o"][j], o),
            f"$\\tilde c_t = \\tanh({_n(pre['g'][j])}) = {_n(cand)}$",
            f"$c_t = f_t\\, c_{{t-1}} + i_t\\, \\tilde c_t$<br>"
            f"$\\quad = {_n(f)} \\cdot {_p(c_prev)} + "
            f"{_n(i)} \\cdot {_p(cand)} = {_n(c_t)}$",
            f"$h_t = o_t \\tanh(c_t) = {_n(o)} \\cdot \\tanh({_n(c_t)})$<br>$\\quad = {_n(h_t)}$",
        ]
    else:
        z, r, n = g["update"][k, j], g["reset"][k, j], g["candidate"][k, j]
        lines = [
            _gate("z", pre["z"][j], z),
            _gate("r", pre["r"][j], r),
            f"$\\tilde h_t = \\tanh(x_t W_h + b_h + r_t\\, (h_{{t-1}} U_h + b'_h))$<br>"
            f"$\\quad = \\tanh({_n(pre['nx'][j])} + {_n(r)} \\cdot {_p(pre['nh'][j])}) = {_n(n)}$",
            f"$h_t = z_t\\, h_{{t-1}} + (1 - z_t)\\, \\tilde h_t$<br>"
            f"$\\quad = {_n(z)} \\cdot {_p(h_prev)} + "
            f"{_n(1 - z)} \\cdot {_p(n)} = {_n(h_t)}$",
        ]
    return TextData(head + "<br>" + "<br>".join(lines))
