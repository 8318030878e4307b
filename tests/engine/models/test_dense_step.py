"""Tests for engine.models.dense_step: a Dense stack's training step without the graph."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from engine.core.events import DivergenceError, Gradient, current_tracer
from engine.models.dense_step import dense_plan
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Dropout, Input
from engine.nn.losses import BinaryCrossentropy, CategoricalCrossentropy
from engine.nn.optimizers import SGD, Optimizer


@contextmanager
def graph_path() -> Iterator[None]:
    """Someone listens for gradients: training takes the general (autodiff) step."""
    unsubscribe = current_tracer().subscribe(Gradient, lambda _e: None)
    try:
        yield
    finally:
        unsubscribe()


def _model(hidden: str, classes: int, optimizer: Optimizer) -> Sequential:
    last = Dense(1, activation="sigmoid") if classes == 2 else Dense(classes, "softmax")
    model = Sequential([Input((3,)), Dense(8, hidden), Dense(5, hidden), last], seed=4)
    loss = BinaryCrossentropy() if classes == 2 else CategoricalCrossentropy()
    model.compile(optimizer=optimizer, loss=loss)
    return model


def _data(classes: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.normal(0, 2, (60, 3)).astype(np.float32)
    labels = rng.integers(0, classes, 60)
    if classes == 2:
        return x, labels.reshape(-1, 1).astype(np.float32)
    return x, np.eye(classes, dtype=np.float32)[labels]


@pytest.mark.parametrize("hidden", ["tanh", "relu", "sigmoid", "linear"])
@pytest.mark.parametrize("classes", [2, 3])
@pytest.mark.parametrize("decay,momentum", [(0.0, 0.0), (0.01, 0.9)])
def test_dense_step_trains_bit_for_bit_like_the_graph(
    hidden: str, classes: int, decay: float, momentum: float
) -> None:
    """Losses, weights and last gradients equal the autodiff step's exactly, batch after batch."""
    fast = _model(hidden, classes, SGD(0.1, momentum=momentum, weight_decay=decay))
    slow = _model(hidden, classes, SGD(0.1, momentum=momentum, weight_decay=decay))
    assert dense_plan(fast.layers) is not None
    x, y = _data(classes)
    for start in range(0, 60, 7):
        rows = slice(start, start + 7)
        value = fast.train_on_batch(x[rows], y[rows])
        with graph_path():
            expected = slow.train_on_batch(x[rows], y[rows])
        assert value == expected
    for a, b in zip(fast.get_weights(), slow.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for p, q in zip(fast.params, slow.params, strict=True):
        assert p.grad is not None and q.grad is not None
        np.testing.assert_array_equal(p.grad, q.grad)


def test_dense_plan_declines_other_layers() -> None:
    """A stack with anything but Dense layers (after the Input) trains through the graph."""
    model = Sequential([Input((3,)), Dense(4, "tanh"), Dropout(0.5), Dense(1, "sigmoid")], seed=0)
    model.compile(optimizer=SGD(0.1), loss=BinaryCrossentropy())
    assert dense_plan(model.layers) is None
    model2 = Sequential([Input((3,)), Dense(4, "elu"), Dense(1, "sigmoid")], seed=0)
    model2.compile(optimizer=SGD(0.1), loss=BinaryCrossentropy())
    assert dense_plan(model2.layers) is None


def test_dense_step_divergence_leaves_weights_and_gradients() -> None:
    """A non-finite loss raises before any gradient or weight changes, as the graph step does."""
    model = _model("tanh", 2, SGD(0.1))
    x, y = _data(2)
    model.train_on_batch(x[:5], y[:5])
    weights = model.get_weights()
    grads = [p.grad for p in model.params]
    bad = x[:5].copy()
    bad[0, 0] = np.nan
    with pytest.raises(DivergenceError):
        model.train_on_batch(bad, y[:5])
    for a, b in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert all(p.grad is g for p, g in zip(model.params, grads, strict=True))
