"""Lesson 4.1's regression steps: residuals, squared and absolute errors, the outlier, pulls.

Each function yields the steps of one part from a computed run
(:func:`lessons.ch4_training.loss_functions.model.regression`); the text comes from
:mod:`lessons.ch4_training.loss_functions.texts`, the pictures from
:mod:`lessons.ch4_training.loss_functions.views`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch4_training.loss_functions import model as m
from lessons.ch4_training.loss_functions import texts as t
from lessons.ch4_training.loss_functions import views as v
from lessons.core.base import Step, TableData
from lessons.markup.numbers import plain

SQ_TITLE = "Squared error of each point; J = their mean"
AB_TITLE = "Absolute error of each point; J = their mean"
SHORT = "{:.3g}"  # numbers in the narrow table


def regression_steps(r: m.Regression) -> Iterator[Step]:
    n = len(r.x)
    names = v.point_names(n, False)
    names_out = v.point_names(n, True)
    res = r.y - r.mse.pred
    coef = r.mse.coef
    yield Step(
        "Residuals: how far off each point is",
        t.residuals(r),
        {
            "fit": v.fit_plot(r),
            "curve": v.residual_line(res, float(res.mean())),
            "per": v.loss_bars(
                res, names, f"mean residual: {t.fixed(float(res.mean()))}", "r", mean=False
            ),
            "numbers": TableData(
                ("cubic (MSE fit)", "value"),
                (
                    *((f"c{'₀₁₂₃'[i]}", float(coef[i])) for i in range(4)),
                    ("mean residual", float(res.mean())),
                ),
                highlight_rows=(4,),
                number_format=SHORT,
            ),
        },
        figures={"mean_residual": float(res.mean()), **{f"c{i}": float(coef[i]) for i in range(4)}},
        notes=t.RESIDUALS_NOTES,
        titles={"curve": "The residuals on a line", "per": "Residual r of each point"},
    )
    yield Step(
        "Square each residual; the mean is the loss",
        t.squares(r),
        {
            "curve": v.loss_curves(res, None),
            "per": v.loss_bars(r.sq, names, f"J = {plain(float(r.sq.mean()))} = MSE", "r²"),
            "numbers": v.mean_table(r.sq, r.mse.reported, "MSE"),
        },
        figures={"mse_mean": float(r.sq.mean()), "mse_reported": r.mse.reported},
        notes=t.SQUARES_NOTES,
        titles={"curve": "Loss of one example: r²", "per": SQ_TITLE},
    )
    yield Step(
        "Mean absolute error",
        t.mae(r),
        {
            "fit": v.fit_plot(r, mae=True, residuals="MAE"),
            "curve": v.loss_curves(res, r.y - r.mae.pred),
            "per": v.loss_bars(r.ab, names, f"J = {plain(float(r.ab.mean()))} = MAE", "|r|"),
            "numbers": TableData(
                ("loss", "MSE fit", "MAE fit"),
                (
                    ("MSE", r.mse.reported, r.cross["MSE of MAE fit"]),
                    ("MAE", r.cross["MAE of MSE fit"], r.mae.reported),
                ),
                highlight_cells=((0, 1), (1, 2)),
                number_format=SHORT,
            ),
        },
        figures={"mae_mean": float(r.ab.mean()), "mae_reported": r.mae.reported},
        notes=t.MAE_NOTES,
        titles={
            "fit": "Two fits: MSE (blue) and MAE (purple)",
            "curve": "r² (blue) and |r| (purple)",
            "per": AB_TITLE,
        },
    )
    res_out = r.y_all - r.mse_out.pred
    share = t.share(float(r.sq_out[-1]), float(np.sum(r.sq_out)))
    yield Step(
        "One outlier drags the MSE fit",
        t.outlier(r),
        {
            "fit": v.fit_plot(r, outlier=True),
            "curve": v.loss_curves(res_out, None, star=True),
            "per": v.loss_bars(
                r.sq_out, names_out, f"J = {plain(float(r.sq_out.mean()))} = MSE with ★", "r²"
            ),
            "numbers": TableData(
                ("MSE fit", "value"),
                (
                    ("ŷ(x★) before", r.mse.at_out),
                    ("ŷ(x★) with ★", r.mse_out.at_out),
                    ("moved to ★", r.shift_mse),
                    ("★'s share, %", share),
                ),
                highlight_rows=(2, 3),
                number_format=SHORT,
            ),
        },
        figures={"shift_mse": r.shift_mse, "star_share_mse": share},
        notes=t.OUTLIER_NOTES,
        titles={
            "fit": "Outlier ★ drags the MSE fit (thin: before)",
            "curve": "Loss of one example: r²",
            "per": SQ_TITLE,
        },
    )
    share_ab = t.share(float(r.ab_out[-1]), float(np.sum(r.ab_out)))
    yield Step(
        t.robust_title(r),
        t.robust(r),
        {
            "fit": v.fit_plot(r, mae=True, outlier=True, residuals="MAE"),
            "curve": v.loss_curves(res_out, r.y_all - r.mae_out.pred, star=True),
            "per": v.loss_bars(
                r.ab_out, names_out, f"J = {plain(float(r.ab_out.mean()))} = MAE with ★", "|r|"
            ),
            "numbers": TableData(
                ("with ★", "MSE fit", "MAE fit"),
                (
                    ("moved", r.shift_mse, r.shift_mae),
                    ("MSE", r.mse_out.reported, r.cross["MSE of MAE fit, outlier"]),
                    ("MAE", r.cross["MAE of MSE fit, outlier"], r.mae_out.reported),
                ),
                highlight_rows=(0,),
                number_format="{:.3f}",
            ),
        },
        figures={"shift_mae": r.shift_mae, "star_share_mae": share_ab},
        notes=t.ROBUST_NOTES,
        titles={
            "fit": "With ★: MSE fit (blue), MAE fit (purple)",
            "curve": "r² and |r| with ★",
            "per": AB_TITLE,
        },
    )
    r_mse = r.y_all - np.append(r.mse.pred, r.mse.at_out)
    r_mae = r.y_all - np.append(r.mae.pred, r.mae.at_out)
    yield Step(
        "Why: each example's pull",
        t.pulls(r, n + 1),
        {
            "curve": v.pull_curves(r_mse, r.pull_mse, r_mae, r.pull_mae),
            "per": v.loss_bars(
                r.pull_mse, names_out, "from the engine's backward()", "pull", False
            ),
            "numbers": TableData(
                ("pull", "MSE", "MAE"),
                (
                    ("★", float(r.pull_mse[-1]), float(r.pull_mae[-1])),
                    ("others", *_strongest(r.pull_mse, r.pull_mae)),
                ),
                highlight_rows=(0,),
                number_format=SHORT,
            ),
        },
        figures={"pull_star_mse": float(r.pull_mse[-1]), "pull_star_mae": float(r.pull_mae[-1])},
        notes=t.PULLS_NOTES,
        titles={
            "curve": "Pull −∂J/∂ŷ of one example",
            "per": "MSE pull −∂J/∂ŷ of each point as ★ arrives",
        },
    )


def _strongest(*pulls: np.ndarray) -> tuple[float, ...]:
    """The largest pull (in size) of the examples other than ★, for each loss."""
    return tuple(float(np.max(np.abs(p[:-1]))) for p in pulls)
