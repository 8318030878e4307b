"""Tests for engine.nn.optimizers: first updates worked out by hand from each published rule."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.nn import optimizers
from engine.nn.optimizers import SGD, Adam, Momentum, Nesterov, RMSprop

pytestmark = pytest.mark.usefixtures("backend")


def _two_steps(opt: optimizers.Optimizer, grads: tuple[float, float] = (0.5, -1.0)) -> list[float]:
    """w starts at 1.0; apply the given gradients one step each; return w after each step."""
    w = Tensor(1.0, requires_grad=True, dtype="float64", name="w")
    seen = []
    for g in grads:
        w.grad = Tensor(g, dtype="float64").data
        opt.step([w])
        seen.append(w.item())
    return seen


# Each expectation below is the rule applied by hand with lr = 0.1, g1 = 0.5, g2 = -1.0, w0 = 1.
@pytest.mark.parametrize(
    ("opt", "expected"),
    [
        # w1 = 1 - 0.1 * 0.5 = 0.95 ; w2 = 0.95 - 0.1 * (-1) = 1.05
        (SGD(0.1), [0.95, 1.05]),
        # v1 = -0.05, w1 = 0.95 ; v2 = 0.9 * -0.05 + 0.1 = 0.055, w2 = 1.005
        (Momentum(0.1, momentum=0.9), [0.95, 1.005]),
        (SGD(0.1, momentum=0.9), [0.95, 1.005]),
        # v1 = -0.05, w1 = 1 + 0.9 * -0.05 - 0.05 = 0.905 ; v2 = 0.055,
        # w2 = 0.905 + 0.9 * 0.055 + 0.1 = 1.0545
        (Nesterov(0.1, momentum=0.9), [0.905, 1.0545]),
        (SGD(0.1, momentum=0.9, nesterov=True), [0.905, 1.0545]),
        # s1 = 0.1 * 0.25 = 0.025, w1 = 1 - 0.05 / sqrt(0.025) = 0.6837722 ;
        # s2 = 0.9 * 0.025 + 0.1 * 1 = 0.1225, w2 = w1 + 0.1 / 0.35 = 0.9694865
        (RMSprop(0.1, rho=0.9), [0.6837724340, 0.9694866381]),
        # m1 = 0.05, v1 = 0.00025, m_hat = 0.5, v_hat = 0.25, w1 = 1 - 0.1 * 0.5 / 0.5 = 0.9 ;
        # m2 = -0.055, v2 = 0.00124975, m_hat = -0.2894737, v_hat = 0.6251876,
        # w2 = 0.9 + 0.1 * 0.2894737 / 0.7906880 = 0.9366104
        (Adam(0.1), [0.9000000200, 0.9366103681]),
    ],
    ids=["sgd", "momentum", "sgd-momentum", "nesterov", "sgd-nesterov", "rmsprop", "adam"],
)
def test_first_updates_match_the_rule_by_hand(
    opt: optimizers.Optimizer, expected: list[float]
) -> None:
    """The first two updates equal the published rule applied by hand."""
    opt = copy.deepcopy(opt)  # one instance per device parametrisation
    assert _two_steps(opt) == pytest.approx(expected, abs=1e-9)
    assert opt.iterations == 2


def test_weight_decay_adds_the_l2_gradient() -> None:
    """With weight_decay, g becomes g + wd * w: w1 = 1 - 0.1 * (0.5 + 0.1 * 1) = 0.94."""
    assert _two_steps(SGD(0.1, weight_decay=0.1), (0.5,)) == pytest.approx([0.94])


def test_state_is_readable_per_parameter() -> None:
    """Velocity, running average and moments are readable host arrays after a step."""
    cases = {
        Momentum(0.1, momentum=0.9): {"velocity": -0.05},
        RMSprop(0.1, rho=0.9): {"average": 0.025},
        Adam(0.1): {"m": 0.05, "v": 0.00025},
        SGD(0.1): {},
    }
    for opt, expected in cases.items():
        w = Tensor(1.0, requires_grad=True, dtype="float64")
        assert opt.state_of(w) == {}
        w.grad = Tensor(0.5, dtype="float64").data
        opt.step([w])
        state = opt.state_of(w)
        assert set(state) == set(expected)
        for key, value in expected.items():
            assert isinstance(state[key], np.ndarray)
            assert float(state[key]) == pytest.approx(value)


def test_updates_happen_in_place() -> None:
    """Unwatched, the optimizer writes into the parameter's existing array."""
    w = Tensor(np.ones(3), requires_grad=True)
    array = w.data
    w.grad = Tensor(np.ones(3)).data
    Adam(0.1).step([w])
    assert w.data is array
    assert float(to_numpy(w.data)[0]) == pytest.approx(0.9, abs=1e-6)


def test_parameters_without_gradient_are_skipped() -> None:
    """A parameter whose grad is None is left unchanged."""
    w = Tensor(np.ones(2), requires_grad=True)
    SGD(0.1).step([w])
    np.testing.assert_array_equal(w.numpy(), [1.0, 1.0])


@pytest.mark.parametrize(
    "opt", [SGD(0.05), Momentum(0.02), Nesterov(0.02), RMSprop(0.05), Adam(0.1)]
)
def test_optimizers_descend_a_bowl_with_a_bare_point(opt: optimizers.Optimizer) -> None:
    """Stepping a bare 2-D point on f = x^2 + 10 y^2 approaches the minimum."""
    point = Tensor(np.array([1.0, 1.0]), requires_grad=True, dtype="float64")
    scale = Tensor(np.array([1.0, 10.0]), dtype="float64")
    start = float((point * point * scale).sum().item())
    for _ in range(200):
        point.zero_grad()
        (point * point * scale).sum().backward()
        opt.step([point])
    assert float((point * point * scale).sum().item()) < 0.01 * start


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: SGD(learning_rate=0.0), "learning_rate"),
        (lambda: SGD(momentum=1.0), "momentum"),
        (lambda: SGD(nesterov=True), "momentum > 0"),
        (lambda: Adam(beta_1=-0.1), "beta_1"),
        (lambda: RMSprop(rho=1.5), "rho"),
        (lambda: Adam(weight_decay=-1.0), "weight_decay"),
        (lambda: optimizers.get("adagrad"), "valid names"),
    ],
)
def test_bad_arguments_raise_value_error(make: object, message: str) -> None:
    """Out-of-range hyper-parameters and unknown names raise ValueError naming them."""
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_docstrings_show_the_update_rule_as_code() -> None:
    """Each optimizer documents its rule in code form for the lesson pane."""
    assert "w -= learning_rate * m_hat / (sqrt(v_hat) + epsilon)" in (Adam.__doc__ or "")
    assert "s = rho * s + (1 - rho) * g**2" in (RMSprop.__doc__ or "")
    assert "v = momentum * v - learning_rate * g" in (Momentum.__doc__ or "")
