"""Tests for the O1 subscriber: `StepSampler` hands on whole steps, at most one per interval plus
each epoch's last, and `LayerSummaries` of a sampled step are exactly those of that step.

(`StepSampler` lives in engine/core/sampling.py; its tests sit here beside its one user for now.)"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from engine.bench.overhead import LayerSummaries
from engine.core import backend
from engine.core.events import (
    BatchEnd,
    EpochEnd,
    Event,
    ForwardPass,
    Gradient,
    Tracer,
    use_tracer,
)
from engine.core.sampling import StepSampler
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import Adam


@pytest.fixture(autouse=True)
def _on_the_cpu() -> Iterator[None]:
    previous = backend.current().name
    backend.use("cpu")
    yield
    backend.use(previous)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _forward(step: int) -> ForwardPass:
    a = np.full((2, 2), float(step), dtype=np.float32)
    return ForwardPass("dense", a, a)


def test_the_sampler_hands_on_one_whole_step_per_interval_and_each_epochs_last() -> None:
    """Steps closer than the interval are skipped; a handed-on step carries its own events."""
    clock, handed = Clock(), []
    sampler = StepSampler(lambda events, end: handed.append((end.batch, events)), 0.1, 5, clock)
    tracer = Tracer()
    detach = sampler.attach(tracer, (ForwardPass,))
    forwards = [_forward(i) for i in range(5)]
    for batch, forward in enumerate(forwards):
        clock.now = 0.04 * batch  # steps at 0, 0.04, 0.08, 0.12, 0.16 s
        tracer.emit(forward)
        tracer.emit(BatchEnd(0, batch, 1.0, 2))
    tracer.emit(_forward(99))  # a validation pass after the last step
    tracer.emit(EpochEnd(0, {"loss": 1.0}))
    detach()
    steps: list[tuple[int, tuple[Event, ...]]] = [
        (0, (forwards[0],)),
        (3, (forwards[3],)),
        (4, (forwards[4],)),
    ]
    assert handed == steps
    assert (sampler.steps, sampler.handed_on) == (5, 3)
    assert not any(tracer.wants(kind) for kind in (ForwardPass, BatchEnd, EpochEnd))


def test_take_next_takes_one_step_whatever_the_clock() -> None:
    """For train_on_batch loops: take_next() before the last step makes it handed on, once."""
    clock, handed = Clock(), []
    sampler = StepSampler(lambda events, end: handed.append(end.batch), 1.0, clock=clock)
    tracer = Tracer()
    sampler.attach(tracer, (Gradient,))
    for batch in range(4):
        if batch == 2:
            sampler.take_next()
        tracer.emit(Gradient("w", np.zeros(2)))
        tracer.emit(BatchEnd(0, batch, 1.0, 2))
    assert handed == [0, 2]


def test_a_negative_interval_or_empty_epoch_is_refused() -> None:
    """A negative interval or fewer than one step per epoch is an error naming it."""
    with pytest.raises(ValueError, match="interval"):
        StepSampler(lambda events, end: None, -1.0)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        StepSampler(lambda events, end: None, 0.1, steps_per_epoch=0)


def _model() -> tuple[Sequential, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    model = Sequential([Input((5,)), Dense(8, activation="relu"), Dense(3, activation="softmax")])
    model.compile(Adam(0.01), "sparse_categorical_crossentropy")
    return model, rng.standard_normal((40, 5)).astype(np.float32), rng.integers(0, 3, 40)


def test_sampled_summaries_are_exactly_the_summaries_of_the_step_they_name() -> None:
    """Summaries of the epoch's last step only equal those computed for every step, at that
    step: no number a display shows is lost or stale."""
    model, x, y = _model()
    tracer, every, sampled = Tracer(), LayerSummaries(0.0), LayerSummaries(1e9, 5)
    every.attach(tracer)
    sampled.attach(tracer)
    with use_tracer(tracer):
        model.fit(x, y, batch_size=8, epochs=2)
    assert (every.sampler.steps, every.sampler.handed_on) == (10, 10)
    assert (sampled.sampler.steps, sampled.sampler.handed_on) == (10, 3)  # first, 2 epoch ends
    assert every.latest is not None and sampled.latest is not None
    assert (sampled.latest.epoch, sampled.latest.batch) == (1, 4)
    assert sampled.latest == every.latest
    params = {
        f"{layer}/{weight}" for layer in ("dense", "dense_1") for weight in ("kernel", "bias")
    }
    assert {"step dense/kernel", "grad dense_1/bias", "dense", "dense_1"} <= set(
        every.latest.values
    )
    assert {f"step {p}" for p in params} <= set(every.latest.values)
