"""Lesson 7.4 (LSTM and GRU): every gate shown is the engine's recorded value, lies in [0, 1] and
equals a plain-NumPy forward pass from the layer's weights; the equations' numbers agree; with
the default seeds the LSTM and GRU solve the long-range task and the SimpleRNN does not, and the
verdict, task and quiz follow those numbers; view controls at their extremes redraw cleanly.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lessons.ch7_recurrent.lstm_gru import model as m
from lessons.ch7_recurrent.lstm_gru import texts, views
from lessons.ch7_recurrent.lstm_gru.lesson import LstmGru
from lessons.core.base import ImageData, PlotData, Step, TableData, TextData
from lessons.core.runner import LessonRun


def _sig(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def numpy_forward(layer: m.Recurrent, cell: str, x: np.ndarray) -> dict[str, np.ndarray]:
    """A plain-NumPy LSTM/GRU forward pass (Keras layouts) over one sequence, float64."""
    assert layer.kernel is not None and layer.recurrent_kernel is not None
    assert layer.bias is not None
    w = np.asarray(layer.kernel.data, np.float64)
    u = np.asarray(layer.recurrent_kernel.data, np.float64)
    b = np.asarray(layer.bias.data, np.float64)
    n = layer.units
    h, c = np.zeros(n), np.zeros(n)
    out: dict[str, list[np.ndarray]] = {}
    for x_t in x.astype(np.float64):
        if cell == "LSTM":
            a = x_t @ w + h @ u + b
            i, f, g, o = (
                _sig(a[:n]),
                _sig(a[n : 2 * n]),
                np.tanh(a[2 * n : 3 * n]),
                _sig(a[3 * n :]),
            )
            c = f * c + i * g
            h = o * np.tanh(c)
            values = {"input": i, "forget": f, "candidate": g, "output": o, "c": c, "h": h}
        else:
            xw, hu = x_t @ w + b[0], h @ u + b[1]
            z = _sig(xw[:n] + hu[:n])
            r = _sig(xw[n : 2 * n] + hu[n : 2 * n])
            cand = np.tanh(xw[2 * n :] + r * hu[2 * n :])
            h = z * h + (1 - z) * cand
            values = {"update": z, "reset": r, "candidate": cand, "h": h}
        for key, value in values.items():
            out.setdefault(key, []).append(value)
    return {key: np.array(v) for key, v in out.items()}


@pytest.fixture(scope="module")
def small_race() -> m.Race:
    race = m.Race(10)
    race.epoch()
    return race


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_gates_are_recorded_in_unit_interval_and_match_numpy(small_race: m.Race, cell: str) -> None:
    """RNNStep gates lie in [0, 1] and equal a NumPy recomputation from the layer's weights."""
    model = small_race.cells[cell].model
    for index in (0, 7, m.VAL - 1):
        x = small_race.val.x[index]
        tr = m.inspect(model, cell, x)
        ref = numpy_forward(m.recurrent_layer(model), cell, x)
        for name in views.GATE_ROWS[cell]:
            assert tr.gates[name].shape == (10, m.UNITS)
            assert np.all((tr.gates[name] >= 0) & (tr.gates[name] <= 1))
            np.testing.assert_allclose(tr.gates[name], ref[name], atol=2e-6)
        np.testing.assert_allclose(tr.gates["candidate"], ref["candidate"], atol=2e-6)
        np.testing.assert_allclose(tr.h[1:], ref["h"], atol=2e-6)
        if cell == "LSTM":
            assert tr.c is not None
            np.testing.assert_allclose(tr.c[1:], ref["c"], atol=2e-6)
        image = views.gate_image(tr, 3)
        rows = len(views.GATE_ROWS[cell]) * m.UNITS
        assert image.image.shape == (rows, 10) and image.levels == (0.0, 1.0)
        np.testing.assert_array_equal(image.image[: m.UNITS], tr.gates[views.GATE_ROWS[cell][0]].T)


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_equation_numbers_are_the_engines(small_race: m.Race, cell: str) -> None:
    """sigma(pre-activation from the weights) equals the recorded gate; the text shows both."""
    model = small_race.cells[cell].model
    tr = m.inspect(model, cell, small_race.val.x[3])
    for t in range(10):
        pre = m.pre_activations(model, tr.x[t].astype(np.float64), tr.h[t])
        first, second = ("f", "i") if cell == "LSTM" else ("z", "r")
        name1, name2 = views.GATE_ROWS[cell][0], views.GATE_ROWS[cell][1]
        np.testing.assert_allclose(m.sigmoid(pre[first]), tr.gates[name1][t], atol=2e-6)
        np.testing.assert_allclose(m.sigmoid(pre[second]), tr.gates[name2][t], atol=2e-6)
    text = views.equations(model, tr, 2, 4).text
    pre = m.pre_activations(model, tr.x[3].astype(np.float64), tr.h[3])
    key = "f" if cell == "LSTM" else "z"
    assert f"\\sigma({pre[key][2]:.3f})".replace("-", "−") in text
    assert f"{tr.h[4, 2]:.3f}".replace("-", "−") in text


def test_task_sequences_have_the_first_symbol_as_answer() -> None:
    """The answer is the first symbol (A or B, balanced), flagged by the start channel only."""
    task = m.make_task(64, 12, 5)
    assert task.x.shape == (64, 12, 5)
    np.testing.assert_array_equal(task.symbols[:, 0], task.y)
    assert task.y.sum() == 32
    assert np.all(task.x[:, 0, 0] == 1) and np.all(task.x[:, 1:, 0] == 0)
    np.testing.assert_array_equal(task.x[:, :, 1:].argmax(axis=2), task.symbols)


REDRAWN: dict[str, Step] = {}  # the gates step redrawn for the GRU, filled by ``walk``


@pytest.fixture(scope="module")
def walk() -> tuple[LessonRun, list[Step]]:
    """The whole default lesson; at the gates step the cell control is switched to GRU (the
    redrawn step is kept in REDRAWN) and back to LSTM before walking on."""
    run = LessonRun(LstmGru, {}, strict=True)
    while run.next():
        if run.current.title == "Gates at every step":
            run.set_control("cell", "GRU")
            REDRAWN["gates GRU"] = run.current
            run.set_control("cell", "LSTM")
    return run, run.steps_so_far()


def _step(steps: list[Step], title: str) -> Step:
    return next(s for s in steps if s.title.startswith(title))


def test_gated_cells_solve_the_long_range_task_and_simple_rnn_does_not(
    walk: tuple[LessonRun, list[Step]],
) -> None:
    """Default seeds: LSTM and GRU reach 95% validation accuracy, SimpleRNN stays near chance."""
    _, steps = walk
    verdict = _step(steps, "Verdict")
    f = verdict.figures
    assert f["epoch"] == m.EPOCHS
    assert f["LSTM_val_acc"] >= m.SOLVED and f["GRU_val_acc"] >= m.SOLVED
    assert f["SimpleRNN_val_acc"] < 0.6
    assert "Not solved: SimpleRNN" in verdict.text and "Solved (≥ 95.0%): LSTM, GRU" in verdict.text
    table = verdict.data["results"]
    assert isinstance(table, TableData)
    assert [r[-1].split(" (ep. ")[0] for r in table.rows] == ["chance", "solved", "solved"]
    quiz = {q.id: q for q in LstmGru.quiz}
    assert quiz["which"].answer == 0  # the SimpleRNN, as the run shows
    check = steps[-1]
    assert check.task is not None and not check.task.done
    assert texts.pct(f["SimpleRNN_val_acc"]) in check.task.message


def test_view_controls_redraw_at_their_extremes(walk: tuple[LessonRun, list[Step]]) -> None:
    """Cell, sample and a time step past the sequence's end redraw without training or crash."""
    run, _ = walk
    run.set_control("cell", "GRU")
    run.set_control("sample", m.VAL)
    run.set_control("time", 50)
    step = run.current
    eq = step.data["equations"]
    assert isinstance(eq, TextData) and "GRU, unit" in eq.text and "step t = 30" in eq.text
    image = step.data["gates"]
    assert isinstance(image, ImageData) and image.highlight == (0, 29, 16, 1)
    assert image.image.min() >= 0 and image.image.max() <= 1
    run.set_control("time", 1)
    eq = run.current.data["equations"]
    assert isinstance(eq, TextData) and "start flag on" in eq.text


def test_try_it_is_reachable_with_a_short_gap() -> None:
    """At a gap of 5 the SimpleRNN solves the task too, and the task reports it done."""
    run = LessonRun(LstmGru, {"gap": 5}, strict=True)
    while run.next():
        pass
    last = run.steps_so_far()[-1]
    assert last.figures["SimpleRNN_val_acc"] >= m.SOLVED
    assert last.task is not None and last.task.done
    verdict = _step(run.steps_so_far(), "Verdict")
    assert "the plain RNN manages too" in verdict.text


AFTER = ("Verdict", "Gates at every step", "Cell state vs hidden state", "One time step")


def _plot(step: Step, panel: str) -> PlotData:
    data = step.data[panel]
    assert isinstance(data, PlotData)
    return data


def _image(step: Step) -> ImageData:
    data = step.data["gates"]
    assert isinstance(data, ImageData)
    return data


def test_each_step_after_training_shows_something_new(walk: tuple[LessonRun, list[Step]]) -> None:
    """Verdict, gates, states and equations steps differ in their panels (data or titles), not
    only in their narrative: each shows and retitles what it talks about."""
    _, steps = walk
    last_epoch = _step(steps, f"Training side by side: epoch {m.EPOCHS}")
    chain = [last_epoch, *(_step(steps, t) for t in AFTER)]
    for before, after in itertools.pairwise(chain):
        new_data = [p for p in after.data if repr(after.data[p]) != repr(before.data.get(p))]
        assert new_data, after.title
    verdict, gates, states, eq = chain[1:]
    # verdict: the epoch each cell first reached SOLVED (validation), marked and tabled
    table = verdict.data["results"]
    assert isinstance(table, TableData)
    curves = _plot(verdict, "curves")
    for row, name in zip(table.rows, m.CELLS, strict=True):
        val = next(s for s in curves.series if s.name == f"_{name} val.")
        reached = np.flatnonzero(val.y >= m.SOLVED)
        final = verdict.figures[f"{name}_val_acc"]
        want = f"solved (ep. {reached[0]})" if final >= m.SOLVED else m.verdict(final)
        assert row[-1] == want
        marks = [s for s in curves.series if s.name == f"_{name} solved"]
        assert len(marks) == (1 if len(reached) else 0)
        if marks:
            assert marks[0].x[0] == reached[0] and marks[0].y[0] >= m.SOLVED
    assert table.rows[0][-1] == "chance" and table.rows[1][-1].startswith("solved (ep. ")
    plain = last_epoch.data["results"]
    assert isinstance(plain, TableData) and plain.rows[1][-1] == "solved"
    # during training the equations panel holds the cell's equations in symbols, no numbers
    symbols = last_epoch.data["equations"]
    assert isinstance(symbols, TextData) and "f_t = \\sigma(a_f)" in symbols.text
    assert "0." not in symbols.text and "unit" not in symbols.text
    # gates: the memory unit's forget row is boxed, the plot shows its gates over time
    unit = int(gates.figures["unit"])
    row = views.gate_row("LSTM", "forget", unit)
    assert _image(gates).highlight == (row, 0, 1, 30)
    lines = _plot(gates, "states")
    assert [s.name for s in lines.series] == [f"forget f{unit + 1}", f"input i{unit + 1}"]
    np.testing.assert_array_equal(lines.series[0].y, _image(gates).image[row])
    input_row = views.gate_row("LSTM", "input", unit)
    np.testing.assert_array_equal(lines.series[1].y, _image(gates).image[input_row])
    assert f"f{unit + 1}" in gates.titles["gates"] and "gates over time" in gates.titles["states"]
    # states: c vs h, the output-gate row boxed, no step line yet
    assert _plot(states, "states").series[0].name == "c (LSTM)"
    assert _plot(states, "states").vlines == ()
    assert _image(states).highlight == (views.gate_row("LSTM", "output", unit), 0, 1, 30)
    # equations: numbers for step t, its column boxed, its line on the states plot
    t = int(eq.figures["time"])
    assert _image(eq).highlight == (0, t - 1, 3 * m.UNITS, 1)
    assert _plot(eq, "states").vlines == (float(t),)
    numbers = eq.data["equations"]
    assert isinstance(numbers, TextData) and f"step t = {t}" in numbers.text


def test_view_controls_redraw_the_gates_step(walk: tuple[LessonRun, list[Step]]) -> None:
    """Switching the cell at the gates step redraws it at once for the GRU: the update-gate
    row of its own memory unit is boxed and the plot shows that unit's z and r."""
    _, steps = walk
    gru = REDRAWN["gates GRU"]
    unit = int(gru.figures["unit"])
    assert _image(gru).image.shape[0] == 2 * m.UNITS
    assert _image(gru).highlight == (views.gate_row("GRU", "update", unit), 0, 1, 30)
    assert [s.name for s in _plot(gru, "states").series] == [
        f"update z{unit + 1}",
        f"reset r{unit + 1}",
    ]
    assert "GRU" in gru.text and "GRU" in gru.titles["gates"]
    assert "LSTM" in _step(steps, "Gates at every step").titles["gates"]
