"""Lesson 7.2 (topologies): what is shown is what the engine's trained models compute.

The models' forward passes are recomputed here in plain NumPy (float64) from the engine's
weights: hidden states, outputs and the test-set scores the lesson reports must agree.
"""

from __future__ import annotations

import numpy as np
import pytest
from walking import finite_steps

from lessons.ch7_recurrent.topologies import frames, tasks, texts
from lessons.ch7_recurrent.topologies.lesson import Topologies
from lessons.core.base import ImageData, PlotData, Step, TableData

LENGTH = int(Topologies.controls[1].default)


def _walk(values: dict[str, object] | None = None) -> list[Step]:
    return finite_steps(Topologies, values)


@pytest.fixture(scope="module")
def steps() -> list[Step]:
    """The whole lesson with its default controls."""
    return _walk()


def _rnn(x: np.ndarray, w: np.ndarray, u: np.ndarray, b: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """SimpleRNN states (batch, T, units): h_t = tanh(x_t W + h_{t-1} U + b)."""
    h, out = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ w + h @ u + b)
        out.append(h)
    return np.stack(out, axis=1)


def numpy_forward(run: tasks.Trained, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hidden states (batch, columns, units), raw outputs) of run's model, in NumPy."""
    ws = [np.asarray(a, dtype=np.float64) for a in run.model.get_weights()]
    x = np.asarray(x, dtype=np.float64)
    if run.topology == "encoder-decoder":
        w1, u1, b1, w2, u2, b2, dw, db = ws
        enc = _rnn(x, w1, u1, b1, np.zeros((len(x), u1.shape[0])))
        context = enc[:, -1]
        steps = np.repeat(context[:, None, :], run.length, axis=1)
        dec = _rnn(steps, w2, u2, b2, context)
        return np.concatenate([enc, dec], axis=1), dec @ dw + db
    w, u, b, dw, db = ws
    if run.topology == "vector-to-sequence":
        x = np.repeat(x[:, None, :], run.length, axis=1)
    states = _rnn(x, w, u, b, np.zeros((len(x), u.shape[0])))
    if run.topology == "sequence-to-vector":
        return states, states[:, -1] @ dw + db
    return states, states @ dw + db


def _readable(topology: str, raw: np.ndarray) -> np.ndarray:
    if topology == "sequence-to-vector":
        return 1 / (1 + np.exp(-raw[:, 0]))
    if topology == "encoder-decoder":
        return raw.argmax(axis=-1)
    return raw[..., 0]


def _score(topology: str, targets: np.ndarray, shown: np.ndarray) -> float:
    if topology == "sequence-to-vector":
        return float(np.mean((shown > 0.5) == (targets > 0.5)))
    if topology == "encoder-decoder":
        return float(np.mean(shown == targets))
    return float(np.mean(np.abs(shown - targets)))


def _section(steps: list[Step], topology: str) -> list[Step]:
    """The intro step and the animation steps of one topology."""
    name = texts.SHORT[topology]
    return [s for s in steps if s.title.startswith(f"{name}:")]


def test_the_lesson_walks_overview_four_topologies_and_summary(steps: list[Step]) -> None:
    """1 overview + per topology an intro and one step per time step (2T for enc-dec) + 1."""
    assert len(steps) == 1 + 4 * (1 + LENGTH) + LENGTH + 1
    for topo in tasks.TOPOLOGIES:
        run = tasks.trained(topo, LENGTH)
        assert len(_section(steps, topo)) == 1 + frames.columns(run)
    assert steps[-1].title == texts.SUMMARY_TITLE


def test_task_data_follow_their_definitions() -> None:
    """Running sums, sign of the sum, sines of ω and reversed digits, checked in NumPy."""
    s2s = tasks.trained("sequence-to-sequence", LENGTH)
    assert np.allclose(s2s.targets, np.cumsum(s2s.inputs, axis=1))
    s2v = tasks.trained("sequence-to-vector", LENGTH)
    assert np.array_equal(s2v.targets > 0.5, np.round(10 * s2v.inputs).sum(axis=1) > 0)
    v2s = tasks.trained("vector-to-sequence", LENGTH)
    assert np.allclose(v2s.targets, np.sin(v2s.inputs[:, None] * np.arange(1, LENGTH + 1)))
    ed = tasks.trained("encoder-decoder", LENGTH)
    assert np.array_equal(ed.targets, ed.inputs[:, ::-1])
    assert np.array_equal(ed.x.argmax(axis=-1), ed.inputs)


@pytest.mark.parametrize("topology", tasks.TOPOLOGIES)
def test_reported_scores_equal_a_numpy_recomputation(topology: str) -> None:
    """Test-set score and baseline: recomputed from the engine's weights with NumPy."""
    run = tasks.trained(topology, LENGTH)
    _, raw = numpy_forward(run, run.x)
    shown = _readable(topology, raw)
    assert run.score == pytest.approx(_score(topology, run.targets, shown), abs=1e-5)
    if topology == "encoder-decoder":
        assert run.whole == pytest.approx(float(np.mean((shown == run.targets).all(axis=1))))
        assert run.baseline == 0.1
    elif topology == "sequence-to-sequence":
        assert run.baseline == pytest.approx(float(np.mean(np.abs(run.inputs - run.targets))))
    elif topology == "sequence-to-vector":
        base = float(np.mean((run.inputs[:, -1] > 0) == (run.targets > 0.5)))
        assert run.baseline == pytest.approx(base)


@pytest.mark.parametrize("topology", tasks.TOPOLOGIES)
def test_animated_states_and_outputs_equal_the_numpy_forward_pass(
    steps: list[Step], topology: str
) -> None:
    """Hidden-state image columns, plotted outputs and figures match NumPy at every step."""
    run = tasks.trained(topology, LENGTH)
    states, raw = numpy_forward(run, run.x[:1])
    shown = _readable(topology, raw)[0]
    section = _section(steps, topology)
    for k, step in enumerate(section[1:]):
        image = step.data["hidden"]
        assert isinstance(image, ImageData)
        assert np.allclose(image.image[:, : k + 1], states[0, : k + 1].T, atol=1e-5)
        assert np.isnan(image.image[:, k + 1 :]).all()
        if "output" in step.figures:
            j = k - run.length if topology == "encoder-decoder" else k
            want = shown if topology == "sequence-to-vector" else shown[j]
            assert step.figures["output"] == pytest.approx(float(want), abs=1e-4)
    last = section[-1].data["signals"]
    assert isinstance(last, PlotData)
    model = next(s for s in last.series if s.name.startswith("model"))
    want = np.atleast_1d(shown).astype(np.float64)
    assert np.allclose(model.y, want, atol=1e-4)


def test_outputs_leave_only_where_the_topology_has_them(steps: list[Step]) -> None:
    """Seq→vector has one output, after the last step; the encoder writes nothing."""
    for topology in tasks.TOPOLOGIES:
        run = tasks.trained(topology, LENGTH)
        for k, step in enumerate(_section(steps, topology)[1:]):
            has_output = "output" in step.figures
            if topology == "sequence-to-vector":
                assert has_output == (k == run.length - 1)
            elif topology == "encoder-decoder":
                assert has_output == (k >= run.length)
            else:
                assert has_output
            signals = step.data["signals"]
            assert isinstance(signals, PlotData)
            model = [s for s in signals.series if s.name.startswith("model")]
            if topology == "encoder-decoder":
                assert len(model[0].x) == max(k - run.length + 1, 0)
            elif topology != "sequence-to-vector":
                assert len(model[0].x) == k + 1


def test_step_verdicts_agree_with_the_outputs(steps: list[Step]) -> None:
    """'right'/'wrong' in the text follows the shown output and the target."""
    s2v = tasks.trained("sequence-to-vector", LENGTH)
    last = _section(steps, "sequence-to-vector")[-1]
    right = (last.figures["output"] > 0.5) == (s2v.targets[0] > 0.5)
    assert ("the model is right" in last.text) == right
    ed = tasks.trained("encoder-decoder", LENGTH)
    for j, step in enumerate(_section(steps, "encoder-decoder")[1 + LENGTH :]):
        ok = int(step.figures["output"]) == int(ed.targets[0, j])
        assert (": right." in step.text) == ok


def test_summary_table_lists_every_models_score_and_baseline(steps: list[Step]) -> None:
    """The closing table's numbers are the runs' scores; the verdict words follow them."""
    table = steps[-1].data["numbers"]
    assert isinstance(table, TableData)
    assert len(table.rows) == 4
    for row, topo in zip(table.rows, tasks.TOPOLOGIES, strict=True):
        run = tasks.trained(topo, LENGTH)
        if run.setup.classify:
            assert row[2] == f"{100 * run.score:.1f}% right"
        else:
            assert row[2].startswith("mean error")
        assert steps[-1].figures[f"score {topo}"] == run.score
    runs = [tasks.trained(topo, LENGTH) for topo in tasks.TOPOLOGIES]
    beat = [r.score > r.baseline if r.setup.classify else r.score < r.baseline for r in runs]
    assert ("every model beats its baseline" in steps[-1].text) == all(beat)


def test_one_topology_and_another_sample_walk_only_that_topology() -> None:
    """Choosing a topology walks the overview, its intro and its time steps; no crash at T=3."""
    walk = _walk({"topology": "sequence-to-vector", "length": 3, "sample": 199})
    assert len(walk) == 1 + 1 + 3
    run = tasks.trained("sequence-to-vector", 3)
    states, raw = numpy_forward(run, run.x[199:200])
    assert walk[-1].figures["output"] == pytest.approx(
        float(_readable(run.topology, raw)[0]), abs=1e-4
    )
    image = walk[-1].data["hidden"]
    assert isinstance(image, ImageData)
    assert np.allclose(image.image, states[0].T, atol=1e-5)


def test_quiz_answers_match_the_lessons_topologies() -> None:
    """Translation → encoder-decoder, sentiment → seq→vector, captions → vector→seq, video
    frames → seq→seq."""
    answers = {q.id: q.options[q.answer] for q in Topologies.quiz}
    assert answers == {
        "translation": "encoder-decoder",
        "sentiment": "sequence to vector",
        "caption": "vector to sequence",
        "video": "sequence to sequence",
    }


@pytest.mark.parametrize("topology", tasks.TOPOLOGIES)
def test_the_first_time_step_is_t_1_with_state_h_0(steps: list[Step], topology: str) -> None:
    """Time is counted from 1 as in lesson 7.1: the first step reads x_1 into h_1 from h_0 = 0;
    no x_0, h_{-1} or 't = 0' anywhere a learner reads a step."""
    section = _section(steps, topology)
    first = section[1]
    assert "h_0" in first.text and "h_{1}" in first.text
    if topology != "vector-to-sequence":  # its only input is ω
        assert "x_{1}" in first.text
    assert first.title.endswith("t = 1")
    table = first.data["numbers"]
    assert isinstance(table, TableData)
    assert table.rows[1][0] == "state in h(0) = 0" and table.rows[2][0] == "state out h(1)"
    assert first.titles["numbers"].endswith("t = 1")
    for step in section:
        for text in (step.text, step.title, *step.titles.values()):
            for bad in ("x_{0}", "x_0", "h_{-1}", "h_{−1}", "_{-", "t = 0", "step 0", "h(−1)"):
                assert bad not in text, (step.title, bad)
        for row in (
            step.data["numbers"].rows if isinstance(step.data.get("numbers"), TableData) else ()
        ):
            assert "h(−1)" not in row[0] and "h(-1)" not in row[0]


@pytest.mark.parametrize("topology", tasks.TOPOLOGIES)
def test_axes_and_heat_map_columns_count_time_from_1(steps: list[Step], topology: str) -> None:
    """The signals plot puts time step t at x = t (1..T) and the heat map's first column is 1
    (e1 for the encoder); the marked step follows the step's title."""
    run = tasks.trained(topology, LENGTH)
    section = _section(steps, topology)
    for k, step in enumerate(section[1:]):
        signals = step.data["signals"]
        assert isinstance(signals, PlotData)
        ticks = dict(signals.x_ticks)
        first = "e1" if topology == "encoder-decoder" else "1"
        assert ticks[1.0] == first
        assert signals.x_range is not None and signals.x_range[0] > 0
        t = k + 1
        if topology == "encoder-decoder" and k >= run.length:
            d = k - run.length + 1
            assert step.title.endswith(f"decoder, step {d}")
            assert signals.vlines == (pytest.approx(run.length + frames.GAP + d),)
        else:
            assert step.title.endswith(f"t = {t}")
            assert signals.vlines == (pytest.approx(float(t)),)
        image = step.data["hidden"]
        assert isinstance(image, ImageData)
        assert image.col_labels[0] == first
    data = section[-1].data["signals"]
    assert isinstance(data, PlotData)
    inputs = next(s for s in data.series if not s.name.startswith(("model", "sin")))
    assert inputs.x[0] == 1.0 and inputs.x[-1] == float(run.length)


def test_decoder_steps_name_the_encoder_step_they_reverse(steps: list[Step]) -> None:
    """Decoder step d (1..T) writes the digit read at encoder step T + 1 - d, which is
    2d - 1 steps before decoder step d (time step T + d of the whole run)."""
    run = tasks.trained("encoder-decoder", LENGTH)
    decoder = _section(steps, "encoder-decoder")[1 + LENGTH :]
    assert len(decoder) == LENGTH
    for d, step in enumerate(decoder, start=1):
        read, ago = LENGTH + 1 - d, 2 * d - 1
        when = "1 step ago" if ago == 1 else f"{ago} steps ago"
        assert f"encoder step {read}, {when}: {int(run.targets[0, d - 1])}" in step.text
        assert int(run.inputs[0, read - 1]) == int(run.targets[0, d - 1])
    assert "final state $h_{" + str(LENGTH) + "}$" in decoder[0].text
    table = decoder[0].data["numbers"]
    assert isinstance(table, TableData)
    assert table.rows[1][0] == f"state in: encoder h({LENGTH})"
