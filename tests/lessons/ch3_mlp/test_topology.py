"""Lesson 3.3 (topology): same budget for five networks; every verdict is read off the runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lessons.ch3_mlp.topology import runs as tr
from lessons.ch3_mlp.topology.lesson import Topology
from lessons.core.base import MultipleChoice, NetworkData, PlotData, Step, TableData
from lessons.core.runner import LessonRun
from lessons.markup.numbers import plain

BUDGET = Topology.controls[2].default  # the default budget: the runs the lesson shows first
SHORT = 40  # the smallest budget on the slider


def _finish(values: dict[str, object]) -> LessonRun:
    run = LessonRun(Topology, values, strict=True)
    while run.next():
        pass
    return run


@pytest.fixture(scope="module")
def finished() -> LessonRun:
    """The whole lesson with its default controls, shared by the tests here."""
    return _finish({})


@pytest.fixture(scope="module")
def short() -> LessonRun:
    """The whole lesson at the smallest budget."""
    return _finish({"epochs": SHORT})


def _losses(run: LessonRun) -> dict[str, tuple[list[float], list[float]]]:
    """Each network's (training, validation) loss per epoch, read off the final loss plot."""
    curves = run.panel_state()["curves"]
    assert isinstance(curves, PlotData)
    by_name = {s.name: s for s in curves.series}
    return {
        c.name: (list(by_name[c.name].y), list(by_name[f"_{c.name} validation"].y))
        for c in tr.CANDIDATES
    }


def _end_steps(run: LessonRun, budget: int) -> dict[str, Step]:
    steps = run.steps_so_far()
    return {
        c.name: next(s for s in steps if s.title == f"“{c.name}”: epoch {budget} of {budget}")
        for c in tr.CANDIDATES
    }


def test_each_network_is_shown_at_its_first_best_and_last_epoch(finished: LessonRun) -> None:
    """Three checkpoints per network (two when the best epoch is the first or the last)."""
    steps = finished.steps_so_far()
    losses = _losses(finished)
    expected = 1 + 2  # intro, then results and advice
    for cand in tr.CANDIDATES:
        train, val = losses[cand.name]
        assert len(train) == len(val) == BUDGET
        mine = [s for s in steps if s.title.startswith(f"“{cand.name}”")]
        best = tr.best_epoch(val)
        assert [int(s.figures["epoch"]) for s in mine] == sorted({1, best, BUDGET})
        expected += len(mine)
    assert len(steps) == expected < 20
    assert steps[-1].title == "Bigger than needed, stopped early"


def test_loss_plot_draws_training_solid_and_validation_dashed(finished: LessonRun) -> None:
    """The course convention: solid = training, dashed = validation."""
    curves = finished.panel_state()["curves"]
    assert isinstance(curves, PlotData)
    styles = {s.name: s.style for s in curves.series}
    for cand in tr.CANDIDATES:
        assert styles[cand.name] == "line"
        assert styles[f"_{cand.name} validation"] == "dash"
    assert "Solid: training" in (Topology.panel("curves").help or "")


def test_overfitting_criterion_on_made_up_curves() -> None:
    """A sustained rise with falling training loss is overfitting; a blip or a fall is not."""
    n = 60
    falling = [1.0 - 0.01 * t for t in range(n)]
    rising = [0.5 - 0.01 * t if t < 20 else 0.3 + 0.01 * (t - 20) for t in range(n)]
    found = tr.overfitting(falling, rising)
    assert found is not None and found.best == 21 and found.gap_end > found.gap_best
    assert tr.overfitting(falling, falling) is None  # validation still falling
    blip = [*falling[:-1], 2.0]  # one bad epoch at the end
    assert tr.overfitting(falling, blip) is None
    flat_train = [0.2] * n  # validation rises but training does not fall
    assert tr.overfitting(flat_train, rising) is None


@pytest.mark.parametrize("which", ["finished", "short"])
def test_verdicts_follow_the_criterion_on_the_actual_runs(
    which: str, request: pytest.FixtureRequest
) -> None:
    """'overfitting' appears at a network's last epoch exactly when the criterion holds."""
    run: LessonRun = request.getfixturevalue(which)
    budget = BUDGET if which == "finished" else SHORT
    ends = _end_steps(run, budget)
    over = []
    for name, (train, val) in _losses(run).items():
        found = tr.overfitting(train, val)
        assert ("overfitting</b>" in ends[name].text) == (found is not None), name
        if found is not None:
            over.append(name)
            assert budget - found.best >= tr.PATIENCE
            assert min(val[-tr.PATIENCE :]) > (1 + tr.RISE) * min(val)
            assert train[-1] < train[found.best - 1]
        else:
            assert "noise" not in ends[name].text
    results = next(s for s in run.steps_so_far() if s.title == "Results")
    for name in over:
        assert name in results.text.split("Overfitted by the end:")[1]
    if not over:
        assert "None of the five overfitted" in results.text
    if which == "short":
        assert not over  # 40 epochs leave no room for a 20-epoch rise after the best epoch


def test_the_deep_network_whose_validation_loss_keeps_falling_is_not_overfitting(
    finished: LessonRun,
) -> None:
    """The review's case: deep ends with the lowest validation loss of the five, no verdict."""
    losses = _losses(finished)
    ends = {name: val[-1] for name, (_, val) in losses.items()}
    train, val = losses["deep"]
    assert min(ends, key=lambda k: ends[k]) == "deep"
    assert tr.overfitting(train, val) is None
    assert "overfitting</b>" not in _end_steps(finished, BUDGET)["deep"].text


def test_results_table_counts_weights_cost_and_early_stopping(finished: LessonRun) -> None:
    """Parameter counts are the engine's; the stop epoch is the validation minimum; the cost
    column is 3 multiply-adds per weight and training point per epoch, not a stopwatch."""
    table = finished.panel_state()["results"]
    assert isinstance(table, TableData)
    losses = _losses(finished)
    weights = {row[0].split()[0]: int(row[1]) for row in table.rows}
    assert weights == {"small": 9, "medium": 25, "large": 177, "deep": 73, "funnel": 119}
    no_bias = {"small": 6, "medium": 18, "large": 152, "deep": 54, "funnel": 98}
    n_train = 250
    for row in table.rows:
        name = row[0].split()[0]
        assert int(row[4]) == int(np.nanargmin(losses[name][1])) + 1
        assert table.columns[7] == "cost (M)"
        assert float(row[7]) == pytest.approx(3 * no_bias[name] * n_train * BUDGET / 1e6, 1e-3)


def test_quiz_agrees_with_the_table(finished: LessonRun) -> None:
    """The quiz's right answers hold for the numbers on screen."""
    table = finished.panel_state()["results"]
    assert isinstance(table, TableData)
    rows = {row[0].split()[0]: row for row in table.rows}
    train = {k: float(r[2]) for k, r in rows.items()}
    val = {k: float(r[3]) for k, r in rows.items()}
    stopped = {k: float(r[6]) for k, r in rows.items()}
    # "validation": a lower training loss does not mean a lower validation loss.
    assert any(train[a] < train[b] and val[a] > val[b] for a in rows for b in rows)
    quiz = {q.id: q for q in Topology.quiz}
    right = quiz["validation"]
    assert isinstance(right, MultipleChoice) and "always" not in right.options[right.answer]
    # "advice": the large network, stopped early, beats its own last epoch and the small one.
    advice = finished.step_at(finished.computed - 1)
    assert stopped["large"] == pytest.approx(advice.figures["large_test_stopped"], abs=6e-4)
    ended = advice.figures["large_test_end"]
    assert advice.figures["large_test_stopped"] <= ended
    assert f"{plain(ended)} at the end" in advice.text
    assert stopped["large"] < stopped["small"]
    quiz_params = quiz["params"]
    assert quiz_params.check(str(int(rows["large"][1]))).correct


def test_advice_step_shows_the_large_network_at_its_best_epoch(finished: LessonRun) -> None:
    """The last step's figures match its text, and the diagram is the early-stopped network."""
    last = finished.step_at(finished.computed - 1)
    best = int(last.figures["large_best_epoch"])
    assert 1 <= best <= BUDGET
    assert f"lowest at epoch {best}" in last.text
    assert math.isfinite(last.figures["large_test_stopped"])
    diagram = last.data["net"]
    assert isinstance(diagram, NetworkData) and diagram.sizes == (2, 8, 8, 8, 1)
    train, val = _losses(finished)["large"]
    over = tr.overfitting(train, val) is not None
    assert ("would have overfitted" in last.text) == over


def test_shapes_read_short() -> None:
    """Hidden layers are written compactly in the table."""
    assert [c.shape for c in tr.CANDIDATES] == ["2", "6", "3×8", "6×3", "8–6–4–2"]


def test_results_text_names_the_columns_it_ranks_by(finished: LessonRun) -> None:
    """The results step's "lowest validation loss" is the table's: val. at best and val. both."""
    step = next(s for s in finished.steps_so_far() if s.title == "Results")
    table = step.data["results"]
    assert isinstance(table, TableData)
    col = {c: i for i, c in enumerate(table.columns)}
    rows = {row[0].split()[0]: row for row in table.rows}
    losses = _losses(finished)
    for name, row in rows.items():
        val = losses[name][1]
        assert float(row[col["val. at best"]]) == pytest.approx(np.nanmin(val), abs=6e-4)
        assert float(row[col["val."]]) == pytest.approx(val[-1], abs=6e-4)
    at_best = min(rows, key=lambda k: float(rows[k][col["val. at best"]]))
    at_last = min(rows, key=lambda k: float(rows[k][col["val."]]))
    best_val = rows[at_best][col["val. at best"]]
    assert f"(column val. at best) belongs to <b>{at_best}</b> ({best_val})" in step.text
    if at_last != at_best:
        assert f"(column val.) to <b>{at_last}</b> ({rows[at_last][col['val.']]})" in step.text
    # The diagram shows the network the text names, at its best epoch, and says so.
    diagram = step.data["net"]
    assert isinstance(diagram, NetworkData)
    hidden = next(c.hidden for c in tr.CANDIDATES if c.name == at_best)
    assert diagram.sizes == (2, *hidden, 1)
    assert step.titles["net"].startswith(f"The {at_best} network at its best epoch")


def test_each_network_keeps_one_distinct_colour(finished: LessonRun) -> None:
    """Five distinct colours, none of them the weight-sign blue (0) or orange (1, 3)."""
    colors = [c.color for c in tr.CANDIDATES]
    assert len(set(colors)) == len(colors) and not set(colors) & {0, 1, 3}
    for step in finished.steps_so_far():
        curves = step.data.get("curves")
        if isinstance(curves, PlotData):
            for s in curves.series:
                name = s.name.lstrip("_").split()[0]
                assert s.color == next(c.color for c in tr.CANDIDATES if c.name == name)


def test_the_last_step_is_known_as_the_last_on_arrival(finished: LessonRun) -> None:
    """Going to the advice step tells the runner the lesson's length without another Next."""
    total = finished.length  # the whole default lesson, walked once for the module
    assert total is not None
    again = LessonRun(Topology)
    again.goto(total - 1)
    assert again.length == total and again.at_end
