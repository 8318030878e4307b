"""Every run lesson 4.5 shows, computed once per control setting.

For each set of features (unscaled, standardised): the bowl, a run at the best constant rate
until the loss is within 0.1 % of its lowest value, and two runs 2 % below and 2 % above the
largest stable rate.  Then the learner's own rate on the unscaled features, and the numbers of
the closing steps: the weights mapped back to the measured units and the validation data
standardised with the training statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.data.loading import StandardScaler
from lessons.ch4_training.feature_scaling import model as m

BEST_CAP = 2000  # most steps of a best-rate run (a very stretched bowl needs more: reported)
NEAR_STEPS = 100  # length of the runs just below and just above the speed limit
NEAR = (0.98, 1.02)  # those two rates, as fractions of 2/λ_max
LEARNER_STEPS = 300  # most steps of the learner's own run
TASK_LOW = 0.97  # the task: a rate from 97 % of the limit that still converges
BATCH = 25  # the "new batch": the validation points with the largest x₂

Verdict = Literal["converged", "falling", "rising", "diverged"]


def verdict(run: m.Run, tolerance: float) -> Verdict:
    """What a run did, from its losses: reached the tolerance, still falling at every step,
    rising again at the end, or blown up / ended above its start."""
    if run.diverged:
        return "diverged"
    if run.rising:
        return "rising"
    if run.converged_at(tolerance) is not None:
        return "converged"
    return "falling"


@dataclass(frozen=True, eq=False)  # holds arrays
class Case:
    """One set of features: its bowl, its best-rate run and its two runs at the speed limit."""

    bowl: m.Bowl
    best: m.Run
    below: m.Run
    above: m.Run

    @property
    def steps_to_tol(self) -> int | None:
        return self.best.converged_at(self.bowl.tolerance)

    @property
    def factor(self) -> float:
        """How much the distance to the bottom shrinks per step at the best rate."""
        k = self.bowl.kappa
        return (k - 1.0) / (k + 1.0)


def case(b: m.Bowl) -> Case:
    best = m.descend(b, b.eta_best, BEST_CAP, stop_at=b.tolerance)
    below, above = (m.descend(b, f * b.eta_max, NEAR_STEPS) for f in NEAR)
    return Case(b, best, below, above)


@dataclass(frozen=True, eq=False)  # holds arrays
class Batch:
    """New points with large x₂, standardised with the training statistics and with their own."""

    x: np.ndarray
    y: np.ndarray
    z_train_stats: np.ndarray
    z_own_stats: np.ndarray
    mse_train_stats: float
    mse_own_stats: float


@dataclass(frozen=True, eq=False)  # holds arrays
class Experiment:
    """All the runs and numbers of one lesson run."""

    data: m.Data
    raw: Case
    std: Case
    learner: m.Run
    batch: Batch
    seed: int

    @property
    def start_excess(self) -> float:
        return float(self.raw.best.excess[0])

    @property
    def learner_verdict(self) -> Verdict:
        return verdict(self.learner, self.raw.bowl.tolerance)

    @property
    def task_done(self) -> bool:
        ratio = self.learner.rate / self.raw.bowl.eta_max
        return ratio >= TASK_LOW and self.learner_verdict in ("converged", "falling")

    @property
    def steep_share(self) -> float:
        """The share of the start's excess loss that lies along the unscaled bowl's steepest
        direction: ½ λ c² for the start's offset c along each eigenvector."""
        b = self.raw.bowl
        c = b.eigenvectors.T @ (np.asarray(m.START, dtype=np.float64) - b.best_w)
        parts = 0.5 * b.eigenvalues * c * c
        return float(parts[0] / parts.sum())

    def mapped_back(self) -> np.ndarray:
        """The standardised bowl's lowest point in the measured units: v*/s."""
        return m.to_original_units(self.std.bowl.best_w, self.data)[0]

    def val_mse(self, w: np.ndarray, standardised: bool = False) -> float:
        d = self.data
        return m.loss_of(d.z_val if standardised else d.x_val, d.y_val, w)


def experiment(scale: float, rho: float, rate: float, seed: int) -> Experiment:
    data = m.make_data(scale, rho, seed)
    raw_bowl = m.bowl("unscaled", data.x_train, data.y_train)
    std_bowl = m.bowl("standardised", data.z_train, data.y_train)
    learner = m.descend(raw_bowl, rate, LEARNER_STEPS, stop_at=raw_bowl.tolerance)
    batch = new_batch(data, std_bowl.best_w)
    return Experiment(data, case(raw_bowl), case(std_bowl), learner, batch, seed)


SCALES = (1.0, 3.0, 10.0, 30.0)  # the summary's spreads of x₂


def by_scale(rho: float, seed: int) -> list[tuple[float, m.Bowl, m.Bowl]]:
    """The same points with x₂ in several units: each spread's unscaled and standardised bowl."""
    out = []
    for scale in SCALES:
        d = m.make_data(scale, rho, seed)
        out.append(
            (scale, m.bowl("unscaled", d.x_train, d.y_train), m.bowl("std", d.z_train, d.y_train))
        )
    return out


def new_batch(data: m.Data, v: np.ndarray) -> Batch:
    """The BATCH validation points with the largest x₂, as a batch that arrives later:
    standardised with the training statistics, and (wrongly) with a scaler fitted on itself."""
    pick = np.argsort(data.x_val[:, 1])[-BATCH:]
    x, y = data.x_val[pick], data.y_val[pick]
    z_train = data.z_val[pick]
    z_own = StandardScaler().fit_transform(x)
    return Batch(x, y, z_train, z_own, m.loss_of(z_train, y, v), m.loss_of(z_own, y, v))
