"""Interrupting a lesson run, and continuing one from a checkpoint instead of replaying it.

A run's work stops when its token is cancelled: between steps (a far ``goto``), or inside one
(the engine's choke points); the run is left as it was and goes on exactly as an uninterrupted
run would.  Live lessons that keep checkpoints continue from them instead of recomputing every
earlier step.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import numpy as np
import pytest

from engine.core import cancel
from engine.core.cancel import Cancelled, CancelToken, cancellable
from engine.core.emitting import emit_if_wanted
from engine.core.events import EpochEnd
from engine.models.sequential import Sequential
from engine.nn.callbacks import Callback
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import SGD
from lessons.core import runner
from lessons.core.base import BarData, Bars, Effect, Lesson, LessonState, Slider, Step, Values
from lessons.core.runner import Checkpoint, LessonRun, reporting
from lessons.markup.exportdata import step_data
from lessons.registry import find


class Ticking(Lesson):
    """A live lesson whose steps pass the engine's choke points and draw from their own
    generator; it keeps checkpoints (the count, the total and the generator's state)."""

    id, chapter, number, title = "ticking", 0, "0.7", "Ticking"
    live = True
    controls = (
        Slider("start", "Start", 0.0, 10.0, default=0.0),
        Slider("gain", "Gain", 0.0, 10.0, default=1.0, effect=Effect.LIVE),
    )
    panels = (Bars("bars", "Bars"),)
    hook: ClassVar[Callable[[int], None] | None] = None  # called halfway through each step
    computed: ClassVar[list[int]] = []  # every step number the generators computed
    _state: LessonState | None = None

    def checkpoint(self) -> LessonState | None:
        return self._state

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        own = np.random.default_rng(int(rng.integers(2**31)))
        n, total = 0, float(c.start)
        if self.resume is not None:
            n, total = int(self.resume["n"]), float(self.resume["total"])
            own.bit_generator.state = self.resume["rng"]
        while True:
            self._state = {"n": n, "total": total, "rng": own.bit_generator.state}
            Ticking.computed.append(n)
            yield Step(
                f"step {n}",
                "t",
                {"bars": BarData(np.array([total]), ("t",))},
                figures={"total": total},
            )
            n += 1
            for tick in range(10):
                if tick == 5 and Ticking.hook is not None:
                    Ticking.hook(n)
                emit_if_wanted(EpochEnd, n, {})  # an engine choke point: it checks the token
            total += float(own.normal()) * float(c.gain)


class Untracked(Ticking):
    """The same lesson without checkpoints."""

    id = "untracked"

    def checkpoint(self) -> LessonState | None:
        return None


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    Ticking.hook = None
    Ticking.computed = []
    yield
    Ticking.hook = None


def _totals(run: LessonRun, numbers: range) -> list[float]:
    out = []
    for n in numbers:
        run.goto(n)
        out.append(run.current.figures["total"])
    return out


def _cancel_at(step: int, token: CancelToken) -> Callable[[int], None]:
    def hook(n: int) -> None:
        if n == step:
            token.cancel()

    return hook


def test_a_far_goto_stops_between_steps_and_keeps_what_it_computed() -> None:
    """A between-steps token stops a goto after the step under way; nothing is lost."""
    expected = _totals(LessonRun(Ticking), range(9))
    run = LessonRun(Ticking)
    token = CancelToken(boundary_only=True)
    Ticking.hook = _cancel_at(5, token)
    with cancellable(token), pytest.raises(Cancelled):
        run.goto(1_000_000)
    assert run.position == 0 and run.computed == 6  # step 5 was finished, then it stopped
    Ticking.hook = None
    assert _totals(run, range(9)) == expected


@pytest.mark.parametrize(("lesson", "recomputed"), [(Ticking, [4]), (Untracked, [0, 1, 2, 3, 4])])
def test_a_step_stopped_midway_is_rebuilt_from_the_checkpoint(
    lesson: type[Ticking], recomputed: list[int]
) -> None:
    """Cancelled inside a step (at an engine choke point), the run keeps the steps before it;
    the next step is computed from the newest checkpoint (without one: by replaying), and
    every step is the one an uninterrupted run shows."""
    expected = _totals(LessonRun(lesson), range(9))
    run = LessonRun(lesson)
    run.goto(2)
    before = run.current
    token = CancelToken()
    Ticking.hook = _cancel_at(5, token)
    with cancellable(token), pytest.raises(Cancelled):
        run.goto(8)
    Ticking.hook = None
    assert run.position == 2 and run.current is before and run.computed == 5
    Ticking.computed = []
    assert _totals(run, range(9)) == expected
    assert Ticking.computed == [*recomputed, 5, 6, 7, 8]  # rebuilt, then the new steps
    assert run.back() and run.current.figures["total"] == expected[7]


def test_a_run_resumes_from_a_checkpoint_without_recomputing_earlier_steps() -> None:
    """A checkpoint of step 6 starts a new run at step 6 (Back stops there), identical."""
    original = LessonRun(Ticking)
    expected = _totals(original, range(10))
    original.goto(6)
    checkpoint = original.checkpoint
    assert checkpoint is not None and checkpoint.step == 9  # the newest step computed
    Ticking.computed = []
    resumed = LessonRun(Ticking, resume=checkpoint)
    assert (resumed.position, resumed.oldest) == (9, 9)
    assert resumed.current.figures["total"] == expected[9]
    assert not resumed.back()
    follow = _totals(resumed, range(9, 13))
    assert follow == _totals(LessonRun(Ticking), range(9, 13))
    assert Ticking.computed[:4] == [9, 10, 11, 12]  # no replay from step 0


def _checkpoint(**changes: Any) -> Checkpoint:
    run = LessonRun(Ticking)
    run.goto(3)
    assert run.checkpoint is not None
    fields = {
        "lesson": run.checkpoint.lesson,
        "step": run.checkpoint.step,
        "seed": run.checkpoint.seed,
        "values": dict(run.checkpoint.values),
        "state": dict(run.checkpoint.state),
    }
    fields.update(changes)
    return Checkpoint(**fields)


def test_a_checkpoint_that_does_not_fit_is_ignored() -> None:
    """Another lesson, seed or restart value, or a state the lesson refuses: step 1 again."""
    values = dict(_checkpoint().values)
    for checkpoint in (
        _checkpoint(lesson="untracked"),
        _checkpoint(seed=99),
        _checkpoint(values={**values, "start": 2.0}),
        _checkpoint(state={"n": "not a number", "total": 0, "rng": {}}),
    ):
        run = LessonRun(Ticking, resume=checkpoint)
        assert (run.position, run.oldest, run.error) == (0, 0, None)
    run = LessonRun(Ticking, {"gain": 3.0}, resume=_checkpoint())  # a live value may differ
    assert run.position == 3


def test_a_cancelled_restart_leaves_the_run_and_the_control_as_they_were() -> None:
    run = LessonRun(Ticking)
    run.goto(3)
    shown = run.current
    token = CancelToken()
    token.cancel()
    with cancellable(token), pytest.raises(Cancelled):
        run.set_control("start", 5.0)
    assert run.values["start"] == 0.0
    assert run.current is shown and run.position == 3
    run.next()
    assert run.current.title == "step 4"


def test_a_far_goto_reports_its_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "PROGRESS_INTERVAL", 0.0)
    heard: list[tuple[int, int]] = []
    run = LessonRun(Ticking)
    with reporting(lambda done, target: heard.append((done, target))):
        run.goto(4)
    assert heard == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_the_engine_stops_training_at_its_next_choke_point() -> None:
    """fit() under a cancelled token stops within the epoch after the cancel."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = Sequential([Input((2,)), Dense(4, activation="tanh"), Dense(1, "sigmoid")], seed=1)
    model.compile(SGD(0.1), "binary_crossentropy")
    token = CancelToken()
    epochs: list[int] = []

    class Stop(Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            epochs.append(epoch)
            if epoch == 2:
                token.cancel()

    with cancellable(token), pytest.raises(Cancelled):
        model.fit(x, y, epochs=1000, batch_size=8, callbacks=[Stop()])
    assert epochs == [0, 1, 2]
    assert not cancel.is_cancelled()  # outside the block, nothing is cancelled


def _data(run: LessonRun) -> str:
    return json.dumps(step_data(run), sort_keys=True, default=str)


def test_the_playground_continues_from_its_checkpoint_exactly() -> None:
    """Weights, last gradients, optimizer, shuffling and loss history come back: the resumed
    run shows the very numbers of an uninterrupted one, epoch after epoch."""
    playground = find("playground")
    values = {"data": "spiral", "layers": 1, "neurons": 3, "batch": 7}
    original = LessonRun(playground, values, strict=True)
    original.goto(5)
    checkpoint = original.checkpoint
    assert checkpoint is not None and checkpoint.step == 5
    resumed = LessonRun(playground, values, strict=True, resume=checkpoint)
    assert (resumed.position, resumed.oldest) == (5, 5)
    assert _data(resumed) == _data(original)
    for _ in range(3):
        assert original.next() and resumed.next()
        assert _data(resumed) == _data(original)
    other = LessonRun(playground, {**values, "neurons": 4}, resume=checkpoint)
    assert other.position == 0  # another topology: it starts again


def test_an_optimizer_state_put_back_continues_exactly() -> None:
    """What a checkpoint keeps of an optimizer (its per-parameter state, here momentum):
    put back into a fresh one, the next updates are the same; a wrong state is refused."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(16, 2)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)

    def model() -> Sequential:
        m = Sequential([Input((2,)), Dense(3, activation="tanh"), Dense(1, "sigmoid")], seed=4)
        m.compile(SGD(0.1, momentum=0.9), "binary_crossentropy")
        return m

    first = model()
    for _ in range(3):
        first.train_on_batch(x, y)
    optimizer = first.optimizer
    assert optimizer is not None
    saved = [optimizer.state_of(p) for p in first.params]
    second = model()
    second.set_weights(first.get_weights())
    assert second.optimizer is not None
    for p, state in zip(second.params, saved, strict=True):
        second.optimizer.set_state_of(p, state)
    for _ in range(2):
        first.train_on_batch(x, y)
        second.train_on_batch(x, y)
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="velocity"):
        second.optimizer.set_state_of(second.params[0], {"moment": np.zeros(1)})
