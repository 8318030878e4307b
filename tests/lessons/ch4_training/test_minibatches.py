"""Lesson 4.4 (mini-batches): paths, batches, losses and verdicts checked against plain NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data.loading import DataLoader, Dataset
from lessons.ch4_training.minibatches import model as m
from lessons.ch4_training.minibatches import tables as tb
from lessons.ch4_training.minibatches.compare import TASK_TARGET
from lessons.ch4_training.minibatches.lesson import MiniBatches
from lessons.core.base import MultipleChoice, NumericQuestion, PlotData, Step, TableData
from lessons.core.runner import LessonRun

N = m.N_EXAMPLES


def _seeds() -> tuple[int, int, int]:
    """(data, model, loader) seeds, drawn as the lesson draws them from its generator."""
    rng = np.random.default_rng(MiniBatches.seed)
    a, b, c = (int(v) for v in rng.integers(2**31, size=3))
    return a, b, c


DATA_SEED, MODEL_SEED, LOADER_SEED = _seeds()


@pytest.fixture(scope="module")
def data() -> m.Data:
    return m.make_data(DATA_SEED)


@pytest.fixture(scope="module")
def lesson() -> LessonRun:
    """The whole lesson with its default controls."""
    return LessonRun(MiniBatches, strict=True)


def _step(run: LessonRun, title: str) -> Step:
    return next(s for s in run.steps_so_far() if s.title == title)


def _table(step: Step) -> TableData:
    table = step.data["numbers"]
    assert isinstance(table, TableData)
    return table


def _numpy_loss(x: np.ndarray, y: np.ndarray, w: float, b: float) -> float:
    return float(np.mean((w * x + b - y) ** 2))


def _numpy_grad(x: np.ndarray, y: np.ndarray, w: float, b: float) -> np.ndarray:
    err = w * x + b - y
    return np.array([2.0 * np.mean(err * x), 2.0 * np.mean(err)])


def _numpy_path(data: m.Data, run: m.Run) -> np.ndarray:
    """Plain SGD over the run's own batches, written out in NumPy from the run's start."""
    x, y = data.x.ravel(), data.y.ravel()
    w, b = (float(v) for v in run.points[0])
    points = [(w, b)]
    for epoch in run.batches:
        for rows in epoch:
            g = _numpy_grad(x[rows], y[rows], w, b)
            w, b = w - run.rate * g[0], b - run.rate * g[1]
            points.append((w, b))
    return np.array(points)


@pytest.mark.parametrize(
    ("batch", "rate", "shuffle"),
    [(4, 0.1, True), (N, 0.1, True), (5, 0.3, True), (1, 0.05, False), (7, 0.2, False)],
)
def test_paths_equal_numpy_sgd_on_the_same_batches(
    data: m.Data, batch: int, rate: float, shuffle: bool
) -> None:
    """Every (w, b) of a run is what plain NumPy SGD gives on the batches the run used."""
    run = m.train(data, batch, rate, 3, shuffle, MODEL_SEED, LOADER_SEED)
    assert run.updates == 3 * -(-N // batch)
    np.testing.assert_allclose(run.points, _numpy_path(data, run), rtol=0, atol=1e-12)
    x, y = data.x.ravel(), data.y.ravel()
    flat = [rows for epoch in run.batches for rows in epoch]
    for k, rows in enumerate(flat):
        w, b = run.points[k]
        assert run.batch_losses[k] == pytest.approx(_numpy_loss(x[rows], y[rows], w, b), abs=1e-12)
        np.testing.assert_allclose(run.grads[k], _numpy_grad(x[rows], y[rows], w, b), atol=1e-12)
    expected = [_numpy_loss(x, y, w, b) for w, b in run.points]
    np.testing.assert_allclose(run.full_losses, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("batch", "shuffle"), [(1, True), (3, True), (4, True), (N, True), (6, False)]
)
def test_each_epoch_is_a_partition_of_all_examples(data: m.Data, batch: int, shuffle: bool) -> None:
    """Each epoch's batches hold every example exactly once; only the last batch may be short."""
    run = m.train(data, batch, 0.05, 4, shuffle, MODEL_SEED, LOADER_SEED)
    orders = []
    for epoch in run.batches:
        sizes = [len(rows) for rows in epoch]
        assert sizes[:-1] == [batch] * (len(sizes) - 1) and 1 <= sizes[-1] <= batch
        order = np.concatenate(epoch)
        np.testing.assert_array_equal(np.sort(order), np.arange(N))
        orders.append(order)
    same = all(np.array_equal(orders[0], o) for o in orders[1:])
    if shuffle:
        assert not same  # a new order every epoch
    else:
        assert same and np.array_equal(orders[0], np.arange(N))


def test_batches_are_the_engine_loaders(data: m.Data) -> None:
    """The rows a run trained on are those a plain engine DataLoader with the seed hands out."""
    batch, epochs = 4, 3
    run = m.train(data, batch, 0.1, epochs, True, MODEL_SEED, LOADER_SEED)
    loader = DataLoader(Dataset(data.x, data.y), batch, shuffle=True, seed=LOADER_SEED)
    for epoch in run.batches:
        got = list(loader)
        assert len(got) == len(epoch)
        for rows, (xb, yb) in zip(epoch, got, strict=True):
            np.testing.assert_array_equal(data.x[rows], xb)
            np.testing.assert_array_equal(data.y[rows], yb)
    shown = m.loader_batches(N, batch, True, LOADER_SEED, epochs)
    for a, b in zip(shown, run.batches, strict=True):
        assert all(np.array_equal(r, s) for r, s in zip(a, b, strict=True))


def test_loader_table_shows_the_runs_batches(lesson: LessonRun, data: m.Data) -> None:
    """The loader step's table lists, per epoch, the example numbers of the run's batches."""
    table = _table(_step(lesson, "The data loader: shuffle, then cut"))
    run = m.train(data, 4, 0.1, tb.SHOWN_EPOCHS, True, MODEL_SEED, LOADER_SEED)
    assert table.columns[1:] == tuple(f"epoch {e + 1}" for e in range(tb.SHOWN_EPOCHS))
    for e, epoch in enumerate(run.batches):
        assert [row[e + 1] for row in table.rows] == [tb.rows_text(r) for r in epoch]
    for e in range(tb.SHOWN_EPOCHS):  # every column: all N example numbers once
        numbers = sorted(int(t) for row in table.rows for t in str(row[e + 1]).split())
        assert numbers == list(range(N))


def test_gradient_matches_central_differences(data: m.Data) -> None:
    """backward()'s gradient on all points and on one batch against float64 central differences."""
    x, y = data.x.ravel(), data.y.ravel()
    point, h = np.array([-0.7, 0.3]), 1e-6
    for rows in (None, np.array([3, 17, 25])):
        xs, ys = (x, y) if rows is None else (x[rows], y[rows])
        numeric = [
            (_numpy_loss(xs, ys, *(point + h * e)) - _numpy_loss(xs, ys, *(point - h * e)))
            / (2 * h)
            for e in np.eye(2)
        ]
        np.testing.assert_allclose(m.gradient_at(data, point, rows), numeric, atol=1e-8)


def test_lowest_point_is_the_least_squares_line(data: m.Data) -> None:
    """Full-batch GD run to rest ends where NumPy's least squares puts the line."""
    low, value = m.bottom(data)
    a = np.column_stack([data.x.ravel(), np.ones(N)])
    exact = np.linalg.lstsq(a, data.y.ravel(), rcond=None)[0]
    np.testing.assert_allclose(low, exact, atol=1e-10)
    assert value == pytest.approx(_numpy_loss(data.x.ravel(), data.y.ravel(), *exact), abs=1e-12)


def test_loss_map_equals_numpy(data: m.Data) -> None:
    """The contour map's values are the mean squared error at each (w, b) of the grid."""
    surf = m.surface(data, (0.2, -0.1), 1.5, 0.8, resolution=7)
    x, y = data.x.ravel(), data.y.ravel()
    expected = np.array([[_numpy_loss(x, y, w, b) for w in surf.ws] for b in surf.bs])
    np.testing.assert_allclose(surf.z, expected, rtol=1e-12)
    assert surf.ws[0] == pytest.approx(0.2 - 1.5) and surf.bs[-1] == pytest.approx(-0.1 + 0.8)


def test_spread_is_the_rms_distance_of_batch_gradients(data: m.Data) -> None:
    """The noise table's spread recomputed: RMS of |g_batch - g_all| over the loader's batches."""
    x, y = data.x.ravel(), data.y.ravel()
    for batch in (1, 4, N):
        batches = [r for e in m.loader_batches(N, batch, True, LOADER_SEED, 2) for r in e]
        for point in ((-1.5, 0.0), (1.2, 0.4)):
            full = _numpy_grad(x, y, *point)
            devs = [_numpy_grad(x[r], y[r], *point) - full for r in batches]
            expected = float(np.sqrt(np.mean([d @ d for d in devs])))
            assert m.spread(data, point, batches) == pytest.approx(expected, abs=1e-12)


def test_first_update_is_written_out_with_the_runs_numbers(lesson: LessonRun, data: m.Data) -> None:
    """Steps 2-5: predictions, batch loss, each example's share and the update, in NumPy."""
    x, y = data.x.ravel(), data.y.ravel()
    init = _step(lesson, "1 Initialise").figures
    w0, b0 = init["w0"], init["b0"]
    predicted = _table(_step(lesson, "2 Predict"))
    rows = np.array([int(r[0]) for r in predicted.rows])
    assert len(rows) == 4
    np.testing.assert_allclose([r[3] for r in predicted.rows], w0 * x[rows] + b0, atol=1e-12)
    loss = _step(lesson, "3 Loss")
    assert loss.figures["batch_loss"] == pytest.approx(_numpy_loss(x[rows], y[rows], w0, b0))
    grad = _table(_step(lesson, "4 Gradient"))
    shares = np.array([[r[2], r[3]] for r in grad.rows[: len(rows)]], dtype=float)
    total = _numpy_grad(x[rows], y[rows], w0, b0)
    np.testing.assert_allclose(shares.sum(axis=0), total, atol=1e-12)
    np.testing.assert_allclose(grad.rows[len(rows)][2:], total, atol=1e-12)
    np.testing.assert_allclose(grad.rows[len(rows) + 1][2:], _numpy_grad(x, y, w0, b0), atol=1e-12)
    step = _step(lesson, "5 Step").figures
    rate = MiniBatches.controls[1].initial
    assert step["w1"] == pytest.approx(w0 - rate * total[0], abs=1e-12)
    assert step["b1"] == pytest.approx(b0 - rate * total[1], abs=1e-12)
    assert step["loss1"] == pytest.approx(_numpy_loss(x, y, step["w1"], step["b1"]), abs=1e-12)


def test_comparison_verdict_follows_the_numbers(lesson: LessonRun) -> None:
    """The closer run named in the text is the one with the lower final loss in the table."""
    step = _step(lesson, "Full batch or mini-batches?")
    table = _table(step)
    finals = {row[0]: float(row[4]) for row in table.rows}
    closer = (
        "mini-batch SGD" if finals["mini-batch SGD"] < finals["full-batch GD"] else "full-batch GD"
    )
    assert f"<b>{closer}</b> got closer" in step.text
    assert [row[2] for row in table.rows] == [1, N // 4]
    curves = step.data["fit"]
    assert isinstance(curves, PlotData) and len(curves.series) == 2


def test_quiz_answers_agree_with_the_lesson(lesson: LessonRun) -> None:
    """Updates per epoch at B = 4, zero spread for a full batch, backward() = the gradient."""
    quiz = {q.id: q for q in MiniBatches.quiz}
    updates = quiz["updates"]
    assert isinstance(updates, NumericQuestion)
    assert (
        updates.answer
        == _step(lesson, "The data loader: shuffle, then cut").figures["batches_per_epoch"]
    )
    noise = _step(lesson, "Noise shakes the marble")
    assert noise.figures[f"spread_low_B{N}"] < 1e-12 < noise.figures["spread_low_B1"]
    rows = _table(noise).rows
    assert rows[-1][0] == N and rows[-1][3] == 0.0
    spread = quiz["spread"]
    assert isinstance(spread, MultipleChoice) and "Zero" in spread.options[spread.answer]
    backward = quiz["backward"]
    assert isinstance(backward, MultipleChoice) and backward.options[backward.answer] == "Gradient"


def test_task_is_judged_from_the_first_epoch() -> None:
    """The default run misses the task; B = 2 with η = 0.2 reaches it (gap recomputed)."""
    default = LessonRun(MiniBatches, {"epochs": 1}, strict=True)
    last = default.step_at(default.computed - 1)
    assert last.task is not None and not last.task.done
    good = LessonRun(MiniBatches, {"batch": 2, "rate": 0.2, "epochs": 1}, strict=True)
    step = good.step_at(good.computed - 1)
    assert step.task is not None and step.task.done
    assert 0 <= step.figures["task_gap"] < TASK_TARGET


def test_divergence_is_shown_and_stops_play() -> None:
    """B = 1 with η = 1 blows up: step 7 says so, stops play, and the lesson still finishes."""
    run = LessonRun(MiniBatches, {"batch": 1, "rate": 1.0, "epochs": 3}, strict=True)
    stop = _step(run, "7 Stop")
    assert stop.stop and ("diverged" in stop.text or "overflowed" in stop.text)
    assert stop.figures["diverged"] == 1.0
    assert run.length == 12 and run.error is None


@pytest.mark.slow
@pytest.mark.parametrize(
    "values",
    [
        {"batch": 1, "rate": 1.0, "epochs": 30},
        {"batch": N, "rate": 0.01, "epochs": 1},
        {"batch": N - 1, "rate": 1.0, "epochs": 30, "shuffle": False},
        {"batch": 1, "rate": 0.01, "epochs": 30},
    ],
)
def test_control_extremes_never_crash(values: dict[str, object]) -> None:
    """Every step is computed at the ends of every control."""
    run = LessonRun(MiniBatches, values, strict=True)
    assert run.length == 12 and run.error is None


def test_back_restores_the_exact_step() -> None:
    """Back returns the very step shown before (no re-run)."""
    run = LessonRun(MiniBatches, {"epochs": 1}, strict=True)
    run.goto(5)
    shown = run.current
    run.next()
    run.back()
    assert run.current is shown
