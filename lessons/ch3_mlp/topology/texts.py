"""Lesson 3.3's narrative: every sentence is built from the runs' numbers.

The checkpoints of each network (its first epoch, its best validation epoch, the end of the
budget) and the verdicts use :func:`lessons.ch3_mlp.topology.runs.overfitting` only, so the
text never calls a network overfitted that the numbers do not show.
"""

from __future__ import annotations

from lessons.ch3_mlp.topology import runs as tr
from lessons.markup.numbers import plain


def intro(split: tr.Split, budget: int, rate: float) -> str:
    """The first step: the candidates and the three-way split."""
    n_train, n_val = len(split.data.x_train), len(split.data.x_test)
    return (
        f"Five shapes, equal conditions: {n_train} training points, {budget} epochs each, "
        f"Adam with learning rate {plain(rate)}. The table names their hidden layers, from "
        f"<b>small</b> (2 neurons) to <b>large</b> (3×8). {n_val} <b>validation</b> points "
        "pick each network's best epoch; separate test points only report the result there. "
        "Loss plot: <b>solid = training</b>, <b>dashed = validation</b>, a dot marks the best "
        "epoch."
    )


def intro_notes(split: tr.Split) -> str:
    n_test = len(split.x_test)
    rows = "".join(f"<li><b>{c.name}</b>: {c.note}</li>" for c in tr.CANDIDATES)
    return (
        f"The candidates:<ul>{rows}</ul>"
        "The points are split three ways. The weights learn from the training points only. "
        "After every epoch the validation loss is measured: the epoch where it is lowest is "
        "where early stopping would keep the weights. The "
        f"{n_test} test points are touched only to report how good that stopped network is, "
        "so choosing the epoch never looks at them. Each network is shown at three "
        "checkpoints: after its first epoch, at its best validation epoch, and at the end of "
        "the budget."
    )


def first_epoch(run: tr.Run, first: bool) -> str:
    """A network's first checkpoint: its size, its cost, its losses after one epoch."""
    cand = run.candidate
    text = (
        (
            f"The <b>{cand.name}</b> network ({cand.note}) has {run.trainer.parameters} weights "
            f"and biases; one epoch of training costs {run.cost:,} multiply-adds. After epoch 1 "
            f"its training loss is {plain(run.train[0])}, its validation loss {plain(run.val[0])}."
        )
        .replace(",", "\u2009")
        .replace("\u2009 ", ", ")
    )
    if first:
        text += (
            " Each square in the diagram is a neuron's output over the plane; the map shows "
            "the network's output with the points."
        )
    return text


def best(run: tr.Run) -> str:
    """The checkpoint at the epoch with the lowest validation loss."""
    b = run.best
    return (
        f"<b>{run.candidate.name}</b> reached its lowest validation loss at epoch {b}: "
        f"{plain(run.at(run.val, b))} (training {plain(run.at(run.train, b))}). Early "
        f"stopping would keep these weights; their test loss is {plain(run.at(run.test, b))}."
    )


def verdict(run: tr.Run, budget: int) -> str:
    """The end of the budget: overfitting only when :func:`tr.overfitting` finds it."""
    name, b = run.candidate.name, run.best
    head = (
        f"<b>{name}</b> after all {budget} epochs: training loss {plain(run.train[-1])}, "
        f"validation loss {plain(run.val[-1])}. "
    )
    found = tr.overfitting(run.train, run.val)
    if found is not None:
        return head + (
            f"Validation was lowest at epoch {b} ({plain(found.best_val)}) and stayed "
            f"above {plain(found.floor_val)} over the last {tr.PATIENCE} epochs, while "
            f"training fell from {plain(found.best_train)} to {plain(found.end_train)}: the gap "
            f"grew from {plain(found.gap_best)} to {plain(found.gap_end)}. It has started to "
            "learn the noise of the training points: <b>overfitting</b>."
        )
    if b == budget:
        return head + (
            "Its validation loss was still reaching new lows at the last epoch: no sign of "
            "overfitting within this budget."
        )
    if budget - b < tr.PATIENCE:
        return head + (
            f"Validation was lowest at epoch {b} ({plain(run.at(run.val, b))}), only "
            f"{budget - b} epochs before the end: too short a stretch to call a sustained rise, "
            "so no clear overfitting within this budget."
        )
    return head + (
        f"Validation was lowest at epoch {b} ({plain(run.at(run.val, b))}) but has not risen "
        f"for a sustained stretch with falling training loss: no clear overfitting."
    )


def verdict_notes() -> str:
    return (
        "The lesson calls a network overfitted only when all of these hold at the end: its "
        f"lowest validation loss lies at least {tr.PATIENCE} epochs back; in each of the last "
        f"{tr.PATIENCE} epochs the validation loss stayed more than {round(100 * tr.RISE)} % "
        "above that lowest value; and the training loss is lower than at the best epoch, so "
        "the gap between the two curves has grown. One noisy epoch above the best is not "
        "enough."
    )


def results(runs: list[tr.Run], budget: int) -> str:
    """The results step: which network wins which column, and which overfitted."""
    by_train = min(runs, key=lambda r: tr.finite(r.train[-1]))
    by_val = min(runs, key=lambda r: tr.finite(r.at(r.val, r.best)))
    small = runs[0]
    over = [r.candidate.name for r in runs if tr.overfitting(r.train, r.val) is not None]
    by_last = min(runs, key=lambda r: tr.finite(r.val[-1]))
    best_val = f"<b>{by_val.candidate.name}</b> ({plain(by_val.at(by_val.val, by_val.best), 3)})"
    text = (
        f"After {budget} epochs the lowest training loss belongs to "
        f"<b>{by_train.candidate.name}</b> ({plain(by_train.train[-1], 3)}). The lowest "
        f"validation loss at each network's best epoch (column val. at best) belongs to {best_val}"
    )
    if by_last is by_val:
        text += ", also the lowest at the last epoch (column val.). "
    else:
        text += (
            f"; at the last epoch (column val.) to <b>{by_last.candidate.name}</b> "
            f"({plain(by_last.val[-1], 3)}). "
        )
    text += (
        f"<b>small</b> ends at a training loss of {plain(small.train[-1], 3)}: "
        f"{small.trainer.parameters} weights are too few to draw the boundary. "
    )
    if over:
        text += f"Overfitted by the end: <b>{', '.join(over)}</b>; the others did not. "
    else:
        text += "None of the five overfitted within this budget. "
    return text + (
        f"The diagram and the map show <b>{by_val.candidate.name}</b> at its best epoch, "
        f"{by_val.best}."
    )


RESULTS_NOTES = (
    "A low training loss alone proves nothing: compare it with the validation loss, which "
    "counts points the network never learned from. The columns train and val. are the "
    "losses at the last epoch. The column best epoch is the epoch with the lowest validation "
    "loss (where early stopping keeps the weights); val. at best and test at best are the "
    "validation and test losses there. The column cost (M) counts the multiply-adds (in "
    "millions, M) of all training so far: one per weight for the forward pass of each "
    "training point and about two more for the backward pass. Unlike a stopwatch it is the "
    "same on every computer, and it grows with the weights."
)
