"""Lesson 7.5 (sequences): the shown forecasts, errors, softmax bars and heat maps, recomputed.

Plain NumPy recomputes what the lesson shows from the engine's weights: a GRU forward pass for
the sunspot forecasts, the naive baseline's errors from the raw series, an LSTM forward pass
for the hidden states over generated text, softmax(logits / T) for the bars at several
temperatures, and the held-out sentiment accuracy from the table.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.data.datasets import load_sunspots
from lessons.ch7_recurrent.sequences import forecast as fc
from lessons.ch7_recurrent.sequences import sentiment as sm
from lessons.ch7_recurrent.sequences import textgen as tg
from lessons.ch7_recurrent.sequences.lesson import Sequences
from lessons.core.base import BarData, ImageData, PlotData, Step, TableData
from lessons.core.runner import LessonRun

SMALL = {"sun_epochs": 30, "text_epochs": 1}
SEED = int(np.random.default_rng(Sequences.seed).integers(2**16))  # what steps() draws first
RATE = 0.02


def _sig(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _gru(x: np.ndarray, w: np.ndarray, u: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Keras GRU (reset_after) over x (n, T, F) in float64: every state (n, T, units)."""
    units = u.shape[0]
    h = np.zeros((x.shape[0], units))
    out = []
    for t in range(x.shape[1]):
        xs = x[:, t] @ w + b[0]
        hs = h @ u + b[1]
        z = _sig(xs[:, :units] + hs[:, :units])
        r = _sig(xs[:, units : 2 * units] + hs[:, units : 2 * units])
        n = np.tanh(xs[:, 2 * units :] + r * hs[:, 2 * units :])
        h = z * h + (1.0 - z) * n
        out.append(h)
    return np.stack(out, axis=1)


def _lstm(x: np.ndarray, w: np.ndarray, u: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Keras LSTM (gates i, f, c, o) over x (T, F) in float64: h after every step (T, units)."""
    units = u.shape[0]
    h, c = np.zeros(units), np.zeros(units)
    out = []
    for t in range(len(x)):
        a = x[t] @ w + h @ u + b
        i, f = _sig(a[:units]), _sig(a[units : 2 * units])
        g, o = np.tanh(a[2 * units : 3 * units]), _sig(a[3 * units :])
        c = f * c + i * g
        h = o * np.tanh(c)
        out.append(h)
    return np.array(out)


@pytest.fixture(scope="module")
def walk() -> list[Step]:
    """The whole lesson with short trainings."""
    run = LessonRun(Sequences, SMALL, strict=True)
    while run.next():
        pass
    assert run.error is None and run.at_end
    return run.steps_so_far()


def _step(steps: list[Step], title: str) -> Step:
    return next(s for s in steps if s.title.startswith(title))


def test_forecast_errors_and_baseline_recomputed_with_numpy(walk: list[Step]) -> None:
    """The verdict's errors equal NumPy's on the raw series; the plotted forecasts equal a
    NumPy GRU run with the weights of the best validation epoch."""
    step = _step(walk, "Does it beat")
    f = step.figures
    s = load_sunspots()
    y, years = s.values.astype(np.float64), s.t.astype(int)
    test = years > 1978
    last = np.roll(y, 1)
    assert f["base_mae"] == pytest.approx(np.mean(np.abs(y[test] - last[test])), rel=1e-12)
    assert f["base_rmse"] == pytest.approx(np.sqrt(np.mean((y[test] - last[test]) ** 2)), rel=1e-12)
    plot = step.data["plot"]
    assert isinstance(plot, PlotData)
    held = next(x for x in plot.series if x.name.endswith("held out"))
    shown = dict(zip(held.x.astype(int).tolist(), held.y.tolist(), strict=True))
    forecast = np.array([shown[int(yr)] for yr in years[test]])
    assert f["model_mae"] == pytest.approx(np.mean(np.abs(forecast - y[test])), rel=1e-6)
    assert f["model_rmse"] == pytest.approx(np.sqrt(np.mean((forecast - y[test]) ** 2)), rel=1e-6)
    # the same net, retrained, with its best weights through a NumPy GRU
    run = fc.new_run("GRU", 12, SEED, RATE)
    run.train(SMALL["sun_epochs"])
    assert run.best_epoch == f["best_epoch"]
    w, u, b, wd, bd = (np.asarray(a, dtype=np.float64) for a in run.best_weights)
    mean, scale = fc.windows(12).mean, fc.windows(12).scale
    windows = np.stack([y[i - 12 : i] for i in np.flatnonzero(test)])
    h = _gru(((windows - mean) / scale)[:, :, None], w, u, b)[:, -1]
    numpy_forecast = (h @ wd + bd)[:, 0] * scale + mean
    np.testing.assert_allclose(forecast, numpy_forecast, rtol=0, atol=1e-3)
    beats = f["model_mae"] < f["base_mae"] and f["model_rmse"] < f["base_rmse"]
    assert ("beats the baseline on both measures" in step.text) == beats
    # the heat map: the GRU's final state for each test year
    heat = step.data["heat"]
    assert isinstance(heat, ImageData)
    np.testing.assert_allclose(heat.image, h.T, rtol=0, atol=1e-5)


def test_temperature_bars_and_heat_map_recomputed_with_numpy() -> None:
    """At the untrained text step, for several temperatures and characters (view controls):
    the heat map is a NumPy LSTM's h over the sample and the bars are softmax(logits / T)."""
    run = LessonRun(Sequences, SMALL, strict=True)
    while not run.current.title.startswith("Shakespeare, one"):
        assert run.next()
    model = tg.char_model(SEED + 1, RATE)  # the untrained text model of this run
    weights = [np.asarray(a, dtype=np.float64) for a in model.get_weights()]
    w, u, b, wd, bd = weights
    vocab = tg.corpus().vocab
    for temperature, position in ((0.8, 1), (0.05, tg.SAMPLE), (5.0, 7)):
        run.set_control("temperature", temperature)
        run.set_control("position", position)
        step = run.current
        ids = tg.sample(model, tg.text_slice().prime, tg.SAMPLE, temperature, [SEED, 3, 0]).ids
        heat, bars = step.data["heat"], step.data["bars"]
        assert isinstance(heat, ImageData) and isinstance(bars, BarData)
        text = "".join(vocab[i] for i in ids)
        assert heat.caption.replace(" | ", "", 1) == text.replace("\n", "⏎")
        hidden = _lstm(np.eye(len(vocab))[ids], w, u, b)
        np.testing.assert_allclose(heat.image, hidden.T, rtol=0, atol=1e-5)
        logits = hidden[tg.PRIME + position - 2] @ wd + bd
        z = logits / temperature
        p = np.exp(z - z.max())
        p /= p.sum()
        top = np.sort(p)[::-1][:10]
        np.testing.assert_allclose(bars.values, 100 * top, rtol=1e-4, atol=1e-4)
        drawn = ids[tg.PRIME + position - 1]
        if bars.highlight is not None:
            assert bars.labels[bars.highlight] == tg.show_char(vocab[drawn])


def test_sentiment_accuracy_and_reading(walk: list[Step]) -> None:
    """The held-out accuracy is the share of table rows on the right side of 0.5; the reading
    of a review ends at the P(positive) the table shows."""
    step = walk[-1]
    table, bars = step.data["table"], step.data["bars"]
    assert isinstance(table, TableData) and isinstance(bars, BarData)
    r = sm.reviews()
    rows = table.rows[: len(r.test_text)]
    p = np.array([row[3] for row in rows])
    y = np.array([row[2] == "pos" for row in rows])
    assert step.figures["test_accuracy"] == pytest.approx(np.mean((p > 0.5) == y))
    pick = int(Sequences.controls[2].initial) - 1  # the review slider's default
    assert bars.values[1] == pytest.approx(100 * table.rows[pick][3], abs=1e-3)
    assert len(sm.POSITIVE) == len(sm.NEGATIVE) == 40 and len(r.test_text) == 20


def test_a_huge_learning_rate_runs_to_the_end() -> None:
    """Learning rate at its maximum: every part ends cleanly (diverged or not)."""
    run = LessonRun(Sequences, {**SMALL, "rate": 1.0}, strict=True)
    while run.next():
        pass
    assert run.error is None and run.at_end
    assert run.current.title.startswith("Sentiment")
