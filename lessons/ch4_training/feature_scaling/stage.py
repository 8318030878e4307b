"""What every step of lesson 4.5 draws on: the experiment, the two loss maps, the titles.

Built once per control setting (:meth:`Stage.of`), so the steps share the same data objects
and Back shows exactly what was shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lessons.ch4_training.feature_scaling import model as m
from lessons.ch4_training.feature_scaling import runs as r
from lessons.ch4_training.feature_scaling import texts
from lessons.ch4_training.feature_scaling import views as v
from lessons.ch4_training.feature_scaling.texts import plain
from lessons.core.base import PlotData

RAW_TITLE = "Unscaled features: loss over (w₁, w₂)"
STD_TITLE = "Standardised features: loss over (v₁, v₂)"
CURVES_TITLE = "Training loss above its lowest value"
CUTS_TITLE = "Loss when one weight moves from the lowest point"
MAP_TITLES = {"raw": RAW_TITLE, "std": STD_TITLE, "curves": CURVES_TITLE}


@dataclass(frozen=True, eq=False)  # holds arrays
class Stage:
    """The experiment and the two loss maps every step draws on."""

    e: r.Experiment
    raw_map: v.LossMap
    std_map: v.LossMap
    cuts: PlotData
    best_curves: PlotData

    @staticmethod
    def of(e: r.Experiment) -> Stage:
        """The maps (framed on each best-rate path), the cuts and the best-rate curves."""
        e0 = e.start_excess
        return Stage(
            e,
            v.loss_map(e.raw.bowl, _frame(e.raw, e0), e0, ("w₁", "w₂")),
            v.loss_map(e.std.bowl, _frame(e.std, e0), e0, ("v₁", "v₂")),
            v.cuts_plot(e.raw.bowl, e.std.bowl),
            v.curves_plot(
                [
                    ("unscaled, η*", e.raw.best, v.UNSCALED, False),
                    ("standardised, η*", e.std.best, v.STANDARDISED, False),
                ],
                e.raw.bowl.tolerance,
            ),
        )

    @property
    def tol(self) -> float:
        """The excess loss counted as converged (the same for both bowls)."""
        return self.e.raw.bowl.tolerance


def _frame(case: r.Case, start_excess: float) -> np.ndarray:
    """What a map frames: the start, the best-rate path and the contour line a tenth of the
    way from the start's loss to the lowest (whole, so the map shows closed ellipses)."""
    ring = m.ellipse_box(case.bowl, 0.1 * start_excess)
    return np.vstack([np.array([m.START]), ring, case.best.weights])


def clean(x: float, scale: float) -> float:
    """A value that is zero up to rounding (relative to ``scale``) written as 0."""
    return 0.0 if abs(x) < 1e-12 * max(abs(scale), 1.0) else float(x)


def kappa_note(case: r.Case) -> str:
    """The note in a map's corner: its condition number."""
    return f"κ = {plain(case.bowl.kappa)}"


def best_maps(s: Stage) -> dict[str, PlotData]:
    """Both maps with their best-rate paths, and the two best-rate loss curves."""
    e = s.e
    return {
        "raw": v.map_plot(
            s.raw_map,
            v.path_series(f"η* = {plain(e.raw.bowl.eta_best)}", e.raw.best.weights, v.UNSCALED),
            kappa_note(e.raw),
        ),
        "std": v.map_plot(
            s.std_map,
            v.path_series(f"η* = {plain(e.std.bowl.eta_best)}", e.std.best.weights, v.STANDARDISED),
            kappa_note(e.std),
        ),
        "curves": s.best_curves,
    }


def task_message(e: r.Experiment) -> str:
    """The task's verdict on the learner's rate, in one line."""
    said = f"η is {texts.share(e.learner.rate / e.raw.bowl.eta_max, 'the limit')}"
    if e.task_done:
        return f"{said} and the loss falls at every step."
    if e.learner_verdict in ("rising", "diverged"):
        return f"{said}: above it, the loss rises."
    return f"{said}: go closer (97 % or more)."
