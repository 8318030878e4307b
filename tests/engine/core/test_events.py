"""Tests for engine.events: the Tracer, recorded event sequences of training, and divergence."""

from __future__ import annotations

import numpy as np
import pytest

from engine.core import events
from engine.core.emitting import emits
from engine.core.events import (
    BatchEnd,
    Divergence,
    DivergenceError,
    EpochEnd,
    ForwardPass,
    Gradient,
    OptimizerStep,
    Tracer,
    current_tracer,
    use_tracer,
)
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import SGD, Adam

pytestmark = pytest.mark.usefixtures("backend")


def _model(optimizer: object = None) -> Sequential:
    model = Sequential([Input((3,)), Dense(4, activation="tanh"), Dense(2, activation="softmax")])
    model.compile(optimizer or Adam(0.01), "sparse_categorical_crossentropy")
    return model


def _batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((8, 3)).astype(np.float32), rng.integers(0, 2, 8)


def test_subscribe_wants_emit_and_unsubscribe() -> None:
    """A subscriber receives events of its kind only until it unsubscribes."""
    tracer = Tracer()
    assert not tracer.wants(BatchEnd)
    got: list[BatchEnd] = []
    unsubscribe = tracer.subscribe(BatchEnd, got.append)
    assert tracer.wants(BatchEnd) and not tracer.wants(EpochEnd)
    tracer.emit(BatchEnd(0, 0, 1.0, 4))
    tracer.emit(EpochEnd(0, {"loss": 1.0}))
    unsubscribe()
    unsubscribe()  # a second call is harmless
    tracer.emit(BatchEnd(0, 1, 0.5, 4))
    assert got == [BatchEnd(0, 0, 1.0, 4)] and not tracer.wants(BatchEnd)


def test_record_filters_kinds_and_caps_its_size() -> None:
    """record() keeps at most `cap` events of the chosen kinds and counts the rest."""
    tracer = Tracer()
    with tracer.record(kinds=(BatchEnd,), cap=2) as got:
        assert tracer.wants(BatchEnd) and not tracer.wants(EpochEnd)
        for i in range(5):
            tracer.emit(BatchEnd(0, i, 0.0, 1))
        tracer.emit(EpochEnd(0, {}))
    assert [e.batch for e in got] == [0, 1] and got.dropped == 3
    assert not tracer.wants(BatchEnd)


def test_unknown_event_kinds_and_bad_caps_are_rejected() -> None:
    """Only engine event types can be subscribed to or recorded."""
    tracer = Tracer()
    with pytest.raises(ValueError, match="not an engine event type"):
        tracer.subscribe(str, print)  # type: ignore[type-var]
    with pytest.raises(ValueError, match="cap"), tracer.record(cap=-1):
        pass


def test_use_tracer_routes_engine_events_to_that_tracer() -> None:
    """Inside use_tracer(t) the engine emits to t; outside, t hears nothing."""
    tracer = Tracer()
    model = _model()
    x, y = _batch()
    with use_tracer(tracer) as active, tracer.record() as got:
        assert current_tracer() is active is tracer
        model.train_on_batch(x, y)
    assert current_tracer() is not tracer and got
    with tracer.record() as later:
        model.train_on_batch(x, y)
    assert list(later) == []


def test_one_training_step_emits_this_exact_sequence() -> None:
    """One step: a forward pass per layer, named gradients, an update per parameter, batch end."""
    model = _model()
    x, y = _batch()
    tracer = Tracer()
    with use_tracer(tracer), tracer.record() as got:
        loss = model.train_on_batch(x, y)
    sequence = [
        (
            type(e).__name__,
            getattr(e, "layer", None) or getattr(e, "name", None) or getattr(e, "param", None),
        )
        for e in got
    ]
    assert sequence == [
        ("ForwardPass", "dense"),
        ("ForwardPass", "dense_1"),
        ("Gradient", "dense_1/bias"),
        ("Gradient", "dense_1/kernel"),
        ("Gradient", "dense"),
        ("Gradient", "dense/bias"),
        ("Gradient", "dense/kernel"),
        ("OptimizerStep", "dense/kernel"),
        ("OptimizerStep", "dense/bias"),
        ("OptimizerStep", "dense_1/kernel"),
        ("OptimizerStep", "dense_1/bias"),
        ("BatchEnd", None),
    ]
    end = got[-1]
    assert isinstance(end, BatchEnd) and (end.epoch, end.batch, end.size) == (0, 0, 8)
    assert end.loss == loss
    forward = got[0]
    assert isinstance(forward, ForwardPass)
    np.testing.assert_array_equal(forward.inputs, x)
    assert forward.output.shape == (8, 4)


def test_payloads_are_read_only_snapshots_that_later_steps_do_not_change() -> None:
    """Event arrays are NumPy, read-only, and keep their values while training goes on."""
    model = _model()
    x, y = _batch()
    before = model.get_weights()
    tracer = Tracer()
    with use_tracer(tracer), tracer.record() as got:
        model.train_on_batch(x, y)
    after = model.get_weights()
    steps = [e for e in got if isinstance(e, OptimizerStep)]
    kept = [
        (s.before.copy(), s.after.copy(), {k: v.copy() for k, v in s.state.items()}) for s in steps
    ]
    for _ in range(3):
        model.train_on_batch(x, y)  # unwatched steps update in place
    with use_tracer(tracer), tracer.record():
        model.train_on_batch(x, y)  # and watched ones too
    for step, w0, w1, (b, a, state) in zip(steps, before, after, kept, strict=True):
        np.testing.assert_array_equal(step.before, w0)
        np.testing.assert_array_equal(step.after, w1)
        np.testing.assert_array_equal(step.before, b)
        np.testing.assert_array_equal(step.after, a)
        assert set(step.state) == {"m", "v"}
        for key, value in step.state.items():
            np.testing.assert_array_equal(value, state[key])
        assert isinstance(step.after, np.ndarray) and not step.after.flags.writeable
    gradient = next(e for e in got if isinstance(e, Gradient))
    assert not gradient.value.flags.writeable


def test_optimizer_step_payload_follows_the_rule() -> None:
    """For SGD, after = before - learning_rate * grad, exactly as reported."""
    model = _model(SGD(0.5))
    tracer = Tracer()
    with use_tracer(tracer), tracer.record(kinds=(OptimizerStep,)) as got:
        model.train_on_batch(*_batch())
    for step in got:
        assert isinstance(step, OptimizerStep)
        np.testing.assert_allclose(step.after, step.before - 0.5 * step.grad, rtol=1e-6)
        assert step.state == {}


def test_fit_emits_epoch_ends_with_logs() -> None:
    """fit() emits one EpochEnd per epoch carrying the same logs as the History."""
    model = _model()
    x, y = _batch()
    tracer = Tracer()
    with use_tracer(tracer), tracer.record(kinds=(EpochEnd, BatchEnd)) as got:
        history = model.fit(x, y, epochs=2, batch_size=4)
    assert [type(e).__name__ for e in got] == ["BatchEnd"] * 2 + ["EpochEnd"] + ["BatchEnd"] * 2 + [
        "EpochEnd"
    ]
    ends = [e for e in got if isinstance(e, EpochEnd)]
    assert [e.logs["loss"] for e in ends] == history.history["loss"]


def test_nan_loss_stops_training_with_divergence_before_any_update() -> None:
    """A NaN loss emits Divergence, raises DivergenceError and leaves the weights untouched."""
    model = _model()
    x, y = _batch()
    x[3, 1] = np.nan
    weights = model.get_weights()
    tracer = Tracer()
    with use_tracer(tracer), tracer.record() as got, pytest.raises(DivergenceError) as err:
        model.fit(x, y, epochs=3, batch_size=8)
    assert isinstance(err.value, ArithmeticError) and "diverged" in str(err.value)
    assert (err.value.epoch, err.value.batch) == (0, 0) and np.isnan(err.value.loss)
    last = got[-1]
    assert isinstance(last, Divergence) and (last.epoch, last.batch) == (0, 0)
    assert not any(isinstance(e, OptimizerStep | BatchEnd) for e in got)
    for w0, w1 in zip(weights, model.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)


def test_exploding_learning_rate_ends_in_divergence_error() -> None:
    """A learning rate far too large makes the loss infinite and training stops."""
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(SGD(1e6), "mse")
    x = np.linspace(-1, 1, 32, dtype=np.float32)[:, None]
    with pytest.raises(DivergenceError):
        model.fit(x, 3 * x, epochs=50, batch_size=8)


def test_nobody_listening_means_nothing_is_wanted() -> None:
    """The default tracer wants nothing unless someone subscribes."""
    tracer = current_tracer()
    assert not any(tracer.wants(kind) for kind in events.EVENT_TYPES)


def test_emits_builds_nothing_when_nobody_listens_and_everything_when_someone_does() -> None:
    """An @emits builder runs only while its kind is wanted; one event or many are delivered."""
    calls: list[int] = []

    @emits(BatchEnd)
    def one(batch: int) -> BatchEnd:
        calls.append(batch)
        return BatchEnd(0, batch, 0.5, 4)

    @emits(BatchEnd)
    def many(count: int) -> list[BatchEnd]:
        calls.append(count)
        return [BatchEnd(0, b, 0.5, 4) for b in range(count)]

    tracer = Tracer()
    with use_tracer(tracer):
        assert not one(7) and not many(3) and calls == []
        with tracer.record(kinds=(BatchEnd,)) as got:
            assert one(7) and many(2)
        with tracer.record(kinds=(EpochEnd,)):
            assert not one(8)
    assert calls == [7, 2]
    assert [e.batch for e in got if isinstance(e, BatchEnd)] == [7, 0, 1]


def test_engine_code_asks_the_tracer_only_through_the_choke_point() -> None:
    """No engine module builds events behind its own wants() check (only copy decisions)."""
    from pathlib import Path

    root = Path(events.__file__).resolve().parents[1]
    emitting = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "bench" not in p.parts
        and ".emit(" in p.read_text()
        and p.name not in ("events.py", "emitting.py")
    ]
    assert emitting == []
