"""`dense_step(..., check=False)`: the graph-free step without the per-batch target checks.

`fit` checks all of its targets once (`check_targets`), then steps each batch with
`check=False`; the graph-free step must then give the graph step's numbers exactly as with the
checks (W1's combination: ReLU, softmax with sparse categorical cross-entropy, Adam; float32 and
float64), and the checks must still run where asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from engine.core.events import Gradient, current_tracer
from engine.models.dense_step import dense_plan, dense_step
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import Adam


@contextmanager
def graph_path() -> Iterator[None]:
    """Someone listens for gradients: `_step` takes the autodiff graph (the reference)."""
    unsubscribe = current_tracer().subscribe(Gradient, lambda _e: None)
    try:
        yield
    finally:
        unsubscribe()


def _model(dtype: str) -> Sequential:
    layers = [Input((6,)), Dense(9, "relu"), Dense(7, "relu"), Dense(4, "softmax")]
    model = Sequential(layers, seed=2, dtype=dtype)
    model.compile(optimizer=Adam(0.01), loss="sparse_categorical_crossentropy")
    return model


def _data(dtype: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    return rng.normal(0, 2, (50, 6)).astype(dtype), rng.integers(0, 4, 50)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("check", [True, False])
def test_dense_step_with_adam_matches_the_graph_step(dtype: str, check: bool) -> None:
    fast, slow = _model(dtype), _model(dtype)
    plan = dense_plan(fast.layers)
    assert plan is not None and fast._fused is not None
    x, y = _data(dtype)
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
    model = _model("float32")
    plan = dense_plan(model.layers)
    assert plan is not None and model._fused is not None
    x, _ = _data("float32")
    fractional = np.full(8, 1.5)
    with pytest.raises(ValueError, match="integer class labels"):
        dense_step(model, plan, model._fused[1], x[:8], fractional)
    assert dense_step(model, plan, model._fused[1], x[:8], fractional, check=False) is not None
