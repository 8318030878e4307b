"""Lesson 6.3 (mnist_cnn): shown maps are the engine's, counts by closed form, CNN beats MLP."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from lessons.ch6_convnets.mnist_cnn import model as m
from lessons.ch6_convnets.mnist_cnn import texts as tx
from lessons.ch6_convnets.mnist_cnn import views as v
from lessons.ch6_convnets.mnist_cnn.lesson import MnistCnn
from lessons.core.base import ImageGridData, PlotData, Step, TableData
from lessons.core.runner import LessonRun


def _steps(values: dict[str, object], count: int) -> list[Step]:
    run = LessonRun(MnistCnn, values, strict=True)
    for _ in range(count - 1):
        assert run.next()
    return run.steps_so_far()


@pytest.fixture(scope="module")
def opening() -> list[Step]:
    """The untrained network and two training steps, digit 7 and filter 3."""
    return _steps({"digit": 7, "channel": 3}, 3)


def _numpy_conv(image: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Valid cross-correlation with ReLU in float64 loops: kernel (F, 1, 3, 3), image (28, 28)."""
    f, _, k, _ = kernel.shape
    side = image.shape[0] - k + 1
    out = np.zeros((f, side, side))
    for o in range(f):
        for r in range(side):
            for c in range(side):
                out[o, r, c] = np.sum(image[r : r + k, c : c + k] * kernel[o, 0]) + bias[o]
    return np.maximum(out, 0.0)


def test_shown_feature_maps_are_the_engine_layers_and_a_numpy_convolution(
    opening: list[Step],
) -> None:
    """The maps grid equals the conv and pool outputs; conv equals a loop in plain NumPy."""
    step = opening[1]
    grid = step.data["maps"]
    filters = step.data["filters"]
    assert isinstance(grid, ImageGridData) and isinstance(filters, ImageGridData)
    kernel = filters.images[:, None]  # the shown filters (float64 copies of the kernel)
    image = m.mnist().x_test[7, 0].astype(np.float64)
    conv, pooled_big = grid.images[:8], grid.images[8:]
    # pooling: each shown 2x2 block is the max of a 2x2 window of the conv map
    pooled = pooled_big[:, ::2, ::2]
    windows = conv.reshape(8, 13, 2, 13, 2).max(axis=(2, 4))
    np.testing.assert_allclose(pooled, windows, rtol=0, atol=1e-6)
    # conv: the shown map minus a NumPy convolution with the shown kernel is a constant per
    # filter (the bias) wherever both are positive
    plain = _numpy_conv(image, kernel, np.zeros(8))
    for o in range(8):
        both = (conv[o] > 1e-4) & (plain[o] > 1e-4)
        diff = conv[o][both] - plain[o][both]
        assert both.sum() > 10
        assert np.ptp(diff) < 1e-4


def test_maps_equal_engine_outputs_and_numpy_with_bias() -> None:
    """layer_outputs is the engine's forward pass; the first conv layer recomputed exactly."""
    net = m.cnn(11)
    image = m.mnist().x_test[3]
    outs = m.layer_outputs(net, image)
    full = net.predict(image[None])[0]
    np.testing.assert_allclose(outs[-1], full, atol=1e-6)
    kernel = np.asarray(net.layers[0].params[0].data, dtype=np.float64)
    bias = np.asarray(net.layers[0].params[1].data, dtype=np.float64)
    expected = _numpy_conv(image[0].astype(np.float64), kernel, bias)
    np.testing.assert_allclose(outs[0], expected, atol=1e-5)
    grid = v.maps_grid(outs[0], outs[1], 0)
    np.testing.assert_allclose(grid.images[:8], outs[0], atol=0)
    assert outs[1].shape == (8, 13, 13) and outs[3].shape == (8 * 13 * 13,)


def test_parameter_counts_and_flops_follow_the_closed_form() -> None:
    """Engine counts equal F(k²+1) + (F·13²+1)·64 + 65·10 and (784+1)·64 + 65·10."""
    assert m.cnn(0).count_params() == m.cnn_params() == 8 * 10 + 1353 * 64 + 650 == 87322
    assert m.mlp(0).count_params() == m.mlp_params() == 785 * 64 + 650 == 50890
    assert m.cnn_flops() == 2 * (26 * 26 * 8 * 9 + 1352 * 64 + 640)
    assert m.mlp_flops() == 2 * (784 * 64 + 640)


def test_architecture_table_lists_engine_shapes(opening: list[Step]) -> None:
    """The first step's table shows each layer's output shape and parameters."""
    table = opening[0].data["table"]
    assert isinstance(table, TableData)
    outputs = [row[1] for row in table.rows]
    assert outputs[:5] == ["8×26×26", "8×13×13", "8×13×13", "1352", "64"]
    assert [row[2] for row in table.rows] == ["80", "0", "0", "0", "86,592", "0", "650", "87,322"]


def test_receptive_field_box_matches_the_picked_pixel() -> None:
    """A click on pool pixel (2, 3) lights a 4×4 input box at (4, 6); conv (5, 1): 3×3 at (5, 1)."""
    (pr, pc), (cr, cc) = v.POOL_AT, v.CONV_AT
    assert v.locate((pc + 3.0, -(pr + 2.0))) == ("pool", 2, 3)
    assert v.locate((cc + 1.0, -(cr + 5.0))) == ("conv", 5, 1)
    assert v.locate((2.0, -2.0)) is None
    assert m.receptive_field("pool", 2, 3) == (4, 6, 4, 4)
    assert m.receptive_field("conv", 5, 1) == (5, 1, 3, 3)
    # a pooled pixel depends on exactly its receptive field: change a pixel outside, no change
    net = m.cnn(2)
    image = m.mnist().x_test[0].copy()
    before = m.layer_outputs(net, image)[1][:, 2, 3]
    image[0, 10, 10] = 1.0 - image[0, 10, 10]
    assert np.array_equal(m.layer_outputs(net, image)[1][:, 2, 3], before)
    strip = v.strip(image[0], np.ones((26, 26)), np.ones((13, 13)), np.ones(64), ("pool", 2, 3))
    assert isinstance(strip, PlotData) and strip.series[0].name == "receptive field 4×4"
    box = strip.series[0]
    assert (box.x.min(), box.x.max(), box.y.max(), box.y.min()) == (5.5, 9.5, -3.5, -7.5)


def test_augmentation_is_seeded_and_shape_preserving() -> None:
    """Same seed, same batch; another seed, another; shapes and dtype kept; zero is identity."""
    x = m.mnist().x_train[:16]
    a = m.augment(x, np.random.default_rng(4), 2, 15.0)
    b = m.augment(x, np.random.default_rng(4), 2, 15.0)
    c = m.augment(x, np.random.default_rng(5), 2, 15.0)
    assert a.images.shape == x.shape and a.images.dtype == x.dtype
    assert np.array_equal(a.images, b.images) and not np.array_equal(a.images, c.images)
    assert np.abs(a.shifts).max() <= 2 and np.abs(a.angles).max() <= 15.0
    same = m.augment(x, np.random.default_rng(4), 0, 0.0)
    np.testing.assert_allclose(same.images, x, atol=1e-6)
    moved = m.shift_rotate(x[0, 0], 1, -2, 0.0)
    np.testing.assert_allclose(moved[1:, :-2], x[0, 0][:-1, 2:], atol=1e-6)


def test_comparison_table_holds_the_runs_numbers(opening: list[Step]) -> None:
    """The table's accuracies are the figures the step reports; params and FLOPs closed form."""
    step = opening[2]
    table = step.data["table"]
    assert isinstance(table, TableData)
    acc, params, flops, _ = table.rows
    assert table.columns[1:] == ("CNN", "MLP")
    assert acc[1:] == (f"{step.figures['cnn_test']:.1%}", f"{step.figures['mlp_test']:.1%}")
    assert params[1:] == (f"{m.cnn_params():,}", f"{m.mlp_params():,}")
    assert flops[1:] == (f"{m.cnn_flops():,}", f"{m.mlp_flops():,}")
    curves = step.data["curves"]
    assert isinstance(curves, PlotData)
    styles = {s.name: s.style for s in curves.series}
    assert styles["CNN training"] == "line" and styles["CNN test"] == "dash"


@pytest.mark.slow
def test_cnn_beats_mlp_with_fixed_seeds_and_the_verdict_says_so() -> None:
    """At the default controls the CNN's final test accuracy is above the MLP's."""
    run = LessonRun(MnistCnn, {"aug_epochs": 2}, strict=True)
    while run.current.title != "What the CNN learned":
        assert run.next()
    step = run.current
    assert step.figures["cnn_test"] > step.figures["mlp_test"]
    assert "MLP is not beaten" not in step.text


def test_verdicts_follow_the_numbers() -> None:
    """Win, tie within two standard errors, loss and chance level each get their own words."""
    from lessons.ch6_convnets.mnist_cnn import texts as tx

    assert "wins by" in tx.result(0.95, 0.90, 0.02, False)
    assert "not a clear win" in tx.result(0.91, 0.90, 0.02, False)
    assert "not beaten" in tx.result(0.88, 0.90, 0.02, False)
    assert "guessing" in tx.result(0.10, 0.11, 0.02, True)
    assert "helped" in tx.aug_verdict(0.80, 0.90, 0.03, 300, False)
    assert "hurt" in tx.aug_verdict(0.90, 0.80, 0.03, 300, False)
    assert "no clear effect" in tx.aug_verdict(0.85, 0.86, 0.03, 300, False)
    assert m.at_chance(0.11, 1000) and not m.at_chance(0.2, 1000)
    assert m.difference_margin(0.9, 0.9, 1000) == pytest.approx(2 * (2 * 0.09 / 1000) ** 0.5)


VIEWS = ("strip", "maps", "filters", "probs")  # what the digit, feature map and pixel change


def _plain(value: Any) -> Any:
    """Panel data as nested dicts, lists and arrays, for comparing numbers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(d) for k, d in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(d) for d in value]
    return value


def _views(step: Step) -> dict[str, Any]:
    return {key: _plain(step.data[key]) for key in VIEWS}


def test_digit_feature_map_and_pixel_redraw_the_step_at_once(opening: list[Step]) -> None:
    """Paused at an epoch, the view controls redraw its strip, maps, filters and softmax with
    that step's CNN, without training: the numbers of a run that had them from the start."""
    run = LessonRun(MnistCnn, strict=True)
    run.next()
    before = run.current
    run.set_control("digit", 7)
    run.set_control("channel", 3)
    assert run.position == 1 and run.computed == 2
    assert run.current.figures == before.figures and run.current.title == before.title
    np.testing.assert_equal(_views(run.current), _views(opening[1]))
    (cr, cc) = v.CONV_AT
    pick = (cc + 1.0, -(cr + 5.0))  # conv pixel (5, 1): a 3×3 box (default: a pooled pixel)
    run.set_control("pick", pick)
    strip = run.panel_state()["strip"]
    assert isinstance(strip, PlotData) and strip.series[0].name == "receptive field 3×3"
    assert run.back() and run.current is run.step_at(0)  # the older step keeps its view
    assert run.next() and run.panel_state()["strip"] is strip  # the redrawn step is kept
    ahead = LessonRun(MnistCnn, {"digit": 7, "channel": 3, "pick": pick}, strict=True)
    ahead.next()
    np.testing.assert_equal(_views(run.current), _views(ahead.current))
    run.next()
    ahead.next()  # training went on from the same weights
    np.testing.assert_equal(_views(run.current), _views(ahead.current))
    assert run.current.figures == ahead.current.figures


def test_texts_no_longer_ask_for_next_after_a_click() -> None:
    assert "Next" not in tx.result(0.9, 0.8, 0.02, False)
    assert "next step" not in tx.RESULT_NOTES
