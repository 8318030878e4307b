"""Table data of lesson 7.1: one step written out, the weights, a step of the layer, the
pulse's echo and the recurrent weights compared; every number read from an :class:`RNNRun`."""

from __future__ import annotations

import numpy as np

from lessons.ch7_recurrent.recurrent_neuron.model import SWEEP, Echo, RNNRun, echo
from lessons.ch7_recurrent.recurrent_neuron.views import num, sub
from lessons.core.base import TableData


def percent(share: float) -> str:
    """A share as a percentage, with one decimal below 10 % (so a small echo is not "0%")."""
    return f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


def step_table(run: RNNRun, t: int) -> TableData:
    """One neuron's step t written out: inputs, the three terms, the sum, tanh, the engine."""
    i = t - 1
    x, hp = float(run.x[i, 0]), float(run.h_prev[i, 0])
    rows: tuple[tuple[object, ...], ...] = (
        (f"w·{sub('x', t)}   ({sub('x', t)} = {num(x, 2)})", float(run.xw[i, 0])),
        (f"u·{sub('h', t - 1)}   ({sub('h', t - 1)} = {num(hp, 4)})", float(run.hu[i, 0])),
        ("+ b", float(run.bias[0])),
        (f"{sub('z', t)} = sum", float(run.z[i, 0])),
        (f"tanh({sub('z', t)})", float(np.tanh(run.z[i, 0]))),
        (f"SimpleRNN {sub('h', t)}", float(run.h[i, 0])),
    )
    return TableData(("", "value"), rows, highlight_rows=(5,), number_format="{:.4f}")


def weights_table(run: RNNRun) -> TableData:
    """The layer's weights: W (from x), U (from each unit of h_{t-1}), b; one column per unit."""
    units = run.units
    if units == 1:
        rows: tuple[tuple[object, ...], ...] = (
            ("w (kernel W)", float(run.kernel[0, 0])),
            ("u (recurrent U)", float(run.recurrent[0, 0])),
            ("b (bias)", float(run.bias[0])),
            ("parameters", run.params),
        )
        return TableData(("SimpleRNN(1)", "value"), rows, number_format="{:.3f}")
    body = [("W: x", *map(float, run.kernel[0]))]
    body += [(f"U: h{i + 1}", *map(float, run.recurrent[i])) for i in range(units)]
    body.append(("b", *map(float, run.bias)))
    cols = ("from", *(f"→{j + 1}" for j in range(units)))
    return TableData(cols, tuple(body), number_format="{:.2f}")


def layer_table(run: RNNRun, t: int) -> TableData:
    """One step of the layer, a column per unit: h_{t-1}, x_t W, h_{t-1} U, z, the engine's h_t."""
    i, units = t - 1, run.units
    rows = (
        (f"state in {sub('h', t - 1)}", *map(float, run.h_prev[i])),
        (
            f"{sub('x', t)}·W",
            *map(float, run.xw[i]),
        ),
        (f"{sub('h', t - 1)}·U", *map(float, run.hu[i])),
        ("+ b", *map(float, run.bias)),
        (f"{sub('z', t)} = sum", *map(float, run.z[i])),
        (f"tanh({sub('z', t)})", *map(float, np.tanh(run.z[i]))),
        (f"SimpleRNN {sub('h', t)}", *map(float, run.h[i])),
    )
    cols = ("", *(f"unit {j + 1}" for j in range(units)))
    return TableData(cols, rows, highlight_rows=(len(rows) - 1,), number_format="{:.3f}")


def echo_rows(e: Echo) -> tuple[int, ...]:
    """Which k (steps after the pulse) the echo table lists: the first few, the middle, the end."""
    last = len(e.after) - 1
    return tuple(sorted({k for k in (0, 1, 2, last // 2, last) if 0 <= k <= last}))


def echo_table(e: Echo, pulse: int) -> TableData:
    """The pulse's echo k steps later: h, its share of the start, and u^k h without tanh."""
    start = float(e.after[0])
    rows = []
    for k in echo_rows(e):
        h, lin = float(e.after[k]), float(e.linear[k])
        share = abs(h) / abs(start) if start else 0.0
        rows.append((sub("h", pulse + k), h, percent(share), lin))
    return TableData(
        ("", "h", "kept", "no tanh"),
        tuple(rows),
        highlight_rows=(len(rows) - 1,),
        number_format="{:.3g}",
    )


def sweep_table(pulse: int, w: float, u: float) -> TableData:
    """Several recurrent weights side by side (and the learner's): share kept, verdict."""
    values = list(SWEEP)
    if u not in values:
        values.append(u)
    rows = []
    for value in values:
        e = echo(pulse, w, value)
        verdict = e.verdict + (", ± flips" if e.flips else "")
        rows.append((f"{value:g}", percent(e.kept), float(e.linear[-1]), verdict))
    return TableData(
        ("u", "kept", "no tanh", "verdict"),
        tuple(rows),
        highlight_rows=(values.index(u),),
        number_format="{:.3g}",
    )


def symbols_table(run: RNNRun) -> TableData:
    """What each symbol of h_t = tanh(w x_t + u h_{t-1} + b) stands for."""
    rows = (
        ("xₜ", "input at step t (the squares)"),
        ("hₜ₋₁", "state from the step before (h₀ = 0)"),
        ("w", "weight on the input"),
        ("u", "weight on the loop (recurrent)"),
        ("b", "bias (0 in this lesson)"),
        ("hₜ", "new state: output, fed to step t + 1"),
    )
    return TableData(("symbol", "meaning"), rows)
