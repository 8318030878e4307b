"""Tests for `fit_batch.graph_free_fit`: `fit`'s steps that nobody watches layer by layer run
without the graph, with the graph's numbers bit for bit (the reference: the same fit with a
`Gradient` listener, which needs the graph), watched by a `BatchEnd` listener or not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from engine.core.events import BatchEnd, DivergenceError, Gradient, Tracer, use_tracer
from engine.models.fit_batch import graph_free_fit
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Dropout, Input
from engine.nn.optimizers import SGD, Adam

LAST = {
    "sparse_categorical_crossentropy": ("softmax", 4),
    "categorical_crossentropy": ("softmax", 4),
    "binary_crossentropy": ("sigmoid", 1),
}


def _model(loss: str, dtype: str, adam: bool) -> Sequential:
    activation, units = LAST[loss]
    model = Sequential(
        [Input((6,)), Dense(9, "relu"), Dense(7, "tanh"), Dense(units, activation)],
        seed=3,
        dtype=dtype,
    )
    model.compile(Adam(0.01) if adam else SGD(0.1, 0.9), loss, metrics=["accuracy"])
    return model


def _data(loss: str, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x = rng.normal(0, 2, (50, 6)).astype(dtype)
    labels = rng.integers(0, 4, 50)
    if loss == "binary_crossentropy":
        return x, (labels % 2).reshape(-1, 1).astype(dtype)
    if loss == "categorical_crossentropy":
        return x, np.eye(4, dtype=dtype)[labels]
    return x, labels


def _fit(model: Sequential, x: np.ndarray, y: np.ndarray, listen: tuple[type, ...], mp: Any) -> Any:
    """fit 3 epochs with no-op listeners of `listen`: (history, weights, BatchEnd losses, how
    many steps ran without the graph)."""
    tracer, graph_free = Tracer(), 0
    batch_ends: list[BatchEnd] = []
    for kind in listen:
        tracer.subscribe(kind, batch_ends.append if kind is BatchEnd else lambda e: None)

    def counted(*args: Any) -> Any:
        nonlocal graph_free
        done = graph_free_fit(*args)
        graph_free += done is not None
        return done

    mp.setattr("engine.models.sequential.graph_free_fit", counted)
    with use_tracer(tracer):
        history = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.2)
    return history.history, model.get_weights(), [(e.batch, e.loss) for e in batch_ends], graph_free


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("loss", sorted(LAST))
@pytest.mark.parametrize("adam", [True, False])
def test_fit_without_the_graph_gives_the_graphs_numbers(
    dtype: str, loss: str, adam: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Losses, metrics, validation scores, weights and BatchEnd losses equal the graph's."""
    x, y = _data(loss, dtype)
    graph = _fit(_model(loss, dtype, adam), x, y, (Gradient, BatchEnd), monkeypatch)
    unwatched = _fit(_model(loss, dtype, adam), x, y, (), monkeypatch)
    watched = _fit(_model(loss, dtype, adam), x, y, (BatchEnd,), monkeypatch)
    assert graph[3] == 0 and unwatched[3] == watched[3] == 3 * 5  # 40 samples in batches of 8
    for run in (unwatched, watched):
        assert run[0] == graph[0]
        for a, b in zip(run[1], graph[1], strict=True):
            np.testing.assert_array_equal(a, b)
    assert watched[2] == graph[2] and len(graph[2]) == 15 and unwatched[2] == []


def _diverging(dtype: str = "float32") -> tuple[Sequential, np.ndarray, np.ndarray]:
    model = _model("sparse_categorical_crossentropy", dtype, adam=True)
    x, y = _data("sparse_categorical_crossentropy", dtype)
    x[11, 2] = np.nan  # in the second batch of 8 (no shuffle)
    return model, x, y


@pytest.mark.parametrize("listen", [(), (BatchEnd,)], ids=["unwatched", "watched"])
def test_a_nan_loss_ends_fit_as_on_the_graph(listen: tuple[type, ...]) -> None:
    """Watched, the NaN step raises before any update; unwatched, the epoch's end raises after
    the later steps: either way the same error and the same weights as on the graph."""

    def run(kinds: tuple[type, ...]) -> tuple[tuple[int, int], list[np.ndarray]]:
        model, x, y = _diverging()
        tracer = Tracer()
        for kind in kinds:
            tracer.subscribe(kind, lambda e: None)
        with use_tracer(tracer), pytest.raises(DivergenceError) as err:
            model.fit(x, y, batch_size=8, epochs=2, shuffle=False)
        return (err.value.epoch, err.value.batch), model.get_weights()

    where, weights = run(listen)
    graph_where, graph_weights = run((*listen, Gradient))
    assert where == graph_where == (0, 1)
    for a, b in zip(weights, graph_weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_stack_the_plan_does_not_cover_trains_on_the_graph() -> None:
    """A Dropout layer (or a loss that does not fuse) leaves the step to the graph: None."""
    make: list[Callable[[], Sequential]] = [
        lambda: Sequential([Input((6,)), Dense(9, "relu"), Dropout(0.5), Dense(4, "softmax")]),
        lambda: Sequential([Input((6,)), Dense(9, "relu"), Dense(4, "softmax")]),
    ]
    losses = ["sparse_categorical_crossentropy", "mse"]
    x, y = _data("sparse_categorical_crossentropy", "float32")
    for build, loss in zip(make, losses, strict=True):
        model = build()
        model.compile(Adam(0.01), loss)
        targets = y if loss != "mse" else np.eye(4, dtype="float32")[y]
        assert graph_free_fit(model, x[:8], targets[:8], 0, 0, True) is None


def test_without_metrics_no_output_is_made_and_the_numbers_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A model without metrics skips the output activation in its graph-free steps (the tally
    reads only the loss): its losses and weights still equal the graph's."""
    x, y = _data("sparse_categorical_crossentropy", "float32")

    def model() -> Sequential:
        m = _model("sparse_categorical_crossentropy", "float32", adam=True)
        m.compile(Adam(0.01), "sparse_categorical_crossentropy")  # no metrics
        return m

    graph = _fit(model(), x, y, (Gradient, BatchEnd), monkeypatch)
    free = _fit(model(), x, y, (), monkeypatch)
    assert graph[3] == 0 and free[3] == 15
    assert free[0] == graph[0] and set(free[0]) == {"loss", "val_loss"}
    for a, b in zip(free[1], graph[1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_tally_with_metrics_needs_the_output() -> None:
    from engine.analysis.metrics import Accuracy
    from engine.core.tensor import Tensor
    from engine.models.tally import Tally

    tally = Tally([Accuracy()])
    with pytest.raises(ValueError, match="need the model's output"):
        tally.add(Tensor(np.float32(0.5)), np.zeros(3), None)
    Tally([]).add(Tensor(np.float32(0.5)), np.zeros(3), None)  # no metrics: the loss alone
