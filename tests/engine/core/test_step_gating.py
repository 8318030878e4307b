"""Tests for marked training steps (`Tracer.step`) and subscriptions that want only some steps
(`wants_step`): a step nobody wants is trained as if nobody listened, with the same numbers, and
a step that is wanted is exact.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pytest

from engine.bench.overhead import LayerSummaries, Summary
from engine.core.events import (
    BatchEnd,
    EpochEnd,
    Event,
    ForwardPass,
    Gradient,
    OptimizerStep,
    Tracer,
    use_tracer,
)
from engine.core.sampling import StepSampler
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import Adam


class CountingTracer(Tracer):
    """A tracer that counts the events built (emitted), of every kind."""

    def __init__(self) -> None:
        super().__init__()
        self.built: Counter[type] = Counter()

    def emit(self, event: Event) -> None:
        self.built[type(event)] += 1
        super().emit(event)


class Gate:
    """A wants_step that answers from a list and counts how often it is asked."""

    def __init__(self, answers: Sequence[bool]) -> None:
        self.answers, self.asked = list(answers), 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.answers.pop(0)


def _forward(i: int) -> ForwardPass:
    a = np.full((2, 2), float(i), dtype=np.float32)
    return ForwardPass("dense", a, a)


def _value(event: Event) -> int:
    assert isinstance(event, ForwardPass)
    return int(event.output[0, 0])


def test_a_step_its_gate_does_not_want_is_not_wanted_nor_delivered() -> None:
    """Inside an unwanted marked step the kind is not wanted and its subscriber hears nothing;
    inside a wanted one, and outside marked steps, it hears everything."""
    tracer, gate = Tracer(), Gate([False, True])
    got: list[ForwardPass] = []
    tracer.subscribe(ForwardPass, got.append, gate)
    assert tracer.wants(ForwardPass)  # outside a marked step
    with tracer.step():
        assert not tracer.wants(ForwardPass)
        tracer.emit(_forward(0))
    with tracer.step():
        assert tracer.wants(ForwardPass)
        tracer.emit(_forward(1))
    tracer.emit(_forward(2))
    assert [int(e.output[0, 0]) for e in got] == [1, 2] and gate.asked == 2


def test_other_subscribers_and_recordings_still_get_an_unwanted_steps_events() -> None:
    """A gate mutes only its own subscriptions: a plain subscriber of the same kind and a
    recording still get the events, and those kinds stay wanted."""
    tracer = Tracer()
    gated: list[Event] = []
    plain: list[ForwardPass] = []
    tracer.subscribe(ForwardPass, gated.append, lambda: False)
    tracer.subscribe(Gradient, gated.append, lambda: False)
    tracer.subscribe(ForwardPass, plain.append)
    with tracer.record(kinds=(Gradient,)) as recorded, tracer.step():
        assert tracer.wants(ForwardPass) and tracer.wants(Gradient)
        tracer.emit(_forward(0))
        tracer.emit(Gradient("w", np.zeros(2)))
    assert gated == [] and len(plain) == 1 and len(recorded) == 1


def test_a_shared_gate_is_asked_once_per_step_and_a_nested_step_is_part_of_it() -> None:
    """One gate for several kinds is asked once at each step's start; a step marked inside a
    marked step asks nothing; an error inside a step ends it."""
    tracer, gate = Tracer(), Gate([True, False])
    got: list[Event] = []
    tracer.subscribe(ForwardPass, got.append, gate)
    tracer.subscribe(Gradient, got.append, gate)
    tracer.subscribe(OptimizerStep, got.append, gate)
    with tracer.step(), tracer.step():
        tracer.emit(_forward(0))
    assert gate.asked == 1 and len(got) == 1
    with pytest.raises(RuntimeError), tracer.step():
        assert not tracer.wants(ForwardPass)
        raise RuntimeError("a failing step")
    assert gate.asked == 2 and tracer.wants(ForwardPass)  # the step ended with the error


def test_unsubscribing_a_gated_subscriber_leaves_nothing_wanted() -> None:
    """After its unsubscribe the gate is no longer asked and nothing is wanted."""
    tracer, gate = Tracer(), Gate([])
    unsubscribe = tracer.subscribe(ForwardPass, print, gate)
    unsubscribe()
    with tracer.step():
        pass
    assert gate.asked == 0 and not tracer.wants(ForwardPass)


def test_the_sampler_decides_at_a_marked_steps_start_and_builds_only_steps_it_takes() -> None:
    """With marked steps the sampler hands on the same steps as without, each with only its own
    events; the steps it does not take emit none of its kinds (only BatchEnd)."""
    handed: list[tuple[int, tuple[Event, ...]]] = []
    clock = [0.0]
    sampler = StepSampler(lambda ev, end: handed.append((end.batch, ev)), 0.1, 5, lambda: clock[0])
    tracer = CountingTracer()
    sampler.attach(tracer, (ForwardPass,))
    tracer.emit(_forward(99))  # before any step: belongs to no step
    for batch in range(5):
        clock[0] = 0.04 * batch  # steps at 0, 0.04, 0.08, 0.12, 0.16 s: 0, 3 and the last taken
        with tracer.step():
            if tracer.wants(ForwardPass):
                tracer.emit(_forward(batch))
            tracer.emit(BatchEnd(0, batch, 1.0, 2))
    tracer.emit(EpochEnd(0, {}))
    assert [(b, [_value(e) for e in ev]) for b, ev in handed] == [
        (0, [0]),
        (3, [3]),
        (4, [4]),
    ]
    assert tracer.built[ForwardPass] == 1 + 3 and tracer.built[BatchEnd] == 5


def _model(seed: int = 0) -> tuple[Sequential, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    model = Sequential(
        [Input((5,)), Dense(8, activation="relu"), Dense(3, activation="softmax")],
        seed=seed,
        dtype="float64",
    )
    model.compile(Adam(0.01), "sparse_categorical_crossentropy")
    return model, rng.standard_normal((40, 5)), rng.integers(0, 3, 40)


class EverySummary(LayerSummaries):
    """LayerSummaries that keeps every summary it makes, by (epoch, batch)."""

    def __init__(self, interval: float, steps_per_epoch: int | None = None) -> None:
        super().__init__(interval, steps_per_epoch)
        self.all: dict[tuple[int, int], Summary] = {}

    def summarise(self, events: Sequence[Event], end: BatchEnd) -> None:
        super().summarise(events, end)
        assert self.latest is not None
        self.all[end.epoch, end.batch] = self.latest


@pytest.mark.usefixtures("backend")
def test_fit_builds_only_the_sampled_steps_with_the_same_numbers_and_exact_summaries() -> None:
    """fit with a sampler that takes each epoch's first and last steps builds per-layer events
    for those steps only, trains to the very weights of a run nobody listens to, and each taken
    step's summary equals that step's summary in a run that summarises every step."""
    plain, x, y = _model()
    plain.fit(x, y, batch_size=8, epochs=2, shuffle=True)

    model, _, _ = _model()
    tracer, sampled = CountingTracer(), EverySummary(1e9, 5)
    sampled.attach(tracer)
    every_model, _, _ = _model()
    every_tracer, every = CountingTracer(), EverySummary(0.0)
    every.attach(every_tracer)
    with use_tracer(tracer):
        model.fit(x, y, batch_size=8, epochs=2, shuffle=True)
    with use_tracer(every_tracer):
        every_model.fit(x, y, batch_size=8, epochs=2, shuffle=True)

    assert sorted(sampled.all) == [(0, 0), (0, 4), (1, 4)]
    assert tracer.built[ForwardPass] == 3 * 2 and every_tracer.built[ForwardPass] == 10 * 2
    assert tracer.built[OptimizerStep] == 3 * 4 and tracer.built[BatchEnd] == 10
    for kept in (model, every_model):
        for a, b in zip(kept.get_weights(), plain.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
    for key, summary in sampled.all.items():
        assert summary == every.all[key]
        assert all(math.isfinite(v) for vs in summary.values.values() for v in vs)


def test_train_on_batch_steps_not_taken_use_the_graph_free_step_with_the_same_numbers() -> None:
    """train_on_batch with a sampler: the steps it does not take build no per-layer event
    (the graph-free step), the weights equal a plain run's, and take_next() takes one step."""
    plain, x, y = _model()
    model, _, _ = _model()
    tracer, sampled = CountingTracer(), EverySummary(1e9)
    sampled.attach(tracer)
    with use_tracer(tracer):
        for i in range(5):
            if i == 3:
                sampled.sampler.take_next()
            model.train_on_batch(x[8 * i : 8 * i + 8], y[8 * i : 8 * i + 8])
    for i in range(5):
        plain.train_on_batch(x[8 * i : 8 * i + 8], y[8 * i : 8 * i + 8])
    assert sorted(sampled.all) == [(0, 0), (0, 3)]
    assert tracer.built[ForwardPass] == 2 * 2 and tracer.built[Gradient] > 0
    for a, b in zip(model.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
