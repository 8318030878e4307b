"""Tests for engine.metrics: accuracy, confusion matrix, precision/recall/F1, ROC/AUC, groups."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.analysis import metrics

pytestmark = pytest.mark.usefixtures("backend")


def test_accuracy_reads_labels_probabilities_and_one_hot() -> None:
    """Accuracy works for class scores (argmax), one-hot targets and thresholded columns."""
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert metrics.accuracy(np.array([1, 0, 0]), scores) == pytest.approx(2 / 3)
    assert metrics.accuracy(np.eye(2)[[1, 0, 0]], scores) == pytest.approx(2 / 3)
    column = np.array([[0.2], [0.6], [0.51]])
    assert metrics.accuracy(np.array([0, 1, 0]), column) == pytest.approx(2 / 3)
    assert metrics.accuracy(np.array([0, 1, 0]), column, threshold=0.55) == 1.0


def test_confusion_matrix_counts_true_rows_predicted_columns() -> None:
    """cm[i, j] counts true class i predicted as j."""
    cm = metrics.confusion_matrix(np.array([0, 0, 1, 2, 2]), np.array([0, 1, 1, 2, 0]))
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 1]])
    assert metrics.confusion_matrix(np.array([0]), np.array([0]), num_classes=3).shape == (3, 3)
    with pytest.raises(ValueError, match="labels must be in"):
        metrics.confusion_matrix(np.array([0, 3]), np.array([0, 1]), num_classes=2)


def test_precision_recall_f1_by_hand() -> None:
    """tp=2, fp=1, fn=2: precision 2/3, recall 1/2, F1 4/7; macro and per-class forms."""
    y_true = np.array([1, 1, 1, 1, 0, 0])
    y_pred = np.array([1, 1, 0, 0, 1, 0])
    p, r, f = metrics.precision_recall_f1(y_true, y_pred)
    assert (p, r, f) == pytest.approx((2 / 3, 1 / 2, 4 / 7))
    per_p, per_r, _ = metrics.precision_recall_f1(y_true, y_pred, average=None)
    np.testing.assert_allclose(per_p, [1 / 3, 2 / 3])
    np.testing.assert_allclose(per_r, [1 / 2, 1 / 2])
    macro = metrics.precision_recall_f1(y_true, y_pred, average="macro")
    assert macro[0] == pytest.approx(0.5)
    micro = metrics.precision_recall_f1(y_true, y_pred, average="micro")
    assert micro == pytest.approx((0.5, 0.5, 0.5))


def test_precision_is_zero_when_nothing_is_predicted_positive() -> None:
    """No positive predictions gives precision 0 (no division warning)."""
    assert metrics.precision_recall_f1(np.array([1, 0]), np.array([0, 0])) == (0.0, 0.0, 0.0)


def test_roc_curve_and_auc_by_hand() -> None:
    """Scores 0.9(+) 0.8(-) 0.7(+) 0.1(-): the ROC points and AUC = 3/4 by pair counting."""
    y = np.array([1, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.7, 0.1])
    fpr, tpr, thresholds = metrics.roc_curve(y, s)
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 0.5, 1, 1])
    assert thresholds[0] == np.inf and list(thresholds[1:]) == [0.9, 0.8, 0.7, 0.1]
    assert metrics.roc_auc(y, s) == pytest.approx(0.75)
    assert metrics.auc(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == pytest.approx(0.5)


def test_roc_auc_equals_the_rank_probability(rng: np.random.Generator) -> None:
    """AUC is the chance a random positive outscores a random negative (ties count half)."""
    y = rng.integers(0, 2, 200)
    s = np.round(rng.random(200) + 0.3 * y, 1)
    pos, neg = s[y == 1], s[y == 0]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert metrics.roc_auc(y, s) == pytest.approx(pairs)


def test_roc_needs_both_classes() -> None:
    """An ROC curve of one class only is a ValueError."""
    with pytest.raises(ValueError, match="both"):
        metrics.roc_curve(np.array([1, 1]), np.array([0.2, 0.3]))


def test_rates_by_group() -> None:
    """Selection rate, TPR and FPR are computed within each group."""
    y_true = np.array([1, 1, 0, 0, 1, 0, 0, 0])
    y_pred = np.array([1, 0, 1, 0, 1, 1, 1, 0])
    groups = np.array(["a", "a", "a", "a", "b", "b", "b", "b"])
    rates = metrics.rates_by_group(y_true, y_pred, groups)
    a, b = rates["a"], rates["b"]
    assert (a.size, a.selection_rate, a.true_positive_rate, a.false_positive_rate) == (
        4,
        0.5,
        0.5,
        0.5,
    )
    assert (b.selection_rate, b.true_positive_rate, b.false_positive_rate) == pytest.approx(
        (0.75, 1.0, 2 / 3)
    )
    assert a.accuracy == 0.5 and b.base_rate == 0.25
    only_negatives = metrics.rates_by_group(np.array([0]), np.array([0]), np.array([1]))[1]
    assert math.isnan(only_negatives.true_positive_rate)


def test_metric_objects_for_compile() -> None:
    """get() returns named metric callables; unknown names list the valid ones."""
    acc = metrics.get("accuracy")
    assert acc.name == "accuracy" and acc(np.array([1, 0]), np.array([[0.9], [0.4]])) == 1.0
    assert metrics.get("mae")(np.array([1.0, 3.0]), np.array([2.0, 3.0])) == 0.5
    with pytest.raises(ValueError, match="valid names"):
        metrics.get("top5")
