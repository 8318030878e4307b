"""Lesson 4.2's panels: loss against learning rate, loss per epoch, the fitted curve, tables.

Learning rates are drawn on a log scale: the x of the rate plot is log10 of the rate (the
panel has no logarithmic x axis of its own), so -2 is 0.01 and 0 is 1.  Colours follow
chapter 4 (:mod:`lessons.shared.colors`): every run here is plain SGD (orange), the
network's curve is the model colour (blue), data are black; the learner's own rate is the one
yellow mark.  Solid lines are training losses, dashed lines validation losses.  Regions are
told apart by marker shape and named on the plot, not by colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lessons.ch4_training.learning_rate import model as lm
from lessons.core.base import Annotation, PlotData, Series, TableData
from lessons.markup.numbers import plain
from lessons.shared import colors

YOURS = colors.COMPARISON  # yellow: the learner's own rate, held against the sweep
LOSS_RANGE = (0.01, 10.0)  # the loss axes (log scale)
CURVE_RANGE = (0.01, 3.0)  # the loss-per-epoch axis (log scale)
TOP = 1.2  # where runs that ended in inf/NaN are marked ("∞"), above every finite loss shown
ROWS = (6.0, 2.4)  # heights of the two rows of region names
SYMBOLS = {"too small": "t1", "good": "o", "too big": "s", "diverged": "x"}
FIT_RANGE = (-1.6, 1.6)


def log_rate(rate: float) -> float:
    return math.log10(rate)


def rate_text(rate: float) -> str:
    """A rate with two significant digits: 0.0063, 0.16, 2.5."""
    return plain(rate, 2)


def lowest(run: lm.Run) -> float:
    """The lowest validation loss after any epoch of training (NaN if there is none)."""
    return min((v for v in run.val[1:] if math.isfinite(v)), default=math.nan)


def spread(values: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions near ``values``, at least ``gap`` apart and inside [low, high]."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed = [min(max(values[i], low), high) for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    if placed and placed[-1] > high:
        placed[-1] = high
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    out = [0.0] * len(values)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def _finals(runs: Sequence[lm.Run]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([log_rate(r.rate) for r in runs], dtype=np.float64)
    y = np.array([r.final for r in runs], dtype=np.float64)
    return x, y


def sweep_series(runs: Sequence[lm.Run], verdict: lm.Verdict | None) -> list[Series]:
    """The sweep's final validation losses: a dashed line, and one marker per rate.

    Before the regions are known the markers are plain; after, each region has its marker
    shape.  Runs that ended in inf/NaN sit above the others, marked "∞".
    """
    if not runs:
        return []
    x, y = _finals(runs)
    # Once the regions are drawn the panel's title names the line: no legend entry needed.
    name = "final validation loss" if verdict is None else "_final validation loss"
    series = [Series(name, x, y, style="dash", color=colors.SGD)]
    finite = np.isfinite(y)
    if verdict is None:
        series.append(Series("_rates", x[finite], y[finite], style="scatter", color=colors.SGD))
    else:
        for region in lm.REGIONS[:3]:
            idx = [i for i in verdict.indices(region) if finite[i]]
            if idx:
                series.append(
                    Series(
                        f"_{region}",
                        x[idx],
                        y[idx],
                        style="scatter",
                        color=colors.SGD,
                        symbol=SYMBOLS[region],
                        size=10,
                    )
                )
    gone = [i for i in range(len(runs)) if not finite[i]]
    if gone:
        series.append(
            Series(
                "_diverged",
                x[gone],
                np.full(len(gone), TOP),
                style="scatter",
                color=colors.SGD,
                symbol="x",
                size=11,
                labels=tuple("∞" if i == gone[0] else "" for i in gone),
            )
        )
    return series


def your_marker(run: lm.Run) -> Series:
    """The learner's run: a star at its rate and final loss (at the "∞" height if it
    diverged)."""
    y = run.final if math.isfinite(run.final) else TOP
    return Series(
        "your rate",
        np.array([log_rate(run.rate)]),
        np.array([y]),
        style="marker",
        color=YOURS,
        symbol="star",
        size=12,
        labels=("∞",) if run.stop is not None else (),
    )


def region_marks(
    runs: Sequence[lm.Run], verdict: lm.Verdict
) -> tuple[tuple[float, ...], tuple[Annotation, ...]]:
    """Dashed vertical lines between neighbouring rates of different regions, and each
    region's name over its middle (on two alternating rows, so narrow regions fit)."""
    x, _ = _finals(runs)
    lines = tuple(
        float((x[i] + x[i + 1]) / 2)
        for i in range(len(runs) - 1)
        if verdict.labels[i] != verdict.labels[i + 1]
    )
    notes: list[Annotation] = []
    start = 0
    for i in range(1, len(runs) + 1):
        if i == len(runs) or verdict.labels[i] != verdict.labels[start]:
            middle = float((x[start] + x[i - 1]) / 2)
            name = verdict.labels[start].replace(" ", "\u00a0")
            row = ROWS[len(notes) % 2]
            notes.append(Annotation(middle, row, name, color=colors.DATA, anchor=(0.5, 0.5)))
            start = i
    return lines, tuple(notes)


def rates_plot(
    runs: Sequence[lm.Run],
    verdict: lm.Verdict | None,
    yours: lm.Run | None,
    extra: Sequence[Series] = (),
    extra_rates: Sequence[float] = (),
    extra_notes: Sequence[Annotation] = (),
) -> PlotData:
    """Loss against log10(rate): ``extra`` series first (the range test, whose rates are
    ``extra_rates``), the sweep (dashed), the learner's star, the untrained loss as a
    horizontal line, and the regions once they are known.

    The x range covers every sweep rate (computed or not yet), the learner's rate and the
    extra rates, so it stays put while the sweep grows.
    """
    series: list[Series] = list(extra)
    series += sweep_series(runs, verdict)
    vlines: tuple[float, ...] = ()
    notes: tuple[Annotation, ...] = ()
    if verdict is not None and runs:
        vlines, notes = region_marks(runs, verdict)
    xs = [log_rate(lm.SWEEP[0]), log_rate(lm.SWEEP[-1]), *map(log_rate, extra_rates)]
    if yours is not None:
        series.append(your_marker(yours))
        xs.append(log_rate(yours.rate))
    start = yours.start if yours is not None else (runs[0].start if runs else math.nan)
    hlines = (start,) if math.isfinite(start) and (runs or yours) else ()
    if hlines and not notes:
        notes = (Annotation(min(xs) - 0.3, start, "untrained", color=colors.DATA),)
    return PlotData(
        series=tuple(series),
        annotations=(*notes, *extra_notes),
        vlines=vlines,
        hlines=hlines,
        x_range=(min(xs) - 0.3, max(xs) + 0.3),
        y_range=LOSS_RANGE,
    )


def curves_plot(
    runs: Sequence[lm.Run],
    epochs: int,
    training: bool = True,
    names: Sequence[str] = (),
) -> PlotData:
    """Validation loss per epoch (dashed) of each run, training loss (solid) if asked.

    With ``names`` (one per run) each validation curve is labelled at its end, or with "∞"
    where the run diverged; without, the series are named for the legend.
    """
    series: list[Series] = []
    ends: list[tuple[float, str]] = []
    for k, run in enumerate(runs):
        x = np.arange(len(run.val), dtype=np.float64)
        val = np.asarray(run.val, dtype=np.float64)
        label = names[k] if names else ""
        if training:
            train = np.asarray(run.train, dtype=np.float64)
            name = f"_{label} training" if names else "training"
            series.append(Series(name, x, train, style="line", color=colors.SGD))
        series.append(
            Series(f"_{label}" if names else "validation", x, val, style="dash", color=colors.SGD)
        )
        if run.stop is not None:
            ends.append((TOP, f"{label + ': ' if label else ''}∞ in epoch {run.stop.epoch}"))
        elif names:
            ends.append((float(val[-1]), label))
    low, high = math.log10(CURVE_RANGE[0] * 1.4), math.log10(TOP)
    heights = spread([math.log10(y) for y, _ in ends], 0.35, low, high)
    notes = tuple(
        Annotation(float(epochs), 10.0**h, text, color=colors.SGD, anchor=(1.0, 0.5))
        for h, (_, text) in zip(heights, ends, strict=True)
    )
    return PlotData(
        series=tuple(series),
        annotations=notes,
        x_range=(0.0, float(epochs) * 1.02),
        y_range=CURVE_RANGE,
    )


def fit_plot(
    problem: lm.Problem, fits: Sequence[tuple[str, np.ndarray | None]], lost: str = ""
) -> PlotData:
    """The training (●) and validation (▲) points, the noiseless curve, and the network's
    curve after each run, labelled at its right end.  A run that diverged has no curve: a
    note names it (``lost``, or its label)."""
    xg = problem.x_grid[:, 0].astype(np.float64)
    series = [
        Series(
            "training points",
            problem.x_train[:, 0],
            problem.y_train[:, 0],
            style="scatter",
            color=colors.DATA,
            size=5,
        ),
        Series(
            "validation points",
            problem.x_val[:, 0],
            problem.y_val[:, 0],
            style="scatter",
            color=colors.DATA,
            size=6,
            symbol="t",
        ),
        Series("sin πx", xg, problem.y_grid[:, 0].astype(np.float64), color=colors.DATA, width=1),
    ]
    drawn = [(label, fit) for label, fit in fits if fit is not None]
    missing = [label for label, fit in fits if fit is None]
    for label, fit in drawn:
        series.append(Series(f"_{label}", xg, np.clip(fit, -9, 9), color=colors.MODEL, width=2.5))
    heights = spread([float(fit[-1]) for _, fit in drawn], 0.32, -1.3, 1.25)
    notes = [
        Annotation(1.03, h, label, color=colors.MODEL, anchor=(1.0, 0.5))
        for h, (label, _) in zip(heights, drawn, strict=True)
    ]
    if missing:
        text = f"no curve: {lost or ', '.join(missing)} diverged"
        notes.append(Annotation(0.0, -1.45, text, color=colors.MODEL, anchor=(0.5, 0.5)))
    return PlotData(
        series=tuple(series), annotations=tuple(notes), x_range=(-1.05, 1.05), y_range=FIT_RANGE
    )


def lost(runs: Sequence[lm.Run]) -> str:
    """The rates of the runs that diverged, short: "η = 1, 1.6, 2.5"."""
    gone = [rate_text(r.rate) for r in runs if r.fit is None]
    return f"η = {', '.join(gone)}" if gone else ""


def fit_error(problem: lm.Problem, fit: np.ndarray | None) -> float:
    """Mean squared distance between the network's curve and sin πx over the grid."""
    if fit is None:
        return math.nan
    return float(np.mean((fit - problem.y_grid[:, 0].astype(np.float64)) ** 2))


# ---- tables -------------------------------------------------------------------------------


def _ended(run: lm.Run) -> str:
    if run.stop is None:
        return f"all {run.epochs}"
    return f"∞ (ep. {run.stop.epoch})"


def run_table(run: lm.Run) -> TableData:
    """Every number of one run."""
    q = lm.last_quarter(run.epochs)
    per_epoch = len(run.train) and run.updates // max(len(run.train) - 1, 1)
    rows = (
        ("learning rate η", plain(run.rate, 3)),
        (
            "updates",
            f"{run.epochs} epochs × {per_epoch}" if run.stop is None else f"{run.updates}, then ∞",
        ),
        ("validation loss, untrained", plain(run.start)),
        ("validation loss, last epoch", plain(run.val[-1]) if run.stop is None else "∞"),
        (f"final (mean of last {q})", plain(run.final) if run.stop is None else "∞ (stopped)"),
        ("lowest validation loss", plain(lowest(run)) if math.isfinite(lowest(run)) else "–"),
        ("training loss, last epoch", plain(run.train[-1]) if run.stop is None else "∞"),
        ("ended", "after all epochs" if run.stop is None else f"∞ in epoch {run.stop.epoch}"),
    )
    return TableData(("", "value"), rows)


def chunk_table(runs: Sequence[lm.Run], first: int, total: int) -> TableData:
    """The rates of one sweep step, one row each (numbered within the sweep)."""
    rows = tuple(
        (
            str(first + i),
            rate_text(r.rate),
            plain(r.final, 3) if r.stop is None else "∞",
            plain(lowest(r), 3) if r.stop is None else "–",
            _ended(r),
        )
        for i, r in enumerate(runs)
    )
    return TableData((f"# of {total}", "η", "final", "lowest", "ended"), rows)


def regions_table(runs: Sequence[lm.Run], verdict: lm.Verdict) -> TableData:
    """One row per region: its rates and the range of their final losses."""
    rows = []
    for region in lm.REGIONS:
        idx = verdict.indices(region)
        if not idx:
            rows.append((region, "none", "", "0"))
            continue
        first, last = rate_text(runs[idx[0]].rate), rate_text(runs[idx[-1]].rate)
        finals = [runs[i].final for i in idx]
        if all(math.isfinite(f) for f in finals):
            span = f"{plain(min(finals), 3)} – {plain(max(finals), 3)}"
        else:
            span = "∞ (stopped)"
        rows.append((region, f"{first} – {last}" if len(idx) > 1 else first, span, str(len(idx))))
    highlight = (lm.REGIONS.index("good"),)
    return TableData(("region", "η", "final loss", "rates"), tuple(rows), highlight_rows=highlight)
