"""Lesson 5.1 (MNIST with an MLP): preprocessing, shown numbers against NumPy, the canvas."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from lessons.ch5_real_data.mnist_mlp import preprocess
from lessons.ch5_real_data.mnist_mlp.lesson import MnistMlp
from lessons.core.base import Step
from lessons.core.panels import BarData, CanvasData, ImageGridData, PlotData
from lessons.core.runner import LessonRun
from lessons.shared.mnist import Trainer, digits

SEVEN = (0.25, 0.2, 0.7, 0.2, 0.45, 0.85)  # a 7: a bar, then a slanted stroke


def _stroke(cx: float, cy: float, r: float) -> tuple[float, ...]:
    """A synthetic drawn stroke: an ellipse (a zero) of half-height r around (cx, cy)."""
    t = np.linspace(0, 2 * np.pi, 40)
    pts = np.stack([cx + 0.6 * r * np.cos(t), cy + r * np.sin(t)], axis=1)
    return tuple(float(v) for v in pts.ravel())


@pytest.mark.parametrize(
    "flat",
    [
        _stroke(0.5, 0.5, 0.3),
        _stroke(0.2, 0.75, 0.08),  # small and off-centre
        SEVEN,
        (*SEVEN, -1.0, -1.0, 0.35, 0.5, 0.6, 0.5),  # two strokes (a crossed 7)
    ],
)
def test_preprocessing_centres_by_mass_and_scales_to_20_pixels(flat: tuple[float, ...]) -> None:
    image = preprocess.digit_of(flat)
    assert image.shape == (28, 28) and image.min() >= 0 and image.max() <= 1
    total = image.sum()
    rows, cols = np.indices(image.shape)
    r, c = (rows * image).sum() / total, (cols * image).sum() / total
    assert abs(r - 13.5) <= 0.5 and abs(c - 13.5) <= 0.5
    ink_rows = np.flatnonzero(image.max(axis=1) > 0)
    ink_cols = np.flatnonzero(image.max(axis=0) > 0)
    extent = max(ink_rows[-1] - ink_rows[0] + 1, ink_cols[-1] - ink_cols[0] + 1)
    assert extent == 20


def test_preprocessing_keeps_the_aspect_ratio_and_handles_nothing() -> None:
    image = preprocess.digit_of(_stroke(0.5, 0.5, 0.3))
    h = np.ptp(np.flatnonzero(image.max(axis=1) > 0)) + 1
    w = np.ptp(np.flatnonzero(image.max(axis=0) > 0)) + 1
    raw = preprocess.rasterise(_stroke(0.5, 0.5, 0.3))
    rh = np.ptp(np.flatnonzero(raw.max(axis=1) > 0)) + 1
    rw = np.ptp(np.flatnonzero(raw.max(axis=0) > 0)) + 1
    assert abs(w / h - rw / rh) < 0.1
    assert not preprocess.digit_of(()).any()
    assert not preprocess.digit_of((-1.0, -1.0, 0.5)).any()


def _forward(weights: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """The MLP in plain float64 NumPy: relu(x W1 + b1) W2 + b2, softmax."""
    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float64) for w in weights)
    z = np.maximum(x @ w1 + b1, 0.0) @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _replayed(epochs: int) -> Trainer:
    """The lesson's model after ``epochs`` epochs, rebuilt from its seed and default controls."""
    seed = int(np.random.default_rng(MnistMlp.seed).integers(2**31))
    trainer = Trainer(32, 0.002, seed)
    for _ in range(epochs):
        trainer.epoch(128, 0.002)
    return trainer


def test_shown_accuracies_and_weight_images_equal_numpy() -> None:
    run = LessonRun(MnistMlp, {"epochs": 2}, strict=True)
    run.next()
    step = run.current
    assert step.title == "Epoch 1 of 2"
    data = digits()
    weights = _replayed(1).model.get_weights()
    for x, y, key in (
        (data.x_train, data.y_train, "train"),
        (data.x_val, data.y_val, "val"),
    ):
        probs = _forward(weights, x.astype(np.float64))
        accuracy = np.mean(probs.argmax(axis=1) == y)
        loss = -np.mean(np.log(probs[np.arange(len(y)), y]))
        assert step.figures[f"{key}_accuracy"] == pytest.approx(accuracy, abs=1e-12)
        assert step.figures[f"{key}_loss"] == pytest.approx(loss, rel=1e-4)
    grid = run.panel_state()["weights"]
    assert isinstance(grid, ImageGridData)
    for j in range(32):
        np.testing.assert_array_equal(grid.images[j], weights[0][:, j].reshape(28, 28))
    # the confusion matrix's counts agree with the accuracy
    plot = run.panel_state()["confusion"]
    assert isinstance(plot, PlotData)
    cells = {(a.x, a.y): int(a.text) for a in plot.annotations}
    assert sum(cells.values()) == len(data.y_val)
    hits = sum(v for (p, t), v in cells.items() if p == t)
    assert hits / len(data.y_val) == pytest.approx(step.figures["val_accuracy"])


def _to_drawing(run: LessonRun) -> None:
    while run.current.title not in ("Draw a digit", "Your digit"):
        assert run.next()


def _check_drawing(run: LessonRun, flat: tuple[float, ...]) -> None:
    step = run.current
    assert step.title == "Your digit"
    probs = _forward(_replayed(1).model.get_weights(), preprocess.digit_of(flat).reshape(1, -1))
    bars = run.panel_state()["softmax"]
    assert isinstance(bars, BarData)
    np.testing.assert_allclose(bars.values, probs[0], atol=1e-5)
    assert step.figures["predicted"] == float(np.argmax(probs[0]))


def _plain(value: Any) -> Any:
    """A step or panel data as nested dicts, lists and arrays, for comparing numbers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _same_view(a: Step, b: Step, *, text: bool = True) -> None:
    """Equal panels, figures, titles (and texts: training steps' texts hold measured times)."""
    np.testing.assert_equal(_plain(dict(a.data)), _plain(dict(b.data)))
    assert a.figures == b.figures and a.titles == b.titles and a.title == b.title
    if text:
        assert a.text == b.text


def test_the_drawing_is_classified_at_once_and_the_next_step_agrees() -> None:
    """A drawing redraws the step shown, paused, with no training: what the next step shows."""
    run = LessonRun(MnistMlp, {"epochs": 1}, strict=True)
    _to_drawing(run)
    assert run.current.title == "Draw a digit"
    position, computed = run.position, run.computed
    run.set_control("drawing", SEVEN)
    assert (run.position, run.computed) == (position, computed)
    _check_drawing(run, SEVEN)
    grid = run.panel_state()["digits"]
    assert isinstance(grid, ImageGridData)
    np.testing.assert_array_equal(grid.images[0], preprocess.digit_of(SEVEN))
    canvas = run.panel_state()["canvas"]
    assert isinstance(canvas, CanvasData) and canvas.strokes == SEVEN
    assert "Next" not in run.current.text and "Next" not in canvas.caption
    redrawn = run.current
    run.next()
    _same_view(run.current, redrawn)
    assert run.back() and run.current is redrawn  # the history keeps the redrawn step


def test_a_click_on_the_matrix_chooses_the_gallery_at_once() -> None:
    """Paused at an epoch, a click redraws the matrix, gallery and bars from that epoch's
    model: the same numbers as a run that had the click before that epoch."""
    run = LessonRun(MnistMlp, {"epochs": 2}, strict=True)
    run.next()
    run.set_control("cell", (7.2, 2.9))  # predicted 7, true 3
    run.set_control("image", 2)
    assert run.position == 1 and run.computed == 2
    bars = run.panel_state()["softmax"]
    assert isinstance(bars, BarData)
    assert bars.caption.startswith("true 3, predicted 7") or bars.caption.startswith(
        "no digit 3 was called 7"
    )
    ahead = LessonRun(MnistMlp, {"epochs": 2, "cell": (7.2, 2.9), "image": 2}, strict=True)
    ahead.next()
    _same_view(run.current, ahead.current, text=False)
    run.next()
    ahead.next()  # training went on from the same weights
    _same_view(run.current, ahead.current, text=False)


def test_drawing_with_the_mouse_on_the_canvas(qtbot: Any) -> None:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from app.panels import create_panel
    from app.panels.canvas import CanvasView
    from app.shell.theme import LIGHT

    view = create_panel(MnistMlp.panel("canvas"), LIGHT)
    assert isinstance(view, CanvasView)
    qtbot.addWidget(view)
    view.resize(300, 320)
    view.show()
    run = LessonRun(MnistMlp, {"epochs": 1}, strict=True)
    _to_drawing(run)
    view.picked.connect(run.set_control)
    pad = view.pad
    side = pad.square()
    points = [(0.25, 0.2), (0.5, 0.2), (0.7, 0.2), (0.6, 0.45), (0.45, 0.85)]
    at = [
        QPoint(int(side.left() + x * side.width()), int(side.top() + y * side.height()))
        for x, y in points
    ]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[0])
    for p in at[1:]:
        QTest.mouseMove(pad, p)
    with qtbot.waitSignal(view.picked, timeout=2000):
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[-1])
    drawn = tuple(run.values["drawing"])
    assert len(drawn) >= 4
    _check_drawing(run, drawn)  # classified at once
    view.set_data(run.panel_state()["canvas"])
    assert pad.flat() == drawn
    with qtbot.waitSignal(view.picked, timeout=2000):
        pad.setFocus()
        QTest.keyClick(pad, Qt.Key.Key_Delete)
    assert run.values["drawing"] == ()


def test_the_test_score_uses_the_epoch_validation_picked() -> None:
    run = LessonRun(MnistMlp, {"epochs": 3}, strict=True)
    while run.current.title != "The test digits, once":
        assert run.next()
    data = digits()
    seed = int(np.random.default_rng(MnistMlp.seed).integers(2**31))
    trainer = Trainer(32, 0.002, seed)
    best, kept = -1.0, None
    for _ in range(3):
        trainer.epoch(128, 0.002)
        weights = trainer.model.get_weights()
        accuracy = np.mean(_forward(weights, data.x_val).argmax(axis=1) == data.y_val)
        if accuracy > best:
            best, kept = accuracy, weights
    assert kept is not None
    probs = _forward(kept, data.x_test.astype(np.float64))
    expected = np.mean(probs.argmax(axis=1) == data.y_test)
    assert run.current.figures["test_accuracy"] == pytest.approx(expected, abs=1e-12)
    grid = run.panel_state()["weights"]
    assert isinstance(grid, ImageGridData)
    np.testing.assert_array_equal(grid.images[0], kept[0][:, 0].reshape(28, 28))


def test_the_first_step_shows_one_training_digit_per_class_until_a_cell_is_clicked() -> None:
    """Step 1's grid: the first training 0..9, the outlined one's bars the untrained network's
    softmax (as NumPy computes it); a click on the matrix turns grid and bars to that cell."""
    run = LessonRun(MnistMlp, {"epochs": 1}, strict=True)
    data = digits()
    grid = run.panel_state()["digits"]
    assert isinstance(grid, ImageGridData)
    first = [int(np.flatnonzero(data.y_train == d)[0]) for d in range(10)]
    np.testing.assert_array_equal(grid.images, data.x_train[first].reshape(-1, 28, 28))
    assert grid.captions == tuple("0123456789") and grid.highlight == (0,)
    run.set_control("image", 3)
    probs = _forward(_replayed(0).model.get_weights(), data.x_train[first].astype(np.float64))
    bars = run.panel_state()["softmax"]
    assert isinstance(bars, BarData)
    np.testing.assert_allclose(bars.values, probs[2], atol=1e-5)
    assert run.panel_titles()["digits"].startswith("Training digits")
    run.set_control("cell", (7.0, 3.0))
    assert run.panel_titles()["digits"] == "Digits of the chosen cell"
    bars = run.panel_state()["softmax"]
    assert isinstance(bars, BarData) and "3" in bars.caption and "7" in bars.caption
    run.next()  # an epoch step names its own titles: no title stays from step 1
    assert run.panel_titles()["softmax"] == "Softmax of the outlined digit"
