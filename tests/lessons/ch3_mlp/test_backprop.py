"""Lesson 3.2 (backpropagation): the written-out gradients are the true ones, the updates too."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lessons.ch3_mlp.backprop import model as m
from lessons.ch3_mlp.backprop.lesson import Backprop
from lessons.core.base import NetworkData, TableData, TextData
from lessons.core.runner import LessonRun

CASES = [
    (seed, x, t)
    for seed in (0, 1, 2)
    for x, t in (((0.8, 0.2), (1.0, 0.0)), ((-2.0, 1.5), (0.3, 0.9)))
]


@pytest.mark.parametrize(("seed", "x", "t"), CASES)
def test_backprop_equals_central_differences_and_the_engine(
    seed: int, x: tuple[float, float], t: tuple[float, float]
) -> None:
    """Every one of the 17 gradients: formulas = engine backward() = central differences."""
    net = m.random_net(np.random.default_rng(seed))
    xa, ta = np.array(x), np.array(t)
    f = m.forward(net, xa, ta)
    b = m.backward(net, f)
    loss, engine = m.engine_gradients(net, xa, ta)
    central = m.central_differences(net, xa, ta)
    assert loss == pytest.approx(f.loss, abs=1e-12)
    assert b.grads.max_abs_diff(engine) < 1e-12
    assert b.grads.max_abs_diff(central) < 1e-8


def test_deltas_are_the_derivatives_with_respect_to_each_sum() -> None:
    """δ_o = ∂J/∂z_o and δ_h = ∂J/∂z_h, checked by nudging the biases (z moves with b)."""
    net = m.random_net(np.random.default_rng(5))
    x, t = np.array([0.5, -1.0]), np.array([0.0, 1.0])
    b = m.backward(net, m.forward(net, x, t))
    central = m.central_differences(net, x, t)
    assert np.allclose(b.d2, central.b2, atol=1e-9) and np.allclose(b.d1, central.b1, atol=1e-9)
    assert np.allclose(b.back, net.w2 @ b.d2)


@pytest.mark.parametrize("eta", [0.05, 0.5, 3.0])
def test_the_update_is_w_minus_eta_times_the_gradient(eta: float) -> None:
    """The engine's SGD step gives exactly w − η ∂J/∂w for every parameter."""
    net = m.random_net(np.random.default_rng(7))
    x, t = np.array([0.8, 0.2]), np.array([1.0, 0.0])
    grads = m.backward(net, m.forward(net, x, t)).grads
    assert m.engine_step(net, x, t, eta).max_abs_diff(net.minus(grads, eta)) < 1e-12


def test_lesson_walks_forward_backward_update_check_and_training() -> None:
    """The steps come in teaching order; the numbers shown are the computed ones."""
    run = LessonRun(Backprop, strict=True)
    while run.next():
        pass
    steps = run.steps_so_far()
    titles = [s.title for s in steps]
    order = ["Forward: hidden neuron h₁", "Forward: output neuron o₂", "The error"]
    order += [
        "Backward: the output neurons' error terms",
        "Backward: the hidden neurons' error terms",
    ]
    order += ["The update", "Check: central differences", "Summary"]
    positions = [titles.index(title) for title in order]
    assert positions == sorted(positions)
    check = steps[titles.index(order[-2])]
    assert check.figures["check_gap"] < 1e-8
    table = check.data["weights"]
    assert isinstance(table, TableData) and len(table.rows) == 17
    losses = [s.figures["loss"] for s in steps if s.title.startswith("Training")]
    assert len(losses) == 3 and all(a > b for a, b in itertools.pairwise(losses))


def test_the_highlighted_weight_gets_its_formula_with_numbers() -> None:
    """The formula panel ends with the highlighted weight's gradient, the diagram marks it."""
    run = LessonRun(Backprop, {"weight": "h₂→o₁"}, strict=True)
    while not run.current.title.startswith("The chain rule"):
        assert run.next()
    grad = run.current.figures["highlighted_gradient"]
    formula = run.panel_state()["formula"]
    assert isinstance(formula, TextData)
    assert formula.text.rstrip("$").endswith(f"{grad:.3g}".replace("e-0", "e-"))
    diagram = run.panel_state()["net"]
    assert isinstance(diagram, NetworkData) and diagram.highlight_edge == (2, 1, 0)
    assert diagram.layers[2].weight_grads is not None


def _number(cell: str) -> float:
    return float(cell.replace("−", "-"))


def test_check_gradients_button_puts_central_differences_beside_the_gradients() -> None:
    """Pressing the button keeps the learner's step; each gradient gets its central difference."""
    run = LessonRun(Backprop, strict=True)
    titles = [run.step_at(n).title for n in range(run.computed)]
    where = titles.index("Backward: gradients of the first layer")
    run.goto(where)
    table = run.panel_state()["weights"]
    assert isinstance(table, TableData) and "central difference" not in table.columns
    assert run.set_control("check", 1).value == "restart" and run.position == where
    table = run.panel_state()["weights"]
    assert isinstance(table, TableData)
    assert table.columns == ("parameter", "before", "∂J/∂w", "central difference", "after")
    for row in table.rows:
        assert _number(row[3]) == pytest.approx(_number(row[2]), rel=1e-4, abs=1e-9)


def test_new_weights_and_inputs_restart_with_other_numbers() -> None:
    """The reroll button draws other weights; the inputs are the ones given."""
    first = LessonRun(Backprop, strict=True).current.figures["loss"]
    other = LessonRun(Backprop, {"reroll": 1}, strict=True).current.figures["loss"]
    assert first != other
    run = LessonRun(Backprop, {"x": (1.0, -1.0)}, strict=True)
    labels = run.panel_state()["net"]
    assert isinstance(labels, NetworkData) and labels.input_names == ("x₁\n1", "x₂\n−1")


def test_first_layer_gradient_is_the_sum_over_both_paths() -> None:
    """x₁→h₁ reaches the loss through o₁ and o₂: the text adds the two path products."""
    steps = LessonRun(Backprop, strict=True).steps_so_far()
    chain = next(s for s in steps if s.title.startswith("The chain rule for"))
    assert "sum</b> over the paths" in chain.text and " + " in chain.text
    training = [s for s in steps if s.title.startswith("Training")]
    assert [s.title for s in training] == [f"Training: {n} updates" for n in (5, 50, 200)]
    assert "since update 5 " in training[1].text and "since update 50 " in training[2].text


@pytest.mark.parametrize("weight", ["h₂→o₁", "x₁→h₁"])
def test_gradient_steps_highlight_the_rows_they_fill(weight: str) -> None:
    """Each gradient step highlights exactly the rows whose ∂J/∂w it fills (so they scroll
    into view); the weight under the cursor is marked by its name only when among them."""
    run = LessonRun(Backprop, {"weight": weight}, strict=True)
    layer_of = {label: name[1] for label, name, _ in m.rows(m.random_net(np.random.default_rng(0)))}
    for title, layer in (
        ("Backward: gradients of the output weights", "2"),
        ("Backward: gradients of the first layer", "1"),
    ):
        while run.current.title != title:
            assert run.next()
        table = run.current.data["weights"]
        assert isinstance(table, TableData)
        filled = {i for i, row in enumerate(table.rows) if layer_of[row[0]] == layer}
        assert set(table.highlight_rows) == filled and all(table.rows[i][2] for i in filled)
        mine = [i for i, row in enumerate(table.rows) if row[0] == f"w {weight}"]
        expected = [(mine[0], 0)] if mine[0] in filled else []
        assert list(table.highlight_cells) == expected
