"""The tables of lesson 4.4: the loader's batches, one batch's numbers, updates, comparisons.

Each function lays out numbers the engine computed (see :mod:`.model`); none computes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.ch4_training.minibatches import model as m
from lessons.core.base import TableData
from lessons.markup.numbers import plain

SHOWN_EPOCHS = 3  # epochs of batches in the loader table


def rows_text(rows: Sequence[int] | np.ndarray) -> str:
    """Example numbers of a batch as one cell: "17 3 28 5"."""
    return " ".join(str(int(i)) for i in rows)


def stages_table(batch: int, epochs: int, shuffle: bool) -> TableData:
    """What each of Samuel's seven steps is in this lesson."""
    return TableData(
        ("step", "here"),
        (
            ("1 initialise", "w at random, b = 0 (the engine's Dense defaults)"),
            ("2 predict", f"ŷ = w·x + b for the {batch} points of a batch"),
            ("3 loss", "L = mean of (ŷ − y)² over the batch"),
            ("4 gradient", "∂L/∂w and ∂L/∂b by backward()"),
            ("5 step", "w ← w − η·∂L/∂w,  b ← b − η·∂L/∂b"),
            (
                "6 repeat",
                "next batch; " + ("a new shuffle every epoch" if shuffle else "no shuffling"),
            ),
            ("7 stop", f"after {epochs} epoch{'s' if epochs != 1 else ''}"),
        ),
    )


def loader_table(epochs: Sequence[Sequence[np.ndarray]]) -> TableData:
    """One row per batch, one column per epoch: the example numbers in each batch."""
    count = max(len(e) for e in epochs)
    rows = tuple(
        (f"batch {k + 1}", *(rows_text(e[k]) if k < len(e) else "" for e in epochs))
        for k in range(count)
    )
    return TableData(("", *(f"epoch {i + 1}" for i in range(len(epochs)))), rows)


def init_table(start: Sequence[float], loss: float) -> TableData:
    """The initial weights and how they were drawn."""
    return TableData(
        ("", "value", "drawn as"),
        (
            ("w", float(start[0]), "at random in ±√3 (Glorot)"),
            ("b", float(start[1]), "zero"),
            ("L on all points", loss, "mean of (ŷ − y)²"),
        ),
        highlight_rows=(0, 1),
    )


def batch_table(
    data: m.Data, rows: np.ndarray, predicted: np.ndarray, with_loss: bool
) -> TableData:
    """The batch's examples: x, y, the prediction ŷ and (``with_loss``) (ŷ − y)² and its mean."""
    x, y = data.x.ravel()[rows], data.y.ravel()[rows]
    columns: tuple[str, ...] = ("example", "x", "y", "ŷ = w·x + b")
    body: list[tuple[object, ...]] = [
        (int(i), float(a), float(b), float(p))
        for i, a, b, p in zip(rows, x, y, predicted, strict=True)
    ]
    if not with_loss:
        return TableData(columns, tuple(body))
    sq = (predicted - y) ** 2
    body = [(*row, float(s)) for row, s in zip(body, sq, strict=True)]
    body.append(("mean L", "", "", "", float(np.mean(sq))))
    return TableData((*columns, "(ŷ−y)²"), tuple(body), highlight_rows=(len(body) - 1,))


def gradient_table(
    rows: np.ndarray, errors: np.ndarray, shares: np.ndarray, total: np.ndarray, full: np.ndarray
) -> TableData:
    """Each example's share of the batch gradient (its own gradient / B), their sum, and the
    gradient on all points."""
    body: list[tuple[object, ...]] = [
        (int(i), float(e), float(s[0]), float(s[1]))
        for i, e, s in zip(rows, errors, shares, strict=True)
    ]
    body.append(("batch gradient", "", float(total[0]), float(total[1])))
    body.append(("all points", "", float(full[0]), float(full[1])))
    n = len(body)
    return TableData(
        ("example", "ŷ − y", "share of ∂L/∂w", "share of ∂L/∂b"),
        tuple(body),
        highlight_rows=(n - 2,),
    )


def step_table(before: np.ndarray, grad: np.ndarray, rate: float, after: np.ndarray) -> TableData:
    """w and b before the update, the gradient, −η × gradient, and after."""
    return TableData(
        ("", "before", "gradient", "−η × gradient", "after"),
        tuple(
            (name, float(before[k]), float(grad[k]), float(-rate * grad[k]), float(after[k]))
            for k, name in enumerate(("w", "b"))
        ),
        highlight_cells=((0, 4), (1, 4)),
    )


def updates_table(run: m.Run, first: int, last: int) -> TableData:
    """Updates first..last (1-based): the batch, its loss, the new w and b, and the loss on all
    points after the update."""
    flat = [rows for epoch in run.batches for rows in epoch]
    body = tuple(
        (
            k,
            rows_text(flat[k - 1]) if len(flat[k - 1]) <= 8 else f"{len(flat[k - 1])} points",
            float(run.batch_losses[k - 1]),
            float(run.points[k, 0]),
            float(run.points[k, 1]),
            float(run.full_losses[k]),
        )
        for k in range(first, last + 1)
    )
    return TableData(("update", "examples", "batch L", "w", "b", "L on all"), body)


def epochs_table(run: m.Run, low: np.ndarray, low_value: float) -> TableData:
    """The state at the end of each epoch, and the lowest point for comparison."""
    body: list[tuple[object, ...]] = [
        ("start", 0, float(run.full_losses[0]), *map(float, run.points[0]))
    ]
    for e, k in enumerate(run.epoch_ends(), start=1):
        body.append((f"epoch {e}", k, float(run.full_losses[k]), *map(float, run.points[k])))
    if run.updates and run.updates not in run.epoch_ends():
        k = run.updates
        body.append(("stopped", k, float(run.full_losses[k]), *map(float, run.points[k])))
    body.append(("lowest point", "", low_value, float(low[0]), float(low[1])))
    return TableData(
        ("", "updates", "L on all points", "w", "b"), tuple(body), highlight_rows=(len(body) - 1,)
    )


def compare_table(runs: Sequence[tuple[str, m.Run]], low_value: float) -> TableData:
    """Full batch against mini-batches: updates per epoch and in all, and the final loss."""
    body = tuple(
        (
            name,
            run.batch_size,
            run.per_epoch,
            run.updates,
            float(run.full_losses[-1]),
            float(run.full_losses[-1] - low_value),
        )
        for name, run in runs
    )
    return TableData(("", "B", "updates / epoch", "updates", "L at the end", "above lowest"), body)


def noise_table(
    sizes: Sequence[int],
    spreads: Sequence[tuple[float, float]],
    finals: Sequence[float],
    low_value: float,
    chosen: int,
) -> TableData:
    """Per batch size: updates per epoch, gradient spread at the start and at the bottom, and
    how far above the lowest loss its run ended (NaN in ``finals``: the run diverged)."""
    body = tuple(
        (
            b,
            -(-m.N_EXAMPLES // b),
            0.0 if s0 < 1e-12 else s0,
            0.0 if s1 < 1e-12 else s1,
            f - low_value if np.isfinite(f) else "diverged",
        )
        for b, (s0, s1), f in zip(sizes, spreads, finals, strict=True)
    )
    return TableData(
        ("B", "updates / epoch", "spread at start", "spread at lowest", "L above lowest"),
        body,
        highlight_rows=tuple(i for i, b in enumerate(sizes) if b == chosen),
    )


def task_table(run: m.Run, low_value: float, target: float) -> TableData:
    """The task's numbers: the loss after one epoch against the lowest loss."""
    k = min(run.per_epoch, run.updates)
    after = float(run.full_losses[k])
    gap = after - low_value
    return TableData(
        ("", "value"),
        (
            ("batch size B", run.batch_size),
            ("learning rate η", plain(run.rate)),
            ("updates in epoch 1", k),
            ("L after epoch 1", after),
            ("lowest L", low_value),
            ("gap (target < " + plain(target) + ")", gap),
        ),
        highlight_rows=(5,),
    )
