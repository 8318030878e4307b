"""Lesson 2.4: activation derivatives by autodiff equal central differences; the dead ReLU."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from engine.core.tensor import Tensor
from engine.nn import activations as act
from lessons.ch2_neurons.activations.lesson import XS, ActivationFunctions
from lessons.core.runner import LessonRun
from lessons.shared.neurons import derivative, train_neuron

SMOOTH: dict[str, Callable[[Tensor], Tensor]] = {
    "sigmoid": act.sigmoid,
    "tanh": act.tanh,
    "relu": act.relu,
    "leaky_relu": lambda z: act.leaky_relu(z, 0.05),
    "elu": act.elu,
}
AWAY_FROM_KINKS = np.concatenate([np.linspace(-4.0, -0.05, 40), np.linspace(0.05, 4.0, 40)])


def _central(fn: Callable[[Tensor], Tensor], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    up = fn(Tensor(x + h, dtype="float64")).numpy()
    down = fn(Tensor(x - h, dtype="float64")).numpy()
    return (up - down) / (2 * h)


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_derivative_equals_central_differences(name: str) -> None:
    """backward() on a batch gives f' equal to (f(x + h) - f(x - h)) / 2h away from kinks."""
    fn = SMOOTH[name]
    _, grad = derivative(fn, AWAY_FROM_KINKS)
    np.testing.assert_allclose(grad, _central(fn, AWAY_FROM_KINKS), rtol=1e-6, atol=1e-8)


def test_noisy_relu_derivative_equals_central_differences_for_fixed_noise() -> None:
    """With the same noise draw on both sides, noisy ReLU's slope is the finite difference."""
    x = AWAY_FROM_KINKS

    def fn(seed: int) -> Callable[[Tensor], Tensor]:
        return lambda z: act.noisy_relu(z, np.random.default_rng(seed), 0.5)

    noise = np.random.default_rng(7).normal(0.0, 0.5, x.shape)
    away = np.abs(x + noise) > 1e-3
    _, grad = derivative(fn(7), x)
    np.testing.assert_allclose(grad[away], _central(fn(7), x)[away], atol=1e-8)


def test_step_derivative_is_zero_everywhere() -> None:
    """The step function's derivative from backward() is 0 on the whole grid, jump included."""
    f, grad = derivative(act.step, XS)
    assert np.all(grad == 0.0)
    assert 0.0 in XS and f[XS == 0.0][0] == 1.0


def test_dead_relu_weight_never_moves() -> None:
    """A ReLU neuron whose input is negative for every example keeps w and b exactly."""
    trace = train_neuron(act.relu, bias=-3.0)
    assert np.all(trace[:, 0] == trace[0, 0]) and np.all(trace[:, 1] == -3.0)
    healthy = train_neuron(act.relu, bias=0.5)
    assert abs(healthy[-1, 0] - healthy[0, 0]) > 0.1
    leaky = train_neuron(lambda z: act.leaky_relu(z, 0.05), bias=-3.0)
    assert leaky[-1, 0] != leaky[0, 0]


def test_lesson_reports_the_dead_neuron_and_the_probe_values() -> None:
    """The lesson's figures: no change for the dead ReLU; f and f' at the probe are exact."""
    run = LessonRun(ActivationFunctions, {"probe": 2.0}, strict=True)
    f = {k: v for s in run.steps_so_far() for k, v in s.figures.items()}
    assert f["dead_w_change"] == 0.0 and f["dead_b_change"] == 0.0
    s = 1 / (1 + np.exp(-2.0))
    assert f["f_logistic"] == pytest.approx(s, rel=1e-12)
    assert f["df_logistic"] == pytest.approx(s * (1 - s), rel=1e-12)
    assert f["df_tanh"] == pytest.approx(1 - np.tanh(2.0) ** 2, rel=1e-12)
    assert f["df_step"] == 0.0 and f["df_relu"] == 1.0


def test_a_living_start_is_reported_alive() -> None:
    """With a positive start bias the lesson's ReLU neuron learns."""
    run = LessonRun(ActivationFunctions, {"start_bias": 0.5}, strict=True)
    f = {k: v for s in run.steps_so_far() for k, v in s.figures.items()}
    assert f["dead_w_change"] != 0.0


FUNCTION_NAMES = ("step", "logistic σ", "tanh", "ReLU", "leaky ReLU", "ELU", "noisy ReLU")


def _function_of(series_name: str) -> str | None:
    """The activation a series draws ("f = ReLU", "f′ of ELU", "w, tanh", ...), if any."""
    name = series_name.removesuffix(" (mean)").removesuffix(" (dots)")
    for prefix in ("f = ", "f′ of ", "w, ", "b, "):
        name = name.removeprefix(prefix)
    return name if name in FUNCTION_NAMES else None


def test_each_function_keeps_one_colour_and_nothing_is_dashed() -> None:
    """Every activation is drawn in one colour in every step and panel, the colours of
    functions shown together differ, and no line is dashed (dashed means validation)."""
    from lessons.core.base import PlotData

    run = LessonRun(ActivationFunctions, {}, strict=True)
    while run.next():
        pass
    colors: dict[str, set[int]] = {}
    for step in run.steps_so_far():
        for panel in ("f", "df", "learn"):
            plot = step.data.get(panel)
            if not isinstance(plot, PlotData):
                continue
            assert all(s.style != "dash" for s in plot.series), (step.title, panel)
            shown = {}
            for s in plot.series:
                fn = _function_of(s.name)
                if fn is not None:
                    colors.setdefault(fn, set()).add(s.color)
                    shown[fn] = s.color
            assert len(set(shown.values())) == len(shown), (step.title, panel, shown)
    assert set(colors) == set(FUNCTION_NAMES)
    assert all(len(c) == 1 for c in colors.values()), colors
