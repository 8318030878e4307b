"""Lesson 2.3: stacked linear layers equal their product matrix; g bends the boundary."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.ch2_neurons.nonlinearity import Nonlinearity
from lessons.core.runner import LessonRun
from lessons.shared.neurons import ACTIVATIONS, Net, affine_residual, collapse, identity


def _figures(**values: object) -> dict[str, float]:
    run = LessonRun(Nonlinearity, values, strict=True)
    return {k: v for s in run.steps_so_far() for k, v in s.figures.items()}


def test_composed_matrix_equals_the_product_of_the_layers() -> None:
    """collapse() gives W = W1 W2 and b = b1 W2 + b2, and the same score as the stack."""
    rng = np.random.default_rng(1)
    net = Net(
        rng.normal(size=(2, 4)),
        rng.normal(size=4),
        rng.normal(size=(4, 1)),
        rng.normal(size=1),
        identity,
    )
    w, b = collapse(net)
    np.testing.assert_allclose(w, net.w1 @ net.w2, rtol=1e-12)
    np.testing.assert_allclose(b, net.b1 @ net.w2 + net.b2, rtol=1e-12)
    x = rng.normal(size=(50, 2))
    np.testing.assert_allclose(net.score(x), (x @ w + b)[:, 0], rtol=1e-10, atol=1e-12)


def test_lesson_reports_the_collapse_to_rounding() -> None:
    """The lesson's stacked and collapsed scores agree to 1e-12 on its grid."""
    assert _figures()["collapse_max_diff"] < 1e-12


@pytest.mark.parametrize("data", ["circle", "xor"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_linear_boundary_stays_straight_and_g_bends_it(data: str, activation: str) -> None:
    """The trained linear stack's score is affine; with g it is not and it classifies better."""
    f = _figures(data=data, activation=activation)
    assert f["affine_residual_linear"] < 1e-9
    assert f["affine_residual_nonlinear"] > 0.1
    assert f["linear_accuracy"] < 0.75
    assert f["nonlinear_accuracy"] > f["linear_accuracy"] + 0.2


def test_affine_residual_detects_a_bend() -> None:
    """An untrained tanh network with the same weights is not affine; the identity one is."""
    rng = np.random.default_rng(2)
    weights = (rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=(3, 1)), np.zeros(1))
    assert affine_residual(Net(*weights, identity)) < 1e-9
    assert affine_residual(Net(*weights, ACTIVATIONS["tanh"])) > 1e-3


def test_single_neuron_formula_uses_the_probe() -> None:
    """Step 1's z is w0 + x1 w1 + x2 w2 for the probe the learner chose."""
    run = LessonRun(Nonlinearity, {"x1": 1.0, "x2": 0.0}, strict=True)
    z1 = run.step_at(0).figures["single_z"]
    run2 = LessonRun(Nonlinearity, {"x1": 0.0, "x2": 0.0}, strict=True)
    z0 = run2.step_at(0).figures["single_z"]
    assert z1 != pytest.approx(z0)


def test_decision_map_has_no_legend_over_it() -> None:
    """The probe and the hidden lines are labelled on the map: no series goes to a legend."""
    from lessons.core.base import PlotData

    for step in LessonRun(Nonlinearity, {}, strict=True).steps_so_far():
        plane = step.data.get("plane")
        if isinstance(plane, PlotData):
            assert all(s.name.startswith("_") for s in plane.series), step.title
            probe = next(s for s in plane.series if s.name == "_probe X")
            assert probe.labels == (" X",)
