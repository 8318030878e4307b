"""Lesson 7.1 (recurrent neuron): every h_t shown is the engine's SimpleRNN output and agrees
with a plain NumPy loop; the written-out sums, the echo verdicts, the task and the quiz follow
from those numbers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from walking import finite_steps

from lessons.ch7_recurrent.recurrent_neuron import model as m
from lessons.ch7_recurrent.recurrent_neuron import tables as tb
from lessons.ch7_recurrent.recurrent_neuron import texts as tx
from lessons.ch7_recurrent.recurrent_neuron import views as v
from lessons.ch7_recurrent.recurrent_neuron.lesson import RecurrentNeuron
from lessons.core.base import PlotData, Step, TableData


def numpy_rnn(x: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray) -> np.ndarray:
    """h_t = tanh(x_t W + h_{t-1} U) from h_0 = 0, a plain float64 loop without the engine."""
    h = np.zeros(recurrent.shape[0])
    out = []
    for xt in x:
        h = np.tanh(xt @ kernel + h @ recurrent)
        out.append(h)
    return np.array(out)


def walk(values: dict[str, object] | None = None) -> list[Step]:
    return finite_steps(RecurrentNeuron, values)


@pytest.fixture(scope="module")
def steps() -> list[Step]:
    return walk()


CASES = list(itertools.product(m.SEQUENCES, (1, 5), (1.0, -2.5), (0.8, 3.0, -1.5)))


@pytest.mark.parametrize(("kind", "pulse", "w", "u"), CASES)
def test_neuron_states_are_the_engine_output_and_match_numpy(
    kind: str, pulse: int, w: float, u: float
) -> None:
    """The RNNStep events' h_t equal the layer's returned sequence, h_{t-1} is the previous
    h_t, tanh(z_t) is h_t, and a NumPy loop gives the same numbers."""
    run = m.neuron(kind, pulse, w, u)
    assert run.h.shape == (m.STEPS, 1)
    np.testing.assert_array_equal(run.h, run.output)
    np.testing.assert_array_equal(run.h_prev[0], 0.0)
    np.testing.assert_array_equal(run.h_prev[1:], run.h[:-1])
    np.testing.assert_allclose(np.tanh(run.z), run.h, rtol=0, atol=1e-12)
    x = m.sequence(kind, pulse)[:, None]
    np.testing.assert_allclose(run.h, numpy_rnn(x, np.array([[w]]), np.array([[u]])), atol=1e-12)


def test_sequences() -> None:
    """The inputs are what the controls say: one pulse, two pulses GAP apart, a held input."""
    np.testing.assert_array_equal(np.nonzero(m.sequence("single pulse", 4))[0], [3])
    np.testing.assert_array_equal(np.nonzero(m.sequence("two pulses", 2))[0], [1, 1 + m.GAP])
    held = m.sequence("held input", 6)
    assert held[:5].sum() == 0 and np.all(held[5:] == 1.0)
    wave = m.sequence("sine wave", 1)
    assert wave[0] == 0.0 and wave[1] == pytest.approx(np.sin(np.pi / 3))
    with pytest.raises(ValueError, match="unknown sequence"):
        m.sequence("noise", 1)


@pytest.mark.parametrize("u", [0.8, -2.0])
def test_layer_matches_numpy_and_u_is_scaled_orthogonal(u: float) -> None:
    """The layer's h_t (3 units) equal a NumPy loop with the same W and U; U U^T = u^2 I."""
    lay = m.layer("two pulses", 2, 1.2, u, RecurrentNeuron.seed)
    np.testing.assert_array_equal(lay.h, lay.output)
    np.testing.assert_allclose(lay.recurrent @ lay.recurrent.T, u * u * np.eye(m.UNITS), atol=1e-12)
    x = m.sequence("two pulses", 2)[:, None]
    np.testing.assert_allclose(lay.h, numpy_rnn(x, lay.kernel, lay.recurrent), atol=1e-12)
    assert lay.params == 1 * m.UNITS + m.UNITS * m.UNITS + m.UNITS


def _rows(table: TableData) -> dict[str, tuple[object, ...]]:
    return {str(row[0]): row[1:] for row in table.rows}


def test_stepped_tables_show_the_engine_h_and_its_sum(steps: list[Step]) -> None:
    """Each 'Time step t' table: w x_t + u h_{t-1} + b = z_t, tanh z_t and the engine's h_t are
    the NumPy values of the default run (w = 1, u = 0.8, pulse at 2)."""
    c = {s.name: s.initial for s in RecurrentNeuron.controls}
    x = m.sequence(c["sequence"], c["pulse"])
    h = numpy_rnn(x[:, None], np.array([[c["w"]]]), np.array([[c["u"]]]))[:, 0]
    checked = 0
    for step in steps:
        table = step.data.get("calc")
        if not (isinstance(table, TableData) and "t" in step.figures):
            continue
        t = int(step.figures["t"])
        values = [float(row[1]) for row in table.rows]  # w x, u h, b, z, tanh z, engine h
        prev = h[t - 2] if t > 1 else 0.0
        assert values[0] == pytest.approx(c["w"] * x[t - 1], abs=1e-12)
        assert values[1] == pytest.approx(c["u"] * prev, abs=1e-12)
        assert values[3] == pytest.approx(values[0] + values[1] + values[2], abs=1e-12)
        assert values[4] == pytest.approx(h[t - 1], abs=1e-12)
        assert values[5] == pytest.approx(h[t - 1], abs=1e-12)
        assert step.figures["h"] == pytest.approx(h[t - 1], abs=1e-12)
        assert f"= {h[t - 1]:.3f}$" in step.text  # the formula in the narrative
        diagram = step.data["diagram"]
        assert isinstance(diagram, PlotData)
        now = next(s for s in diagram.series if s.name == "h now")
        assert list(now.x) == [t]  # the highlighted node is step t
        checked += 1
    assert checked == 3


def test_timeline_shows_h_only_up_to_the_step() -> None:
    """While stepping, h after step t is not drawn yet; the plotted h are the engine's."""
    run = m.neuron("single pulse", 2, 1.0, 0.8)
    plot = v.timeline(run, 4)
    line = next(s for s in plot.series if s.name == "state hₜ")
    np.testing.assert_array_equal(line.y[:4], run.h[:4, 0])
    assert np.all(np.isnan(line.y[4:]))
    assert plot.vlines == (4.0,)


def test_layer_table_is_one_step_of_the_layer() -> None:
    """Columns are units; h_{t-1}, x_t W, h_{t-1} U, b add up to z, tanh z = engine h_t."""
    lay = m.layer("single pulse", 2, 1.0, 0.8, RecurrentNeuron.seed)
    t = 3
    table = tb.layer_table(lay, t)
    rows = [np.array(row[1:], dtype=float) for row in table.rows]
    h_prev, xw, hu, b, z, th, h = rows
    np.testing.assert_allclose(h_prev, lay.h[t - 2], atol=1e-12)
    np.testing.assert_allclose(xw, lay.x[t - 1] @ lay.kernel, atol=1e-12)
    np.testing.assert_allclose(hu, lay.h[t - 2] @ lay.recurrent, atol=1e-12)
    np.testing.assert_allclose(z, xw + hu + b, atol=1e-12)
    np.testing.assert_allclose(th, np.tanh(z), atol=1e-12)
    np.testing.assert_allclose(h, lay.h[t - 1], atol=1e-12)
    weights = tb.weights_table(lay)
    np.testing.assert_allclose(np.array(weights.rows[0][1:], dtype=float), lay.kernel[0])
    np.testing.assert_allclose(
        np.array([row[1:] for row in weights.rows[1:4]], dtype=float), lay.recurrent
    )


@pytest.mark.parametrize(
    ("u", "verdict"),
    [
        (0.5, "fades"),
        (0.8, "fades slowly"),
        (1.5, "persists"),
        (3.0, "saturates"),
        (-1.5, "persists"),
    ],
)
def test_echo_verdicts_follow_the_numbers(u: float, verdict: str) -> None:
    """The verdict is what the thresholds give on the NumPy echo; the no-tanh column is u^k h."""
    pulse = 2
    x = m.sequence("single pulse", pulse)[:, None]
    h = numpy_rnn(x, np.array([[1.0]]), np.array([[u]]))[pulse - 1 :, 0]
    e = m.echo(pulse, 1.0, u)
    np.testing.assert_allclose(e.after, h, atol=1e-12)
    np.testing.assert_allclose(e.linear, h[0] * u ** np.arange(len(h)), rtol=1e-12)
    kept = abs(h[-1]) / abs(h[0])
    assert e.kept == pytest.approx(kept)
    assert e.verdict == verdict
    assert e.flips == (u < 0)
    if verdict == "fades":
        assert kept < m.FADED
    elif verdict == "saturates":
        assert abs(h[-1]) >= m.SATURATED
    elif verdict == "persists":
        assert kept >= m.HELD and abs(h[-1]) < m.SATURATED


def test_no_input_weight_means_no_echo() -> None:
    e = m.echo(3, 0.0, 2.0)
    assert e.verdict == "no echo" and e.kept == 0.0 and not np.any(e.after)


def test_fixed_point_and_half_life() -> None:
    """h* = tanh(|u| h*) for |u| > 1 (0 otherwise); the half-life is the first k below half."""
    for u in (1.5, 3.0, -2.0):
        hs = m.fixed_point(u)
        assert hs == pytest.approx(np.tanh(abs(u) * hs), abs=1e-9) and hs > 0
    assert m.fixed_point(0.9) == 0.0
    e = m.echo(2, 1.0, 0.8)
    k = m.half_life(e)
    assert k is not None and abs(e.after[k]) < 0.5 * abs(e.after[0])
    assert all(abs(e.after[j]) >= 0.5 * abs(e.after[0]) for j in range(k))
    assert m.half_life(m.echo(2, 1.0, 1.5)) is None


def test_sweep_table_marks_yours_and_matches_echo() -> None:
    table = tb.sweep_table(2, 1.0, 0.7)
    assert len(table.rows) == len(m.SWEEP) + 1
    (mine,) = table.highlight_rows
    assert table.rows[mine][0] == "0.7"
    for row in table.rows:
        e = m.echo(2, 1.0, float(str(row[0])))
        assert row[2] == pytest.approx(float(e.linear[-1]))
        assert str(row[3]).startswith(e.verdict)


def test_task_is_done_only_when_the_pulse_persists() -> None:
    """Default u = 0.8 fades (not done); u = 1.5 holds it (done); u = 3 saturates (not done)."""
    for u, done in ((0.8, False), (1.5, True), (3.0, False)):
        last = walk({"u": u})[-1]
        assert last.task is not None and last.task.done is done, u


def test_quiz_answers_are_the_engine_numbers() -> None:
    """h_2 for w = 2, u = 0.5 on (1, 0), and the parameter count of SimpleRNN(3) on 1 feature."""
    assert abs(tx.H2 - np.tanh(0.5 * np.tanh(2.0))) < 1e-12
    h2, params, saturate, shared = tx.QUIZ
    assert h2.check(f"{np.tanh(0.5 * np.tanh(2.0)):.3f}").correct
    assert not h2.check("0.964").correct  # h_1, not h_2
    assert params.check("15").correct and tx.PARAMS == 15
    assert saturate.check(1).correct and m.echo(2, 1.0, 3.0).verdict == "saturates"
    assert shared.check(1).correct


@pytest.mark.parametrize(
    "values",
    [
        {"w": -3.0, "u": -3.0, "pulse": 1},
        {"w": 3.0, "u": 3.0, "pulse": m.STEPS - 2, "sequence": "held input"},
        {"w": 0.0, "u": 0.0, "sequence": "sine wave"},
    ],
)
def test_extremes_show_finite_states_and_a_verdict(values: dict[str, object]) -> None:
    """At the control extremes every h shown stays finite and inside (-1, 1)."""
    steps = walk(values)
    assert len(steps) == 9
    for step in steps:
        for data in step.data.values():
            if isinstance(data, PlotData):
                for s in data.series:
                    if s.name.startswith("state") or s.name.startswith("u = "):
                        y = s.y[np.isfinite(s.y)]
                        assert np.all(np.abs(y) <= 1.0)
    assert any(word in steps[-1].text for word in ("fades", "persists", "saturates", "no echo"))


def test_back_and_forth_is_deterministic(steps: list[Step]) -> None:
    again = walk()
    assert [s.figures for s in again] == [s.figures for s in steps]
