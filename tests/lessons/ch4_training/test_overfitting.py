"""Lesson 4.6 (overfitting): early stopping, L2 and dropout, every number read off the runs.

Shown numbers are recomputed here with plain NumPy where that is possible (the forward pass
and cross-entropy in float64, the dropout masks from a copy of the layers' generators).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from engine.nn.layers import Dropout
from lessons.ch4_training.overfitting import runs as rs
from lessons.ch4_training.overfitting import texts
from lessons.ch4_training.overfitting.lesson import Overfitting, run_seeds
from lessons.core.base import NetworkData, PlotData, Step
from lessons.core.runner import LessonRun
from lessons.markup.exportdata import panel_data

DEFAULT_POINTS = 40
SEEDS = run_seeds(np.random.default_rng(Overfitting.seed))
L2_DEFAULT, P_DEFAULT = 0.005, 0.5


def _walk(values: dict[str, object] | None = None) -> LessonRun:
    return LessonRun(Overfitting, values or {}, strict=True)


@pytest.fixture(scope="module")
def walk() -> LessonRun:
    """The lesson with its default controls (a finite lesson: every step computed)."""
    return _walk()


def _step(run: LessonRun, starts: str) -> tuple[int, Step]:
    for i, step in enumerate(run.steps_so_far()):
        if step.title.startswith(starts):
            return i, step
    raise AssertionError(f"no step titled {starts!r}...")


def _forward(weights: tuple[np.ndarray, ...], x: np.ndarray) -> np.ndarray:
    """p(inside) in float64: tanh hidden layers, a sigmoid output (plain NumPy)."""
    h = np.asarray(x, np.float64)
    layers = [(weights[i], weights[i + 1]) for i in range(0, len(weights), 2)]
    for kernel, bias in layers[:-1]:
        h = np.tanh(h @ kernel.astype(np.float64) + bias)
    kernel, bias = layers[-1]
    z = h @ kernel.astype(np.float64) + bias
    p: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return p


def _cross_entropy(weights: tuple[np.ndarray, ...], x: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(_forward(weights, x), 1e-15, 1 - 1e-15)
    t = y.astype(np.float64)
    return float(np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p))))


def test_the_lesson_walks_through_its_nine_steps(walk: LessonRun) -> None:
    """Intro, best, end, early stopping, L2, two dropout masks, dropout result, the choice."""
    titles = [s.title for s in walk.steps_so_far()]
    assert len(titles) == 9
    assert titles[0] == "A big network, a few noisy points"
    assert titles[5:7] == ["Dropout, training step 1", "Dropout, training step 2: a new mask"]
    assert titles[-1] == "Which network to keep?"


def test_early_stopping_restores_the_best_epochs_weights(walk: LessonRun) -> None:
    """The engine's EarlyStopping keeps the lowest-validation epoch and puts its weights back:
    the restored network's validation loss is the logged loss of that epoch, recomputed too."""
    plain = rs.plain_run(DEFAULT_POINTS, *SEEDS)
    stop = rs.stopped_run(DEFAULT_POINTS, *SEEDS)
    best = int(np.argmin(plain.val[1:])) + 1
    assert stop.best == plain.best == best
    assert stop.stopped == min(best + rs.PATIENCE, rs.EPOCHS) < rs.EPOCHS
    # the stopped run repeats the plain run epoch for epoch, and restores exactly epoch `best`
    np.testing.assert_array_equal(stop.val, plain.val[1 : stop.stopped + 1])
    for restored, kept in zip(stop.weights, plain.weights[best], strict=True):
        np.testing.assert_array_equal(restored, kept)
    assert stop.restored_val == plain.val[best] == stop.best_value
    split = rs.make_split(DEFAULT_POINTS, SEEDS[0])
    recomputed = _cross_entropy(stop.weights, split.x_val, split.y_val)
    assert recomputed == pytest.approx(stop.restored_val, rel=1e-5)
    # what the step shows: the restored weights in the diagram, the two numbers in the text
    index, step = _step(walk, "Early stopping restores epoch")
    assert step.title == f"Early stopping restores epoch {best}"
    net = walk.panel_state(index)["net"]
    assert isinstance(net, NetworkData)
    np.testing.assert_array_equal(net.layers[1].weights, stop.weights[0])
    assert f"stopped after epoch {stop.stopped}" in step.text
    assert "(difference 0)" in step.text


def test_greyed_neurons_are_the_engine_dropout_masks_of_that_step(walk: LessonRun) -> None:
    """The diagram greys exactly the neurons the Dropout layers zeroed for the ringed point;
    the masks are drawn again here from copies of the layers' own random generators."""
    split = rs.make_split(DEFAULT_POINTS, SEEDS[0])
    model = rs.build_model(SEEDS[1], dropout=P_DEFAULT)
    generators = [copy.deepcopy(ly.rng) for ly in model.layers if isinstance(ly, Dropout)]
    n = len(split.x_train)
    expected = {
        step: [g.random((n, units), dtype=np.float32) >= P_DEFAULT for g in generators]
        for step, units in ((1, 8), (2, 8))
    }
    run = rs.dropout_run(DEFAULT_POINTS, *SEEDS, P_DEFAULT)
    for step in rs.WATCHED:
        for got, want in zip(run.masks[step], expected[step], strict=True):
            np.testing.assert_array_equal(got, want)
        index, shown = _step(walk, f"Dropout, training step {step}")
        net = walk.panel_state(index)["net"]
        assert isinstance(net, NetworkData)
        hidden = [ly.active for ly in net.layers[1:3]]
        for active, want in zip(hidden, expected[step], strict=True):
            assert active is not None
            np.testing.assert_array_equal(active, want[rs.WATCHED_POINT])
        assert net.layers[0].active is None and net.layers[3].active is None
        off = [int((~w[rs.WATCHED_POINT]).sum()) for w in expected[step]]
        assert shown.figures["dropped_1"] == off[0] and shown.figures["dropped_2"] == off[1]
        share = sum(float((~w).sum()) for w in expected[step]) / (2 * n * 8)
        assert shown.figures["dropped_share"] == pytest.approx(share)
        assert 0.35 < share < 0.65  # "about half"
        exported = panel_data(net)["layers"][1]["active"]
        assert exported == expected[step][0][rs.WATCHED_POINT].tolist()
    # a new mask at step 2
    assert any(
        (a[rs.WATCHED_POINT] != b[rs.WATCHED_POINT]).any()
        for a, b in zip(expected[1], expected[2], strict=True)
    )


def test_the_dropout_network_predicts_with_every_neuron(walk: LessonRun) -> None:
    """After training, the diagram shows no dropped neuron: inference uses them all."""
    index, _ = _step(walk, "Dropout after")
    net = walk.panel_state(index)["net"]
    assert isinstance(net, NetworkData)
    assert all(layer.active is None for layer in net.layers)


def test_every_run_starts_from_the_same_weights() -> None:
    runs = (
        rs.plain_run(DEFAULT_POINTS, *SEEDS),
        rs.l2_run(DEFAULT_POINTS, *SEEDS, L2_DEFAULT),
        rs.dropout_run(DEFAULT_POINTS, *SEEDS, P_DEFAULT),
    )
    for run in runs[1:]:
        for a, b in zip(runs[0].weights[0], run.weights[0], strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("strength", [1e-4, L2_DEFAULT, 0.1])
def test_l2_shrinks_the_weight_norm(strength: float) -> None:
    """At every strength on the slider, the L2 run ends with shorter weights (‖w‖ recomputed);
    at the default the gap between validation and training loss narrows."""
    plain = rs.plain_run(DEFAULT_POINTS, *SEEDS)
    l2 = rs.l2_run(DEFAULT_POINTS, *SEEDS, strength)
    end = rs.EPOCHS

    def norm(weights: tuple[np.ndarray, ...]) -> float:
        return math.sqrt(sum(float(np.sum(w.astype(np.float64) ** 2)) for w in weights))

    assert l2.norm(end) == pytest.approx(norm(l2.weights[end]))
    assert norm(l2.weights[end]) < norm(plain.weights[end])
    if strength == L2_DEFAULT:
        assert l2.gap(end) < plain.gap(end)
        assert norm(l2.weights[end]) < 0.7 * norm(plain.weights[end])


def test_l2_step_shows_the_histograms_and_numbers_of_the_runs(walk: LessonRun) -> None:
    """The histogram counts every weight and bias of each network on shared bins."""
    index, step = _step(walk, "L2:")
    plain = rs.plain_run(DEFAULT_POINTS, *SEEDS)
    l2 = rs.l2_run(DEFAULT_POINTS, *SEEDS, L2_DEFAULT)
    hist = walk.panel_state(index)["weights"]
    assert isinstance(hist, PlotData)
    for series, run in zip(hist.series, (plain, l2), strict=True):
        values = np.concatenate([w.ravel() for w in run.weights[-1]])
        heights = series.y[1:-1:2]  # one height per bin, from the outline
        assert heights.sum() == values.size == 105
        assert f"‖w‖ = {run.norm(rs.EPOCHS):.3g}" in series.name
    assert step.figures["l2_norm"] < step.figures["plain_norm"]
    assert step.figures["l2_gap"] < step.figures["plain_gap"]


def test_losses_agree_with_a_numpy_forward_pass() -> None:
    """The curves' numbers are the cross-entropy of the recorded weights (float64 NumPy)."""
    split = rs.make_split(DEFAULT_POINTS, SEEDS[0])
    plain = rs.plain_run(DEFAULT_POINTS, *SEEDS)
    worst = 0.0
    for epoch in (0, plain.best, rs.EPOCHS):
        w = plain.weights[epoch]
        for value, x, y in (
            (plain.train[epoch], split.x_train, split.y_train),
            (plain.val[epoch], split.x_val, split.y_val),
        ):
            mine = _cross_entropy(w, x, y)
            worst = max(worst, abs(mine - value) / max(abs(mine), 1e-3))
    assert worst < 1e-4


def test_curves_draw_training_solid_and_validation_dashed(walk: LessonRun) -> None:
    index, _ = _step(walk, "Which network")
    curves = walk.panel_state(index)["curves"]
    assert isinstance(curves, PlotData)
    styles = {s.name: s.style for s in curves.series}
    for name in ("no regularisation", "L2, λ = 0.005", "dropout, p = 0.5"):
        assert styles[name] == "line" and styles[f"_{name}, validation"] == "dash"


def test_overfitting_rule_on_made_up_curves() -> None:
    """A sustained rise with falling training loss is overfitting; a blip or a fall is not."""
    n = 120
    falling = np.array([1.0 - 0.005 * t for t in range(n + 1)])
    rising = np.array([0.5 - 0.01 * t if t <= 20 else 0.3 + 0.01 * (t - 20) for t in range(n + 1)])
    found = rs.overfitting(falling, rising)
    assert found is not None and found.best == 20 and found.rise > rs.RISE
    assert rs.overfitting(falling, rising, epoch=20 + rs.PATIENCE - 1) is None  # not yet
    assert rs.overfitting(falling, falling) is None  # validation still falling
    assert rs.overfitting(falling, np.append(falling[:-1], 5.0)) is None  # one bad epoch
    assert rs.overfitting(np.full(n + 1, 0.2), rising) is None  # training loss not falling


@pytest.mark.parametrize("values", [{}, {"points": 20}], ids=["default", "20 points"])
def test_verdicts_follow_the_rule(values: dict[str, object], walk: LessonRun) -> None:
    """ "overfitting" is claimed at the end of the plain run exactly when the rule holds."""
    run = walk if not values else _walk(values)
    n = int(run.values.points)
    plain = rs.plain_run(n, *SEEDS)
    _, end = _step(run, f"Epoch {rs.EPOCHS}")
    found = rs.overfitting(plain.train, plain.val)
    assert ("is <b>overfitting</b>" in end.text) == (found is not None)
    if found is not None:
        first = rs.first_overfit(plain)
        assert first is not None and f"first holds at epoch {first}" in end.text
        assert min(plain.val[first - rs.PATIENCE + 1 : first + 1]) > 1.05 * min(plain.val[1:])
        assert end.title.endswith("the curves part")


@pytest.mark.slow
def test_two_hundred_points_verdicts_follow_the_rule() -> None:
    run = _walk({"points": 200})
    plain = rs.plain_run(200, *SEEDS)
    _, end = _step(run, f"Epoch {rs.EPOCHS}")
    found = rs.overfitting(plain.train, plain.val)
    assert ("is <b>overfitting</b>" in end.text) == (found is not None)


@pytest.mark.parametrize(("name", "value"), [("l2", 0.1), ("dropout", 0.8), ("dropout", 0.1)])
def test_control_extremes_say_what_the_numbers_show(name: str, value: float) -> None:
    """A too strong penalty underfits (loss ln 2, weights near 0) and the text says so; the
    dropout text's verdict matches the rule at both ends of the slider."""
    run = _walk({name: value})
    if name == "l2":
        l2 = rs.l2_run(DEFAULT_POINTS, *SEEDS, value)
        _, step = _step(run, "L2:")
        assert texts.underfits(l2) and "<b>underfits</b>" in step.text
        assert l2.norm(rs.EPOCHS) < 0.01 and l2.train[-1] == pytest.approx(math.log(2), abs=0.01)
        return
    drop = rs.dropout_run(DEFAULT_POINTS, *SEEDS, value)
    _, step = _step(run, "Dropout after")
    over = rs.overfitting(drop.train, drop.val) is not None
    assert ("still overfits" in step.text) == over
    assert ("<b>underfits</b>" in step.text) == texts.underfits(drop)


def test_the_choice_is_the_lowest_validation_loss(walk: LessonRun) -> None:
    """Validation, not training loss, picks the network; the winner is drawn."""
    stop = rs.stopped_run(DEFAULT_POINTS, *SEEDS)
    runs = [
        rs.plain_run(DEFAULT_POINTS, *SEEDS),
        rs.l2_run(DEFAULT_POINTS, *SEEDS, L2_DEFAULT),
        rs.dropout_run(DEFAULT_POINTS, *SEEDS, P_DEFAULT),
    ]
    values = [float(runs[0].val[-1]), stop.restored_val] + [float(r.val[-1]) for r in runs[1:]]
    _, step = _step(walk, "Which network")
    assert step.figures["winner_val"] == min(values)


def test_training_is_deterministic_without_the_memo() -> None:
    """Two fresh trainings from the same seeds agree bit for bit, masks included."""
    split = rs.make_split(DEFAULT_POINTS, SEEDS[0])
    a = rs.train(rs.build_model(SEEDS[1], dropout=0.5), split, 6, rs.WATCHED)
    b = rs.train(rs.build_model(SEEDS[1], dropout=0.5), split, 6, rs.WATCHED)
    np.testing.assert_array_equal(a.val, b.val)
    np.testing.assert_array_equal(a.train, b.train)
    for step in rs.WATCHED:
        for m, n in zip(a.masks[step], b.masks[step], strict=True):
            np.testing.assert_array_equal(m, n)
