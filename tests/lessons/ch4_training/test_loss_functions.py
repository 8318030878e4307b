"""Lesson 4.1 (loss functions): every shown loss is recomputed here with plain NumPy.

The numbers are read back from what the panels show (the residual segments, the bars, the
tables), then recomputed from the plotted points: squared and absolute errors, their means,
the least-squares cubic, the L1 optimum, the pulls 2r/n, binary and categorical
cross-entropy.  Verdicts in the text are checked against the figures they summarise.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.core.tensor import Tensor
from lessons.ch4_training.loss_functions import model as m
from lessons.ch4_training.loss_functions import texts as t
from lessons.ch4_training.loss_functions.lesson import LossFunctions
from lessons.core.base import BarData, MultipleChoice, PlotData, Series, Step, TableData
from lessons.core.runner import LessonRun


def _run(**values: object) -> LessonRun:
    return LessonRun(LossFunctions, values, strict=True)


@pytest.fixture(scope="module")
def default() -> LessonRun:
    """The lesson with its default controls, shared by the tests here."""
    return _run()


def _step(run: LessonRun, start: str) -> Step:
    return next(s for s in run.steps_so_far() if s.title.startswith(start))


def _series(step: Step, panel: str, name: str) -> Series:
    plot = step.data[panel]
    assert isinstance(plot, PlotData)
    return next(s for s in plot.series if s.name == name)


def _bars(step: Step) -> np.ndarray:
    bars = step.data["per"]
    assert isinstance(bars, BarData)
    return np.asarray(bars.values, dtype=np.float64)


def _table(step: Step) -> dict[str, tuple[object, ...]]:
    table = step.data["numbers"]
    assert isinstance(table, TableData)
    return {str(row[0]): row[1:] for row in table.rows}


def _segments(series: Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, start y, end y) of NaN-separated vertical segments."""
    x = np.asarray(series.x).reshape(-1, 3)
    y = np.asarray(series.y).reshape(-1, 3)
    assert np.all(np.isnan(x[:, 2])) and np.all(x[:, 0] == x[:, 1])
    return x[:, 0], y[:, 0], y[:, 1]


def _l1_fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The least-absolute-deviations cubic by iteratively reweighted least squares."""
    a = np.vander(x, 4, increasing=True)
    beta = np.linalg.lstsq(a, y, rcond=None)[0]
    for _ in range(400):
        w = 1.0 / np.maximum(np.abs(y - a @ beta), 1e-9)
        beta = np.linalg.solve(a.T @ (w[:, None] * a), a.T @ (w * y))
    return np.asarray(beta, dtype=np.float64)


def test_squared_errors_are_the_residual_segments_squared(default: LessonRun) -> None:
    """Each bar is (y − ŷ)² of the segment drawn for that point; J is their mean, and the
    engine reports the same number."""
    step = _step(default, "Square each residual")
    x, y, pred = _segments(_series(default.step_at(0), "fit", "_MSE residuals"))
    bars = _bars(step)
    np.testing.assert_allclose(bars[:-1], (y - pred) ** 2, rtol=1e-12, atol=1e-15)
    assert bars[-1] == pytest.approx(np.mean((y - pred) ** 2), rel=1e-12)
    table = _table(step)
    assert table["engine's loss"][0] == pytest.approx(np.mean((y - pred) ** 2), rel=1e-10)
    assert table["J = sum / n"][0] == pytest.approx(bars[-1], rel=1e-12)
    assert len(x) == m.N_POINTS


def test_mse_fit_is_the_least_squares_cubic(default: LessonRun) -> None:
    """The engine's gradient descent ends at NumPy's least-squares cubic (np.polyfit)."""
    points = _series(default.step_at(0), "fit", "points")
    coef = np.polyfit(points.x, points.y, 3)[::-1]  # c0..c3
    shown = default.step_at(0).figures
    np.testing.assert_allclose([shown[f"c{i}"] for i in range(4)], coef, atol=2e-4)
    assert abs(shown["mean_residual"]) < 1e-5  # least squares with a constant: Σr = 0


def test_mae_bars_and_fit_are_the_absolute_errors_at_the_l1_optimum(default: LessonRun) -> None:
    """|y − ŷ| of the MAE fit's segments; its MAE is within 1e-4 of the L1 optimum and below
    the MSE fit's MAE."""
    step = _step(default, "Mean absolute error")
    x, y, pred = _segments(_series(step, "fit", "_MAE residuals"))
    bars = _bars(step)
    np.testing.assert_allclose(bars[:-1], np.abs(y - pred), rtol=1e-12, atol=1e-15)
    best = np.mean(np.abs(y - np.vander(x, 4, increasing=True) @ _l1_fit(x, y)))
    assert bars[-1] == pytest.approx(best, abs=1e-4)
    (mse_mse, mse_mae), (mae_mse, mae_mae) = (
        tuple(float(str(v)) for v in _table(step)[loss]) for loss in ("MSE", "MAE")
    )
    assert mae_mae == pytest.approx(bars[-1], rel=1e-10)  # the engine's MAE of the MAE fit
    assert mae_mae <= mae_mse and mse_mse <= mse_mae  # each fit wins on its own loss


def test_outlier_drags_the_mse_fit_as_least_squares_says(default: LessonRun) -> None:
    """The shift at ★'s x equals that of NumPy's least-squares cubics with and without ★;
    the MAE fit moves far less, as the text and the title say."""
    step = _step(default, "One outlier")
    points = _series(step, "fit", "points")
    star = _series(step, "fit", "outlier ★")
    x_out, y_out = float(star.x[0]), float(star.y[0])
    before = np.polyval(np.polyfit(points.x, points.y, 3), x_out)
    after = np.polyval(np.polyfit(np.append(points.x, x_out), np.append(points.y, y_out), 3), x_out)
    assert step.figures["shift_mse"] == pytest.approx(after - before, abs=2e-4)
    sq = _bars(step)
    assert step.figures["star_share_mse"] == pytest.approx(100 * sq[-2] / sq[:-1].sum())
    robust = default.step_at(default.steps_so_far().index(step) + 1)
    assert abs(robust.figures["shift_mae"]) * 5 < step.figures["shift_mse"]
    assert robust.title == t.robust_title_for(
        step.figures["shift_mse"], robust.figures["shift_mae"]
    )


def test_pulls_are_2r_over_n_for_mse_and_one_over_n_for_mae(default: LessonRun) -> None:
    """The bars of the pull step are 2(y − ŷ)/n at the clean MSE fit, ★ included; MAE's are
    ±1/n."""
    step = _step(default, "Why: each example's pull")
    _, y, pred = _segments(_series(default.step_at(0), "fit", "_MSE residuals"))
    star = _series(_step(default, "One outlier"), "fit", "outlier ★")
    before = _table(_step(default, "One outlier"))["ŷ(x★) before"][0]
    assert isinstance(before, float)
    res = np.append(y - pred, float(star.y[0]) - before)
    n = len(res)
    np.testing.assert_allclose(_bars(step), 2 * res / n, rtol=1e-9, atol=1e-12)
    assert step.figures["pull_star_mae"] == pytest.approx(1 / n)


def test_mae_loss_gradient_matches_central_differences() -> None:
    """The lesson's MeanAbsoluteError: value mean|p − y| and gradient sign(p − y)/n, checked
    against central differences in float64 away from the kinks."""
    rng = np.random.default_rng(0)
    y = rng.normal(size=(6, 1))
    p0 = y + rng.choice([-1.0, 1.0], size=(6, 1)) * rng.uniform(0.1, 1.0, (6, 1))
    p = Tensor(p0, requires_grad=True, dtype="float64")
    value = m.MAE(y, p)
    value.backward()
    assert value.item() == pytest.approx(np.mean(np.abs(p0 - y)))
    h = 1e-6
    numeric = np.zeros_like(p0)
    for i in range(len(p0)):
        up, down = p0.copy(), p0.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (np.mean(np.abs(up - y)) - np.mean(np.abs(down - y))) / (2 * h)
    assert p.grad is not None
    np.testing.assert_allclose(np.asarray(p.grad), numeric, atol=1e-8)


def test_binary_cross_entropy_per_example_and_mean(default: LessonRun) -> None:
    """−[y log p + (1 − y) log(1 − p)] of each drawn example (its target and probability);
    J is their mean and equals the engine's loss from the logits."""
    first = _step(default, "Probabilities: two classes")
    x, target, p = _segments(_series(first, "fit", "_gap to the target"))
    expected = -(target * np.log(p) + (1 - target) * np.log(1 - p))
    step = _step(default, "Binary cross-entropy")
    bars = _bars(step)
    np.testing.assert_allclose(bars[:-1], expected, rtol=1e-9)
    assert bars[-1] == pytest.approx(expected.mean(), rel=1e-12)
    assert _table(step)["engine's loss"][0] == pytest.approx(expected.mean(), rel=1e-9)
    p_true = np.where(target == 1, p, 1 - p)
    np.testing.assert_allclose(_bars(first), p_true, rtol=1e-12)
    assert first.figures["mistakes"] == np.sum(p_true < 0.5)
    assert len(x) == 11


def test_categorical_cross_entropy_is_minus_log_of_the_true_class(default: LessonRun) -> None:
    """Each example's marker sits at its true class's probability; the bar is −log of it;
    J is the mean and the engine's loss; on two classes CCE equals BCE."""
    step = _step(default, "Three classes")
    p_true = np.concatenate([_series(step, "fit", f"_class {name}").y for name in ("A", "B", "C")])
    bars = _bars(step)
    np.testing.assert_allclose(np.sort(bars[:-1]), np.sort(-np.log(p_true)), rtol=1e-9)
    assert bars[-1] == pytest.approx(np.mean(-np.log(p_true)), rel=1e-12)
    table = _table(step)
    assert table["engine's loss"][0] == pytest.approx(bars[-1], rel=1e-9)
    assert table["2-class check"][0] == pytest.approx(0.0, abs=1e-12)


def test_confident_mistake_costs_most_and_the_text_names_it(default: LessonRun) -> None:
    """The table's first row is the example with the lowest p of its true class; its loss is
    the largest and the squared error of its probability stays below 1."""
    step = _step(default, "Confident mistakes")
    rows = step.data["numbers"]
    assert isinstance(rows, TableData)
    names, ps, logs, squares = zip(*rows.rows, strict=True)
    probs = _bars(_step(default, "Probabilities: two classes"))
    assert ps[0] == pytest.approx(probs.min())
    assert logs[0] == pytest.approx(-math.log(ps[0])) and logs[0] == max(logs)
    assert squares[0] == pytest.approx((1 - ps[0]) ** 2) and squares[0] < 1
    assert f"The most confident mistake is {names[0]}" in step.text
    assert step.figures["worst_loss"] > step.figures["hesitant_loss"] > step.figures["best_loss"]


def test_without_mistakes_the_text_says_so() -> None:
    """With ★ far on its own side every example is right, and the text does not claim a
    confident mistake."""
    run = _run(star=2.0)
    probs = _bars(_step(run, "Probabilities: two classes"))
    step = _step(run, "Confident mistakes")
    assert (probs.min() >= 0.5) == ("No example is on the wrong side" in step.text)
    assert ("most confident mistake" in step.text) == (probs.min() < 0.5)


@pytest.mark.slow  # three more full runs
@pytest.mark.parametrize("values", [{"outlier": 0.0}, {"outlier_x": -1.0}, {"noise": 0.0}])
def test_outlier_verdicts_follow_the_numbers(values: dict[str, float]) -> None:
    """At the control extremes the robust step's title and verdict follow the two shifts."""
    run = _run(**values)
    moved = _step(run, "One outlier").figures["shift_mse"]
    robust = run.step_at(run.steps_so_far().index(_step(run, "One outlier")) + 1)
    shift = robust.figures["shift_mae"]
    assert robust.title == t.robust_title_for(moved, shift)
    if abs(shift) < t.STILL:
        assert "stayed where it was" in robust.text
    if values.get("outlier") == 0.0:
        assert "lies on the true curve" in _step(run, "One outlier").text
    if values.get("noise") == 0.0:
        assert "without noise" in run.step_at(0).text


def test_quiz_answers_agree_with_the_lesson() -> None:
    """The outlier question's answer is what the default run shows; the numeric answers are
    the loss formulas of the lesson."""
    quiz = {q.id: q for q in LossFunctions.quiz}
    assert quiz["mse"].check(f"{(1 + 4 + 9) / 3:.2f}").correct
    assert quiz["mean"].check("0.5").correct
    outlier = quiz["outlier"]
    assert isinstance(outlier, MultipleChoice) and outlier.options[outlier.answer] == "The MSE fit"
    confident = quiz["confident"]
    assert isinstance(confident, MultipleChoice)
    ps = [float(o.split("= ")[1]) for o in confident.options]
    assert int(np.argmax(-np.log(ps))) == confident.answer


def test_cached_results_are_read_only() -> None:
    """Runs share cached fits, so nothing may change their arrays."""
    r = m.regression(0.3, 2.5, -0.3, 1, 2)
    with pytest.raises(ValueError):
        r.sq[0] = 1.0
    with pytest.raises(ValueError):
        r.mse.grid[0] = 1.0


def test_a_farther_outlier_drags_mse_proportionally_and_mae_not_at_all() -> None:
    """Twice as far from the curve: the MSE fit goes the same fraction of the way (least
    squares is linear in the targets), the MAE fit stays where it was (only the sign of ★'s
    residual counts), as the notes of the outlier steps say."""
    fractions, mae_shifts = [], []
    for size in (2.0, 4.0):
        run = _run(outlier=size)
        step = _step(run, "One outlier")
        star = _series(step, "fit", "outlier ★")
        before = _table(step)["ŷ(x★) before"][0]
        assert isinstance(before, float)
        fractions.append(step.figures["shift_mse"] / (float(star.y[0]) - before))
        mae_shifts.append(run.step_at(run.steps_so_far().index(step) + 1).figures["shift_mae"])
    assert fractions[0] == pytest.approx(fractions[1], abs=1e-4)
    assert mae_shifts[0] == pytest.approx(mae_shifts[1], abs=1e-3)
