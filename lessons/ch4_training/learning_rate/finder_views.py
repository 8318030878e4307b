"""Lesson 4.2's panels for divergence and the range test: the loss of every mini-batch of a
diverging run, the range test's schedule, its curve and suggestions, and their tables.

Same conventions as :mod:`lessons.ch4_training.learning_rate.views`: rates on a log10 x axis,
SGD orange, solid = training loss.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lessons.ch4_training.learning_rate import model as lm
from lessons.ch4_training.learning_rate import rangetest as rt
from lessons.ch4_training.learning_rate.views import TOP, fit_plot, rate_text
from lessons.core.base import Annotation, PlotData, Series, TableData
from lessons.markup.numbers import plain
from lessons.shared import colors

PICK_ROWS = (0.012, 0.03)  # heights of the suggestions' names under the curve, alternating


def finder_series(test: rt.RangeTest, picks: bool) -> list[Series]:
    """The range test: measured losses (small points), their moving average (solid line),
    where it stopped and, with ``picks``, the three suggestions as diamonds on the curve."""
    x = np.log10(np.asarray(test.rates))
    measured = np.asarray(test.loss, dtype=np.float64)
    smooth = np.asarray(test.smooth, dtype=np.float64)
    series = [
        Series("_measured", x, measured, style="scatter", color=colors.SGD, size=3),
        Series("_range test", x, smooth, style="line", color=colors.SGD, width=3),
    ]
    end = len(x) - 1
    series.append(
        Series(
            "_stop",
            x[end:],
            np.array([min(smooth[end], TOP) if math.isfinite(smooth[end]) else TOP]),
            style="marker",
            color=colors.SGD,
            symbol="x",
            size=9,
            labels=("stop",),
        )
    )
    if picks:
        px, py, _ = pick_points(test)
        series.append(
            Series("_suggestions", px, py, style="marker", color=colors.SGD, symbol="d", size=10)
        )
    return series


def pick_points(test: rt.RangeTest) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Where the three suggestions sit on the averaged curve: log10 rates, losses, names."""
    p = test.picks
    x = np.log10(np.asarray(test.rates))
    smooth = np.asarray(test.smooth, dtype=np.float64)
    tenth_x = math.log10(p.tenth)
    px = np.array([tenth_x, x[p.steepest], x[p.lowest]])
    py = np.array([float(np.interp(tenth_x, x, smooth)), smooth[p.steepest], smooth[p.lowest]])
    return px, py, ("lowest ÷ 10", "steepest", "lowest")


def pick_notes(test: rt.RangeTest) -> tuple[Annotation, ...]:
    """The suggestions' names under the curve, on staggered rows so close ones stay legible."""
    px, _, names = pick_points(test)
    order = np.argsort(px)
    return tuple(
        Annotation(float(px[i]), PICK_ROWS[k % 2], names[i], color=colors.SGD, anchor=(0.5, 0.5))
        for k, i in enumerate(order)
    )


def trained_picks(trained: Sequence[tuple[str, lm.Run]]) -> tuple[Series, tuple[Annotation, ...]]:
    """The suggestions trained like the sweep: diamonds at their rate and final loss, named
    alternately below and above (close rates stay legible); a diverged one sits at "∞"."""
    x = np.array([math.log10(run.rate) for _, run in trained])
    y = np.array([run.final if math.isfinite(run.final) else TOP for _, run in trained])
    marks = Series("suggestions, trained", x, y, style="marker", color=colors.SGD, symbol="d")
    order = np.argsort(x)
    notes = tuple(
        Annotation(
            float(x[i]),
            0.013 if k % 2 == 0 else 0.4,
            trained[i][0],
            color=colors.SGD,
            anchor=(0.5, 0.5),
        )
        for k, i in enumerate(order)
    )
    return marks, notes


def blowup_table(trace: lm.BlowUp, rows: int = 8) -> TableData:
    """The last updates before the engine stopped the run: loss, size of the weights, growth."""
    n = len(trace.batch_loss)
    out = []
    for i in range(max(0, n - rows), n):
        loss = trace.batch_loss[i]
        before = trace.batch_loss[i - 1] if i > 0 else math.nan
        grow = loss / before if math.isfinite(loss) and before > 0 else math.nan
        out.append(
            (
                str(i + 1),
                plain(loss, 3),
                plain(trace.weight_norm[i], 3),
                f"× {plain(grow, 3)}" if math.isfinite(grow) else "",
            )
        )
    return TableData(
        ("update", "batch loss", "‖w‖ before", "loss growth"),
        tuple(out),
        highlight_rows=(len(out) - 1,),
    )


def blowup_plot(trace: lm.BlowUp) -> PlotData:
    """The loss of every mini-batch of a diverging run (log scale) until it is ∞."""
    loss = np.asarray(trace.batch_loss, dtype=np.float64)
    x = np.arange(1, len(loss) + 1, dtype=np.float64)
    finite = np.isfinite(loss)
    series = [Series("batch loss (training)", x[finite], loss[finite], color=colors.SGD)]
    if trace.stopped:
        top = 10.0**40
        series.append(
            Series(
                "_inf",
                x[-1:],
                np.array([top]),
                style="marker",
                color=colors.SGD,
                symbol="x",
                size=10,
                labels=("∞: stopped",),
            )
        )
    return PlotData(
        series=tuple(series),
        annotations=(Annotation(1.0, 3.4e38, "largest float32, 3.4 × 10³⁸", anchor=(0.0, 0.0)),),
        hlines=(3.4e38,),
        x_range=(0.0, float(len(loss)) + 1.0),
        y_range=(0.01, 1e42),
        axis_labels=("update (mini-batch)", "loss (log scale)"),
    )


def blowup_fits(problem: lm.Problem, trace: lm.BlowUp, shown: int = 3) -> PlotData:
    """The diverging network's curve after each of its first updates: each one overshoots."""
    ok = [i for i, c in enumerate(trace.curves) if i > 0 and np.all(np.abs(c) < 4.0)]
    return fit_plot(problem, [(f"after update {i}", trace.curves[i]) for i in ok[:shown]])


def schedule_plot(test: rt.RangeTest) -> PlotData:
    """The range test's learning rate at each update: a straight line on the log scale."""
    x = np.arange(1, test.batches + 1, dtype=np.float64)
    return PlotData(
        series=(Series("learning rate η", x, np.asarray(test.rates), color=colors.SGD),),
        x_range=(0.0, float(rt.FINDER_BATCHES)),
        y_range=(rt.START_RATE / 2, rt.END_RATE * 2),
        axis_labels=("update (mini-batch)", "learning rate η (log scale)"),
    )


def finder_table(test: rt.RangeTest) -> TableData:
    """A few updates of the range test: its start, every 100th, its lowest point, its end."""
    p = test.picks
    keep = sorted({0, *range(99, test.batches, 100), p.lowest, test.batches - 1})

    def mark(i: int) -> str:
        return " lowest" if i == p.lowest else (" stop" if i == test.batches - 1 else "")

    rows = tuple(
        (
            f"{i + 1}{mark(i)}",
            plain(test.rates[i], 3),
            plain(test.loss[i], 3),
            plain(test.smooth[i], 3),
        )
        for i in keep
    )
    marked = tuple(k for k, i in enumerate(keep) if i in (p.lowest, test.batches - 1))
    return TableData(("update", "η", "loss", "averaged"), rows, highlight_rows=marked)


def picks_table(
    test: rt.RangeTest, trained: Sequence[tuple[str, lm.Run]], verdict: lm.Verdict | None
) -> TableData:
    """The suggestions of the range test; with trained runs, their final loss and region."""
    rows = []
    for name, run in trained:
        region = lm.classify(run, verdict) if verdict is not None else ""
        rows.append((name, rate_text(run.rate), plain(run.final, 3), region))
    return TableData(
        ("suggestion", "η", f"final after {trained[0][1].epochs}" if trained else "", "region"),
        tuple(rows),
    )
