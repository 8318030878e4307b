"""Lesson 8.1 (types of errors): counts, rates, ROC area, cheapest threshold and the task,
recomputed with plain NumPy from the model's held-out scores."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lessons.ch8_ethics.error_types import model as md
from lessons.ch8_ethics.error_types import rates as rt
from lessons.ch8_ethics.error_types.lesson import RESAMPLED, ErrorTypes
from lessons.core.base import Step
from lessons.core.runner import LessonRun

THRESHOLDS = np.round(np.linspace(0.0, 1.0, 1001), 3)


def _steps(**values: object) -> list[Step]:
    run = LessonRun(ErrorTypes, dict(values), strict=True)
    assert run.error is None
    return run.steps_so_far()


def _fig(steps: list[Step], title: str) -> dict[str, float]:
    return dict(next(s for s in steps if s.title == title).figures)


def _np_counts(y: np.ndarray, p: np.ndarray, t: float) -> tuple[int, int, int, int]:
    called = p > t
    truth = y == 1
    return (
        int((called & truth).sum()),
        int((called & ~truth).sum()),
        int((~called & truth).sum()),
        int((~called & ~truth).sum()),
    )


@pytest.mark.parametrize("name", md.SCENARIOS)
def test_confusion_counts_sum_to_the_set_size_at_every_threshold(name: str) -> None:
    """At each of the slider's 1001 thresholds the four cells add up to the rows, and agree
    with a direct NumPy count (and with the engine's confusion matrix at a few of them)."""
    s = md.scenario(name)
    for part in ("val", "test"):
        y, p = s.part(part)
        sw = rt.sweep(y, p)
        assert np.all(sw.tp + sw.fp + sw.fn + sw.tn == len(y))
        for i in range(0, len(THRESHOLDS), 50):
            t = float(THRESHOLDS[i])
            expected = _np_counts(y, p, t)
            assert (sw.tp[i], sw.fp[i], sw.fn[i], sw.tn[i]) == expected
            c = rt.counts(y, p, t)
            assert (c.tp, c.fp, c.fn, c.tn) == expected


@pytest.mark.parametrize("name", md.SCENARIOS)
def test_roc_area_is_the_mann_whitney_rank_statistic(name: str) -> None:
    """The engine's trapezoid ROC area equals P(positive outscores negative) + ties / 2."""
    y, p = md.scenario(name).part("val")
    pos, neg = p[y == 1], p[y == 0]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    mann_whitney = wins / (pos.size * neg.size)
    assert rt.curves(y, p).auc == pytest.approx(mann_whitney, abs=1e-12)
    scen = {"scenario": name}
    assert _fig(_steps(**scen), "The ROC curve")["auc"] == pytest.approx(mann_whitney, abs=1e-12)


@pytest.mark.parametrize("ratio", [0.01, 0.3, 1.0, 10.0, 100.0])
def test_cheapest_threshold_matches_brute_force(ratio: float) -> None:
    """The lesson's t* has the least cost over every slider threshold (a plain loop)."""
    y, p = md.scenario(md.CANCER).part("val")
    costs = []
    for t in THRESHOLDS:
        _, fp, fn, _ = _np_counts(y, p, float(t))
        costs.append((fp + ratio * fn) / len(y))
    least = min(costs)
    figures = _fig(_steps(ratio=ratio), "What an error costs")
    bt = figures["best_threshold"]
    i = int(np.argmin(np.abs(THRESHOLDS - bt)))
    assert costs[i] == pytest.approx(least, abs=1e-12)
    assert figures["best_cost"] == pytest.approx(least, abs=1e-12)


def test_a_dearer_miss_never_raises_the_cheapest_threshold() -> None:
    """Quiz 'ratio': as r grows, t* moves down or stays."""
    y, p = md.scenario(md.CANCER).part("val")
    sw = rt.sweep(y, p)
    ratios = np.geomspace(0.01, 100, 30)
    best = [float(sw.thresholds[sw.best(r)]) for r in ratios]
    assert np.all(np.diff(best) <= 0)
    assert best[0] > best[-1]


def test_raising_the_threshold_trades_false_positives_for_false_negatives() -> None:
    """Quiz 'raise': FP never rises and FN never falls as t grows."""
    for name in md.SCENARIOS:
        sw = rt.sweep(*md.scenario(name).part("val"))
        assert np.all(np.diff(sw.fp) <= 0) and np.all(np.diff(sw.fn) >= 0)


@pytest.mark.parametrize("t", [0.0, 0.2, 0.5, 0.9, 1.0])
def test_shown_rates_are_recomputed(t: float) -> None:
    """Recall, false positive rate, precision and accuracy of step 3 from NumPy counts."""
    y, p = md.scenario(md.CANCER).part("val")
    tp, fp, fn, tn = _np_counts(y, p, t)
    f = _fig(_steps(threshold=t), "Two kinds of error")
    assert (f["tp"], f["fp"], f["fn"], f["tn"]) == (tp, fp, fn, tn)
    assert f["recall"] == pytest.approx(tp / (tp + fn))
    assert f["fpr"] == pytest.approx(fp / (fp + tn))
    assert f["accuracy"] == pytest.approx((tp + tn) / len(y))
    if tp + fp:
        assert f["precision"] == pytest.approx(tp / (tp + fp))
    else:
        assert math.isnan(f["precision"])


def test_threshold_extremes_give_sensible_text() -> None:
    """t = 1 flags nothing (precision undefined, said so); t = 0 flags everything."""
    top = _steps(threshold=1.0)
    errors = next(s for s in top if s.title == "Two kinds of error")
    assert errors.figures["fp"] == 0 and "undefined" in errors.text
    pr = next(s for s in top if s.title == "Precision and recall")
    assert "undefined" in pr.text and math.isnan(pr.figures["precision"])
    bottom = _steps(threshold=0.0)
    errors = next(s for s in bottom if s.title == "Two kinds of error")
    assert errors.figures["fn"] == 0 and "Everything is flagged" in errors.text


def test_rare_condition_step_resamples_and_compares_with_always_negative() -> None:
    """The resampled set has the chosen share; 'always negative' is right 1 - share of it."""
    for share in (0.005, 0.02, 0.5):
        f = _fig(_steps(share=share), "When the condition is rare")
        assert f["rare_positives"] == round(share * RESAMPLED)
        assert f["always_accuracy"] == pytest.approx(1 - round(share * RESAMPLED) / RESAMPLED)
    rng = np.random.default_rng(3)
    y, p = md.scenario(md.CANCER).part("val")
    ry, rp = md.resample(y, p, 0.02, 1000, rng)
    assert ry.sum() == 20 and set(np.round(rp, 12)) <= set(np.round(p, 12))


def test_task_is_done_only_at_the_fewest_false_alarms_without_a_miss() -> None:
    """The try-it step: FN = 0 with the least FP any slider threshold allows."""
    y, p = md.scenario(md.CANCER).part("val")
    lowest_positive = p[y == 1].min()
    ok = [t for t in THRESHOLDS if t < lowest_positive]
    t_goal = float(ok[-1])
    fewest = int((p[y == 0] > t_goal).sum())
    done = next(s for s in _steps(threshold=t_goal) if s.task is not None)
    assert done.task is not None and done.task.done
    assert done.figures["fewest_fp"] == fewest and done.figures["fn"] == 0
    for t in (0.0, 0.5):
        step = next(s for s in _steps(threshold=t) if s.task is not None)
        assert step.task is not None and not step.task.done


def test_braking_data_is_seeded_synthetic_and_harder() -> None:
    """Same seed, same situations; about 30 % obstacles; more overlap than the tumours."""
    x1, y1 = md.braking_data()
    x2, y2 = md.braking_data()
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert abs(y1.mean() - md.BRAKING_SHARE) < 0.05
    assert md.scenario(md.BRAKING).synthetic and not md.scenario(md.CANCER).synthetic
    auc_brake = rt.curves(*md.scenario(md.BRAKING).part("val")).auc
    auc_cancer = rt.curves(*md.scenario(md.CANCER).part("val")).auc
    assert 0.7 < auc_brake < auc_cancer


def test_model_is_trained_and_split_is_disjoint() -> None:
    """Training lowers the loss; training, validation and test rows never overlap."""
    for name in md.SCENARIOS:
        s = md.scenario(name)
        assert s.loss[-1] < 0.5 * s.loss[0]
        rows = np.concatenate([s.train, s.val, s.test])
        assert np.array_equal(np.sort(rows), np.arange(s.size))
        assert np.all((s.p >= 0) & (s.p <= 1))


def test_sigmoid_is_stable_and_matches_the_formula() -> None:
    """σ(z) without overflow at ±800, equal to 1 / (1 + e^-z) where that is finite."""
    z = np.array([-800.0, -30.0, -1.0, 0.0, 2.0, 30.0, 800.0])
    got = md.sigmoid(z)
    assert np.all(np.isfinite(got)) and got[0] == 0.0 and got[-1] == 1.0
    inner = z[1:-1]
    assert np.allclose(got[1:-1], 1 / (1 + np.exp(-inner)), rtol=1e-14, atol=0)
