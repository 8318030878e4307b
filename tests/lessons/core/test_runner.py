"""The lesson runner: exact Back, bounded history, determinism, controls, failing lessons."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import numpy as np
import pytest

from lessons.core.base import (
    BarData,
    Bars,
    Effect,
    Lesson,
    Slider,
    Step,
    TaskResult,
    Values,
)
from lessons.core.runner import LessonRun


class Noisy(Lesson):
    """A live lesson whose every step draws random numbers from the lesson's generator."""

    id, chapter, number, title = "noisy", 0, "0.1", "Noisy"
    live = True
    controls = (
        Slider("scale", "Scale", 0.0, 10.0, default=1.0, effect=Effect.LIVE),
        Slider("offset", "Offset", -5.0, 5.0, default=0.0),
    )
    panels = (Bars("bars", "Bars"), Bars("other", "Other"))

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        total = 0.0
        while True:
            draw = rng.normal(size=3) * c.scale + c.offset
            total += float(draw.sum())
            data = {"bars": BarData(draw, ("a", "b", "c"))}
            if total > 1e9:
                return
            yield Step(
                "draw",
                f"total ${total:.3f}$",
                data,
                task=TaskResult(total > 3.0, "total above 3"),
                figures={"total": total},
            )


class Short(Lesson):
    """A finite lesson with three steps and a second panel filled only at the start."""

    id, chapter, number, title = "short", 0, "0.2", "Short"
    panels = (Bars("bars", "Bars"), Bars("other", "Other"))

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        for i in range(3):
            data = {"bars": BarData(np.array([float(i)]), ("x",))}
            if i == 0:
                data["other"] = BarData(np.array([9.0]), ("y",))
            yield Step(f"step {i}", "text", data)


class Broken(Lesson):
    """A lesson that fails at its second step."""

    id, chapter, number, title = "broken", 0, "0.3", "Broken"
    panels = (Bars("bars", "Bars"),)

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        yield Step("fine", "ok", {"bars": BarData(np.array([1.0]), ("x",))})
        raise RuntimeError("data file missing: rebuild it with python assets/build/x.py")


def _totals(run: LessonRun, n: int) -> list[float]:
    out = [run.current.figures["total"]]
    for _ in range(n - 1):
        assert run.next()
        out.append(run.current.figures["total"])
    return out


def test_back_restores_the_exact_earlier_step() -> None:
    """Back shows the identical step object, not a re-run with new randomness."""
    run = LessonRun(Noisy)
    seen = [run.current]
    for _ in range(5):
        run.next()
        seen.append(run.current)
    for expected in reversed(seen[:-1]):
        assert run.back()
        assert run.current is expected
    assert not run.back()
    run.next()
    assert run.current is seen[1]


def test_same_seed_same_steps_and_other_seed_differs() -> None:
    """Determinism per seed."""
    assert _totals(LessonRun(Noisy), 6) == _totals(LessonRun(Noisy), 6)
    assert _totals(LessonRun(Noisy, seed=1), 6) != _totals(LessonRun(Noisy, seed=2), 6)


def test_history_is_bounded_and_back_stops_at_the_oldest_kept_step() -> None:
    """The history keeps the newest N steps; Back stops at the oldest kept one."""
    run = LessonRun(Noisy, history=4)
    for _ in range(9):
        run.next()
    assert run.position == 9 and run.oldest == 6
    backs = 0
    while run.back():
        backs += 1
    assert backs == 3 and run.position == 6
    with pytest.raises(IndexError, match="no longer kept"):
        run.goto(2)


def test_restart_control_reruns_from_step_one_with_the_new_value() -> None:
    """A RESTART control starts over; the first step reflects the new value."""
    run = LessonRun(Noisy)
    run.next()
    run.next()
    first_before = run.step_at(0).figures["total"]
    assert run.set_control("offset", 5.0) is Effect.RESTART
    assert run.position == 0
    assert run.current.figures["total"] == pytest.approx(first_before + 15.0)


def test_live_control_applies_to_the_next_step_only() -> None:
    """A LIVE control keeps the history and changes what the next step computes."""
    run = LessonRun(Noisy)
    run.next()
    kept = run.current
    assert run.set_control("scale", 0.0) is Effect.LIVE
    assert run.current is kept and run.position == 1
    before = run.current.figures["total"]
    run.next()
    assert run.current.figures["total"] == pytest.approx(before)


def test_bad_control_value_raises_and_changes_nothing() -> None:
    """An invalid value is refused with a message naming the control; the run is unchanged."""
    run = LessonRun(Noisy)
    run.next()
    with pytest.raises(ValueError, match=r"Scale: 99 is outside 0 \.\. 10"):
        run.set_control("scale", 99)
    with pytest.raises(ValueError, match="unknown control"):
        run.set_control("nope", 1)
    assert run.values.scale == 1.0 and run.position == 1


def test_finite_lessons_know_their_length_and_panels_keep_their_last_data() -> None:
    """All steps of a finite lesson are computed up front; panel state accumulates."""
    run = LessonRun(Short)
    assert run.length == 3 and run.computed == 3
    run.goto(2)
    assert run.at_end and not run.next()
    state = run.panel_state()
    assert float(state["bars"].values[0]) == 2.0
    assert float(state["other"].values[0]) == 9.0
    with pytest.raises(IndexError, match="has 3 steps"):
        run.goto(3)


def test_a_failing_lesson_becomes_a_step_with_the_message() -> None:
    """A lesson that raises is shown as a final step explaining the error, not a crash."""
    run = LessonRun(Broken)
    assert run.length == 2
    run.goto(1)
    assert run.current.stop
    assert "rebuild it" in run.current.text
    assert run.error is not None and "data file missing" in run.error
    with pytest.raises(RuntimeError):
        LessonRun(Broken, strict=True)


def test_task_result_is_remembered_once_done() -> None:
    """The run keeps the first 'done' verdict of the task."""
    run = LessonRun(Noisy, {"offset": 2.0})
    run.next()
    assert run.task_result is not None and run.task_result.done


def test_steps_with_data_for_unknown_panels_are_refused() -> None:
    """A step that addresses a panel the lesson did not declare is a programming error."""

    class Wrong(Short):
        def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
            yield Step("x", "y", {"nope": BarData(np.array([1.0]), ("x",))})

    with pytest.raises(ValueError, match="no panel 'nope'"):
        LessonRun(Wrong, strict=True)


def test_finite_lesson_stays_on_its_step_when_a_control_restarts_it() -> None:
    """Changing a control of a finite lesson recomputes it and keeps the learner's step."""

    class Scaled(Short):
        controls = (Slider("k", "K", 0.0, 5.0, default=1.0),)

        def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
            for i in range(3):
                yield Step(f"step {i}", "t", {"bars": BarData(np.array([i * c.k]), ("x",))})

    run = LessonRun(Scaled)
    run.goto(2)
    run.set_control("k", 3.0)
    assert run.position == 2
    assert float(run.panel_state()["bars"].values[0]) == 6.0


class Retitled(Lesson):
    """A finite lesson whose second and fourth steps retitle a panel; the second has notes."""

    id, chapter, number, title = "retitled", 0, "0.4", "Retitled"
    panels = (Bars("loss", "Loss"), Bars("other", "Other"))

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        yield Step("One", "first", {"loss": BarData(np.array([1.0]), ("a",))})
        yield Step("Two", "second", titles={"loss": "Loss after epoch 40"}, notes="Say more.")
        yield Step("Three", "third")
        yield Step("Four", "fourth", titles={"loss": "Loss at the end", "other": ""})


def test_panel_titles_follow_the_newest_retitle_up_to_each_step() -> None:
    """A retitle holds from its step on; earlier steps keep the spec's title, Back included."""
    run = LessonRun(Retitled)
    assert run.panel_titles() == {"loss": "Loss", "other": "Other"}
    assert run.panel_titles(1) == {"loss": "Loss after epoch 40", "other": "Other"}
    assert run.panel_titles(2) == {"loss": "Loss after epoch 40", "other": "Other"}
    assert run.panel_titles(3) == {"loss": "Loss at the end", "other": ""}
    run.goto(3)
    run.back()
    run.back()
    assert run.panel_titles()["loss"] == "Loss after epoch 40"
    run.back()
    assert run.panel_titles()["loss"] == "Loss"
    assert run.step_at(1).notes == "Say more."
    with pytest.raises(IndexError):
        run.panel_titles(4)


def test_a_retitle_of_an_unknown_panel_is_refused() -> None:
    """Retitling a panel the lesson did not declare is a programming error, like its data."""

    class Wrong(Retitled):
        def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
            yield Step("x", "y", titles={"nope": "Nope"})

    with pytest.raises(ValueError, match="unknown panel 'nope'"):
        LessonRun(Wrong, strict=True)


class Counted(Lesson):
    """A live lesson whose step 3 says it is the last; it counts what its generator computes."""

    id, chapter, number, title = "counted", 0, "0.9", "Counted"
    live = True
    yields, marked = 3, 3  # steps yielded, and the one marked last (0: none)
    panels = (Bars("bars", "Bars"),)
    computed: ClassVar[list[int]] = []

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        for i in range(self.yields):
            self.computed.append(i)
            yield Step(f"step {i + 1}", "text", last=i + 1 == self.marked)


def test_a_live_lesson_knows_its_length_on_arriving_at_the_step_marked_last() -> None:
    """At the step marked last the length is known and Next is refused, with no Next first."""
    Counted.computed = []
    run = LessonRun(Counted)
    assert run.length is None and not run.at_end
    assert run.next()
    assert run.length is None  # step 2 of 3: nothing is computed ahead
    assert Counted.computed == [0, 1]
    assert run.next()
    assert run.length == 3 and run.at_end and Counted.computed == [0, 1, 2]
    assert not run.next()
    run.restart()
    run.goto(2)
    assert run.length == 3 and run.at_end


class Endless(Counted):
    """An open-ended live lesson: no step marked last, so nothing is computed ahead."""

    yields, marked = 100, 0


class Understated(Counted):
    """A live lesson whose generator goes on past the step it marked last."""

    yields, marked = 5, 3


def test_live_lessons_compute_ahead_only_after_a_step_marked_last_and_only_once() -> None:
    """Unmarked: one step computed per step shown. Marked too early: one extra step, kept."""
    Endless.computed = []
    run = LessonRun(Endless)
    for _ in range(4):
        run.next()
    assert Endless.computed == [0, 1, 2, 3, 4] and run.length is None
    Understated.computed = []
    run = LessonRun(Understated)
    run.goto(2)
    assert Understated.computed == [0, 1, 2, 3] and run.length is None and not run.at_end
    assert run.next() and run.current.title == "step 4"  # the step computed ahead
    assert run.next() and run.current.title == "step 5"
    assert Understated.computed == [0, 1, 2, 3, 4]
