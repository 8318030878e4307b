"""Panel data for lesson 5.2: the vote table, party yea shares, the model summary, the curves
of one split, every fold's validation curve and the fold scores with their mean and spread."""

from __future__ import annotations

import numpy as np

from lessons.ch5_real_data.keras_kfold import model as md
from lessons.core.base import PlotData, Series, TableData
from lessons.markup.numbers import plain
from lessons.shared import colors

DEMOCRAT, REPUBLICAN = 5, 4  # sky blue, reddish purple: the two parties
RUN = colors.ADAM  # vermillion: the Adam-trained model (chapter 4's colour for Adam)
SLICE = 10  # members shown in the data table
PARTY_SHORT = ("dem", "rep")


def percent(x: float) -> str:
    """0.9609 -> '96.1%' (NaN -> 'NaN')."""
    return "NaN" if not np.isfinite(x) else f"{100 * x:.1f}%"


def data_table(v: md.Votes) -> TableData:
    """The first members as the file has them: party and the 16 votes as y / n / ?."""
    rows = []
    for i in range(SLICE):
        marks = [md.SYMBOLS[int(c)] for c in v.codes[i]]
        grouped = "  ".join(" ".join(marks[j : j + 4]) for j in range(0, len(marks), 4))
        rows.append((str(i + 1), PARTY_SHORT[v.y[i]], grouped, str(int((v.codes[i] == 2).sum()))))
    with_missing = tuple(i for i in range(SLICE) if (v.codes[i] == 2).any())
    return TableData(
        ("member", "party", "votes on bills 1-16", "'?'"),
        tuple(rows),
        highlight_rows=with_missing,
    )


def yes_plot(v: md.Votes) -> PlotData:
    """Share of each party voting yea on bills 1-16."""
    share = md.yes_share(v)
    x = np.arange(1, len(v.bills) + 1, dtype=float)
    return PlotData(
        series=(
            Series("democrats", x, share[0], style="marker", color=DEMOCRAT),
            Series("republicans", x, share[1], style="marker", color=REPUBLICAN, symbol="s"),
        ),
        x_range=(0.3, len(v.bills) + 0.7),
        y_range=(-0.05, 1.12),
        axis_labels=("bill (column of the table)", "share voting yea"),
    )


def summary_table(rows: list[tuple[str, str, str, int, str]], total: int) -> TableData:
    """Layer, type, output shape, parameters and how they were counted; a total row."""
    body = tuple((n, k, s, str(p), how) for n, k, s, p, how in rows)
    return TableData(
        ("layer", "type", "output shape", "parameters", "counted as"),
        (*body, ("total", "", "", str(total), " + ".join(str(r[3]) for r in rows))),
        highlight_rows=(len(rows),),
    )


def untrained_plot(v: md.Votes, p: np.ndarray) -> PlotData:
    """The untrained model's p(republican) for every member, by party."""
    order = np.arange(v.size, dtype=float)
    dem, rep = v.y == 0, v.y == 1
    return PlotData(
        series=(
            Series("democrats", order[dem], p[dem], style="scatter", color=DEMOCRAT, size=5),
            Series("republicans", order[rep], p[rep], style="scatter", color=REPUBLICAN, size=5),
        ),
        hlines=(0.5,),
        y_range=(0.0, 1.0),
        axis_labels=("member (row of the file)", "p(republican)"),
    )


def split_curves(run: md.FoldRun) -> PlotData:
    """Loss per epoch of one fold: solid training, dashed validation, the best epoch marked."""
    epochs = np.arange(len(run.loss), dtype=float)
    b = run.best_epoch
    return PlotData(
        series=(
            Series("training", epochs, run.loss, style="line", color=RUN),
            Series("validation", epochs, run.val_loss, style="dash", color=RUN),
            Series("lowest validation", np.array([b], float), run.val_loss[[b]], "marker", RUN),
        ),
        vlines=(float(b),),
        axis_labels=("epoch", "binary cross-entropy"),
    )


def split_table(run: md.FoldRun) -> TableData:
    """Losses and accuracies of one fold at epoch 0, its best validation epoch and the end."""
    end, b = len(run.loss) - 1, run.best_epoch
    marks = {0: "untrained", b: "lowest val. loss", end: "last"}
    epochs = sorted(marks)
    rows = tuple(
        (
            f"{e} ({marks[e]})" if e != end or b != end else f"{e} (last, lowest val.)",
            plain(float(run.loss[e]), 4),
            plain(float(run.val_loss[e]), 4),
            percent(float(run.acc[e])),
            percent(float(run.val_acc[e])),
        )
        for e in epochs
    )
    return TableData(
        ("epoch", "train loss", "val. loss", "train acc.", "val. acc."),
        rows,
        highlight_rows=(epochs.index(b),),
    )


def fold_curves(cv: md.CrossValidation) -> PlotData:
    """Every fold's validation accuracy per epoch (dashed, one legend entry for all)."""
    series = tuple(
        Series(
            "validation, each fold" if f.fold == 0 else "",
            np.arange(len(f.val_acc), dtype=float),
            f.val_acc,
            style="dash",
            color=RUN,
        )
        for f in cv.folds
    )
    return PlotData(series=series, axis_labels=("epoch", "validation accuracy"))


def fold_table(cv: md.CrossValidation) -> TableData:
    """Per fold: rows trained on, rows validated, validation loss and accuracy."""
    rows = tuple(
        (
            str(f.fold + 1),
            str(len(f.train_idx)),
            str(len(f.val_idx)),
            plain(float(f.val_loss[-1]), 4),
            percent(f.score),
        )
        for f in cv.folds
    )
    scores = cv.scores
    finite = np.where(np.isfinite(scores), scores, -np.inf)
    return TableData(
        ("fold", "trained on", "validated on", "val. loss", "val. accuracy"),
        rows,
        highlight_rows=(
            int(np.argmax(finite)),
            int(np.argmin(np.where(finite > -np.inf, finite, 2))),
        ),
    )


def score_plot(cv: md.CrossValidation) -> PlotData:
    """Fold scores as points; the mean as a line, mean ± one standard deviation dotted."""
    k = len(cv.folds)
    x = np.arange(1, k + 1, dtype=float)
    m, s = cv.mean, cv.std
    sc = cv.scores[np.isfinite(cv.scores)]
    low = float(min(sc.min(), m - s)) if len(sc) else 0.0
    high = float(max(sc.max(), m + s)) if len(sc) else 1.0
    pad = max(0.01, 0.15 * (high - low))
    return PlotData(
        series=(
            Series("fold score", x, cv.scores, style="marker", color=RUN),
            Series("mean", np.array([0.5, k + 0.5]), np.array([m, m]), color=colors.MODEL),
        ),
        hlines=(m - s, m + s),
        x_range=(0.5, k + 0.5),
        y_range=(low - pad, min(high + pad, 1.0 + pad)),
        axis_labels=("fold", "validation accuracy"),
    )


def summary_scores(cv: md.CrossValidation, baseline: float) -> TableData:
    """k, mean, standard deviation, lowest and highest fold, fold 1 alone, the baseline."""
    sc = cv.scores
    rows = (
        ("folds k", str(len(sc))),
        ("mean of the fold scores", percent(cv.mean)),
        ("standard deviation (ddof 0)", percent(cv.std)),
        ("lowest fold", percent(float(np.min(sc)))),
        ("highest fold", percent(float(np.max(sc)))),
        ("fold 1 alone (one split)", percent(float(sc[0]))),
        ("always 'democrat' (all rows)", percent(baseline)),
    )
    return TableData(("cross-validation", "value"), rows, highlight_rows=(1, 2))
