"""Lesson 3.3 (topology): every network gets the same budget; the advice is read off the numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lessons.ch3_mlp.topology import runs as tr
from lessons.ch3_mlp.topology.lesson import Topology
from lessons.core.base import NetworkData, PlotData, TableData
from lessons.core.runner import LessonRun

BUDGET = 40  # the smallest budget keeps the test fast


@pytest.fixture(scope="module")
def finished() -> LessonRun:
    """The whole lesson run once at the smallest budget, shared by the tests here."""
    run = LessonRun(Topology, {"epochs": BUDGET}, strict=True)
    while run.next():
        pass
    return run


def test_every_candidate_trains_for_the_same_budget_with_progress(finished: LessonRun) -> None:
    """Eight progress steps per network, each network trained for exactly the budget."""
    run = finished
    steps = run.steps_so_far()
    progress = [s for s in steps if s.title.startswith("Training")]
    assert len(progress) == len(tr.CANDIDATES) * 8
    finals = [s.title for s in progress if s.title.endswith(f"epoch {BUDGET} of {BUDGET}")]
    assert len(finals) == len(tr.CANDIDATES)
    assert steps[-1].title == "Bigger than needed, stopped early"
    curves = run.panel_state()["curves"]
    assert isinstance(curves, PlotData)
    named = {s.name: s for s in curves.series if not s.name.startswith("_")}
    assert set(named) == {c.name for c in tr.CANDIDATES}
    assert all(len(s.x) == BUDGET for s in named.values())


def test_results_table_counts_weights_and_reports_early_stopping(finished: LessonRun) -> None:
    """Parameter counts are the engine's; the stop epoch is the validation minimum."""
    run = finished
    table = run.panel_state()["results"]
    curves = run.panel_state()["curves"]
    assert isinstance(table, TableData) and isinstance(curves, PlotData)
    weights = {row[0].split()[0]: int(row[1]) for row in table.rows}
    assert weights == {"small": 9, "medium": 25, "large": 177, "deep": 73, "funnel": 119}
    for row in table.rows:
        series = next(s for s in curves.series if s.name == row[0].split()[0])
        best = int(np.nanargmin(series.y)) + 1
        assert int(row[5]) == best
        assert row[7].endswith(" s")


def test_advice_step_shows_the_large_network_at_its_best_epoch(finished: LessonRun) -> None:
    """The last step's figures match its text, and the diagram is the early-stopped network."""
    last = finished.step_at(finished.computed - 1)
    best = int(last.figures["large_best_epoch"])
    assert 1 <= best <= BUDGET
    assert f"lowest at epoch {best}" in last.text
    assert math.isfinite(last.figures["large_test_stopped"])
    diagram = last.data["net"]
    assert isinstance(diagram, NetworkData) and diagram.sizes == (2, 8, 8, 8, 1)


def test_shapes_read_short() -> None:
    """Hidden layers are written compactly in the table."""
    assert [c.shape for c in tr.CANDIDATES] == ["2", "6", "3×8", "6×3", "8–6–4–2"]
