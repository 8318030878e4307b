"""Lesson 4.5, steps 1 to 5: the data, the two bowls, the speed limit, the best rate, your rate.

Left column: the unscaled features (points, then the loss map over w₁, w₂); right column: the
standardised ones (over v₁, v₂); below, a loss plot and the numbers a step is about.
"""

from __future__ import annotations

from lessons.ch4_training.feature_scaling import runs as r
from lessons.ch4_training.feature_scaling import texts
from lessons.ch4_training.feature_scaling import views as v
from lessons.ch4_training.feature_scaling.stage import (
    CUTS_TITLE,
    MAP_TITLES,
    RAW_TITLE,
    STD_TITLE,
    Stage,
    best_maps,
    clean,
    kappa_note,
    task_message,
)
from lessons.ch4_training.feature_scaling.texts import plain
from lessons.core.base import Series, Step, TableData, TaskResult


def data_step(s: Stage) -> Step:
    d = s.e.data
    zm, zv = d.z_train.mean(axis=0), d.z_train.var(axis=0)
    rows = [
        (
            f"x{'₁₂'[j]}",
            clean(float(d.mean[j]), float(d.std[j])),
            float(d.std[j]),
            clean(float(zm[j]), 1.0),
            float(zv[j]),
        )
        for j in range(2)
    ]
    return Step(
        texts.data_title(s.e),
        texts.data_step(s.e),
        {
            "raw": v.points_plot(d.x_train, ("x₁", "x₂")),
            "std": v.points_plot(d.z_train, ("z₁", "z₂")),
            "curves": s.cuts,
            "numbers": v.table(("feature", "mean m", "std s", "mean of z", "var. of z"), rows),
        },
        figures={"std_x1": float(d.std[0]), "std_x2": float(d.std[1])},
        notes=texts.data_notes(s.e),
        titles={
            "raw": "Training points as measured",
            "std": "The same points standardised",
            "curves": CUTS_TITLE,
        },
    )


def bowls_step(s: Stage) -> Step:
    raw, std = s.e.raw.bowl, s.e.std.bowl
    rows = [
        ("H₁₁", raw.hessian[0, 0], std.hessian[0, 0]),
        ("H₁₂", raw.hessian[0, 1], std.hessian[0, 1]),
        ("H₂₂", raw.hessian[1, 1], std.hessian[1, 1]),
        ("λ_max", raw.lam_max, std.lam_max),
        ("λ_min", raw.lam_min, std.lam_min),
        ("κ = λ_max / λ_min", raw.kappa, std.kappa),
    ]
    table = v.table(
        ("Hessian H", "unscaled", "standardised"),
        [(a, float(b), float(c)) for a, b, c in rows],
        (5,),
    )
    return Step(
        texts.bowls_title(s.e),
        texts.bowls_step(s.e),
        {
            "raw": v.map_plot(s.raw_map, note=kappa_note(s.e.raw)),
            "std": v.map_plot(s.std_map, note=kappa_note(s.e.std)),
            "numbers": table,
        },
        figures={"kappa_raw": raw.kappa, "kappa_std": std.kappa},
        notes=texts.bowls_notes(s.e),
        titles={"raw": RAW_TITLE, "std": STD_TITLE},
    )


def _limit_paths(case: r.Case, color: int) -> tuple[Series, ...]:
    below, above = r.NEAR
    return (
        *v.path_series(f"{plain(below)} η_max", case.below.weights, color),
        *v.path_series(f"{plain(above)} η_max", case.above.weights, color, dotted=True),
    )


def limit_step(s: Stage) -> Step:
    e = s.e
    n = r.NEAR_STEPS
    rows = (
        ("λ_max", e.raw.bowl.lam_max, e.std.bowl.lam_max),
        ("limit η_max = 2/λ_max", e.raw.bowl.eta_max, e.std.bowl.eta_max),
        ("loss − lowest at the start", float(e.raw.below.excess[0]), float(e.std.below.excess[0])),
        (
            f"... after {n} steps at 0.98 η_max",
            float(e.raw.below.excess[-1]),
            float(e.std.below.excess[-1]),
        ),
        (
            f"... after {n} steps at 1.02 η_max",
            float(e.raw.above.excess[-1]),
            float(e.std.above.excess[-1]),
        ),
    )
    table = TableData(("", "unscaled", "standardised"), rows, highlight_rows=(1,))
    runs = [
        ("unscaled ×0.98", e.raw.below, v.UNSCALED, False),
        ("unscaled ×1.02", e.raw.above, v.UNSCALED, True),
        ("standard. ×0.98", e.std.below, v.STANDARDISED, False),
        ("standard. ×1.02", e.std.above, v.STANDARDISED, True),
    ]
    return Step(
        "The speed limit: η < 2/λ_max",
        texts.limit_step(e),
        {
            "raw": v.map_plot(s.raw_map, _limit_paths(e.raw, v.UNSCALED), kappa_note(e.raw)),
            "std": v.map_plot(s.std_map, _limit_paths(e.std, v.STANDARDISED), kappa_note(e.std)),
            "curves": v.curves_plot(runs),
            "numbers": table,
        },
        figures={
            "eta_max_raw": e.raw.bowl.eta_max,
            "eta_max_std": e.std.bowl.eta_max,
            "above_diverged": float(e.raw.above.diverged and e.std.above.diverged),
            "below_diverged": float(e.raw.below.diverged or e.std.below.diverged),
        },
        notes=texts.limit_notes(),
        titles=MAP_TITLES,
    )


def _best_table(s: Stage) -> TableData:
    e = s.e
    rows = [
        ("condition number κ", e.raw.bowl.kappa, e.std.bowl.kappa),
        ("limit η_max = 2/λ_max", e.raw.bowl.eta_max, e.std.bowl.eta_max),
        ("best rate η* = 2/(λ_max+λ_min)", e.raw.bowl.eta_best, e.std.bowl.eta_best),
        (
            "η* / η_max",
            e.raw.bowl.eta_best / e.raw.bowl.eta_max,
            e.std.bowl.eta_best / e.std.bowl.eta_max,
        ),
        ("shrink per step (κ−1)/(κ+1)", e.raw.factor, e.std.factor),
        ("steps to 0.1 % above lowest", _count(e.raw.steps_to_tol), _count(e.std.steps_to_tol)),
    ]
    return TableData(("", "unscaled", "standardised"), tuple(rows), highlight_rows=(5,))


def _count(n: int | None) -> object:
    return n if n is not None else f"> {r.BEST_CAP}"


def best_step(s: Stage) -> Step:
    e = s.e
    return Step(
        "At the best rate: zig-zag or straight",
        texts.best_step(e),
        {**best_maps(s), "numbers": _best_table(s)},
        notes=texts.best_notes(),
        figures={
            "steps_raw": float(e.raw.steps_to_tol or -1),
            "steps_std": float(e.std.steps_to_tol or -1),
        },
    )


def learner_step(s: Stage) -> Step:
    e = s.e
    run, b = e.learner, e.raw.bowl
    t = run.converged_at(b.tolerance)
    rows = [
        ("your rate η", run.rate),
        ("limit η_max = 2/λ_max", b.eta_max),
        ("η / η_max", run.rate / b.eta_max),
        ("steps run", run.steps),
        ("loss − lowest at the end", float(run.excess[-1])),
        ("verdict", e.learner_verdict),
        ("steps to 0.1 % above lowest", t if t is not None else "not reached"),
    ]
    return Step(
        "Your learning rate",
        texts.learner_step(e),
        {
            "raw": v.map_plot(
                s.raw_map,
                v.path_series(f"η = {plain(run.rate)}", run.weights, v.UNSCALED),
                kappa_note(e.raw),
            ),
            "curves": v.curves_plot(
                [(f"unscaled, η = {plain(run.rate)}", run, v.UNSCALED, False)], s.tol
            ),
            "numbers": TableData(("your run (unscaled)", ""), tuple(rows), highlight_rows=(5,)),
        },
        figures={"learner_ratio": run.rate / b.eta_max, "task_done": float(e.task_done)},
        notes=texts.learner_notes(),
        task=TaskResult(e.task_done, task_message(e)),
    )
