"""View controls (``Effect.VIEW``): the newest step redrawn at once, without training."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from engine.core.cancel import Cancelled, CancelToken, cancellable
from lessons.core.base import BarData, Bars, Effect, Lesson, Slider, Step, Values
from lessons.core.runner import LessonRun
from lessons.core.userdata import NO_IMPORTS, ImportedSets


class Viewed(Lesson):
    """A live lesson: each step "trains" (draws from the rng) and shows the weights scaled by a
    view control; ``lens`` is a view control the lesson cannot redraw (no hook for it)."""

    id, chapter, number, title = "viewed", 0, "0.9", "Viewed"
    live = True
    controls = (
        Slider("zoom", "Zoom", 0.0, 10.0, default=1.0, effect=Effect.VIEW),
        Slider("offset", "Offset", -5.0, 5.0, default=0.0),
    )
    panels = (Bars("weights", "Weights"), Bars("view", "View"))

    def __init__(self, imports: ImportedSets = NO_IMPORTS) -> None:
        super().__init__(imports)
        self._view: Callable[[Values], Step] | None = None

    def redraw(self, step: Step, values: Values) -> Step | None:
        return None if self._view is None else self._view(values)

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        weights = np.zeros(3)
        while True:
            weights = weights + rng.normal(size=3) + c.offset  # training
            self._view = _view(weights.copy())
            yield self._view(c)


def _view(weights: np.ndarray) -> Callable[[Values], Step]:
    def make(c: Values) -> Step:
        shown = weights * c.zoom
        return Step(
            f"zoom {c.zoom:g}",
            "text",
            {"weights": BarData(weights, ("a", "b", "c")), "view": BarData(shown, ("a", "b", "c"))},
            figures={"shown": float(shown.sum()), "trained": float(weights.sum())},
        )

    return make


class Plain(Viewed):
    """The same lesson without the hook: a VIEW control is read by the next step only."""

    id = "plain_view"

    def redraw(self, step: Step, values: Values) -> Step | None:
        return None


def plain(value: Any) -> Any:
    """A step or panel data as nested dicts, lists and arrays, for comparing numbers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def assert_same_step(a: Step, b: Step) -> None:
    np.testing.assert_equal(plain(a), plain(b))


def _shown(run: LessonRun) -> np.ndarray:
    data = run.panel_state()["view"]
    assert isinstance(data, BarData)
    return np.asarray(data.values)


def test_a_view_control_redraws_the_newest_step_as_the_step_with_that_value() -> None:
    """The redrawn step equals the step computed with the value set before it; no training."""
    run = LessonRun(Viewed, strict=True)
    run.next()
    run.next()
    trained = run.current.figures["trained"]
    assert run.set_control("zoom", 3.0) is Effect.VIEW
    assert run.position == 2 and run.computed == 3  # nothing computed
    assert run.current.figures["trained"] == trained
    ahead = LessonRun(Viewed, {"zoom": 3.0}, strict=True)
    ahead.goto(2)
    assert_same_step(run.current, ahead.current)  # numbers, panels, title: all equal
    np.testing.assert_array_equal(_shown(run), _shown(ahead))
    assert run.panel_state().keys() == ahead.panel_state().keys()
    # and the next step trains on from the same weights as the run that never redrew
    run.next()
    ahead.next()
    assert_same_step(run.current, ahead.current)


def test_history_keeps_the_redrawn_newest_step_and_older_steps_as_they_were() -> None:
    """Back and forward show the redrawn step; older steps keep their view; same values, same
    step; the redraw does not move the run's random generator."""
    run = LessonRun(Viewed, strict=True)
    run.next()
    run.next()
    older = [run.step_at(0), run.step_at(1)]
    run.set_control("zoom", 2.0)
    redrawn = run.current
    assert run.back() and run.current is older[1]
    assert run.current.figures["shown"] == run.current.figures["trained"]  # zoom 1 kept
    assert run.next() and run.current is redrawn
    run.set_control("zoom", 5.0)
    run.set_control("zoom", 2.0)
    assert_same_step(run.current, redrawn)  # the same values give the same step
    assert run.step_at(0) is older[0] and run.step_at(1) is older[1]


def test_a_view_control_on_an_older_step_is_read_by_the_next_new_step() -> None:
    """Back to an older step: the lesson keeps only the newest state, so nothing is redrawn;
    the new value applies from the next step computed."""
    run = LessonRun(Viewed, strict=True)
    run.next()
    run.next()
    steps = run.steps_so_far()
    run.back()
    run.set_control("zoom", 4.0)
    assert all(a is b for a, b in zip(run.steps_so_far(), steps, strict=True))
    run.goto(3)
    assert run.current.title == "zoom 4"


def test_a_restart_control_still_restarts() -> None:
    run = LessonRun(Viewed, strict=True)
    run.next()
    run.set_control("zoom", 2.0)
    assert run.set_control("offset", 1.0) is Effect.RESTART
    assert run.position == 0 and run.computed == 1
    assert run.current.title == "zoom 2"


def test_a_view_control_without_the_hook_behaves_like_a_live_one() -> None:
    run = LessonRun(Plain, strict=True)
    run.next()
    kept = run.current
    assert run.set_control("zoom", 3.0) is Effect.VIEW
    assert run.current is kept and run.computed == 2
    run.next()
    assert run.current.title == "zoom 3"


def test_a_cancelled_redraw_leaves_the_run_and_the_control_as_they_were() -> None:
    run = LessonRun(Viewed, strict=True)
    run.next()
    kept = run.current
    token = CancelToken()
    token.cancel()
    with cancellable(token), pytest.raises(Cancelled):
        run.set_control("zoom", 3.0)
    assert run.current is kept and run.values["zoom"] == 1.0


class Shown(Lesson):
    """Yields through ``Lesson.show``: the base class's redraw recomputes the newest step."""

    id, chapter, number, title = "shown_view", 0, "0.14", "Shown"
    live = True
    controls = (Slider("zoom", "Zoom", 0.0, 10.0, default=1.0, effect=Effect.VIEW),)
    panels = (Bars("weights", "W"), Bars("view", "V"))

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        while True:
            yield self.show(c, _view(rng.normal(size=3)))


def test_steps_yielded_through_show_are_redrawn_by_the_base_class() -> None:
    run = LessonRun(Shown, strict=True)
    run.next()
    before = run.current
    assert run.set_control("zoom", 3.0) is Effect.VIEW
    after = run.current
    assert run.computed == 2 and after.title == "zoom 3"  # redrawn, not computed
    np.testing.assert_allclose(after.figures["shown"], 3 * before.figures["shown"])
