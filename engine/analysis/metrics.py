"""Metrics: accuracy, confusion matrix, precision/recall/F1, ROC curve and AUC, rates per group.

Predictions may be labels, probabilities or scores: a (batch, classes) array is read through
its argmax, a single column (or a 1-D float array) through a threshold. Results are Python
floats or host NumPy arrays. `get(name)` gives the metric objects `Sequential.compile` uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np

from engine.core.backend import to_numpy

__all__ = [
    "Accuracy",
    "GroupRates",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "Metric",
    "accuracy",
    "auc",
    "confusion_matrix",
    "get",
    "precision_recall_f1",
    "rates_by_group",
    "roc_auc",
    "roc_curve",
]

Array = Any


def _labels(y_true: Array, y_pred: Array, threshold: float = 0.5) -> tuple[Array, Array]:
    """Class labels from targets and predictions (argmax of rows, or a threshold)."""
    if y_pred.ndim >= 2 and y_pred.shape[-1] > 1:
        pred = y_pred.argmax(axis=-1)
        true = y_true.argmax(axis=-1) if y_true.shape == y_pred.shape else y_true
        true = true.reshape(pred.shape)
        return true.astype(np.int64), pred
    binary = y_pred.reshape(y_pred.shape[:-1]) if y_pred.ndim >= 2 else y_pred
    pred = (binary > threshold) if binary.dtype.kind == "f" else binary
    true = y_true.reshape(pred.shape)
    true = (true > 0.5) if true.dtype.kind == "f" else true
    return true.astype(np.int64), pred.astype(np.int64)


def accuracy(y_true: Array, y_pred: Array, threshold: float = 0.5) -> float:
    """The share of examples whose predicted class is the true class."""
    return float(_accuracy(y_true, y_pred, threshold))


def _accuracy(y_true: Array, y_pred: Array, threshold: float) -> Array | float:
    """`accuracy` left where the arrays are (a 0-d device array on a GPU)."""
    true, pred = _labels(y_true, y_pred, threshold)
    if true.shape != pred.shape:
        raise ValueError(
            f"accuracy: y_true shape {y_true.shape} does not fit y_pred shape {y_pred.shape}"
        )
    return (true == pred).mean() if true.size else math.nan


def confusion_matrix(
    y_true: Array, y_pred: Array, num_classes: int | None = None, threshold: float = 0.5
) -> np.ndarray:
    """Counts[i, j] of examples of true class i predicted as class j."""
    true, pred = (
        to_numpy(a).ravel() for a in _labels(to_numpy(y_true), to_numpy(y_pred), threshold)
    )
    if true.size != pred.size:
        raise ValueError(f"confusion_matrix: {true.size} true labels but {pred.size} predictions")
    seen = int(max(true.max(initial=0), pred.max(initial=0))) + 1
    classes = seen if num_classes is None else num_classes
    if classes < seen or min(true.min(initial=0), pred.min(initial=0)) < 0:
        raise ValueError(f"confusion_matrix: labels must be in [0, {classes})")
    counts = np.bincount(true * classes + pred, minlength=classes * classes)
    return counts.reshape(classes, classes)


def _ratio(num: np.ndarray | float, den: np.ndarray | float) -> Any:
    """num / den, with 0 where den is 0 (as scikit-learn's zero_division=0)."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


@overload
def precision_recall_f1(
    y_true: Array,
    y_pred: Array,
    average: Literal["binary", "macro", "micro"] = "binary",
    positive: int = 1,
) -> tuple[float, float, float]: ...
@overload
def precision_recall_f1(
    y_true: Array, y_pred: Array, average: None, positive: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...
def precision_recall_f1(
    y_true: Array,
    y_pred: Array,
    average: Literal["binary", "macro", "micro"] | None = "binary",
    positive: int = 1,
) -> tuple[Any, Any, Any]:
    """Precision, recall and F1: of class `positive` ("binary"), averaged over classes
    ("macro"), from pooled counts ("micro"), or per class as arrays (None)."""
    if average not in ("binary", "macro", "micro", None):
        raise ValueError(f"average={average!r}: use 'binary', 'macro', 'micro' or None")
    cm = confusion_matrix(y_true, y_pred)
    if average == "binary" and cm.shape[0] <= positive:
        cm = confusion_matrix(y_true, y_pred, num_classes=positive + 1)
    tp = np.diag(cm).astype(np.float64)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    if average == "micro":
        tp, predicted, actual = tp.sum(), predicted.sum(), actual.sum()
    precision, recall = _ratio(tp, predicted), _ratio(tp, actual)
    f1 = _ratio(2 * precision * recall, precision + recall)
    if average is None:
        return precision, recall, f1
    if average == "binary":
        return float(precision[positive]), float(recall[positive]), float(f1[positive])
    return float(np.mean(precision)), float(np.mean(recall)), float(np.mean(f1))


def roc_curve(y_true: Array, scores: Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(false positive rates, true positive rates, thresholds), one point per distinct score,
    from (0, 0) at threshold +inf down to (1, 1); "positive" means score >= threshold."""
    truth = to_numpy(y_true).ravel() > 0.5
    s = to_numpy(scores).astype(np.float64).ravel()
    if truth.size != s.size:
        raise ValueError(f"roc_curve: {truth.size} labels but {s.size} scores")
    positives, negatives = int(truth.sum()), int((~truth).sum())
    if positives == 0 or negatives == 0:
        raise ValueError("roc_curve needs both positive and negative examples")
    order = np.argsort(-s, kind="stable")
    s, truth = s[order], truth[order]
    last_of_each = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]
    tps = np.cumsum(truth)[last_of_each]
    fps = (last_of_each + 1) - tps
    fpr = np.r_[0.0, fps / negatives]
    tpr = np.r_[0.0, tps / positives]
    return fpr, tpr, np.r_[np.inf, s[last_of_each]]


def auc(x: Array, y: Array) -> float:
    """Area under the curve through the points (x, y), by the trapezoidal rule."""
    xs, ys = to_numpy(x).astype(np.float64), to_numpy(y).astype(np.float64)
    if xs.shape != ys.shape or xs.ndim != 1 or xs.size < 2:
        raise ValueError(
            f"auc: x and y must be 1-D of the same length >= 2, got {xs.shape}, {ys.shape}"
        )
    return float(np.sum(np.diff(xs) * (ys[1:] + ys[:-1]) / 2))


def roc_auc(y_true: Array, scores: Array) -> float:
    """Area under the ROC curve: the chance a random positive outscores a random negative."""
    fpr, tpr, _ = roc_curve(y_true, scores)
    return auc(fpr, tpr)


@dataclass(frozen=True)
class GroupRates:
    """Binary-classification rates within one group (NaN where a rate is undefined)."""

    size: int
    base_rate: float  # share truly positive
    selection_rate: float  # share predicted positive
    true_positive_rate: float
    false_positive_rate: float
    false_negative_rate: float
    true_negative_rate: float
    precision: float
    accuracy: float


def rates_by_group(
    y_true: Array, y_pred: Array, groups: Array, threshold: float = 0.5
) -> dict[Hashable, GroupRates]:
    """`GroupRates` for each distinct value of `groups` (fairness comparisons)."""
    true, pred = (
        to_numpy(a).ravel() for a in _labels(to_numpy(y_true), to_numpy(y_pred), threshold)
    )
    g = to_numpy(groups).ravel()
    if not true.size == pred.size == g.size:
        raise ValueError(
            f"rates_by_group: {true.size} labels, {pred.size} predictions, {g.size} groups"
        )

    def rate(num: int, den: int) -> float:
        return num / den if den else math.nan

    result: dict[Hashable, GroupRates] = {}
    for value in np.unique(g):
        t, p = true[g == value] == 1, pred[g == value] == 1
        tp, fp = int((t & p).sum()), int((~t & p).sum())
        fn, tn = int((t & ~p).sum()), int((~t & ~p).sum())
        n = t.size
        key = value.item() if isinstance(value, np.generic) else value
        result[key] = GroupRates(
            size=n,
            base_rate=rate(tp + fn, n),
            selection_rate=rate(tp + fp, n),
            true_positive_rate=rate(tp, tp + fn),
            false_positive_rate=rate(fp, fp + tn),
            false_negative_rate=rate(fn, tp + fn),
            true_negative_rate=rate(tn, fp + tn),
            precision=rate(tp, tp + fp),
            accuracy=rate(tp + tn, n),
        )
    return result


class Metric:
    """A named per-batch metric for `Sequential.compile`: `metric(y_true, y_pred) -> float`.

    `on_device` gives the value without copying it to the host (a 0-d array where the inputs
    are), so training copies once per epoch; a subclass defining only `__call__` still works.
    """

    name = "metric"

    def __call__(self, y_true: Array, y_pred: Array) -> float:
        return float(self.on_device(y_true, y_pred))

    def on_device(self, y_true: Array, y_pred: Array) -> Array | float:
        """The metric as a 0-d array on the inputs' device (or a Python float)."""
        if type(self).__call__ is Metric.__call__:
            raise NotImplementedError(
                f"{type(self).__name__} defines neither __call__ nor on_device"
            )
        return self(y_true, y_pred)


class Accuracy(Metric):
    """Accuracy; one-column predictions are thresholded (0.5 for probabilities, 0 for logits)."""

    name = "accuracy"

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold

    def on_device(self, y_true: Array, y_pred: Array) -> Array | float:
        return _accuracy(y_true, y_pred, self.threshold)


class MeanAbsoluteError(Metric):
    """mean(|y_pred - y_true|)."""

    name = "mae"

    def on_device(self, y_true: Array, y_pred: Array) -> Array | float:
        return abs(y_pred - y_true.reshape(y_pred.shape)).mean()


class MeanSquaredError(Metric):
    """mean((y_pred - y_true)^2)."""

    name = "mse"

    def on_device(self, y_true: Array, y_pred: Array) -> Array | float:
        diff = y_pred - y_true.reshape(y_pred.shape)
        return (diff * diff).mean()


_BY_NAME: dict[str, Callable[[], Metric]] = {
    "accuracy": Accuracy,
    "acc": Accuracy,
    "mae": MeanAbsoluteError,
    "mse": MeanSquaredError,
}


def get(name: str | Metric) -> Metric:
    """The metric called `name` ("accuracy", "mae", "mse"); Metric instances pass through."""
    if isinstance(name, Metric):
        return name
    if name not in _BY_NAME:
        raise ValueError(f"Unknown metric {name!r}; valid names: {', '.join(_BY_NAME)}")
    return _BY_NAME[name]()
