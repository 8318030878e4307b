"""Lesson 2.2: the perceptron rule's updates, convergence on separable data, XOR's failure."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lessons.ch2_neurons.perceptron import MAX_STEPS, Perceptron
from lessons.core.base import TableData
from lessons.core.runner import LessonRun
from lessons.shared.neurons import XOR_X, XOR_Y, augment, separable_set, train

N_EPOCHS = 50


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("eta", [0.05, 0.5, 2.0])
def test_rule_converges_on_the_separable_set(seed: int, eta: float) -> None:
    """Some epoch within N_EPOCHS has zero mistakes, and then every point is right."""
    rng = np.random.default_rng(seed)
    x, y = separable_set(16, rng)
    updates, mistakes = train(x, y, np.array([0.4, -0.7, 0.2]), eta, N_EPOCHS, rng)
    assert mistakes[-1] == 0 and len(mistakes) <= N_EPOCHS
    w = updates[-1].after
    assert np.array_equal((augment(x) @ w >= 0).astype(int), y)


@pytest.mark.parametrize("eta", [0.1, 0.5, 2.0])
def test_rule_never_settles_on_xor(eta: float) -> None:
    """On XOR every one of N_EPOCHS epochs has at least one mistake."""
    rng = np.random.default_rng(0)
    _, mistakes = train(XOR_X, XOR_Y, np.zeros(3), eta, N_EPOCHS, rng)
    assert len(mistakes) == N_EPOCHS and min(mistakes) >= 1


def test_every_update_equals_the_perceptron_rule() -> None:
    """w_after = w_before + eta (y - H(w . x)) x, and right answers change nothing."""
    rng = np.random.default_rng(3)
    x, y = separable_set(12, rng)
    eta = 0.3
    updates, _ = train(x, y, np.array([-0.5, 0.5, 0.0]), eta, N_EPOCHS, rng)
    assert any(u.mistake for u in updates) and any(not u.mistake for u in updates)
    for u in updates:
        assert u.y_hat == int(u.before @ u.x >= 0)
        assert u.z == pytest.approx(float(u.before @ u.x), abs=1e-12)
        np.testing.assert_allclose(u.after, u.before + eta * (u.y - u.y_hat) * u.x, atol=1e-12)
        if not u.mistake:
            assert np.all(u.delta == 0)


def test_lesson_tables_show_the_update_and_the_run_converges() -> None:
    """Each training step's table rows are w before, x, the change and w after, consistently."""
    run = LessonRun(Perceptron, {"eta": 0.5, "pace": "mistake"}, strict=True)
    trained = [s for s in run.steps_so_far() if s.title.startswith("Epoch")]
    assert trained
    for step in trained:
        table = step.data["numbers"]
        assert isinstance(table, TableData)
        before, xs, delta, after = (np.array(row[1:], dtype=float) for row in table.rows)
        np.testing.assert_allclose(after, before + delta, atol=1e-12)
        sign = step.figures["y_hat"]  # a mistake flips y_hat, so y - y_hat = 1 - 2 y_hat
        np.testing.assert_allclose(delta, 0.5 * (1 - 2 * sign) * xs, atol=1e-12)
    figures = {k: v for s in run.steps_so_far() for k, v in s.figures.items()}
    assert figures["last_epoch_mistakes"] == 0
    assert figures["xor_min_mistakes"] >= 1
    assert figures["xor_solved"] == 1.0
    assert figures["layer_last_mistakes"] == 0


def test_one_step_per_sample_is_bounded() -> None:
    """Showing every sample still gives a bounded number of steps."""
    run = LessonRun(Perceptron, {"pace": "sample", "points": 40, "eta": 0.05}, strict=True)
    trained = [s for s in run.steps_so_far() if s.title.startswith("Epoch")]
    assert 0 < len(trained) <= MAX_STEPS


def test_xor_table_is_computed_from_the_weights_the_formulas_show() -> None:
    """Each row's OR, NAND and y_hat equal H(w . x + b) with the shown weights on its inputs."""
    from lessons.shared.neurons import XOR_HIDDEN, XOR_OUT, ltu_formula

    run = LessonRun(Perceptron, {}, strict=True)
    step = next(s for s in run.steps_so_far() if s.title.startswith("A hidden layer"))
    for w, names in ((XOR_HIDDEN[:, 0], "x_1, x_2"), (XOR_HIDDEN[:, 1], "x_1, x_2")):
        assert ltu_formula(w, tuple(names.split(", "))) in step.text
    assert ltu_formula(XOR_OUT[:, 0], ("h_1", "h_2")) in step.text
    table = step.data["numbers"]
    assert isinstance(table, TableData)
    assert table.columns == ("bits", "x₁", "x₂", "OR", "NAND", "ŷ", "y")
    for bits, x1, x2, h1, h2, y_hat, y in table.rows:
        assert (x1 + 0.5, x2 + 0.5) == (int(bits[0]), int(bits[1]))
        assert h1 == int(x1 + x2 + XOR_HIDDEN[2, 0] >= 0)  # OR on the shown inputs
        assert h1 == int(bits != "00")
        assert h2 == int(-x1 - x2 + XOR_HIDDEN[2, 1] >= 0)  # NAND
        assert h2 == int(bits != "11")
        assert y_hat == int(h1 + h2 + XOR_OUT[2, 0] >= 0) == y == int(bits in ("01", "10"))


@pytest.mark.parametrize("values", [{}, {"xor_epochs": 5}, {"xor_epochs": 20, "eta": 0.1}])
def test_never_settles_text_lines_and_table_agree(values: dict[str, float]) -> None:
    """Each earlier epoch in the table is named in the text, once: as a dashed line that
    crosses the square (one per distinct line, none on top of the line now), as a line
    outside the square, or as the weights it has now."""
    from lessons.shared import plane as P

    run = LessonRun(Perceptron, values)
    step = next(s for s in run.steps_so_far() if s.title == "The rule never settles")
    table = step.data["numbers"]
    assert isinstance(table, TableData)
    epochs = [int(str(row[0]).split()[-1]) for row in table.rows]
    weights = {e: np.array(row[1:], dtype=float) for e, row in zip(epochs, table.rows, strict=True)}
    now = weights[epochs[-1]]
    plane = step.data["plane"]
    dashed = [s for s in plane.series if s.style == "dash"]  # type: ignore[union-attr]
    crossing = {
        tuple(np.round(w, 6))
        for e, w in weights.items()
        if e != epochs[-1] and not np.allclose(w, now) and not P.misses_box(w)
    }
    assert len(dashed) == len(crossing)
    text = step.text
    where = text.split("never stops. ")[1].split(". Each line")[0]
    assert sorted(int(n) for n in re.findall(r"\d+", where)) == epochs[:-1]
    assert f"the last {len(epochs)} epochs" in text
