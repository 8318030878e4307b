"""Lesson 5.3: the graph runs to the values of plain arithmetic, the layer is x @ W + b, the FLOP
count is 2mnk, and the timings have the right structure on either the GPU or the no-GPU path.

Times are measurements of the machine running the tests: no test asserts one.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.core import backend
from lessons.ch5_real_data.graphs_gpu import graph as gg
from lessons.ch5_real_data.graphs_gpu import timing as tm
from lessons.ch5_real_data.graphs_gpu.lesson import GraphsGpu
from lessons.ch5_real_data.graphs_gpu.views import layer_data
from lessons.core.base import Step
from lessons.core.panels import GraphData, PlotData, TableData
from lessons.core.runner import LessonRun


def _walk(**values: object) -> list[Step]:
    return LessonRun(GraphsGpu, values or None, strict=True).steps_so_far()


def _by_title(steps: list[Step], title: str) -> Step:
    return next(s for s in steps if s.title == title)


def _node_values(step: Step) -> dict[str, str]:
    graph = step.data["graph"]
    assert isinstance(graph, GraphData)
    return {n.id: n.value for n in graph.nodes}


@pytest.mark.parametrize("a, b", [(1.0, 2.0), (-3.5, 0.25), (10.0, -10.0)])
def test_graph_has_no_values_until_run_then_equals_direct_arithmetic(a: float, b: float) -> None:
    """Built: all empty; initialised: a, b only; run: f = a + b, as plain Python adds it."""
    steps = _walk(ab=(a, b))
    built, init, run = steps[:3]
    assert set(_node_values(built).values()) == {""}
    assert _node_values(init)["f"] == "" and _node_values(init)["a"] != ""
    assert run.figures["f"] == a + b
    table = run.data["numbers"]
    assert isinstance(table, TableData) and table.rows[-1][-1] != "not yet"


def test_session_refuses_an_operation_whose_inputs_have_no_value() -> None:
    """Running f before the variables are initialised is an error, as in TensorFlow 1."""
    session = gg.Session(gg.SUM)
    with pytest.raises(ValueError, match="no value yet"):
        session.run_node("f")
    session.initialise({"a": 1.0, "b": 2.0})
    assert float(session.run_node("f")[()]) == 3.0


@pytest.mark.parametrize("batch", [1, 4, 6])
def test_dense_layer_equals_numpy_x_at_w_plus_b(batch: int) -> None:
    """The shown XW and Y columns are x @ W and x @ W + b recomputed with plain NumPy."""
    steps = _walk(batch=batch)
    x, w, b = layer_data(np.random.default_rng(GraphsGpu.seed), batch)
    fed = _by_title(steps, "Initialise W and b, feed X").data["numbers"]
    assert isinstance(fed, TableData)
    np.testing.assert_array_equal(np.array([r[1:4] for r in fed.rows[:batch]], float), x)
    neurons = np.array([r[1:5] for r in fed.rows[batch:]], float)
    np.testing.assert_array_equal(neurons[:, :3].T, w)
    np.testing.assert_array_equal(neurons[:, 3], b)
    out = _by_title(steps, "Run: add the bias").data["numbers"]
    assert isinstance(out, TableData)
    shown = np.array([r[1:] for r in out.rows], float)
    np.testing.assert_allclose(shown[:, :2], x @ w, rtol=0, atol=1e-12)
    np.testing.assert_allclose(shown[:, 2:], x @ w + b, rtol=0, atol=1e-12)
    assert _by_title(steps, "Run: the matrix product").figures["layer_flops"] == 2 * batch * 3 * 2


def test_dot_product_graph_entries_are_the_matrix_product() -> None:
    """Each dot node of the 'why GPUs' graph holds one entry of X @ W, no node feeds another."""
    x, w, _ = layer_data(np.random.default_rng(GraphsGpu.seed), 4)
    step = _by_title(_walk(), "Why GPUs like matrix products")
    graph = step.data["graph"]
    assert isinstance(graph, GraphData)
    dots = {n.id for n in graph.nodes if n.op == "dot"}
    assert len(dots) == 3 * 2
    assert not any(e.source in dots for e in graph.edges)
    session = gg.Session(gg.dot_products(3, 2))
    session.feed({f"x{i}": x[i] for i in range(3)})
    session.initialise({f"w{j}": w[:, j] for j in range(2)})
    for i in range(3):
        for j in range(2):
            assert float(session.run_node(f"z{i}{j}")[()]) == pytest.approx((x @ w)[i, j])


def test_flop_count_is_two_m_n_k() -> None:
    """2mnk: mn dot products, each k multiplications and k additions; the table agrees."""
    assert tm.flops(64, 128, 32) == 524_288
    assert tm.flops(1, 1, 1) == 2
    m, k, n = 5, 7, 3
    a, b = np.ones((m, k)), np.ones((k, n))
    assert tm.flops(m, k, n) == 2 * (a @ b).size * k
    step = _by_title(_walk(), "Why GPUs like matrix products")
    table = step.data["numbers"]
    assert isinstance(table, TableData)
    for n_, flops, dots, length in table.rows:
        assert int(flops.replace(",", "")) == 2 * n_**3
        assert int(dots.replace(",", "")) == n_**2 and length == n_
    quiz = {q.id: q for q in GraphsGpu.quiz}
    assert quiz["flops"].check(2 * 64 * 128 * 32).correct


def _timing_rows(steps: list[Step]) -> TableData:
    table = _by_title(steps, "Measured here: time against size").data["numbers"]
    assert isinstance(table, TableData)
    return table


def test_without_a_gpu_only_numpy_is_timed_and_the_text_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No CuPy: the sizes are the lesson's, times positive and finite, and the reason shown."""

    def no_cupy() -> backend.Backend:
        raise backend.DeviceError("GPU requested but CuPy is not installed. Install it.")

    monkeypatch.setattr(backend, "_gpu", no_cupy)
    status = tm.gpu_status()
    assert status.gpu is None and status.message.startswith("No GPU here: CuPy is not installed")
    steps = _walk(dtype="float64")
    table = _timing_rows(steps)
    assert table.columns == ("n", "FLOPs", "NumPy ms", "NumPy GFLOP/s")
    assert tuple(r[0] for r in table.rows) == tm.SIZES
    for n, _, ms, rate in table.rows:
        assert math.isfinite(ms) and ms > 0
        assert rate == pytest.approx(2 * n**3 / (ms / 1e3) / 1e9)
    rates = _by_title(steps, "Measured here: FLOPs per second")
    assert "No GPU here: CuPy is not installed" in rates.text
    assert rates.figures["gpu_available"] == 0.0
    plot = rates.data["speed"]
    assert isinstance(plot, PlotData)
    assert [s.name for s in plot.series if not s.name.startswith("_")] == ["NumPy (CPU)"]
    assert backend.current().name == "cpu"


def test_with_a_gpu_both_devices_are_timed_and_the_cpu_backend_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A usable 'GPU' (NumPy standing in for CuPy) adds CuPy columns and a second line."""
    monkeypatch.setattr(backend, "_gpu", lambda: backend.Backend("gpu", np, "GPU 0: stand-in"))
    steps = _walk()
    table = _timing_rows(steps)
    assert table.columns[-2:] == ("CuPy ms", "CuPy GFLOP/s")
    assert all(math.isfinite(r[4]) and r[4] > 0 for r in table.rows)
    rates = _by_title(steps, "Measured here: FLOPs per second")
    assert "GPU found: GPU 0: stand-in" in rates.text and "CuPy took" in rates.text
    assert backend.current().name == "cpu"


def test_timing_structure() -> None:
    """measure() gives one positive, finite median per size; GFLOP/s is 2n³ / t."""
    result = tm.measure(np, "cpu", np.random.default_rng(0), "float32", sizes=(8, 16))
    assert result.sizes == (8, 16) and len(result.seconds) == 2
    assert all(math.isfinite(t) and t > 0 for t in result.seconds)
    assert result.gflops[1] == pytest.approx(2 * 16**3 / result.seconds[1] / 1e9)
