"""Lesson 4.8 (memorisation): the same network on true and shuffled labels; numbers recomputed.

The shown accuracies and losses are recomputed here with plain NumPy from the networks'
weights (a float64 forward pass, argmax, cross-entropy from the logits), not with the engine.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.core.events import DivergenceError
from engine.data.types import DatasetError
from lessons.ch4_training.memorisation import experiment as ex
from lessons.ch4_training.memorisation.lesson import Memorisation, start
from lessons.ch4_training.memorisation.views import percent
from lessons.core.base import ImageGridData, MultipleChoice, PlotData, Step, TableData, Values
from lessons.core.runner import LessonRun
from lessons.markup.numbers import plain


def _finish(values: dict[str, object]) -> LessonRun:
    run = LessonRun(Memorisation, values, strict=True)
    while run.next():
        pass
    return run


@pytest.fixture(scope="module")
def finished() -> LessonRun:
    """The whole lesson with its default controls, shared by the tests here."""
    return _finish({})


def _numpy_scores(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) of 64 -> ReLU -> 10 logits, in float64 NumPy."""
    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float64) for w in weights)
    logits = np.maximum(x.astype(np.float64) @ w1 + b1, 0.0) @ w2 + b2
    top = logits.max(axis=1, keepdims=True)
    log_z = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    loss = float(np.mean(log_z - logits[np.arange(len(y)), y]))
    return float(np.mean(logits.argmax(axis=1) == y)), loss


def _curve(step_state: PlotData, name: str) -> np.ndarray:
    return next(s.y for s in step_state.series if s.name == name)


def test_shuffled_labels_are_a_permutation_of_the_true_ones(finished: LessonRun) -> None:
    """Same labels, same counts per digit, another order; the count kept in place is shown."""
    exp = start(Values(Memorisation.controls), np.random.default_rng(Memorisation.seed))
    s = exp.split
    assert sorted(s.permutation.tolist()) == list(range(len(s.y_true)))
    assert np.array_equal(s.y_shuffled, s.y_true[s.permutation])
    assert np.array_equal(np.bincount(s.y_shuffled), np.bincount(s.y_true))
    assert np.array_equal(np.bincount(s.y_true), np.full(10, 30))
    assert not np.array_equal(s.y_shuffled, s.y_true)
    kept = int(np.sum(s.y_true == s.y_shuffled))
    assert finished.steps_so_far()[0].figures["kept_labels"] == kept
    assert f"only {kept} of the 300 images" in finished.steps_so_far()[0].text


def test_both_networks_start_from_the_same_weights(finished: LessonRun) -> None:
    """Same seed: identical initial weights, so identical answers on the test digits."""
    exp = start(Values(Memorisation.controls), np.random.default_rng(Memorisation.seed))
    for a, b in zip(exp.true.model.get_weights(), exp.shuffled.model.get_weights(), strict=True):
        assert np.array_equal(a, b)
    first = finished.steps_so_far()[0].figures
    assert first["true_test_accuracy"] == first["shuffled_test_accuracy"]


def test_shown_numbers_equal_a_numpy_recomputation(finished: LessonRun) -> None:
    """At every checkpoint, the figures, curves and table equal NumPy's scores of the weights."""
    steps = finished.steps_so_far()
    exp = start(Values(Memorisation.controls), np.random.default_rng(Memorisation.seed))
    s = exp.split
    worst = 0.0
    for number, step in enumerate(steps):
        epoch = int(step.figures["epoch"])
        while exp.epochs < epoch:
            exp.epoch()
        state = finished.panel_state(number)
        table = state["results"]
        assert isinstance(table, TableData)
        for row, run, key in zip(table.rows, exp.runs, ("true", "shuffled"), strict=False):
            weights = run.model.get_weights()
            train_acc, _ = _numpy_scores(weights, s.x_train, run.labels)
            test_acc, test_loss = _numpy_scores(weights, s.x_test, s.y_test)
            assert step.figures[f"{key}_train_accuracy"] == pytest.approx(train_acc, abs=1e-12)
            assert step.figures[f"{key}_test_accuracy"] == pytest.approx(test_acc, abs=1e-12)
            assert step.figures[f"{key}_test_loss"] == pytest.approx(test_loss, rel=1e-4)
            worst = max(worst, abs(step.figures[f"{key}_test_loss"] - test_loss))
            assert row[1:3] == (percent(train_acc), percent(test_acc))
        curves = state["curves"]
        assert isinstance(curves, PlotData)
        if "Cross-entropy" not in finished.panel_titles(number)["curves"]:
            shown = _curve(curves, "shuffled labels")
            assert shown[epoch] == pytest.approx(100 * step.figures["shuffled_train_accuracy"])
            assert len(shown) == epoch + 1
    assert worst < 1e-4


def test_shuffled_run_memorises_and_scores_chance_on_test_digits(finished: LessonRun) -> None:
    """At the end: shuffled labels all fitted, test accuracy within 10 % ± 5 points."""
    end = finished.current.figures
    assert end["epoch"] == 80
    assert end["shuffled_train_accuracy"] == 1.0
    assert abs(end["shuffled_test_accuracy"] - ex.CHANCE) <= ex.BAND
    assert end["true_train_accuracy"] == 1.0 and end["true_test_accuracy"] > 0.9
    assert end["shuffled_test_loss"] > math.log(10) > end["true_test_loss"]
    table = finished.panel_state()["results"]
    assert isinstance(table, TableData)
    assert [row[-1] for row in table.rows[:2]] == ["generalises", "memorised"]


def test_checkpoints_are_the_epochs_each_run_first_fits(finished: LessonRun) -> None:
    """Steps: start, true fitted, shuffled fitted, the loss at the end, the summary."""
    steps = finished.steps_so_far()
    t_fit = int(steps[-1].figures["true_fit_epoch"])
    s_fit = int(steps[-1].figures["shuffled_fit_epoch"])
    assert 0 < t_fit < s_fit < 80
    assert [int(st.figures["epoch"]) for st in steps] == [0, t_fit, s_fit, 80, 80]
    assert steps[1].title == f"True labels fitted: epoch {t_fit}"
    assert steps[2].title == f"Shuffled labels memorised: epoch {s_fit}"
    assert steps[-1].last and finished.length == len(steps)
    curves = finished.panel_state(len(steps) - 1)["curves"]
    assert isinstance(curves, PlotData)
    for name, fit in (("true labels", t_fit), ("shuffled labels", s_fit)):
        y = _curve(curves, name)
        assert y[fit] == 100.0 and np.all(y[:fit] < 100.0)
    ratio = plain(s_fit / t_fit, 2)
    assert f"That took {s_fit} epochs, {ratio} times the {t_fit} the true labels" in steps[2].text


def test_training_grid_shows_the_shuffled_labels_the_network_learned(finished: LessonRun) -> None:
    """Once memorised, every shown training digit is answered with its shuffled label."""
    exp = start(Values(Memorisation.controls), np.random.default_rng(Memorisation.seed))
    grid = finished.panel_state()["training"]
    assert isinstance(grid, ImageGridData)
    s = exp.split
    for k, caption in enumerate(grid.captions):
        true, rest = caption.split("→")
        shuffled, answer = rest.split(": ")
        assert (int(true), int(shuffled)) == (s.y_true[k], s.y_shuffled[k])
        assert int(answer) == int(shuffled)
    assert grid.highlight == tuple(range(len(grid.captions)))


def test_quiz_agrees_with_the_runs(finished: LessonRun) -> None:
    """The speed question's answer is the run that fitted later; chance is 10 %."""
    quiz = {q.id: q for q in Memorisation.quiz}
    speed = quiz["speed"]
    assert isinstance(speed, MultipleChoice)
    end = finished.current.figures
    later = 1 if end["shuffled_fit_epoch"] > end["true_fit_epoch"] else 0
    assert speed.answer == later
    assert quiz["chance"].check("10").correct and not quiz["chance"].check("50").correct


def test_a_small_network_cannot_memorise_and_the_text_says_so() -> None:
    """16 hidden neurons: true labels fitted, shuffled not; verdict and task follow."""
    run = _finish({"hidden": 16})
    end = run.current
    assert end.figures["true_fit_epoch"] > 0 and end.figures["shuffled_fit_epoch"] == 0
    assert end.figures["shuffled_train_accuracy"] < 1.0
    assert "did not store all 300 random labels" in end.text
    assert "(<b>not fitted</b>)" in end.text
    assert end.task is not None and end.task.done
    assert not any(s.title.startswith("Shuffled labels") for s in run.steps_so_far())


def test_the_task_is_not_done_with_the_defaults_or_a_changed_rate(finished: LessonRun) -> None:
    """Memorised shuffled labels do not pass; neither does a small network at another rate."""
    assert finished.current.task is not None and not finished.current.task.done
    run = _finish({"hidden": 16, "rate": 0.02, "epochs": 20})
    assert run.current.task is not None and not run.current.task.done
    assert "learning rate back to 0.01" in run.current.task.message


def test_a_short_budget_is_reported_as_not_fitted() -> None:
    """20 epochs: the shuffled run is still far from 100 %; nothing claims it memorised."""
    run = _finish({"epochs": 20})
    steps = run.steps_so_far()
    assert all("memorised" not in s.title for s in steps)
    assert run.current.figures["shuffled_train_accuracy"] < 1.0
    assert "not fitted" in run.current.text


def test_divergence_stops_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    """A diverging epoch ends the lesson with an explaining step, no crash."""

    def explode(self: ex.Run, split: ex.Split) -> None:
        raise DivergenceError(0, 3, math.inf)

    monkeypatch.setattr(ex.Run, "epoch", explode)
    run = _finish({})
    assert run.error is None
    last = run.current
    assert last.title == "Training diverged" and last.stop and "∞" in last.text


def test_missing_digits_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the data file the lesson shows the loader's message instead of failing."""

    def missing(n_train: int, data_seed: int, shuffle_seed: object) -> ex.Split:
        raise DatasetError(
            "assets/digits8x8.npz is missing",
            filename="digits8x8.npz",
            remedy="python assets/build/build_digits.py",
        )

    monkeypatch.setattr(ex, "make_split", missing)
    run = _finish({})
    assert run.length == 1 and "digits8x8.npz is missing" in run.current.text


def test_reshuffle_draws_another_permutation() -> None:
    """The button changes the shuffle, not the images or the initial weights."""
    a = start(Values(Memorisation.controls), np.random.default_rng(Memorisation.seed))
    b = start(
        Values(Memorisation.controls, {"reshuffle": 1}), np.random.default_rng(Memorisation.seed)
    )
    assert np.array_equal(a.split.x_train, b.split.x_train)
    assert not np.array_equal(a.split.y_shuffled, b.split.y_shuffled)
    assert np.array_equal(a.true.model.get_weights()[0], b.true.model.get_weights()[0])


def test_every_step_has_the_numbers_it_talks_about(finished: LessonRun) -> None:
    """Step texts quote the accuracies the table shows at that step."""
    for number, step in enumerate(finished.steps_so_far()[1:3], start=1):
        assert isinstance(step, Step)
        table = finished.panel_state(number)["results"]
        assert isinstance(table, TableData)
        shuffled = table.rows[1]
        assert shuffled[2] in step.text  # the shuffled run's test accuracy
