"""Counts, rates and costs of a thresholded classifier, at one threshold and over all of them.

The rule is "call a case positive when p > t": at t = 0 every case with p > 0 is positive, at
t = 1 none is.  The confusion matrix at one threshold comes from the engine's
``confusion_matrix`` (which thresholds the same way); sweeps over the slider's thresholds
0, 0.001, ..., 1 count with a sort and a search, so every threshold the learner can set has its
counts.  Rates whose denominator is zero are NaN ("undefined"), never a silent 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.analysis.metrics import auc, confusion_matrix, roc_curve

GRID = np.round(np.linspace(0.0, 1.0, 1001), 3)  # every threshold the slider can take


@dataclass(frozen=True)
class Counts:
    """The confusion matrix at one threshold: true/false positives/negatives."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def n(self) -> int:
        """All cases."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def positives(self) -> int:
        """Cases whose truth is positive."""
        return self.tp + self.fn

    @property
    def negatives(self) -> int:
        """Cases whose truth is negative."""
        return self.fp + self.tn

    @property
    def flagged(self) -> int:
        """Cases called positive."""
        return self.tp + self.fp

    @property
    def tpr(self) -> float:
        """Recall, sensitivity: TP / (TP + FN); NaN without positive cases."""
        return _div(self.tp, self.positives)

    @property
    def fpr(self) -> float:
        """FP / (FP + TN); NaN without negative cases."""
        return _div(self.fp, self.negatives)

    @property
    def tnr(self) -> float:
        """Specificity: TN / (TN + FP)."""
        return _div(self.tn, self.negatives)

    @property
    def precision(self) -> float:
        """TP / (TP + FP); NaN when nothing is called positive."""
        return _div(self.tp, self.flagged)

    @property
    def accuracy(self) -> float:
        """(TP + TN) / n."""
        return _div(self.tp + self.tn, self.n)

    def cost(self, ratio: float) -> float:
        """Mean cost per case when a false positive costs 1 and a false negative ``ratio``."""
        return _div(self.fp + ratio * self.fn, self.n)

    def matrix(self) -> np.ndarray:
        """[[TN, FP], [FN, TP]]: rows are the truth (negative, positive), columns the call."""
        return np.array([[self.tn, self.fp], [self.fn, self.tp]], dtype=np.int64)


def _div(num: float, den: float) -> float:
    return float(num) / float(den) if den else math.nan


def counts(y: np.ndarray, p: np.ndarray, threshold: float) -> Counts:
    """The engine's confusion matrix of ``p > threshold`` against ``y``."""
    cm = confusion_matrix(y.astype(np.int64), p.astype(np.float64), 2, threshold)
    return Counts(tp=int(cm[1, 1]), fp=int(cm[0, 1]), fn=int(cm[1, 0]), tn=int(cm[0, 0]))


@dataclass(frozen=True, eq=False)
class Sweep:
    """Counts at every threshold of :data:`GRID` (arrays of the grid's length)."""

    thresholds: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tn: np.ndarray

    def cost(self, ratio: float) -> np.ndarray:
        """Mean cost per case at each threshold (false positive 1, false negative ``ratio``)."""
        n = self.tp[0] + self.fp[0] + self.fn[0] + self.tn[0]
        return np.asarray((self.fp + ratio * self.fn) / n, dtype=np.float64)

    def best(self, ratio: float) -> int:
        """Index of the cost-minimising threshold: the middle one of all that tie."""
        cost = self.cost(ratio)
        ties = np.flatnonzero(np.isclose(cost, cost.min(), rtol=0, atol=1e-12))
        return int(ties[len(ties) // 2])

    def at(self, i: int) -> Counts:
        """The counts at grid index ``i``."""
        return Counts(int(self.tp[i]), int(self.fp[i]), int(self.fn[i]), int(self.tn[i]))


def sweep(y: np.ndarray, p: np.ndarray, thresholds: np.ndarray = GRID) -> Sweep:
    """Counts of ``p > t`` for every ``t`` in ``thresholds``."""
    pos, neg = np.sort(p[y == 1]), np.sort(p[y == 0])
    tp = pos.size - np.searchsorted(pos, thresholds, side="right")
    fp = neg.size - np.searchsorted(neg, thresholds, side="right")
    return Sweep(thresholds, tp, fp, pos.size - tp, neg.size - fp)


@dataclass(frozen=True, eq=False)
class Curves:
    """ROC and precision-recall curves of one set, from the engine's ``roc_curve``."""

    fpr: np.ndarray
    tpr: np.ndarray
    auc: float
    recall: np.ndarray  # the PR curve's points (where something is called positive)
    precision: np.ndarray
    prevalence: float


def curves(y: np.ndarray, p: np.ndarray) -> Curves:
    """ROC (with its area, trapezoids) and precision-recall points of scores ``p``."""
    fpr, tpr, _ = roc_curve(y, p)
    n_pos, n_neg = int((y == 1).sum()), int((y == 0).sum())
    tp, fp = tpr[1:] * n_pos, fpr[1:] * n_neg
    return Curves(fpr, tpr, auc(fpr, tpr), tpr[1:], tp / (tp + fp), n_pos / len(y))


def fewest_false_alarms(s: Sweep) -> int:
    """Grid index of the highest threshold that misses no positive (FN = 0)."""
    none_missed = np.flatnonzero(s.fn == 0)
    return int(none_missed.max()) if none_missed.size else 0


def pct(x: float, digits: int = 1) -> str:
    """0.9609 -> '96.1 %'; NaN -> 'undefined'."""
    return "undefined" if not math.isfinite(x) else f"{100 * x:.{digits}f} %"
