"""Three fairness criteria for a pair of group thresholds, and a grid search over all pairs.

Demographic parity compares the selection rates, equal opportunity the true positive rates
(the share of truly good cases selected) and predictive parity, the calibration of the yes
decision, the precisions (the share of the selected who are truly good).  A criterion *holds*
when the smaller of the two groups' rates is at least ``RATIO`` of the larger (two zeros are
equal); it is undefined when a group has nobody to count (nobody selected: no precision).  Since
``precision = TPR * base rate / selection rate`` in each group, parity in the first two forces
the precisions apart by the ratio of the base rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.analysis.metrics import GroupRates
from lessons.ch8_ethics.hidden_biases.model import decide, group_rates

RATIO = 0.95  # "equal" means: the smaller rate is at least 95% of the larger
NAMES = ("demographic parity", "equal opportunity", "predictive parity")
RATES = ("selection rate", "true positive rate", "precision")
GRID = np.round(np.linspace(0.0, 1.0, 41), 3)  # thresholds searched, 0.025 apart


def ratio(a: float, b: float) -> float:
    """min/max of two rates: 1 when both are 0 (equal); NaN if one is undefined."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.nan
    return 1.0 if max(a, b) == 0 else min(a, b) / max(a, b)


@dataclass(frozen=True)
class Criteria:
    """The two groups' rates at thresholds (t_a, t_b) and which criteria hold."""

    t_a: float
    t_b: float
    a: GroupRates
    b: GroupRates

    def pair(self, k: int) -> tuple[float, float]:
        """Group A's and group B's rate for criterion ``k`` (0 selection, 1 TPR, 2 precision)."""
        field = ("selection_rate", "true_positive_rate", "precision")[k]
        return float(getattr(self.a, field)), float(getattr(self.b, field))

    def ratio(self, k: int) -> float:
        return ratio(*self.pair(k))

    def holds(self, k: int) -> bool | None:
        """True/False; None where a rate is undefined."""
        r = self.ratio(k)
        return None if math.isnan(r) else r >= RATIO

    @property
    def verdicts(self) -> tuple[bool | None, ...]:
        return tuple(self.holds(k) for k in range(3))


def criteria(
    scores: np.ndarray, truth: np.ndarray, group: np.ndarray, t_a: float, t_b: float
) -> Criteria:
    """The engine's per-group rates for thresholds ``t_a`` (group A) and ``t_b`` (group B)."""
    a, b = group_rates(truth, decide(scores, group, t_a, t_b), group)
    return Criteria(t_a, t_b, a, b)


def _rates(scores: np.ndarray, truth: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """(3, len(ts)): selection rate, TPR and precision of one group at each threshold."""
    chosen = scores[None, :] >= ts[:, None]
    good = truth[None, :] == 1
    picked = chosen.sum(axis=1)
    tp = (chosen & good).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.stack([picked / len(scores), tp / good.sum(), tp / picked])


def grid(
    scores: np.ndarray, truth: np.ndarray, group: np.ndarray, ts: np.ndarray = GRID
) -> np.ndarray:
    """(3, len(ts) for B, len(ts) for A) booleans: where each criterion holds (rows are t_b)."""
    ra = _rates(scores[group == 0], truth[group == 0], ts)
    rb = _rates(scores[group == 1], truth[group == 1], ts)
    lo = np.minimum(ra[:, None, :], rb[:, :, None])
    hi = np.maximum(ra[:, None, :], rb[:, :, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(hi > 0, lo / hi, np.where(lo == hi, 1.0, np.nan))
    return np.nan_to_num(r, nan=0.0) >= RATIO


def base_rates(truth: np.ndarray, group: np.ndarray) -> tuple[float, float]:
    """Share truly positive in group A and in group B."""
    return float(truth[group == 0].mean()), float(truth[group == 1].mean())


def precision_bound(truth: np.ndarray, group: np.ndarray) -> float:
    """The largest precision ratio possible while the other two criteria hold.

    precision_B / precision_A = (TPR_B / TPR_A) (p_B / p_A) (sel_A / sel_B); with both other
    ratios within [RATIO, 1 / RATIO] the lower base rate's group stays at most
    (p_low / p_high) / RATIO**2 of the other's precision.
    """
    pa, pb = base_rates(truth, group)
    return min(pa, pb) / max(pa, pb) / RATIO**2
