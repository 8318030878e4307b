"""Panel data of lesson 7.5, arranged from what the lesson computed (nothing is made up here).

Forecast: the series (black), the net's forecasts (its cell's colour; solid on the training
years, dashed on the held-out ones) and the naive baseline (yellow, dashed).  Text: loss
curves, the hidden-state heat map over generated characters (LSTMVis-style: characters along
x, units along y), the next-character softmax bars at the chosen temperature and the
probabilities of the likeliest characters as the temperature varies.  Sentiment: accuracy
curves, P(positive) after each word, the hidden state over the words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from engine.models.seqmodels import temperature_probabilities
from lessons.ch7_recurrent.sequences import forecast as fc
from lessons.ch7_recurrent.sequences.textgen import show_char
from lessons.core.base import Step, Values
from lessons.core.panels import (
    Annotation,
    BarData,
    ImageData,
    PanelData,
    PlotData,
    Series,
    TableData,
)
from lessons.shared import colors

View = Callable[[Values], dict[str, PanelData]]  # a step's view panels for control values


class Show(Protocol):
    """The lesson's way of yielding a step: with ``view`` its view panels are drawn for the
    control values now and redrawn when a view control changes."""

    def __call__(self, c: Values, step: Step, view: View | None = None, /) -> Step: ...


TOP = 10  # characters shown in the softmax bars
SWEEP = 3  # characters followed through the temperature sweep
TEXT_COLOR = colors.LSTM
SENTIMENT_COLOR = colors.GRU
SERIES_COLORS = (colors.MODEL, colors.MOMENTUM, colors.RMSPROP, colors.SGD, colors.NESTEROV)


def _clean(values: list[float] | np.ndarray) -> np.ndarray:
    a = np.asarray(values, dtype=float)
    return np.where(np.isfinite(a), a, np.nan)


def forecast_plot(
    w: fc.Windows, fitted: np.ndarray | None, cell: str, *, baseline: bool = True
) -> PlotData:
    """Data, the net's forecasts for every target year (None before training) and the
    baseline on the validation and test years; lines at the ends of training and validation."""
    s = fc.sunspots()
    color = colors.CELL_COLORS[cell]
    series = [Series("data", s.t, s.values.astype(float), "line", colors.DATA, 1.5)]
    held = ~w.part("train")
    if fitted is not None:
        tr = w.part("train")
        series.append(Series(f"{cell}, train", w.years[tr], _clean(fitted[tr]), "line", color))
        series.append(
            Series(f"{cell}, held out", w.years[held], _clean(fitted[held]), "dash", color)
        )
    if baseline:
        series.append(Series("last year", w.years[held], w.last[held], "dash", colors.BASELINE))
    top = float(np.max(s.values)) * 1.3  # room for the legend above the peaks
    return PlotData(
        tuple(series),
        vlines=(fc.TRAIN_END + 0.5, fc.VAL_END + 0.5),
        x_range=(1700.0, 2009.0) if fitted is None else (1880.0, 2009.0),
        y_range=(0.0, top),
    )


def windows_image(w: fc.Windows, count: int = 30) -> ImageData:
    """What the net reads: the windows of the first ``count`` test years (columns), the
    years before each target as rows (row 1 = the year just before)."""
    te = np.flatnonzero(w.part("test"))[:count]
    image = (w.x[te][:, ::-1].T - w.mean) / w.scale
    top = float(np.max(np.abs((w.x - w.mean) / w.scale)))
    return ImageData(
        image,
        levels=(-top, top),
        row_labels=tuple(f"y-{k}" for k in range(1, w.x.shape[1] + 1)),
        col_labels=tuple(f"'{int(y) % 100:02d}" for y in w.years[te]),
        caption="Each column: the standardised window the net reads to forecast that test "
        "year (row y-1: the year before).",
    )


def hidden_years(w: fc.Windows, hidden: np.ndarray, mask: np.ndarray) -> ImageData:
    """The recurrent layer's final state h_T (units as rows) for each held-out target year."""
    return ImageData(
        hidden.T,
        levels=(-1.0, 1.0),
        row_labels=tuple(f"h{u + 1}" for u in range(hidden.shape[1])),
        col_labels=tuple(f"'{int(y) % 100:02d}" for y in w.years[mask]),
        caption="h after reading the window of each test year (hover a cell for its value).",
    )


def loss_curves(
    epochs: list[int],
    train: list[float],
    val: list[float],
    color: int,
    total: int,
    best: int | None,
    refs: tuple[tuple[float, str], ...] = (),
    axes: tuple[str, str] | None = None,
    names: tuple[str, str] = ("training", "validation"),
) -> PlotData:
    """Training solid, validation dashed; reference levels as labelled horizontal lines."""
    e = np.asarray(epochs, dtype=float)
    series = (
        Series(names[0], e, _clean(train), "line", color),
        Series(names[1], e, _clean(val), "dash", color),
    )
    finite = [v for v in (*train, *val, *(r for r, _ in refs)) if np.isfinite(v)]
    top = max(finite) * 1.1 if finite else 1.0
    notes = tuple(
        Annotation(float(max(total, 1)), r, label, colors.DATA, (1.0, 0.0)) for r, label in refs
    )
    vlines = (float(best),) if best else ()
    return PlotData(
        series,
        notes,
        vlines=vlines,
        hlines=tuple(r for r, _ in refs),
        x_range=(0.0, float(max(total, 1))),
        y_range=(0.0, top),
        axis_labels=axes,
    )


def error_bars(net: float | None, base: float, part: str) -> BarData:
    """Mean absolute error of the net (None before training) and of the baseline."""
    return BarData(
        np.array([base] if net is None else [net, base]),
        ("last year",) if net is None else ("net", "last year"),
        caption=f"MAE on the {part} years (sunspot numbers); lower is better.",
    )


def char_bars(probs: np.ndarray, vocab: tuple[str, ...], drawn: int, temperature: float) -> BarData:
    """The TOP likeliest next characters under softmax(logits / T), in percent."""
    order = np.argsort(-probs, kind="stable")[:TOP]
    hit = int(np.flatnonzero(order == drawn)[0]) if drawn in order else None
    rest = 100.0 * float(1.0 - probs[order].sum())
    return BarData(
        100.0 * probs[order],
        tuple(show_char(vocab[i]) for i in order),
        highlight=hit,
        y_range=(0.0, 110.0),
        caption=f"T = {temperature:.2g}; the other {len(probs) - TOP} characters: {rest:.1f} %; "
        f"drawn: {show_char(vocab[drawn])}",
    )


def temperature_sweep(logits: np.ndarray, vocab: tuple[str, ...], temperature: float) -> PlotData:
    """p_T of the SWEEP likeliest characters (at T = 1) for T from 0.05 to 5 (log x)."""
    temps = np.geomspace(0.05, 5.0, 60)
    probs = np.array([temperature_probabilities(logits, t) for t in temps])
    top = np.argsort(-logits, kind="stable")[:SWEEP]
    series = tuple(
        Series(f"'{show_char(vocab[i])}'", np.log10(temps), probs[:, i], "line", SERIES_COLORS[k])
        for k, i in enumerate(top)
    )
    return PlotData(
        series,
        vlines=(float(np.log10(temperature)),),
        x_range=(float(np.log10(0.05)), float(np.log10(5.0))),
        y_range=(0.0, 1.75),
        axis_labels=("log10 temperature", "probability"),
    )


def hidden_text(hidden: np.ndarray, chars: list[str], start: int, pick: int | None) -> ImageData:
    """h_t (units as rows) after each character (columns); ``start`` is the first sampled
    column, ``pick`` the column outlined."""
    labels = tuple(
        f"#{t - start + 1} {show_char(ch)}" if t >= start else f"p {show_char(ch)}"
        for t, ch in enumerate(chars)
    )
    rows = hidden.shape[1]
    return ImageData(
        hidden.T,
        levels=(-1.0, 1.0),
        highlight=None if pick is None else (0, pick, rows, 1),
        row_labels=tuple(f"h{u + 1}" for u in range(rows)),
        col_labels=labels,
        caption=("".join(chars[:start]) + " | " + "".join(chars[start:])).replace("\n", "⏎"),
    )


def samples_table(rows: list[tuple[int, float, str]]) -> TableData:
    """Epoch, validation loss and the start of that epoch's sample (newest last)."""
    shown = rows[-9:]
    return TableData(
        ("epoch", "val. loss", "sample"),
        tuple((e, va, text.replace("\n", "⏎")[:24]) for e, va, text in shown),
        highlight_rows=(len(shown) - 1,),
        number_format="{:.3f}",
    )


def review_bars(p_positive: float, label: str) -> BarData:
    """P(negative) and P(positive) of one review, in percent; the answer highlighted."""
    values = np.array([100.0 * (1.0 - p_positive), 100.0 * p_positive])
    return BarData(
        values,
        ("negative", "positive"),
        highlight=int(p_positive > 0.5),
        y_range=(0.0, 115.0),
        caption=label,
    )


def review_path(words: list[str], p_after: np.ndarray) -> PlotData:
    """P(positive) after each word of the review: the net's opinion as it reads."""
    x = np.arange(1, len(words) + 1, dtype=float)
    notes = tuple(
        Annotation(float(k + 1), float(p), w, colors.DATA, (0.5, 1.2))
        for k, (w, p) in enumerate(zip(words, p_after, strict=True))
    )
    return PlotData(
        (Series("P(positive)", x, np.asarray(p_after, dtype=float), "line", SENTIMENT_COLOR),),
        notes,
        hlines=(0.5,),
        x_range=(0.5, len(words) + 0.9),
        y_range=(-0.05, 1.35),
        axis_labels=("words read", "P(positive)"),
    )


def hidden_words(hidden: np.ndarray, words: list[str]) -> ImageData:
    """The GRU's state after each word of the review: words as rows (readable labels), units
    as columns."""
    return ImageData(
        hidden,
        levels=(-1.0, 1.0),
        row_labels=tuple(words),
        col_labels=tuple(f"h{u + 1}" for u in range(hidden.shape[1])),
        caption="Row: h after that word; the last row is what the output unit reads.",
    )


def reviews_table(
    texts: tuple[str, ...], labels: np.ndarray, p: np.ndarray, pick: int
) -> TableData:
    """Held-out reviews (and probes) with their label, P(positive) and right/wrong."""
    rows = []
    for k, (t, y, q) in enumerate(zip(texts, labels, p, strict=True)):
        right = "—" if not np.isfinite(y) else ("✓" if (q > 0.5) == (y > 0.5) else "✗")
        kind = "?" if not np.isfinite(y) else ("pos" if y > 0.5 else "neg")
        rows.append((k + 1, t, kind, float(q), right))
    return TableData(
        ("#", "review", "label", "P(pos)", "right"),
        tuple(rows),
        highlight_rows=(pick,),
        number_format="{:.2f}",
    )
