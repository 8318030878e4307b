"""Lesson 8.3 (better than a human?): the shown accuracies against a plain NumPy forward pass,
the intervals against an independent solution, McNemar's test against counts, the rotation
against exact quarter turns, and every verdict and quiz answer against the run's numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from lessons.ch8_ethics.human_baseline import model as m
from lessons.ch8_ethics.human_baseline import texts as tx
from lessons.ch8_ethics.human_baseline.lesson import HumanBaseline
from lessons.core.base import Step, TableData
from lessons.core.controls import Vector
from lessons.core.runner import LessonRun
from lessons.markup.exportdata import step_data
from lessons.shared.images import shift_rotate
from lessons.shared.mnist import digits


def _steps(values: Mapping[str, Any] | None = None) -> list[Step]:
    run = LessonRun(HumanBaseline, dict(values or {}))
    steps = [run.current]
    while run.length is None or run.position < run.length - 1:
        run.next()
        steps.append(run.current)
    return steps


@pytest.fixture(scope="module")
def steps() -> list[Step]:
    return _steps()


def _seed() -> int:
    return int(np.random.default_rng(HumanBaseline.seed).integers(2**31))


def _numpy_predict(x: np.ndarray) -> np.ndarray:
    """The kept weights applied with plain NumPy: ReLU hidden layer, argmax of the scores."""
    w1, b1, w2, b2 = (
        np.asarray(w, dtype=np.float64) for w in m.trained(_seed()).trainer.model.get_weights()
    )
    return np.asarray((np.maximum(x @ w1 + b1, 0.0) @ w2 + b2).argmax(axis=1))


def _wilson_by_roots(hits: int, n: int) -> tuple[float, float]:
    """Wilson's interval as the two roots of (p̂ - p)² = z² p (1 - p) / n, by np.roots."""
    q, z2 = hits / n, m.Z95**2
    roots = np.sort(np.roots([1 + z2 / n, -(2 * q + z2 / n), q * q]).real)
    return float(roots[0]), float(roots[1])


def test_the_shown_accuracy_is_a_numpy_forward_pass_of_the_kept_weights(steps: list[Step]) -> None:
    data = digits()
    acc = float(np.mean(_numpy_predict(data.x_test.astype(np.float64)) == data.y_test))
    assert steps[0].figures["accuracy"] == pytest.approx(acc, abs=1e-12)
    assert steps[0].figures["human"] == pytest.approx(1 - 0.0237)


@pytest.mark.slow
def test_it_is_lesson_5_1s_model_with_its_defaults(steps: list[Step]) -> None:
    """Lesson 5.1 run with its defaults scores the test digits exactly as this lesson's model."""
    from lessons.registry import find

    run = LessonRun(find("mnist_mlp"), {})
    while "test_accuracy" not in run.current.figures:
        run.next()
    assert run.current.figures["test_accuracy"] == steps[0].figures["accuracy"]


@pytest.mark.parametrize(("hits", "n"), [(906, 1000), (45, 50), (9, 9), (0, 9), (3, 9)])
def test_wilson_intervals_agree_with_the_quadratics_roots(hits: int, n: int) -> None:
    lo, hi = m.wilson(hits, n)
    r_lo, r_hi = _wilson_by_roots(hits, n)
    assert (lo, hi) == pytest.approx((max(0.0, r_lo), min(1.0, r_hi)), abs=1e-9)


def test_the_interval_table_and_the_bootstrap_follow_the_digits(steps: list[Step]) -> None:
    correct = m.trained(_seed()).correct
    table = steps[1].data["table"]
    assert isinstance(table, TableData)
    for row in table.rows[:-1]:
        k, hits = int(row[0]), int(row[1])
        assert hits == int(correct[:k].sum())
        lo, hi = m.wilson(hits, k)
        assert row[3] == f"{100 * lo:.1f}–{100 * hi:.1f} %"
    f = steps[1].figures
    # the bootstrap's percentile interval and Wilson's agree to about a point at n = 1000
    assert abs(f["boot_low"] - f["low_n"]) < 0.01 and abs(f["boot_high"] - f["high_n"]) < 0.01
    widths = {int(r[0]): float(r[4]) for r in table.rows[:-1]}
    assert 1.7 < widths[50] / widths[200] < 2.6  # four times the digits: about half the width


def test_fewer_test_digits_give_a_wider_interval() -> None:
    f = _steps({"test_size": 100})[1].figures
    assert f["n"] == 100 and f["high_n"] - f["low_n"] > 0.08


def test_mcnemar_counts_the_disagreements_and_gives_the_exact_p() -> None:
    you = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1], dtype=bool)
    model = np.array([1, 1, 1, 0, 1, 1, 1, 1, 1], dtype=bool)
    assert m.mcnemar(you, model) == (1, 0, 1.0)  # quiz "paired": one disagreement, p = 1
    b, c, p = m.mcnemar(np.zeros(9, bool), np.r_[np.ones(6, bool), np.zeros(3, bool)])
    assert (b, c) == (0, 6) and p == pytest.approx(2 / 2**6)
    b, c, p = m.mcnemar(
        np.r_[np.ones(3, bool), np.zeros(6, bool)], np.r_[np.zeros(1, bool), np.ones(8, bool)]
    )
    n, k = b + c, min(b, c)
    assert p == pytest.approx(min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n))


def test_reading_the_digits_scores_you_and_the_model_on_the_same_ones() -> None:
    data = digits()
    rows = m.panel_digits(2)
    truth = data.y_test[rows]
    answers = [float(t) for t in truth]
    answers[0] = float((truth[0] + 1) % 10)  # one deliberate mistake
    duel = _steps({"digit_set": 2, "answers": answers})[2]
    guess = _numpy_predict(data.x_test[rows].astype(np.float64))
    assert duel.figures["you"] == 8
    assert duel.figures["model"] == int(np.sum(guess == truth))
    table = duel.data["table"]
    assert isinstance(table, TableData)
    assert table.rows[2][1:] == tuple(str(int(t)) for t in truth)
    split = [i + 1 for i in range(9) if (answers[i] == truth[i]) != (guess[i] == truth[i])]
    assert sorted({col for _, col in table.highlight_cells}) == split
    assert duel.task is not None and duel.task.done
    assert f"p = {duel.figures['p']:.2f}" in duel.text.replace("$", "")


def test_nothing_is_revealed_before_all_nine_are_read(steps: list[Step]) -> None:
    partial = _steps({"answers": [3.0] * 8 + [-1.0]})[2]
    table = partial.data["table"]
    assert isinstance(table, TableData)
    assert set(table.rows[1][1:]) == {"?"} and set(table.rows[2][1:]) == {"?"}
    assert partial.task is not None and not partial.task.done
    assert "1 of 9" in partial.task.message


def test_answers_are_whole_digits() -> None:
    spec = next(c for c in HumanBaseline.controls if c.name == "answers")
    assert isinstance(spec, Vector) and spec.integer
    assert spec.validate("7.4, 2, 1, 0, 4, 1, 4, 9, 5") == (
        7.0,
        2.0,
        1.0,
        0.0,
        4.0,
        1.0,
        4.0,
        9.0,
        5.0,
    )


def test_a_quarter_turn_is_exact_and_noise_stays_in_range() -> None:
    x = digits().x_test[:4]
    turned = m.shifted(x, 90.0, 0.0, 0).reshape(-1, 28, 28)
    quarter = np.stack([np.rot90(im, -1) for im in x.reshape(-1, 28, 28)])  # clockwise
    assert np.abs(turned - quarter).max() < 1e-5
    noisy = m.shifted(x, 0.0, 0.5, 3)
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    assert np.array_equal(noisy, m.shifted(x, 0.0, 0.5, 3))  # seeded
    assert np.array_equal(shift_rotate(x.reshape(-1, 28, 28), 0, 0, 0.0), x.reshape(-1, 28, 28))


def test_the_shift_step_reports_the_models_accuracy_on_the_moved_digits(steps: list[Step]) -> None:
    data = digits()
    moved = m.shifted(data.x_test, 20.0, 0.0, 7).astype(np.float64)
    acc = float(np.mean(_numpy_predict(moved) == data.y_test))
    assert steps[3].figures["shifted_accuracy"] == pytest.approx(acc, abs=1e-12)
    curve = m.shift_curve(_seed(), 0.0)
    below = np.flatnonzero(curve < 0.8)
    assert f"from {m.SHIFT_ANGLES[below[0]]:g}°" in steps[3].text


def test_the_verdicts_follow_the_numbers(steps: list[Step]) -> None:
    f = steps[0].figures
    where = tx.standing(f["low"], f["high"], f["human"])
    assert where == "below" and "below the human figure" in steps[0].text
    claims = steps[4].data["table"]
    assert isinstance(claims, TableData)
    verdicts = [row[1] for row in claims.rows]
    assert verdicts == ["contradicted", "contradicted", "supported", "too broad"]
    upright = _steps({"angle": 0})[4]
    table = upright.data["table"]
    assert isinstance(table, TableData) and table.rows[3][1] == "holds here too"
    assert upright.figures["supported"] == 2


def test_the_quiz_agrees_with_the_default_run(steps: list[Step]) -> None:
    f = steps[0].figures
    assert f["high"] < f["human"]  # "wording": the whole interval lies below
    assert round(f["accuracy"], 1) == 0.9  # "about 9 times in 10"
    thirty = _steps({"angle": 30})[3].figures["shifted_accuracy"]
    assert f["accuracy"] - thirty > 0.20  # "shift": more than 20 points down
    answers = {q.id: q.answer for q in HumanBaseline.quiz}
    assert answers == {"wording": 1, "paired": 1, "shift": 1}


def test_every_step_exports_its_numbers(steps: list[Step]) -> None:
    run = LessonRun(HumanBaseline, {})
    data = step_data(run)
    plot = next(p for p in data["panels"] if p["id"] == "plot")["data"]
    assert [label for _, label in plot["x_ticks"]] == ["model (MNIST test)", "people (USPS)"]
    assert data["figures"]["accuracy"] == steps[0].figures["accuracy"]
