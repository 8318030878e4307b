"""Lesson 4.5, steps 6 to 8: the same model in other units, new data, the summary.

The weights of the standardised model converted back to the measured units; how new points
must be scaled (with the training statistics); and the condition number for several units.
"""

from __future__ import annotations

import numpy as np

from lessons.ch4_training.feature_scaling import model as m
from lessons.ch4_training.feature_scaling import runs as r
from lessons.ch4_training.feature_scaling import texts
from lessons.ch4_training.feature_scaling import views as v
from lessons.ch4_training.feature_scaling.stage import (
    MAP_TITLES,
    Stage,
    best_maps,
    clean,
    kappa_note,
    task_message,
)
from lessons.core.base import Series, Step, TableData, TaskResult


def same_model_step(s: Stage) -> Step:
    e, d = s.e, s.e.data
    w_star, v_star, back = e.raw.bowl.best_w, e.std.bowl.best_w, e.mapped_back()
    w_run = e.raw.best.weights[-1]
    v_run = e.std.best.weights[-1]
    v_run_back = m.to_original_units(v_run, d)[0]
    pred_gap = float(np.max(np.abs(d.x_val @ w_run - d.z_val @ v_run)))
    best_gap = float(np.max(np.abs(back - w_star)))
    rows = [
        ("lowest point w* (unscaled)", *map(float, w_star), e.val_mse(w_star)),
        ("lowest point v* (standardised)", *map(float, v_star), e.val_mse(v_star, True)),
        ("v* / s", *map(float, back), e.val_mse(back)),
        (f"unscaled run, step {e.raw.best.steps}", *map(float, w_run), e.val_mse(w_run)),
        (
            f"standardised run, step {e.std.best.steps}, / s",
            *map(float, v_run_back),
            e.val_mse(v_run_back),
        ),
    ]
    raw_in_std = e.raw.best.weights * d.std  # w·s: the unscaled run in v coordinates
    std_in_raw = e.std.best.weights / d.std
    return Step(
        "The same model in other units",
        texts.same_model_step(e, best_gap, pred_gap),
        {
            "raw": v.map_plot(
                s.raw_map,
                (
                    *v.path_series("unscaled run", e.raw.best.weights, v.UNSCALED),
                    *v.path_series("standardised run / s", std_in_raw, v.STANDARDISED),
                ),
                kappa_note(e.raw),
            ),
            "std": v.map_plot(
                s.std_map,
                (
                    *v.path_series("unscaled run · s", raw_in_std, v.UNSCALED),
                    *v.path_series("standardised run", e.std.best.weights, v.STANDARDISED),
                ),
                kappa_note(e.std),
            ),
            "curves": s.best_curves,
            "numbers": TableData(
                ("weights", "1st", "2nd", "val. MSE"), tuple(rows), highlight_rows=(1, 2)
            ),
        },
        figures={"best_gap": best_gap, "prediction_gap": pred_gap},
        notes=texts.same_model_notes(),
    )


def batch_step(s: Stage) -> Step:
    e, d, b = s.e, s.e.data, s.e.batch
    sets = (d.z_val, b.z_train_stats, b.z_own_stats)
    mses = (e.val_mse(e.std.bowl.best_w, True), b.mse_train_stats, b.mse_own_stats)
    rows = (
        ("mean z₁", *(clean(float(z[:, 0].mean()), 1.0) for z in sets)),
        ("mean z₂", *(clean(float(z[:, 1].mean()), 1.0) for z in sets)),
        ("std z₁", *(float(z[:, 0].std()) for z in sets)),
        ("std z₂", *(float(z[:, 1].std()) for z in sets)),
        ("MSE", *mses),
    )
    table = TableData(
        ("z from", "validation", "batch", "batch, own m, s"),
        rows,
        highlight_rows=(4,),
    )
    batch_raw = Series("new batch", b.x[:, 0], b.x[:, 1], "scatter", v.UNSCALED, size=9, symbol="t")
    batch_ok = Series(
        "training m, s",
        b.z_train_stats[:, 0],
        b.z_train_stats[:, 1],
        "scatter",
        v.STANDARDISED,
        size=10,
        symbol="t",
    )
    batch_own = Series(
        "own m, s", b.z_own_stats[:, 0], b.z_own_stats[:, 1], "scatter", v.MARK, size=10, symbol="x"
    )
    return Step(
        "New data: the training statistics",
        texts.batch_step(e),
        {
            "raw": v.points_plot(d.x_train, ("x₁", "x₂"), (batch_raw,)),
            "std": v.points_plot(d.z_train, ("z₁", "z₂"), (batch_ok, batch_own), dot=3),
            "numbers": table,
        },
        figures={
            "batch_mse_train_stats": b.mse_train_stats,
            "batch_mse_own_stats": b.mse_own_stats,
        },
        notes=texts.batch_notes(),
        titles={"raw": "Training points and a new batch", "std": "Standardised: two ways"},
    )


def summary_step(s: Stage) -> Step:
    e = s.e
    rows = tuple(
        (scale, raw.kappa, raw.eta_max, std.kappa)
        for scale, raw, std in r.by_scale(e.data.rho, e.seed)
    )
    table = TableData(
        ("spread of x₂", "κ unscaled", "η_max unscaled", "κ standardised"),
        rows,
        highlight_rows=tuple(i for i, row in enumerate(rows) if row[0] == e.data.scale),
    )
    return Step(
        "Summary",
        texts.summary_step(e),
        {**best_maps(s), "numbers": table},
        titles=MAP_TITLES,
        notes=texts.summary_notes(),
        task=TaskResult(e.task_done, task_message(e)),
        figures={f"kappa_raw_scale_{row[0]:g}": float(row[1]) for row in rows},
    )
