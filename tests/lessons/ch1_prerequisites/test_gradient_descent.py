"""Lesson 1.1: slopes from the engine, honest updates, divergence, local minima, momentum, task."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.ch1_prerequisites.gradient_descent import model as d
from lessons.ch1_prerequisites.gradient_descent.lesson import GradientDescent, checkpoints
from lessons.core.base import Plot, PlotData, Step, TableData
from lessons.core.runner import LessonRun


def _steps(**values: object) -> list[Step]:
    return LessonRun(GradientDescent, values, strict=True).steps_so_far()


def _figures(**values: object) -> dict[str, float]:
    merged: dict[str, float] = {}
    for step in _steps(**values):
        merged.update(step.figures)
    return merged


def _path(**values: object) -> list[float]:
    """The learner's own descent: the ball's position after each update, from the table of
    the last checkpoint (it lists every update)."""
    last = [s for s in _steps(**values) if s.title.startswith("Update ")][-1]
    table = last.data["numbers"]
    assert isinstance(table, TableData)
    rows = sorted(table.rows, key=lambda row: int(row[0]))
    assert [int(row[0]) for row in rows] == list(range(1, len(rows) + 1))
    return [float(row[table.columns.index("new w")]) for row in rows]


@pytest.mark.parametrize("w", [-2.7, -1.0, 0.3, 1.7, 3.2])
def test_slope_from_backward_equals_central_differences(w: float) -> None:
    """dJ/dw from the Tensor graph matches (J(w+h) - J(w-h)) / 2h in float64."""
    h = 1e-6
    j_plus, j_minus = d.cost_curve(np.array([w + h, w - h]))
    _, g = d.slope(w)
    assert g == pytest.approx((j_plus - j_minus) / (2 * h), rel=1e-7, abs=1e-8)


def test_the_named_minima_and_hump_are_where_the_slope_vanishes() -> None:
    """w = -1.5 and w = 2 are minima (the deeper at 2), w = 0 the hump between them."""
    for w in (d.W_LOCAL, d.W_GLOBAL, d.W_PEAK):
        assert d.slope(w)[1] == pytest.approx(0.0, abs=1e-12)
    assert d.slope(d.W_GLOBAL)[0] < d.slope(d.W_LOCAL)[0] < d.slope(d.W_PEAK)[0]


def test_first_update_is_w_minus_rate_times_slope() -> None:
    """Step 1 moves w from 3 to 3 - 0.02 * 13.5 and writes those numbers."""
    first = next(s for s in _steps() if s.title.startswith("Update 1"))
    assert first.figures["slope"] == pytest.approx(13.5)
    assert first.figures["w"] == pytest.approx(3 - 0.02 * 13.5)
    assert "0.02 \\times 13.5" in first.text and "2.73" in first.text


def test_too_large_rate_reports_divergence_and_stops_cleanly() -> None:
    """η = 0.8 flies off: a step says so and stops play; no exception, no NaN figure."""
    run = LessonRun(GradientDescent, {"rate": 0.8}, strict=True)
    steps = run.steps_so_far()
    stops = [s for s in steps if s.stop]
    assert len(stops) == 1 and "divergence" in stops[0].text
    result = _figures(rate=0.8)
    assert result["diverged"] == 1.0
    assert all(np.isfinite(v) for s in steps for v in s.figures.values())
    assert run.error is None and run.task_result is not None and not run.task_result.done


@pytest.mark.parametrize("rate", np.geomspace(0.001, 1.0, 25))
def test_descent_never_overflows_whatever_the_rate(rate: float) -> None:
    """Every rate on the slider ends at rest, still running, or 'far': all numbers finite."""
    for start in (-2.8, 0.1, 3.3):
        run = d.descend(start, float(rate), 0.0, 20)
        assert run.end in {"rest", "running", "far"}
        assert np.all(np.isfinite(run.positions)) and np.all(np.isfinite(run.costs))


def test_task_is_done_for_a_good_rate_and_start() -> None:
    """η = 0.1 from w = 2.6 settles at w = 2 in fewer than 20 steps: the lesson says done."""
    run = LessonRun(GradientDescent, {"rate": 0.1, "start": 2.6}, strict=True)
    assert run.task_result is not None and run.task_result.done
    assert 0 < _figures(rate=0.1, start=2.6)["settled_global"] < 20


@pytest.mark.parametrize(
    "values",
    [{}, {"rate": 0.005}, {"rate": 0.8}, {"start": -2.4, "rate": 0.05}],
    ids=["default-crawls", "tiny-rate", "diverges", "wrong-valley"],
)
def test_task_is_not_done_for_bad_settings(values: dict[str, object]) -> None:
    """Too slow, diverging, or stuck in the shallow valley: the task stays open."""
    run = LessonRun(GradientDescent, values, strict=True)
    assert run.task_result is not None and not run.task_result.done


def test_start_on_the_wrong_side_gets_stuck_in_the_local_minimum() -> None:
    """From w = -2.4 plain descent rests at w = -1.5, not at the global minimum."""
    steps = _steps(start=-2.4, rate=0.05)
    result = next(s for s in steps if s.task is not None)
    assert result.title == "Stuck in the shallow valley"
    assert result.figures["final_w"] == pytest.approx(d.W_LOCAL, abs=1e-2)
    demo = next(s for s in steps if s.title == "Stuck in a local minimum")
    assert demo.figures["stuck_w"] == pytest.approx(d.W_LOCAL, abs=1e-2)


def test_momentum_changes_the_path() -> None:
    """Same first step; from the second on, momentum adds β times the previous step."""
    plain, fast = _path(), _path(momentum=True, beta=0.5)
    assert fast[0] == pytest.approx(plain[0])
    assert fast[1] != pytest.approx(plain[1])
    step_1, plain_step_2 = plain[0] - 3.0, plain[1] - plain[0]
    assert fast[1] - fast[0] == pytest.approx(0.5 * step_1 + plain_step_2)


def test_momentum_settles_faster_than_plain_descent_with_a_small_rate() -> None:
    """The momentum demo: β = 0.5 needs fewer steps than no momentum at η = 0.01."""
    f = _figures(beta=0.5)
    assert 0 < f["momentum_settled"] < f["plain_settled"]


def test_stretched_bowl_zigzags_and_momentum_helps() -> None:
    """Plain descent flips the sign of w₂ on most steps; momentum ends lower."""
    f = _figures()
    assert f["zigzags"] >= 20
    assert f["ravine_momentum_cost"] < f["ravine_plain_cost"]
    assert f["bowl_final_cost"] < 0.01


def test_bowl_steps_carry_contour_lines_on_a_surface() -> None:
    """The 2-D steps give the contour map a surface image, levels and a path."""
    bowls = [s.data["bowl"] for s in _steps() if "bowl" in s.data]
    assert bowls
    for data in bowls:
        assert isinstance(data, PlotData) and data.image is not None and data.contours
        assert data.image_rect is not None


def test_clicking_the_curve_sets_the_start_point() -> None:
    """The cost plot names the start slider as its pick control."""
    curve = GradientDescent.panel("curve")
    assert isinstance(curve, Plot) and curve.pick == "start"
    assert any(c.name == "start" for c in GradientDescent.controls)


def test_restarts_are_seeded() -> None:
    """Another seed gives other random restarts; the same seed the same ones."""
    a = LessonRun(GradientDescent, seed=1).steps_so_far()
    b = LessonRun(GradientDescent, seed=1).steps_so_far()
    c = LessonRun(GradientDescent, seed=2).steps_so_far()

    def restart(steps: list[Step]) -> Step:
        return next(s for s in steps if s.title == "Restart somewhere else")

    assert restart(a).text == restart(b).text
    assert restart(a).data["numbers"] != restart(c).data["numbers"]


def test_the_descent_is_shown_at_a_few_checkpoints_that_each_add_something() -> None:
    """Updates 1, 5, 10 and the last (20) are steps; each later one sums up the updates
    in between with numbers that match the table, which lists every update."""
    steps = [s for s in _steps() if s.title.startswith("Update ")]
    assert [s.title.split(":")[0] for s in steps] == [f"Update {t}" for t in (1, 5, 10, 20)]
    run = d.descend(3.0, 0.02, 0.0, 20)
    for step, t in zip(steps[1:], (5, 10, 20), strict=True):
        assert step.figures["w"] == pytest.approx(run.positions[t])
        table = step.data["numbers"]
        assert isinstance(table, TableData) and len(table.rows) == t
    assert "Updates 2 to 5" in steps[1].text and "Updates 11 to 20" in steps[3].text


def test_checkpoints_include_the_first_overshoot_and_the_divergence() -> None:
    """A step where the cost rises is shown; a run that flies off ends at its last update."""
    over = d.descend(3.0, 0.4, 0.0, 20)
    first_up = next(m.t for m in over.moves if m.j_new > m.j)
    assert first_up not in (1, 5, 10, 20) and first_up in checkpoints(over)
    far = d.descend(3.0, 0.8, 0.0, 20)
    assert checkpoints(far)[-1] == len(far.moves)


@pytest.mark.parametrize("momentum", [False, True])
def test_advice_in_the_shallow_valley_depends_on_the_momentum_toggle(momentum: bool) -> None:
    """Only suggest switching momentum on when it is off."""
    steps = _steps(start=-2.4, rate=0.05, momentum=momentum, beta=0.3)
    result = next(s for s in steps if s.task is not None)
    assert result.title == "Stuck in the shallow valley"
    assert ("switch on momentum" in result.text) == (not momentum)
    assert ("Momentum is on" in result.text) == momentum


def test_cost_history_has_no_dashed_line_and_labels_its_reference() -> None:
    """Over the steps, dashed means validation: the lowest-cost reference is dotted and
    labelled with the global minimum's cost, not an unlabelled dashed hline."""
    steps = _steps()
    for step in steps:
        history = step.data.get("history")
        if isinstance(history, PlotData):
            assert not history.hlines and all(s.style != "dash" for s in history.series)
    stuck = next(s for s in steps if s.title == "Stuck in a local minimum")
    history = stuck.data["history"]
    assert isinstance(history, PlotData)
    j_global = d.slope(d.W_GLOBAL)[0]
    ref = next(s for s in history.series if s.name == "_reference")
    assert ref.style == "scatter" and np.allclose(ref.y, j_global)
    assert any(f"{j_global:.3f}" in a.text for a in history.annotations)


def test_the_contour_map_gets_a_narrow_share_until_it_is_used() -> None:
    """Top row: the curve, the history and the (unused until the end) map; the table gets
    the whole bottom row, so its columns fit."""
    ids = [p.id for p in GradientDescent.panels]
    assert GradientDescent.layout == (3, 1) and ids[3] == "numbers"
    stretch = {p.id: p.stretch for p in GradientDescent.panels}
    assert stretch["bowl"] < stretch["curve"]


def test_the_stuck_step_marks_the_row_it_is_about() -> None:
    """The table of the stuck run marks its last update (so it is scrolled into view), and the
    slope and step the text quotes are that row's."""
    stuck = next(s for s in _steps() if s.title == "Stuck in a local minimum")
    table = stuck.data["numbers"]
    assert isinstance(table, TableData)
    assert table.highlight_rows == (len(table.rows) - 1,)
    last = table.rows[-1]
    slope, step = float(last[3]), float(last[4])
    assert f"{slope:.4g}" in stuck.text
    mantissa, exponent = f"{step:.2e}".split("e")
    assert f"{mantissa} \\times 10^{{{int(exponent)}}}" in stuck.text
