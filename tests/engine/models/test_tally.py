"""Tests for engine.models.tally and the host copies of training: none per batch unless asked."""

from __future__ import annotations

from collections import Counter

import fakecupy
import numpy as np
import pytest

from engine.core.events import BatchEnd, Divergence, DivergenceError, Tracer, use_tracer
from engine.models.sequential import Sequential
from engine.models.tally import Tally
from engine.nn.callbacks import Callback
from engine.nn.layers import Dense, Input

SAMPLES = 64


def _model() -> Sequential:
    model = Sequential([Input((3,)), Dense(8, activation="relu"), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((SAMPLES, 3)).astype(np.float32), rng.integers(0, 3, SAMPLES)


def _sites(transfers: fakecupy.Transfers) -> str:
    return str(Counter(transfers.host_sites))


@pytest.mark.parametrize("batch_size", [8, 16])
def test_fit_without_listeners_copies_once_per_epoch_whatever_the_batches(
    fake_device: fakecupy.Transfers, batch_size: int
) -> None:
    """Nobody listening: 0 device->host copies per batch, 1 per epoch (losses and metrics of
    all its batches), plus 1 per fit checking the sparse labels; host->device: x, y, and each
    epoch's shuffle order."""
    model, (x, y), epochs = _model(), _data(), 3
    fake_device.reset()
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size)
    assert fake_device.to_host == epochs + 1, _sites(fake_device)
    assert fake_device.to_device == 2 + epochs
    assert len(history.history["loss"]) == epochs and len(history.history["accuracy"]) == epochs


def test_a_batch_end_listener_gets_each_batch_loss_copied(
    fake_device: fakecupy.Transfers,
) -> None:
    """With a BatchEnd subscriber each batch's loss is copied (and checked) as it happens."""
    model, (x, y), epochs, batches = _model(), _data(), 2, SAMPLES // 16
    tracer, seen = Tracer(), []
    tracer.subscribe(BatchEnd, seen.append)
    fake_device.reset()
    with use_tracer(tracer):
        model.fit(x, y, epochs=epochs, batch_size=16)
    assert len(seen) == epochs * batches
    assert fake_device.to_host == epochs * batches + epochs + 1, _sites(fake_device)


def test_a_callback_with_on_batch_end_gets_each_batch_loss(
    fake_device: fakecupy.Transfers,
) -> None:
    """A callback overriding on_batch_end is a listener: it receives every batch's float loss."""

    class Losses(Callback):
        def __init__(self) -> None:
            super().__init__()
            self.values: list[float] = []

        def on_batch_end(self, batch: int, logs: object = None) -> None:
            assert isinstance(logs, dict)
            self.values.append(logs["loss"])

    model, (x, y), losses = _model(), _data(), Losses()
    fake_device.reset()
    model.fit(x, y, epochs=1, batch_size=16, callbacks=[losses])
    assert len(losses.values) == SAMPLES // 16
    assert all(isinstance(v, float) for v in losses.values)
    assert fake_device.to_host == SAMPLES // 16 + 2, _sites(fake_device)


def test_evaluate_copies_once(fake_device: fakecupy.Transfers) -> None:
    """evaluate reads all its batches' values in one copy (plus one for the label check)."""
    model, (x, y) = _model(), _data()
    fake_device.reset()
    scores = model.evaluate(x, y, batch_size=8)
    assert set(scores) == {"loss", "accuracy"} and fake_device.to_host == 2, _sites(fake_device)


@pytest.mark.usefixtures("backend")
def test_unwatched_divergence_names_the_first_bad_batch_at_the_epoch_end() -> None:
    """Nobody listening: a NaN loss in batch 2 raises DivergenceError(0, 2) when the epoch ends."""
    model = Sequential([Input((1,)), Dense(1)])
    model.compile("sgd", "mse")
    x = np.linspace(-1, 1, 32, dtype=np.float32)[:, None]
    x[20, 0] = np.nan  # batch 2 of 8 samples each, without shuffling
    with pytest.raises(DivergenceError) as err:
        model.fit(x, 2 * x, epochs=2, batch_size=8, shuffle=False)
    assert (err.value.epoch, err.value.batch) == (0, 2) and np.isnan(err.value.loss)


@pytest.mark.usefixtures("backend")
def test_a_divergence_listener_stops_before_the_bad_batch_updates() -> None:
    """With a Divergence subscriber the check runs per batch: the event, then the error."""
    model = Sequential([Input((1,)), Dense(1)])
    model.compile("sgd", "mse")
    x = np.linspace(-1, 1, 32, dtype=np.float32)[:, None]
    x[20, 0] = np.nan
    tracer, seen = Tracer(), []
    tracer.subscribe(Divergence, seen.append)
    with use_tracer(tracer), pytest.raises(DivergenceError):
        model.fit(x, 2 * x, epochs=2, batch_size=8, shuffle=False)
    assert [(e.epoch, e.batch) for e in seen] == [(0, 2)]
    assert all(np.isfinite(w).all() for w in model.get_weights())


@pytest.mark.usefixtures("backend")
def test_tally_reads_batch_losses_and_weighted_means() -> None:
    """Tally.read gives each batch's loss and the means weighted by batch size."""
    model = _model()
    x, y = model.as_arrays(*_data())  # device arrays, as fit gives the metrics
    assert model.loss is not None
    tally = Tally(model.metrics)
    for rows in (slice(0, 40), slice(40, 64)):
        out = model(x[rows])
        tally.add(model.loss(y[rows], out), y[rows], out)
    losses, means = tally.read()
    scores = model.evaluate(x, y, batch_size=SAMPLES)
    assert len(losses) == 2 and set(means) == {"loss", "accuracy"}
    assert means["loss"] == pytest.approx((40 * losses[0] + 24 * losses[1]) / 64)
    assert means["loss"] == pytest.approx(scores["loss"], rel=1e-6)
    assert means["accuracy"] == pytest.approx(scores["accuracy"])
