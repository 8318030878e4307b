"""Lesson 4.5: curvature, speed limit, paths, step counts and scaling, checked with plain NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.ch4_training.feature_scaling import model as m
from lessons.ch4_training.feature_scaling import runs as r
from lessons.ch4_training.feature_scaling.lesson import FeatureScaling
from lessons.core.base import PlotData, Step, TableData
from lessons.core.runner import LessonRun
from lessons.markup.mathtext import check_markup

SETTINGS = [(10.0, 0.3), (1.0, 0.0), (30.0, 0.95), (3.0, 0.6)]


@pytest.fixture(scope="module")
def walk() -> list[Step]:
    """The lesson with its default controls, every step."""
    return LessonRun(FeatureScaling, strict=True).steps_so_far()


@pytest.fixture(scope="module")
def default() -> r.Experiment:
    """The experiment behind the default walk (the same seed the lesson draws)."""
    seed = int(np.random.default_rng(FeatureScaling.seed).integers(2**31))
    return r.experiment(10.0, 0.3, 0.005, seed)


ORDER = ("data", "bowls", "limit", "best", "learner", "same", "batch", "summary")


def _step(steps: list[Step], name: str) -> Step:
    """A step by its place in the lesson (titles change with the controls)."""
    assert len(steps) == len(ORDER)
    return steps[ORDER.index(name)]


def _gd(x: np.ndarray, y: np.ndarray, rate: float, steps: int) -> np.ndarray:
    """Plain NumPy full-batch gradient descent on the mean squared error from w = 0."""
    w = np.zeros(2)
    path = [w]
    for _ in range(steps):
        w = w - rate * (2.0 / len(y)) * x.T @ (x @ w - y)
        path.append(w)
    return np.array(path)


def _mse(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.mean((x @ np.atleast_2d(w).T - y[:, None]) ** 2, axis=0)
    return out


@pytest.mark.parametrize(("scale", "rho"), SETTINGS)
def test_hessian_eigenvalues_and_condition_number_match_numpy(scale: float, rho: float) -> None:
    """H from the engine's gradients is 2·XᵀX/n; its eigenvalues and κ agree with np.linalg."""
    d = m.make_data(scale, rho, 7)
    for x in (d.x_train, d.z_train):
        b = m.bowl("case", x, d.y_train)
        gram = x.T @ x / len(x)
        np.testing.assert_allclose(b.hessian, 2 * gram, rtol=1e-9, atol=1e-12)
        lam = np.sort(np.linalg.eigvals(gram).real)[::-1] * 2
        np.testing.assert_allclose(b.eigenvalues, lam, rtol=1e-9)
        assert b.kappa == pytest.approx(np.linalg.cond(gram), rel=1e-8)
        assert b.eta_max == pytest.approx(1.0 / lam[0] * 2, rel=1e-12)
        assert b.eta_best == pytest.approx(2.0 / lam.sum(), rel=1e-12)
        w_star = np.linalg.lstsq(x, d.y_train, rcond=None)[0]
        np.testing.assert_allclose(b.best_w, w_star, rtol=1e-8, atol=1e-10)
        assert b.lowest == pytest.approx(float(_mse(x, d.y_train, w_star)[0]), rel=1e-10)
    assert m.bowl("z", d.z_train, d.y_train).kappa == pytest.approx(
        (1 + abs(np.corrcoef(d.x_train.T)[0, 1])) / (1 - abs(np.corrcoef(d.x_train.T)[0, 1])),
        rel=1e-8,
    )


@pytest.mark.parametrize("w", [(0.0, 0.0), (1.3, -0.2), (-2.0, 0.7)])
def test_engine_gradient_equals_central_differences(w: tuple[float, float]) -> None:
    """The engine's gradient of the MSE matches central differences of its loss in float64."""
    d = m.make_data(10.0, 0.3, 3)
    h = 1e-6
    grad = m.gradient(d.x_train, d.y_train, np.array(w))
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        plus = m.loss_of(d.x_train, d.y_train, np.array(w) + e)
        minus = m.loss_of(d.x_train, d.y_train, np.array(w) - e)
        assert grad[j] == pytest.approx((plus - minus) / (2 * h), rel=1e-6, abs=1e-7)


def test_standardised_training_features_have_mean_0_and_variance_1() -> None:
    """The scaler's m and s are the training set's; z has mean 0, variance 1 there, and the
    validation points use the same m and s (so their mean and variance are not exactly 0, 1)."""
    d = m.make_data(10.0, 0.3, 11)
    np.testing.assert_allclose(d.mean, d.x_train.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(d.std, d.x_train.std(axis=0), rtol=1e-12)
    np.testing.assert_allclose(d.z_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(d.z_train.var(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(d.z_val, (d.x_val - d.mean) / d.std, rtol=1e-12)
    assert np.all(np.abs(d.z_val.mean(axis=0)) > 1e-6)
    # the scale control changes x₂'s unit only: the standardised points stay the same
    np.testing.assert_allclose(m.make_data(3.0, 0.3, 11).z_train, d.z_train, rtol=1e-10)


def test_every_path_equals_numpy_gradient_descent(default: r.Experiment) -> None:
    """Best-rate, near-limit and learner runs: the engine's weights and losses at every step
    are NumPy's full-batch gradient descent from w = 0 with the same rate."""
    e = default
    for case, x in ((e.raw, e.data.x_train), (e.std, e.data.z_train)):
        for run in (case.best, case.below, case.above):
            ref = _gd(x, e.data.y_train, run.rate, run.steps)
            np.testing.assert_allclose(run.weights, ref, rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(run.losses, _mse(x, e.data.y_train, ref), rtol=1e-9)
    ref = _gd(e.data.x_train, e.data.y_train, e.learner.rate, e.learner.steps)
    np.testing.assert_allclose(e.learner.weights, ref, rtol=1e-9, atol=1e-12)


def test_speed_limit_is_2_over_lambda_max_by_the_runs(default: r.Experiment) -> None:
    """2 % below 2/λ_max the loss falls at every step; 2 % above it ends far above its start."""
    for case in (default.raw, default.std):
        assert np.all(np.diff(case.below.excess) < 0)
        assert not case.below.diverged
        assert case.above.diverged and case.above.excess[-1] > 100 * case.above.excess[0]
        assert case.above.rate == pytest.approx(1.02 * 2 / case.bowl.lam_max)


def test_steps_to_converge_are_counted_from_the_runs(default: r.Experiment) -> None:
    """The step count is the first step within 0.1 % of the lowest loss, from NumPy's losses;
    the standardised model needs far fewer steps at its best rate."""
    e = default
    counts = []
    for case, x in ((e.raw, e.data.x_train), (e.std, e.data.z_train)):
        ref = _mse(x, e.data.y_train, _gd(x, e.data.y_train, case.bowl.eta_best, 3000))
        lowest = float(_mse(x, e.data.y_train, np.linalg.lstsq(x, e.data.y_train)[0])[0])
        first = int(np.flatnonzero(ref - lowest <= 1e-3 * lowest)[0])
        assert case.steps_to_tol == first
        counts.append(first)
    assert counts[0] > 20 * counts[1]


def test_weights_mapped_back_are_the_same_model(default: r.Experiment, walk: list[Step]) -> None:
    """v*/s is w* (the same least-squares model); the runs' validation predictions agree."""
    e = default
    np.testing.assert_allclose(e.mapped_back(), e.raw.bowl.best_w, rtol=1e-10)
    offset = m.to_original_units(e.std.bowl.best_w, e.data)[1]
    assert abs(offset) < 1e-12
    step = _step(walk, "same")
    table = step.data["numbers"]
    assert isinstance(table, TableData)
    shown = {row[0]: row for row in table.rows}
    back = shown["v* / s"]
    np.testing.assert_allclose(back[1:3], e.raw.bowl.best_w, rtol=1e-10)
    val = float(_mse(e.data.x_val, e.data.y_val, e.raw.bowl.best_w)[0])
    assert back[3] == pytest.approx(val, rel=1e-10)
    gap = np.max(
        np.abs(e.data.x_val @ e.raw.best.weights[-1] - e.data.z_val @ e.std.best.weights[-1])
    )
    assert step.figures["prediction_gap"] == pytest.approx(gap)


def test_shown_tables_hold_numpy_numbers(default: r.Experiment, walk: list[Step]) -> None:
    """The bowl table's κ and the best-rate table's step counts are the recomputed ones."""
    e = default
    bowls = _step(walk, "bowls").data["numbers"]
    assert isinstance(bowls, TableData)
    kappa = next(row for row in bowls.rows if str(row[0]).startswith("κ"))
    for value, x in zip(kappa[1:], (e.data.x_train, e.data.z_train), strict=True):
        assert value == pytest.approx(np.linalg.cond(x.T @ x), rel=1e-8)
    best = _step(walk, "best").data["numbers"]
    assert isinstance(best, TableData)
    assert best.rows[-1][1:] == (e.raw.steps_to_tol, e.std.steps_to_tol)
    data = _step(walk, "data").data["numbers"]
    assert isinstance(data, TableData)
    for row, j in zip(data.rows, range(2), strict=True):
        assert row[2] == pytest.approx(e.data.x_train[:, j].std())
        assert row[3] == 0.0 and row[4] == pytest.approx(1.0)


def test_loss_map_is_the_numpy_loss(default: r.Experiment, walk: list[Step]) -> None:
    """The map's image is log10(loss − lowest) of the training MSE on its grid."""
    plot = _step(walk, "bowls").data["raw"]
    assert isinstance(plot, PlotData) and plot.image is not None and plot.image_rect
    x0, y0, width, height = plot.image_rect
    n = plot.image.shape[0]
    cell = width / n
    for i, j in ((0, 0), (n // 2, n // 3), (n - 1, n - 1)):
        w = np.array([x0 + (j + 0.5) * cell, y0 + (i + 0.5) * height / n])
        excess = (
            float(_mse(default.data.x_train, default.data.y_train, w)[0]) - default.raw.bowl.lowest
        )
        assert plot.image[i, j] == pytest.approx(np.log10(excess), abs=1e-6)


def test_new_batch_uses_the_training_statistics(default: r.Experiment) -> None:
    """Scaled with the training m and s, the batch keeps its large x₂; with its own statistics
    it is centred and the model's error on it is far larger (both MSEs recomputed)."""
    b, d, v = default.batch, default.data, default.std.bowl.best_w
    np.testing.assert_allclose(b.z_train_stats, (b.x - d.mean) / d.std, rtol=1e-12)
    own = (b.x - b.x.mean(axis=0)) / b.x.std(axis=0)
    np.testing.assert_allclose(b.z_own_stats, own, rtol=1e-10, atol=1e-12)
    assert b.mse_train_stats == pytest.approx(float(_mse(b.z_train_stats, b.y, v)[0]))
    assert b.mse_own_stats == pytest.approx(float(_mse(own, b.y, v)[0]))
    assert b.z_train_stats[:, 1].mean() > 1.0 and b.mse_own_stats > 5 * b.mse_train_stats


def test_task_is_done_just_below_the_limit_only(walk: list[Step]) -> None:
    """98 % of 2/λ_max completes the task; 101 % diverges (the loss rises); 50 % is too far."""
    limit = _step(walk, "limit").figures["eta_max_raw"]
    for fraction, done, verdicts in (
        (0.98, True, ("converged", "falling")),
        (1.01, False, ("rising", "diverged")),
        (0.5, False, ("converged", "falling")),
    ):
        run = LessonRun(FeatureScaling, {"rate": fraction * limit}, strict=True)
        assert run.task_result is not None and run.task_result.done is done
        step = _step(run.steps_so_far(), "learner")
        table = step.data["numbers"]
        assert isinstance(table, TableData)
        assert dict((row[0], row[1]) for row in table.rows)["verdict"] in verdicts


def test_a_huge_rate_diverges_cleanly() -> None:
    """η = 1 on the unscaled features: the run stops, says it diverged, every figure finite."""
    run = LessonRun(FeatureScaling, {"rate": 1.0, "scale": 30.0}, strict=True)
    steps = run.steps_so_far()
    assert run.error is None
    assert "diverged" in _step(steps, "learner").text
    assert all(np.isfinite(v) for s in steps for v in s.figures.values())


def test_texts_follow_the_numbers_at_the_extremes() -> None:
    """Equal spreads: 'changes little', no 'stretched' title; strong correlation: it still
    stretches the bowl, and the unscaled run is reported as not converging within the cap."""
    same = LessonRun(FeatureScaling, {"scale": 1.0, "rho": 0.0}, strict=True).steps_so_far()
    for step in same:
        check_markup(step.notes)  # the speaker notes are valid markup too
    assert "changes little" in _step(same, "bowls").text
    assert "about equally" in _step(same, "data").text
    assert "alike" in _step(same, "best").text
    assert "stretched" not in _step(same, "bowls").title
    tight = LessonRun(FeatureScaling, {"rho": 0.95}, strict=True).steps_so_far()
    assert "not the correlation" in _step(tight, "bowls").text
    assert f"more than {r.BEST_CAP} steps" in _step(tight, "best").text
    assert "has not come within" in _step(tight, "same").text


def test_quiz_answers_agree_with_the_lesson(walk: list[Step]) -> None:
    """κ = (1 + r)/(1 − r) for standardised features; η_max falls about 100× from spread 3 to
    30 in the summary's own table."""
    r_ = 0.5
    gram = np.array([[1.0, r_], [r_, 1.0]])
    answer = next(q for q in FeatureScaling.quiz if q.id == "kappa")
    assert answer.check(np.linalg.cond(gram)).correct
    rows = _step(walk, "summary").data["numbers"]
    assert isinstance(rows, TableData)
    eta = {row[0]: row[2] for row in rows.rows}
    assert 50 < eta[3.0] / eta[30.0] < 200
    assert len({round(row[3], 9) for row in rows.rows}) == 1  # standardised κ: the same for all
