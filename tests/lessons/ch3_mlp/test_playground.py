"""Lesson 3.1 (the playground): it learns, restarts cleanly, goes back exactly, survives errors."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.ch3_mlp.playground.lesson import Playground
from lessons.core.base import NetworkData, PlotData, TableData
from lessons.core.runner import LessonRun
from lessons.shared.mlp.net import GRID, grid_points, pool2
from lessons.shared.mlp.views import level_line

EPOCHS = 150


def _network(run: LessonRun, step: int | None = None) -> NetworkData:
    data = run.panel_state(step)["network"]
    assert isinstance(data, NetworkData)
    return data


def _weights(data: NetworkData) -> list[np.ndarray]:
    return [ly.weights for ly in data.layers if ly.weights is not None]


def _stats(run: LessonRun) -> dict[str, str]:
    table = run.panel_state()["numbers"]
    assert isinstance(table, TableData)
    return {str(row[0]): str(row[1]) for row in table.rows}


@pytest.mark.slow
@pytest.mark.parametrize("data", ["circle", "XOR", "two gaussians"])
def test_default_settings_solve_the_easier_sets(data: str) -> None:
    """With the default network and settings, 150 epochs classify 95% of the test points."""
    run = LessonRun(Playground, {"data": data}, strict=True)
    run.goto(EPOCHS)
    figures = run.current.figures
    assert figures["epoch"] == EPOCHS
    assert figures["test_accuracy"] >= 0.95, figures
    assert figures["test_loss"] < 0.15, figures


def test_each_step_is_one_epoch_of_mini_batches() -> None:
    """Epoch n has taken n * ceil(250 / batch) updates; the table shows the live numbers."""
    run = LessonRun(Playground, strict=True)
    assert run.current.title == "Before training" and run.current.figures["epoch"] == 0
    run.goto(3)
    stats = _stats(run)
    assert stats["Epoch"] == "3" and stats["Updates"] == str(3 * 25)
    assert stats["Parameters"] == str(3 * 4 + 5 * 4 + 5)  # 2-4-4-1 with biases


def test_editing_the_topology_mid_run_restarts_cleanly() -> None:
    """A new layer count (the diagram's + button) restarts from epoch 0 with that network."""
    run = LessonRun(Playground, strict=True)
    run.goto(12)
    assert run.set_control("layers", 3).value == "restart"
    assert run.position == 0 and run.current.figures["epoch"] == 0
    assert _network(run).sizes == (2, 4, 4, 4, 1)
    run.set_control("neurons", 6)
    assert _network(run).sizes == (2, 6, 6, 6, 1)
    run.goto(5)
    fresh = LessonRun(Playground, {"layers": 3, "neurons": 6}, strict=True)
    fresh.goto(5)
    for a, b in zip(_weights(_network(run)), _weights(_network(fresh)), strict=True):
        assert np.array_equal(a, b)  # the restarted run is the seeded run of the new topology


def test_back_returns_the_exact_earlier_weights() -> None:
    """Going back shows the weights (and maps) of that epoch, not a re-run."""
    run = LessonRun(Playground, strict=True)
    run.goto(5)
    at_five = [w.copy() for w in _weights(_network(run))]
    maps = _network(run).layers[1].heatmaps
    run.goto(20)
    assert not all(
        np.array_equal(a, b) for a, b in zip(at_five, _weights(_network(run)), strict=True)
    )
    while run.position > 5:
        run.back()
    back = _network(run)
    assert all(np.array_equal(a, b) for a, b in zip(at_five, _weights(back), strict=True))
    assert back.layers[1].heatmaps is maps
    run.next()
    assert run.current.figures["epoch"] == 6


def test_live_controls_apply_from_the_next_epoch() -> None:
    """Learning rate, L2 and batch size change without a restart; the next epoch uses them."""
    run = LessonRun(Playground, strict=True)
    run.goto(4)
    for name, value in (("rate", 0.1), ("l2", 0.01), ("batch", 25)):
        assert run.set_control(name, value).value == "live"
    assert run.position == 4
    run.next()
    stats = _stats(run)
    assert stats["Epoch"] == "5" and stats["Learning rate η"] == "0.1"
    assert stats["L2 strength λ"] == "0.01" and stats["Batch size"] == "25"
    assert stats["Updates"] == str(4 * 25 + 10)


def test_divergence_stops_training_and_a_smaller_rate_starts_again() -> None:
    """A huge rate makes the loss overflow: the step says so and stops; lowering it restarts."""
    values = {"rate": 10.0, "activation": "linear", "layers": 3}
    run = LessonRun(Playground, values, strict=True)
    for _ in range(30):
        run.next()
        if run.current.stop:
            break
    assert run.current.title == "Training diverged" and run.current.stop
    assert "learning rate" in run.current.text
    run.next()
    assert run.current.stop  # still waiting for a smaller rate
    run.set_control("rate", 0.03)
    run.next()
    assert run.current.title == "Fresh weights" and not run.current.stop
    assert run.current.figures["epoch"] == 0
    run.next()
    assert run.current.figures["epoch"] == 1 and np.isfinite(run.current.figures["test_loss"])


@pytest.mark.slow
def test_the_spiral_task_is_checked() -> None:
    """The spiral with sine features and 3 x 8 neurons gets below 0.1 test loss: done."""
    values = {"data": "spiral", "layers": 3, "neurons": 8, "sin_x1": True, "sin_x2": True}
    run = LessonRun(Playground, values, strict=True)
    assert run.current.task is not None and not run.current.task.done
    for _ in range(200):
        run.next()
        if run.task_result is not None and run.task_result.done:
            break
    assert run.task_result is not None and run.task_result.done
    assert run.current.figures["test_loss"] < 0.1
    circle = LessonRun(Playground, strict=True)
    assert circle.current.task is None  # only the spiral counts


def test_without_inputs_the_lesson_says_so() -> None:
    """Switching every feature off stops with an explanation instead of failing."""
    run = LessonRun(Playground, {"x1": False, "x2": False}, strict=True)
    assert run.current.title == "No inputs" and run.current.stop
    assert not run.next() and run.length == 1


def test_the_maps_come_from_one_probe_of_the_plane() -> None:
    """The output neuron's small map is the pooled decision map of the boundary plot."""
    run = LessonRun(Playground, {"x1_x2": True}, strict=True)
    run.goto(10)
    network, boundary = _network(run), run.panel_state()["boundary"]
    assert isinstance(boundary, PlotData) and boundary.image is not None
    assert [ly.heatmaps.shape for ly in network.layers if ly.heatmaps is not None] == [
        (3, GRID, GRID),
        (4, GRID // 2, GRID // 2),
        (4, GRID // 2, GRID // 2),
        (1, GRID // 2, GRID // 2),
    ]
    output = network.layers[-1].heatmaps
    assert output is not None
    pooled = pool2(boundary.image[None].astype(np.float32))
    assert np.allclose(output.astype(np.float32), pooled, atol=2e-3)
    assert network.input_names == ("x₁", "x₂", "x₁x₂")


def test_test_points_are_drawn_with_another_symbol() -> None:
    """Training points are circles, test points triangles; hiding test points removes them."""
    run = LessonRun(Playground, strict=True)
    boundary = run.panel_state()["boundary"]
    assert isinstance(boundary, PlotData)
    symbols = {s.name: s.symbol for s in boundary.series if s.style == "scatter"}
    assert symbols["training · class 0"] == "o" and symbols["test · class 1"] == "t1"
    run.set_control("show_test", False)
    run.next()
    boundary = run.panel_state()["boundary"]
    assert isinstance(boundary, PlotData)
    assert not any(s.name.startswith("test") for s in boundary.series)


def test_level_line_traces_a_circle() -> None:
    """Marching squares puts every segment end on the level set (here a circle of radius 3)."""
    g = grid_points()
    radius = np.hypot(g[:, 0], g[:, 1]).reshape(GRID, GRID)
    x, y = level_line(radius, 3.0)
    ends = np.isfinite(x)
    assert ends.sum() > 50
    assert np.allclose(np.hypot(x[ends], y[ends]), 3.0, atol=0.01)
    assert level_line(np.zeros((8, 8)), 0.5)[0].size == 0
