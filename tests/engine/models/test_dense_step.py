"""Tests for engine.models.dense_step: a Dense stack's training step without the graph."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from engine.core.events import DivergenceError, Gradient, current_tracer
from engine.models.dense_step import dense_plan, dense_step
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Dropout, Input
from engine.nn.losses import BinaryCrossentropy, CategoricalCrossentropy
from engine.nn.optimizers import SGD, Adam, Optimizer


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


# ---- dense_step(..., check=False): what fit uses once it has checked every target ----


def _adam_model(dtype: str) -> Sequential:
    layers = [Input((6,)), Dense(9, "relu"), Dense(7, "relu"), Dense(4, "softmax")]
    model = Sequential(layers, seed=2, dtype=dtype)
    model.compile(optimizer=Adam(0.01), loss="sparse_categorical_crossentropy")
    return model


def _adam_data(dtype: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    return rng.normal(0, 2, (50, 6)).astype(dtype), rng.integers(0, 4, 50)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("check", [True, False])
def test_dense_step_with_adam_matches_the_graph_step(dtype: str, check: bool) -> None:
    fast, slow = _adam_model(dtype), _adam_model(dtype)
    plan = dense_plan(fast.layers)
    assert plan is not None and fast._fused is not None
    x, y = _adam_data(dtype)
    start = fast.get_weights()
    for batch, first in enumerate(range(0, 50, 8)):
        xb, yb = fast.as_arrays(x[first : first + 8], y[first : first + 8])
        done = dense_step(fast, plan, fast._fused[1], xb, yb, check)
        assert done is not None  # the graph-free step ran
        fast.optimizer.step(fast.params)
        with graph_path():
            loss, _, _ = slow._step(xb, yb, 0, batch, watch=False, check=check)
        assert done[0] == float(loss.data)
        for p, q in zip(fast.params, slow.params, strict=True):
            assert p.grad is not None and q.grad is not None
            assert p.grad.dtype == p.data.dtype == np.dtype(dtype)
            np.testing.assert_array_equal(p.grad, q.grad)
            np.testing.assert_array_equal(p.data, q.data)
    assert all(not np.array_equal(a, b) for a, b in zip(fast.get_weights(), start, strict=True))


def test_dense_step_checks_targets_unless_told_not_to() -> None:
    model = _adam_model("float32")
    plan = dense_plan(model.layers)
    assert plan is not None and model._fused is not None
    x, _ = _adam_data("float32")
    fractional = np.full(8, 1.5)
    with pytest.raises(ValueError, match="integer class labels"):
        dense_step(model, plan, model._fused[1], x[:8], fractional)
    assert dense_step(model, plan, model._fused[1], x[:8], fractional, check=False) is not None
