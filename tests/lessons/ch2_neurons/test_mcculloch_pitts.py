"""Lesson 2.1: the McCulloch-Pitts unit's truth tables, the live table and the NAND task."""

from __future__ import annotations

from typing import Any

import pytest

from lessons.ch2_neurons.mcculloch_pitts.lesson import McCullochPitts
from lessons.ch2_neurons.mcculloch_pitts.model import (
    CUSTOM,
    INPUT_ROWS,
    PRESETS,
    Wiring,
    evaluate,
    truth,
)
from lessons.core.base import PlotData, TableData
from lessons.core.runner import LessonRun

LOGIC = {
    "A AND B": lambda a, b: a and b,
    "A OR B": lambda a, b: a or b,
    "NOT A": lambda a, b: not a,
    "lecture: A OR B": lambda a, b: a or b,
    "A AND NOT B": lambda a, b: a and not b,
}
NAND_WIRING = {
    "wiring": CUSTOM,
    "conn_on": "2 excitatory",
    "conn_a": "1 inhibitory",
    "conn_b": "1 inhibitory",
    "threshold": 1,
}


def _run(**values: Any) -> LessonRun:
    return LessonRun(McCullochPitts, values, strict=True)


def _step(run: LessonRun, title: str) -> int:
    return next(i for i, s in enumerate(run.steps_so_far()) if s.title == title)


@pytest.mark.parametrize("preset", sorted(LOGIC))
def test_full_truth_table_of_each_preset_equals_its_logic_function(preset: str) -> None:
    """After the walk through all inputs, the shown C column is the gate's truth table."""
    run = _run(wiring=preset)
    table = run.panel_state(_step(run, "The whole truth table"))["truth"]
    assert isinstance(table, TableData)
    for row in table.rows:
        a, b, c = row[0], row[1], row[-1]
        assert c == int(LOGIC[preset](a, b)), (preset, a, b)


def test_lecture_network_has_two_connections_each_and_threshold_two() -> None:
    """The seed's C = A OR B network: A and B with two excitatory connections, θ = 2."""
    seed = PRESETS["lecture: A OR B"]
    assert (seed.a, seed.b, seed.on, seed.threshold) == (2, 2, 0, 2)
    assert [r.net for r in evaluate(seed)] == [0, 2, 2, 4]
    assert truth(seed) == (0, 1, 1, 1)


def test_inhibition_subtracts_from_the_count() -> None:
    """An active inhibitory connection lowers the count by one per connection."""
    w = Wiring("t", 2, -2, 0, 1)
    rows = {(r.a, r.b): r for r in evaluate(w)}
    assert (rows[1, 1].excite, rows[1, 1].inhibit, rows[1, 1].net) == (2, 2, 0)
    assert rows[1, 1].fires == 0 and rows[1, 0].fires == 1


def test_table_fills_in_as_the_inputs_are_toggled() -> None:
    """Step 1 shows only the toggled row; each flip adds one row; the current row is lit."""
    run = _run(a=False, b=True)
    first = run.panel_state(0)["truth"]
    assert isinstance(first, TableData)
    current = INPUT_ROWS.index((0, 1))
    assert first.highlight_rows == (current,)
    filled = [i for i, row in enumerate(first.rows) if row[-1] != "?"]
    assert filled == [current]
    counts = []
    for k in range(2, 5):
        table = run.panel_state(k)["truth"]
        assert isinstance(table, TableData)
        counts.append(sum(row[-1] != "?" for row in table.rows))
        assert len(table.highlight_rows) == 1
    assert counts == [2, 3, 4]


def test_diagram_shows_firing_for_the_toggled_inputs() -> None:
    """With the lecture's wiring, A = B = 0 is silent and A = 1 fires."""
    silent = _run(a=False, b=False).step_at(0)
    firing = _run(a=True, b=False).step_at(0)
    assert silent.figures["fires"] == 0 and firing.figures["fires"] == 1
    diagram = firing.data["unit"]
    assert isinstance(diagram, PlotData)
    assert any("FIRES" in note.text for note in diagram.annotations)


def test_nand_task_is_detected_when_the_wiring_computes_nand() -> None:
    """Custom wiring: always-on ×2 excitatory, A and B one inhibitory each, θ = 1 is NAND."""
    run = _run(**NAND_WIRING)
    assert run.task_result is not None and run.task_result.done
    assert "NAND" in run.task_result.message


@pytest.mark.parametrize(
    "values",
    [
        {"wiring": "A AND B"},
        {**NAND_WIRING, "threshold": 2},
        {**NAND_WIRING, "conn_on": "none"},
    ],
)
def test_nand_task_is_not_done_for_other_wirings(values: dict[str, Any]) -> None:
    """Presets and near misses do not count as NAND, and the message names what was built."""
    run = _run(**values)
    assert run.task_result is not None and not run.task_result.done
    assert "not NAND" in run.task_result.message


def test_nand_task_checks_your_wiring_whatever_preset_is_walked() -> None:
    """Step 10 shows and checks the learner's own wiring, so the preset choice (below the
    fold at 1280x720) need not be touched; NAND can be wired at the default threshold."""
    run = _run(wiring="A AND B", conn_on="3 excitatory", conn_a="1 inhibitory",
               conn_b="1 inhibitory")  # fmt: skip
    assert run.task_result is not None and run.task_result.done
    step = run.step_at(_step(run, "Your turn: build NAND"))
    assert "your wiring" in step.text and "Choose" not in step.text
    truth_table = step.data["truth"]
    assert isinstance(truth_table, TableData)
    assert [row[-1] for row in truth_table.rows] == [1, 1, 1, 0]


def test_what_the_nand_task_needs_comes_first_in_the_controls() -> None:
    """The three connection controls of your wiring lead the controls pane, then θ."""
    names = [c.name for c in McCullochPitts.controls]
    assert names[:4] == ["conn_on", "conn_a", "conn_b", "threshold"]
