"""Panel data of lesson 8.1: score histograms, error counts, cost, ROC and precision-recall
curves, the confusion matrix and the tables of rates.

Colours: a case's true class has one colour throughout (negative sky blue, positive
vermillion), so a false positive is counted in the negative colour and a false negative in the
positive one; the model's curves are blue, the "always negative" rule is the course's baseline
yellow, the current threshold a round marker in the foreground colour.  Every curve is
computed on held-out rows, so it is dashed (the course's line style for validation and test).
"""

from __future__ import annotations

import math

import numpy as np

from lessons.ch8_ethics.error_types.model import Scenario, Words
from lessons.ch8_ethics.error_types.rates import Counts, Curves, Sweep, pct
from lessons.core.base import Annotation, PlotData, Series, TableData
from lessons.markup.numbers import plain
from lessons.shared import colors

NEGATIVE = colors.NESTEROV  # sky blue: cases whose truth is negative (benign, harmless)
POSITIVE = colors.ADAM  # vermillion: cases whose truth is positive (malignant, obstacle)
MODEL = colors.MODEL
BASELINE = colors.BASELINE
NOW = colors.DATA  # black: the current threshold's point
PRECISION = colors.RMSPROP  # reddish purple: precision in the prevalence plot
BINS = 20


def _stairs(edges: np.ndarray, heights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A histogram's outline as points (x, y) for an area series."""
    x = np.repeat(edges, 2)
    y = np.concatenate([[0.0], np.repeat(heights.astype(np.float64), 2), [0.0]])
    return x, y


def histogram(y: np.ndarray, p: np.ndarray, w: Words, t: float, best: float | None) -> PlotData:
    """Scores of each true class in 20 bins over [0, 1]; the threshold as a vertical line."""
    edges = np.linspace(0.0, 1.0, BINS + 1)
    series = []
    top = 1.0
    for cls, name, color in ((0, w.negative, NEGATIVE), (1, w.positive, POSITIVE)):
        heights, _ = np.histogram(p[y == cls], bins=edges)
        top = max(top, float(heights.max()))
        sx, sy = _stairs(edges, heights)
        series.append(Series(f"truly {name}", sx, sy, style="line", color=color))
    notes = [Annotation(t, top * 1.55, f" t = {t:.3f}", color=NOW, anchor=(0.0, 0.5))]
    lines = [t]
    if best is not None:  # the cheapest threshold, labelled lower than t
        lines.append(best)
        notes.append(Annotation(best, top * 1.3, f" t* = {best:.3f}", color=MODEL, anchor=(0, 0.5)))
    return PlotData(
        series=tuple(series),
        annotations=tuple(notes),
        vlines=tuple(lines),
        x_range=(-0.02, 1.02),
        y_range=(0.0, top * 1.75),
        axis_labels=(f"model's p({w.positive})", "cases per bin"),
    )


def loss_plot(s: Scenario) -> PlotData:
    """Training (solid) and validation (dashed) loss per epoch."""
    epochs = np.arange(1, len(s.loss) + 1, dtype=np.float64)
    return PlotData(
        series=(
            Series("training loss", epochs, s.loss, color=MODEL),
            Series("validation loss", epochs, s.val_loss, style="dash", color=MODEL),
        ),
        y_range=(0.0, max(float(np.nanmax(s.val_loss)), float(np.nanmax(s.loss))) * 1.1),
        axis_labels=("epoch", "binary cross-entropy"),
    )


def errors_plot(sw: Sweep, w: Words, t: float, now: Counts) -> PlotData:
    """False positives and false negatives at every threshold; the current one marked."""
    return PlotData(
        series=(
            Series(f"FP: {w.fp}", sw.thresholds, sw.fp.astype(float), "dash", NEGATIVE),
            Series(f"FN: {w.fn}", sw.thresholds, sw.fn.astype(float), "dash", POSITIVE),
            Series("now", np.array([t, t]), np.array([now.fp, now.fn], float), "marker", NOW),
        ),
        vlines=(t,),
        x_range=(-0.02, 1.02),
        y_range=(-0.5, _errors_top(sw, now)),
        axis_labels=("threshold t", "validation cases"),
    )


def _errors_top(sw: Sweep, now: Counts) -> float:
    """The count axis's top: the errors between t = 0.05 and 0.95 and the current point."""
    inner = slice(50, len(sw.thresholds) - 50)
    most = max(int(sw.fp[inner].max()), int(sw.fn[inner].max()), now.fp, now.fn, 8)
    return most * 1.3


def cost_plot(sw: Sweep, ratio: float, t: float, now: Counts, best: int) -> PlotData:
    """Mean cost per case over the thresholds; the cheapest threshold and the current one."""
    cost = sw.cost(ratio)
    bt = float(sw.thresholds[best])
    return PlotData(
        series=(
            Series("cost per case", sw.thresholds, cost, "dash", MODEL),
            Series("cheapest", np.array([bt]), np.array([cost[best]]), "marker", MODEL, symbol="s"),
            Series("now", np.array([t]), np.array([now.cost(ratio)]), "marker", NOW),
        ),
        vlines=(t,),
        x_range=(-0.02, 1.02),
        y_range=(0.0, _cost_top(cost, now.cost(ratio))),
        axis_labels=("threshold t", "mean cost per case (FP = 1)"),
    )


def _cost_top(cost: np.ndarray, now: float) -> float:
    """The cost axis's top: the low part of the curve and the current point in view."""
    top = max(now, 4.0 * float(cost.min()), 0.05) * 1.15
    return min(top, float(cost.max()) * 1.05) or 1.0


def roc_plot(c: Curves, now: Counts, best: Counts) -> PlotData:
    """The ROC curve, the chance diagonal, the current and the cheapest threshold's points."""
    diag = np.array([0.0, 1.0])
    return PlotData(
        series=(
            Series(f"ROC, area {c.auc:.3f}", c.fpr, c.tpr, "dash", MODEL),
            Series("chance (area 0.5)", diag, diag, "line", BASELINE, width=1.0),
            Series(
                "cheapest", np.array([best.fpr]), np.array([best.tpr]), "marker", MODEL, symbol="s"
            ),
            Series("now", np.array([now.fpr]), np.array([now.tpr]), "marker", NOW),
        ),
        x_range=(-0.02, 1.02),
        y_range=(-0.02, 1.05),
        axis_labels=("false positive rate FP / (FP + TN)", "true positive rate (recall)"),
    )


def pr_plot(c: Curves, now: Counts) -> PlotData:
    """Precision against recall; the prevalence line (a guess's precision); the current point."""
    series = [Series("precision-recall", c.recall, c.precision, "dash", MODEL)]
    notes = [
        Annotation(0.02, c.prevalence, f"prevalence {pct(c.prevalence)}", BASELINE, (0.0, 1.0))
    ]
    if math.isfinite(now.precision):
        series.append(Series("now", np.array([now.tpr]), np.array([now.precision]), "marker", NOW))
    else:
        notes.append(Annotation(0.03, 0.1, "now: precision undefined", NOW, anchor=(0.0, 0.5)))
    return PlotData(
        series=tuple(series),
        annotations=tuple(notes),
        hlines=(c.prevalence,),
        x_range=(-0.02, 1.02),
        y_range=(0.0, 1.05),
        axis_labels=("recall TP / (TP + FN)", "precision TP / (TP + FP)"),
    )


def prevalence_plot(now: Counts, share: float) -> PlotData:
    """Expected accuracy (model, always negative) and precision as the positive share varies."""
    pi = np.geomspace(0.001, 0.5, 200)
    always = 1.0 - pi
    acc = pi * now.tpr + (1 - pi) * (1 - now.fpr)
    flagged = pi * now.tpr + (1 - pi) * now.fpr
    with np.errstate(invalid="ignore", divide="ignore"):
        prec = np.where(flagged > 0, pi * now.tpr / np.where(flagged > 0, flagged, 1), np.nan)
    return PlotData(
        series=(
            Series("accuracy, always negative", pi * 100, always, "line", BASELINE),
            Series("accuracy, model", pi * 100, acc, "dash", MODEL),
            Series("precision, model", pi * 100, prec, "dash", PRECISION),
        ),
        vlines=(share * 100,),
        x_range=(0.0, max(20.0, share * 120)),
        y_range=(0.0, 1.05),
        axis_labels=("share of positive cases (%)", "expected value"),
    )


def matrix(c: Counts, w: Words) -> TableData:
    """The 2x2 confusion matrix: rows the truth, columns the model's call; FP and FN shaded."""
    return TableData(
        ("truth \\ call", w.negative, w.positive),
        (
            (w.negative, f"TN {c.tn}", f"FP {c.fp}"),
            (w.positive, f"FN {c.fn}", f"TP {c.tp}"),
            ("all", str(c.tn + c.fn), str(c.flagged)),
        ),
        highlight_cells=((0, 2), (1, 1)),
    )


def counts_table(c: Counts, w: Words) -> TableData:
    """The four counts with what each means in the scenario."""
    return TableData(
        ("cell", "means", "count"),
        (
            ("TP: true positive", f"{w.positive}, called {w.positive}", c.tp),
            ("FP: false positive", w.fp, c.fp),
            ("FN: false negative", w.fn, c.fn),
            ("TN: true negative", f"{w.negative}, called {w.negative}", c.tn),
            ("all", "TP + FP + FN + TN", c.n),
        ),
        highlight_rows=(1, 2),
        number_format="{:.0f}",
    )


def rates_table(c: Counts) -> TableData:
    """Recall, false positive rate, specificity, precision and accuracy with their formulas."""
    return TableData(
        ("rate", "formula", "value"),
        (
            ("recall (sensitivity, TPR)", f"TP / (TP + FN) = {c.tp} / {c.positives}", pct(c.tpr)),
            ("false positive rate", f"FP / (FP + TN) = {c.fp} / {c.negatives}", pct(c.fpr)),
            ("specificity", f"TN / (TN + FP) = {c.tn} / {c.negatives}", pct(c.tnr)),
            ("precision", f"TP / (TP + FP) = {c.tp} / {c.flagged}", pct(c.precision)),
            ("accuracy", f"(TP + TN) / n = {c.tp + c.tn} / {c.n}", pct(c.accuracy)),
        ),
    )


def cost_table(now: Counts, best: Counts, t: float, bt: float, ratio: float, w: Words) -> TableData:
    """The current and the cheapest threshold side by side."""
    return TableData(
        ("threshold", "t", f"FP ({w.fp})", f"FN ({w.fn})", "cost per case"),
        (
            ("now", f"{t:.3f}", now.fp, now.fn, plain(now.cost(ratio), 3)),
            ("cheapest", f"{bt:.3f}", best.fp, best.fn, plain(best.cost(ratio), 3)),
        ),
        highlight_rows=(1,),
        number_format="{:.0f}",
    )


def imbalance_table(model: Counts, always: Counts, w: Words) -> TableData:
    """The 'always negative' rule against the model on the resampled set."""
    rows = []
    for name, c in ((f"always '{w.negative}'", always), ("model", model)):
        rows.append((name, pct(c.accuracy), pct(c.tpr), pct(c.precision), c.fp, c.fn))
    return TableData(
        ("rule", "accuracy", "recall", "precision", "FP", "FN"),
        tuple(rows),
        number_format="{:.0f}",
    )


def test_table(val_now: Counts, test_now: Counts, val_best: Counts, test_best: Counts) -> TableData:
    """Validation and test counts at the current and the cheapest threshold."""
    rows = []
    for name, c in (
        ("now, validation", val_now),
        ("now, test", test_now),
        ("cheapest, validation", val_best),
        ("cheapest, test", test_best),
    ):
        rows.append((name, c.fp, c.fn, pct(c.tpr), pct(c.precision), pct(c.accuracy)))
    return TableData(
        ("threshold, rows", "FP", "FN", "recall", "precision", "accuracy"),
        tuple(rows),
        highlight_rows=(1, 3),
        number_format="{:.0f}",
    )


def summary_table(s: Scenario) -> TableData:
    """Rows per part of the split and how many of each are positive."""
    rows = []
    for name, part in (("training", "train"), ("validation", "val"), ("test", "test")):
        y, _ = s.part(part)
        rows.append((name, len(y), int(y.sum()), len(y) - int(y.sum())))
    rows.append(("all", s.size, int(s.y.sum()), s.size - int(s.y.sum())))
    return TableData(
        ("rows", s.words.cases, s.words.positive, s.words.negative),
        tuple(rows),
        highlight_rows=(1,),
        number_format="{:.0f}",
    )


def task_table(c: Counts, fewest: int, done: bool, w: Words) -> TableData:
    """The task's state: misses and false alarms now, and what the goal asks of them."""
    return TableData(
        ("", "now", "goal"),
        (
            (f"FN: {w.fn}", c.fn, 0),
            (f"FP: {w.fp}", c.fp, fewest if done else "as few as possible"),
        ),
        highlight_rows=(0, 1) if not done else (),
        number_format="{:.0f}",
    )
