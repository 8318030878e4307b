"""Lesson 4.2 (learning rate): the sweep, its regions, divergence and the range test, recomputed.

The sweep's numbers are recomputed by training loops written here against the engine's
``Sequential`` (not the lesson's ``train``), one epoch of SGD is recomputed in plain NumPy, and
every verdict (regions, the range test's stop and suggestions, the quiz) is checked against its
stated rule on the lesson's own numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.core.events import DivergenceError
from engine.data.synthetic.sets import make_regression
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.losses import MeanSquaredError
from engine.nn.optimizers import SGD
from lessons.ch4_training.learning_rate import model as lm
from lessons.ch4_training.learning_rate import quiz
from lessons.ch4_training.learning_rate import rangetest as rt
from lessons.ch4_training.learning_rate.lesson import LearningRate
from lessons.core.base import MultipleChoice, PlotData, Step, TableData
from lessons.core.runner import LessonRun

EPOCHS = 40  # the default budget


def _finish(values: dict[str, object] | None = None) -> LessonRun:
    run = LessonRun(LearningRate, values or {}, strict=True)
    while run.next():
        pass
    return run


@pytest.fixture(scope="module")
def finished() -> LessonRun:
    """The whole lesson at its default controls, shared by the tests here."""
    return _finish()


@pytest.fixture(scope="module")
def problem() -> lm.Problem:
    rng = np.random.default_rng(LearningRate.seed)
    data_seed, model_seed = (int(s) for s in rng.integers(2**31, size=2))
    return lm.make_problem(data_seed, model_seed)


@pytest.fixture(scope="module")
def finder(problem: lm.Problem) -> rt.RangeTest:
    return rt.range_test(problem)


def _step(run: LessonRun, title: str) -> Step:
    return next(s for s in run.steps_so_far() if s.title.startswith(title))


def _sweep_finals(run: LessonRun) -> list[float]:
    """The final losses the lesson shows, in sweep order (step figures final_1 .. final_15)."""
    figures: dict[str, float] = {}
    for step in run.steps_so_far():
        figures.update(step.figures)
    return [figures[f"final_{k}"] for k in range(1, len(lm.SWEEP) + 1)]


# ---- an independent training loop on the engine --------------------------------------------


def _independent(rate: float, epochs: int = EPOCHS) -> tuple[list[float], bool]:
    """Validation loss after each epoch, written from the lesson's description only."""
    rng = np.random.default_rng(LearningRate.seed)
    data_seed, model_seed = (int(s) for s in rng.integers(2**31, size=2))
    data = make_regression("sine", 200, noise=0.1, test_fraction=0.3, seed=data_seed)
    mean, std = float(np.mean(data.x_train)), float(np.std(data.x_train))
    x = ((data.x_train - mean) / std).astype(np.float32)
    xv = ((data.x_test - mean) / std).astype(np.float32)
    net = Sequential([Input((1,)), Dense(16, activation="tanh"), Dense(1)], seed=model_seed)
    net.compile(optimizer=SGD(rate), loss=MeanSquaredError())
    shuffle = np.random.default_rng([model_seed, 7])
    val = []
    for _ in range(epochs):
        order = shuffle.permutation(len(x))
        try:
            for i in range(0, len(x), 10):
                net.train_on_batch(x[order[i : i + 10]], data.y_train[order[i : i + 10]])
        except DivergenceError:
            return val, True
        with np.errstate(over="ignore", invalid="ignore"):
            val.append(float(net.evaluate(xv, data.y_test)["loss"]))
    return val, False


@pytest.mark.parametrize("index", [0, 8, 12])  # too small, the best, diverged
def test_sweep_final_losses_equal_independent_engine_runs(finished: LessonRun, index: int) -> None:
    """A swept rate's shown final loss is the mean validation loss of the last quarter of an
    independent run at that rate (NaN where that run diverges)."""
    shown = _sweep_finals(finished)[index]
    val, diverged = _independent(lm.SWEEP[index])
    if diverged:
        assert math.isnan(shown)
    else:
        assert shown == pytest.approx(np.mean(val[-EPOCHS // 4 :]), rel=1e-6)


def test_sweep_plot_shows_the_same_finals_on_a_log_axis(finished: LessonRun) -> None:
    """The plot of the last sweep step draws log10(rate) against the shown final losses."""
    step = _step(finished, f"The sweep: rates 13–15 of {len(lm.SWEEP)}")
    plot = step.data["rates"]
    assert isinstance(plot, PlotData)
    line = next(s for s in plot.series if s.name == "final validation loss")
    assert line.style == "dash"  # validation losses are dashed
    np.testing.assert_allclose(line.x, np.log10(lm.SWEEP))
    np.testing.assert_allclose(line.y, _sweep_finals(finished), equal_nan=True)
    ratios = np.diff(np.log10(lm.SWEEP))
    np.testing.assert_allclose(ratios, ratios[0])  # evenly spaced on the log scale


# ---- one epoch of SGD in plain NumPy -----------------------------------------------------------


def _numpy_loss_and_grads(
    w: list[np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    """MSE of the 1-16-1 tanh network and its gradients, by hand (float64)."""
    k1, b1, k2, b2 = w
    h = np.tanh(x @ k1 + b1)
    out = h @ k2 + b2
    diff = out - y
    loss = float(np.mean(diff**2))
    d_out = 2.0 * diff / len(x)
    d_h = (d_out @ k2.T) * (1.0 - h**2)
    return loss, [x.T @ d_h, d_h.sum(0), h.T @ d_out, d_out.sum(0)]


def test_numpy_gradients_match_central_differences(problem: lm.Problem) -> None:
    """The hand-written reference backpropagation agrees with central differences (float64)."""
    w = [a.astype(np.float64) for a in problem.model(SGD(0.1)).get_weights()]
    x = problem.inputs(problem.x_train[:10]).astype(np.float64)
    y = problem.y_train[:10].astype(np.float64)
    _, grads = _numpy_loss_and_grads(w, x, y)
    h = 1e-6
    for p, g in zip(w, grads, strict=True):
        for idx in list(np.ndindex(p.shape))[:6]:
            old = p[idx]
            p[idx] = old + h
            up = _numpy_loss_and_grads(w, x, y)[0]
            p[idx] = old - h
            down = _numpy_loss_and_grads(w, x, y)[0]
            p[idx] = old
            assert g[idx] == pytest.approx((up - down) / (2 * h), abs=1e-8)


def test_one_epoch_recomputed_in_numpy(problem: lm.Problem) -> None:
    """Plain NumPy SGD from the same initial weights and batches gives the lesson's losses."""
    rate = 0.1
    run = lm.train(problem, rate, 1)
    w = [a.astype(np.float64) for a in problem.model(SGD(rate)).get_weights()]
    x = problem.inputs(problem.x_train).astype(np.float64)
    y = problem.y_train.astype(np.float64)
    order = np.random.default_rng([problem.model_seed, 7]).permutation(len(x))
    start = _numpy_loss_and_grads(
        w, problem.inputs(problem.x_val).astype(np.float64), problem.y_val.astype(np.float64)
    )[0]
    for i in range(0, len(x), lm.BATCH):
        rows = order[i : i + lm.BATCH]
        _, grads = _numpy_loss_and_grads(w, x[rows], y[rows])
        w = [p - rate * g for p, g in zip(w, grads, strict=True)]
    xv = problem.inputs(problem.x_val).astype(np.float64)
    after = _numpy_loss_and_grads(w, xv, problem.y_val.astype(np.float64))[0]
    assert run.val[0] == pytest.approx(start, rel=1e-5)
    assert run.val[1] == pytest.approx(after, rel=1e-4)


# ---- regions ---------------------------------------------------------------------------------


def _made_up(rate: float, final: float, start: float = 1.0, diverged: bool = False) -> lm.Run:
    val = (start, *([final] * 4)) if not diverged else (start,)
    stop = lm.Stop(1, 3, math.inf) if diverged else None
    return lm.Run(rate, 4, val, val, stop, None, 4)


def test_region_rule_on_made_up_runs() -> None:
    """Best 0.1 at rate 0.1: within 1.5x is good, above 4x the start or inf is diverged, the
    rest too small or too big by side of the best rate."""
    runs = [
        _made_up(0.001, 0.9),
        _made_up(0.01, 0.16),
        _made_up(0.03, 0.14),
        _made_up(0.1, 0.1),
        _made_up(0.3, 0.2),
        _made_up(1.0, 4.5),
        _made_up(3.0, math.nan, diverged=True),
    ]
    verdict = lm.regions(runs)
    assert verdict.labels == (
        "too small",
        "too small",
        "good",
        "good",
        "too big",
        "diverged",
        "diverged",
    )
    assert verdict.best == 3 and verdict.good_limit == pytest.approx(0.15)
    assert lm.classify(_made_up(0.05, 0.149), verdict) == "good"
    assert lm.classify(_made_up(0.002, 0.5), verdict) == "too small"
    assert lm.classify(_made_up(0.5, 0.5), verdict) == "too big"


def test_region_labels_of_the_sweep_follow_the_rule(finished: LessonRun) -> None:
    """The lesson's regions table is the rule applied to the shown final losses."""
    finals = _sweep_finals(finished)
    start = _step(finished, "Your rate").figures["start"]
    finite = [f for f in finals if math.isfinite(f) and f <= lm.STOP_FACTOR * start]
    best = min(finite)
    best_rate = lm.SWEEP[finals.index(best)]
    expected = []
    for rate, final in zip(lm.SWEEP, finals, strict=True):
        if not (math.isfinite(final) and final <= lm.STOP_FACTOR * start):
            expected.append("diverged")
        elif final <= lm.GOOD_FACTOR * best:
            expected.append("good")
        else:
            expected.append("too small" if rate < best_rate else "too big")
    step = _step(finished, "Four regions")
    assert step.figures["best_rate"] == pytest.approx(best_rate)
    table = step.data["numbers"]
    assert isinstance(table, TableData)
    counts = {row[0]: int(row[3]) for row in table.rows}
    assert counts == {r: expected.count(r) for r in lm.REGIONS}
    assert all(counts[r] > 0 for r in lm.REGIONS)  # the default run shows all four regions
    good = [rate for rate, label in zip(lm.SWEEP, expected, strict=True) if label == "good"]
    assert f"η from {min(good):.2g} to {max(good):.2g}" in step.text


# ---- divergence ---------------------------------------------------------------------------


def test_a_huge_rate_diverges_cleanly_and_says_so() -> None:
    """At the slider's maximum the run stops on ∞, the text says so and the task is not done."""
    run = LessonRun(LearningRate, {"rate": 10.0}, strict=True)
    step = run.current
    assert math.isnan(step.figures["final"]) and "∞" in step.text
    assert step.task is not None and not step.task.done


def test_the_engine_refuses_the_diverging_update(problem: lm.Problem) -> None:
    """The blow-up trace ends on the first non-finite loss; the weights stay finite."""
    trace = lm.blow_up(problem, 1.0)
    assert trace.stopped and not math.isfinite(trace.batch_loss[-1])
    assert all(math.isfinite(v) for v in trace.batch_loss[:-1])
    net = problem.model(SGD(1.0))
    x = problem.inputs(problem.x_train)
    with pytest.raises(DivergenceError):
        for _ in range(10):
            for i in range(0, len(x), lm.BATCH):
                net.train_on_batch(x[i : i + lm.BATCH], problem.y_train[i : i + lm.BATCH])
    assert all(np.all(np.isfinite(w)) for w in net.get_weights())


# ---- the range test ---------------------------------------------------------------------------


def test_range_test_grows_the_rate_geometrically_and_stops_at_the_blow_up(
    finder: rt.RangeTest,
) -> None:
    """Rates: START * factor**i with factor**(N-1) = END/START; the average is fastai's
    debiased moving average; the test stops at the first average above 4x its lowest."""
    test = finder
    rates = np.asarray(test.rates)
    assert rates[0] == pytest.approx(rt.START_RATE)
    np.testing.assert_allclose(rates[1:] / rates[:-1], test.factor, rtol=1e-12)
    assert test.factor ** (rt.FINDER_BATCHES - 1) == pytest.approx(rt.END_RATE / rt.START_RATE)
    average, expected = 0.0, []
    for i, value in enumerate(test.loss):
        average = rt.SMOOTHING * average + (1 - rt.SMOOTHING) * value
        expected.append(average / (1 - rt.SMOOTHING ** (i + 1)))
    np.testing.assert_allclose(test.smooth, expected, rtol=1e-12)
    fired = [
        i
        for i in range(len(expected))
        if not math.isfinite(test.loss[i]) or expected[i] > 4 * min(expected[: i + 1])
    ]
    assert test.reason in ("blow-up", "not finite")
    assert fired == [test.batches - 1]  # it fires at the last update, never before


def test_range_test_suggestions_are_read_off_its_curve(finder: rt.RangeTest) -> None:
    """Lowest point of the average; a tenth of it; the steepest fall per log rate before it."""
    test = finder
    p = test.picks
    smooth = np.asarray(test.smooth)
    assert p.lowest == int(np.argmin(smooth))
    assert p.tenth == pytest.approx(test.rates[p.lowest] / 10)
    slopes = np.diff(smooth[: p.lowest + 1]) / np.diff(np.log(test.rates[: p.lowest + 1]))
    assert p.steepest == int(np.argmin(slopes))


# ---- the check --------------------------------------------------------------------------------


def test_quiz_answers_agree_with_the_lesson(finished: LessonRun) -> None:
    """Best rate, stalled small rates and the one suggestion in the good region."""
    finals = _sweep_finals(finished)
    start = _step(finished, "Your rate").figures["start"]
    best_rate = _step(finished, "Four regions").figures["best_rate"]
    assert round(best_rate, 2) == quiz.BEST_RATE
    for final in finals[:3]:  # the smallest rates: near the untrained loss, no divergence
        assert math.isfinite(final) and abs(final - start) < 0.15 * start
    table = _step(finished, "The range test against the sweep").data["numbers"]
    assert isinstance(table, TableData)
    regions = {row[0]: row[3] for row in table.rows}
    assert regions == {"lowest ÷ 10": "good", "steepest": "too big", "lowest": "too big"}
    tenth = next(q for q in quiz.QUIZ if q.id == "tenth")
    assert isinstance(tenth, MultipleChoice) and "tenth" in tenth.options[tenth.answer].lower()


def test_task_is_done_exactly_when_the_final_loss_is_low_enough() -> None:
    """The default rate does not pass; a rate in the good region does; other budgets do not."""
    default = LessonRun(LearningRate, strict=True).current
    good = LessonRun(LearningRate, {"rate": 0.16}, strict=True).current
    short = LessonRun(LearningRate, {"rate": 0.16, "epochs": 20}, strict=True).current
    assert default.task is not None and not default.task.done
    assert good.task is not None and good.task.done
    assert good.figures["final"] < quiz.TASK_LOSS
    assert short.task is not None and not short.task.done and "40" in short.task.message


def test_your_run_draws_training_solid_and_validation_dashed(finished: LessonRun) -> None:
    """The course convention, in the legend of the learner's loss curves."""
    curves = finished.step_at(0).data["curves"]
    assert isinstance(curves, PlotData)
    assert {s.name: s.style for s in curves.series} == {"training": "line", "validation": "dash"}


def test_steepest_descent_lies_close_to_the_lowest_point(finder: rt.RangeTest) -> None:
    """The quiz says the steepest descent was nearly as large as the lowest point here."""
    p = finder.picks
    assert p.minimum_rate / 2 < p.steepest_rate < p.minimum_rate


def test_fastais_hundred_updates_barely_move_this_network(
    problem: lm.Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notes' reason for 500 updates: with 100 the averaged loss falls by under 10 %."""
    monkeypatch.setattr(rt, "FINDER_BATCHES", 100)
    short = rt.range_test(problem)
    assert short.batches <= 100 and min(short.smooth) > 0.9 * short.smooth[0]


@pytest.mark.slow
def test_more_epochs_widen_the_good_region_to_the_left(problem: lm.Problem) -> None:
    """The regions' notes: the left edge of the good region moves left with the budget, the
    right edge stays."""
    edges = []
    for epochs in (20, 40, 60):
        runs = [lm.train(problem, rate, epochs) for rate in lm.SWEEP]
        good = lm.regions(runs).indices("good")
        edges.append((good[0], good[-1]))
    lefts, rights = zip(*edges, strict=True)
    assert lefts[0] > lefts[1] > lefts[2]
    assert len(set(rights)) == 1
