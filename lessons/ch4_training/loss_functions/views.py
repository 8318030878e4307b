"""Lesson 4.1's regression pictures, and the bars and tables every part of it uses.

Colours keep one meaning in the whole lesson: blue is MSE (its fitted curve, its residuals, the
curve r² and the squared error of a probability), reddish purple is MAE (its fit, residuals and
|r|), green is cross-entropy's −log p (green as in lesson 1.3), black marks the data.  Classes
A, B, C get palette colours 0, 1, 2 as in chapter 3.  Every drawn number is passed in from
:mod:`lessons.ch4_training.loss_functions.model`; nothing here computes a loss.  The pictures
of probabilities are in :mod:`lessons.ch4_training.loss_functions.class_views`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.ch4_training.loss_functions import model as m
from lessons.ch4_training.loss_functions.texts import fixed
from lessons.core.base import Annotation, BarData, PlotData, Series, TableData
from lessons.shared import colors

MSE_COLOR = colors.MODEL  # blue
MAE_COLOR = 4  # reddish purple: the second fit (see the report: colors.py has no entry)
CE_COLOR = 2  # bluish green, as −log p in lesson 1.3
DATA = colors.DATA  # black
CLASS_COLORS = (0, 1, 2)  # classes A, B, C as in chapter 3
STAR = "★"


def gaps(x: np.ndarray, y0: np.ndarray, y1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertical segments from (x, y0) to (x, y1) as one NaN-separated polyline."""
    n = len(x)
    xs = np.column_stack([x, x, np.full(n, np.nan)]).reshape(-1)
    ys = np.column_stack([y0, y1, np.full(n, np.nan)]).reshape(-1)
    return xs.astype(np.float64), ys.astype(np.float64)


def point_names(n: int, star: bool) -> tuple[str, ...]:
    """Labels of the regression points left to right, then ★ for the outlier."""
    return (*(str(i + 1) for i in range(n)), *((STAR,) if star else ()))


# ----------------------------------------------------------------------------- regression


def fit_plot(
    r: m.Regression,
    *,
    mse: bool = True,
    mae: bool = False,
    outlier: bool = False,
    residuals: str | None = "MSE",
) -> PlotData:
    """Points, the fitted cubic(s), and the residual of each point as a vertical segment.

    With ``outlier`` the fits are those trained with ★, and thin lines show them without it.
    ``residuals`` ("MSE", "MAE" or None) names the fit whose residuals are drawn.
    """
    fits = {"MSE": r.mse_out if outlier else r.mse, "MAE": r.mae_out if outlier else r.mae}
    before = {"MSE": r.mse, "MAE": r.mae}
    shown = [name for name, on in (("MSE", mse), ("MAE", mae)) if on]
    color = {"MSE": MSE_COLOR, "MAE": MAE_COLOR}
    x = r.x_all if outlier else r.x
    y = r.y_all if outlier else r.y
    series: list[Series] = []
    if residuals is not None:
        sx, sy = gaps(x, y, fits[residuals].pred)
        series.append(Series(f"_{residuals} residuals", sx, sy, color=color[residuals], width=2.0))
    for name in shown:
        if outlier:
            series.append(
                Series(f"_{name} before", m.GRID, before[name].grid, color=color[name], width=1.0)
            )
        label = f"{name} fit" + (" with ★" if outlier else "")
        series.append(Series(label, m.GRID, fits[name].grid, color=color[name], width=2.5))
    series.append(
        Series(
            "points",
            r.x.copy(),
            r.y.copy(),
            style="scatter",
            color=DATA,
            size=8,
            labels=point_names(len(r.x), False),
        )
    )
    if outlier:
        series.append(
            Series(
                f"outlier {STAR}",
                np.array([r.x_out]),
                np.array([r.y_out]),
                style="marker",
                color=DATA,
                size=11,
                symbol="star",
            )
        )
    lows = [float(np.min(y)), *(float(np.min(fits[n].grid)) for n in shown)]
    highs = [float(np.max(y)), *(float(np.max(fits[n].grid)) for n in shown)]
    lo, hi = min(lows), max(highs)
    pad = 0.12 * max(hi - lo, 0.5)
    return PlotData(
        tuple(series),
        x_range=(float(m.GRID[0]), float(m.GRID[-1])),
        y_range=(lo - pad, hi + pad),
        axis_labels=("x", "y"),
    )


def _span(values: np.ndarray, least: float) -> float:
    finite = np.abs(values[np.isfinite(values)])
    return max(float(finite.max()) if finite.size else 0.0, least) * 1.15


def residual_line(residuals: np.ndarray, mean: float) -> PlotData:
    """The residuals on a number line (loss axis still empty): they fall on both sides of 0."""
    s = _span(residuals, 0.05)
    return PlotData(
        (
            Series("_zero", np.array([-s, s]), np.zeros(2), color=DATA, width=1.0),
            Series(
                "_residuals",
                residuals.astype(np.float64),
                np.zeros(len(residuals)),
                style="marker",
                color=MSE_COLOR,
                size=9,
            ),
        ),
        annotations=(Annotation(0.0, 0.5 * s * s, f"mean r = {fixed(mean)}", DATA, (0.5, 1.0)),),
        vlines=(0.0,),
        x_range=(-s, s),
        y_range=(-0.1 * s * s, s * s),
        axis_labels=("residual r = y − ŷ", "loss of one example"),
    )


def loss_curves(
    sq_r: np.ndarray | None,
    ab_r: np.ndarray | None,
    star: bool = False,
) -> PlotData:
    """r² (MSE) and/or |r| (MAE) over the residual, each example marked on its curve.

    ``sq_r`` are the residuals of the MSE fit, ``ab_r`` those of the MAE fit; with ``star``
    the last residual is the outlier's, marked with a star.
    """
    pieces = [a for a in (sq_r, ab_r) if a is not None]
    s = _span(np.concatenate(pieces), 0.05)
    grid = np.linspace(-s, s, 201)
    series: list[Series] = []
    notes: list[Annotation] = []
    top = 0.0
    for res, name, fn, color in (
        (sq_r, "r²", np.square, MSE_COLOR),
        (ab_r, "|r|", np.abs, MAE_COLOR),
    ):
        if res is None:
            continue
        values = fn(res)
        top = max(top, float(fn(grid).max()))
        series.append(Series(f"_{name}", grid, fn(grid), color=color, width=2.0))
        plain_pts = res[:-1] if star else res
        series.append(
            Series(
                f"_{name} examples",
                plain_pts.astype(np.float64),
                fn(plain_pts).astype(np.float64),
                style="marker",
                color=color,
                size=8,
            )
        )
        if star:
            series.append(
                Series(
                    f"_{name} {STAR}",
                    res[-1:].astype(np.float64),
                    values[-1:].astype(np.float64),
                    style="marker",
                    color=color,
                    size=12,
                    symbol="star",
                )
            )
        notes.append(Annotation(-0.97 * s, float(fn(np.array(-0.97 * s))), name, color, (0.0, 1.0)))
    return PlotData(
        tuple(series),
        tuple(notes),
        x_range=(-s, s),
        y_range=(-0.04 * top, 1.08 * top),
        axis_labels=("residual r = y − ŷ", "loss of one example"),
    )


def pull_curves(
    r_mse: np.ndarray, p_mse: np.ndarray, r_mae: np.ndarray, p_mae: np.ndarray
) -> PlotData:
    """Each example's pull −∂J/∂ŷ over its residual: a line (MSE) and a step (MAE)."""
    n = len(r_mse)
    s = _span(np.concatenate([r_mse, r_mae]), 0.05)
    grid = np.linspace(-s, s, 201)
    series = [
        Series("_MSE pull", grid, 2.0 * grid / n, color=MSE_COLOR, width=2.0),
        Series("_MAE pull", grid, np.sign(grid) / n, color=MAE_COLOR, width=2.0),
    ]
    for res, pull, name, color in (
        (r_mse, p_mse, "MSE", MSE_COLOR),
        (r_mae, p_mae, "MAE", MAE_COLOR),
    ):
        series.append(
            Series(f"_{name} examples", res[:-1], pull[:-1], style="marker", color=color, size=8)
        )
        series.append(
            Series(
                f"_{name} {STAR}",
                res[-1:],
                pull[-1:],
                style="marker",
                color=color,
                size=12,
                symbol="star",
            )
        )
    top = max(2.0 * s / n, 1.0 / n) * 1.1
    return PlotData(
        tuple(series),
        (
            Annotation(-0.95 * s, 0.95 * top, "MSE: 2r / n", MSE_COLOR, (0.0, 0.0)),
            Annotation(-0.95 * s, -1.0 / n, "MAE: ±1 / n", MAE_COLOR, (0.0, 0.0)),
        ),
        x_range=(-s, s),
        y_range=(-top, top),
        axis_labels=("residual r = y − ŷ", "pull −∂J/∂ŷ"),
    )


def loss_bars(
    values: np.ndarray, names: Sequence[str], caption: str, y_label: str, mean: bool = True
) -> BarData:
    """One bar per example and, with ``mean``, their mean as the last bar (highlighted)."""
    vals = np.asarray(values, dtype=np.float64)
    if mean:
        return BarData(
            np.append(vals, vals.mean()),
            (*names, "J"),
            highlight=len(vals),
            caption=caption,
            y_label=y_label,
        )
    return BarData(vals, tuple(names), caption=caption, y_label=y_label)


def mean_table(per: np.ndarray, reported: float, what: str) -> TableData:
    """Sum of the per-example losses, n, their mean, and the loss the engine reports."""
    total = float(np.sum(per))
    n = len(per)
    return TableData(
        ("", what),
        (
            ("sum of bars", total),
            ("examples n", n),
            ("J = sum / n", total / n),
            ("engine's loss", reported),
            ("difference", abs(total / n - reported)),
        ),
        highlight_rows=(2, 3),
    )
