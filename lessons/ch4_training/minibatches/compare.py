"""Lesson 4.4, steps 10-12: full batch against mini-batches, gradient noise, and the task.

Full-batch GD runs with the learner's learning rate and budget next to their mini-batch run;
the spread of the batch gradients is measured at the start and at the lowest point for
several batch sizes (each also trained, for its final loss); the last step judges the task.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from lessons.ch4_training.minibatches import model as m
from lessons.ch4_training.minibatches import tables as tb
from lessons.ch4_training.minibatches import texts
from lessons.ch4_training.minibatches import views as v
from lessons.core.base import Step, TaskResult
from lessons.markup.numbers import plain
from lessons.shared import colors

SPREAD_EPOCHS = 4  # the gradient spread is measured over the batches of this many epochs
TASK_TARGET = 0.05  # the task: within this of the lowest loss after one epoch


def compare(
    data: m.Data,
    run: m.Run,
    surf: m.Surface,
    low: np.ndarray,
    low_value: float,
    model_seed: int,
    loader_seed: int,
) -> Iterator[Step]:
    """Full batch against mini-batches; the gradient noise per batch size; the task."""
    start = run.points[0]
    gd = m.train(data, m.N_EXAMPLES, run.rate, run.epochs, run.shuffle, model_seed, loader_seed)
    names = [
        (f"GD, B = {m.N_EXAMPLES}", gd, v.FULL_BATCH),
        (f"SGD, B = {run.batch_size}", run, colors.SGD),
    ]
    yield Step(
        "Full batch or mini-batches?",
        texts.compare(gd, run, low_value),
        {
            "loop": v.loop_plot("repeat", f"GD: 1\nSGD: {run.per_epoch}"),
            "surface": v.surface_plot(
                surf,
                low,
                start,
                paths=[(n, r.points, col) for n, r, col in names],
                low_value=low_value,
            ),
            "fit": v.loss_curves(names, low_value),
            "numbers": tb.compare_table(
                [("full-batch GD", gd), ("mini-batch SGD", run)], low_value
            ),
        },
        titles={
            "fit": "Loss on all points, per epoch",
            "numbers": f"After {run.epochs} epoch" + ("s" if run.epochs != 1 else ""),
            "loop": "The loop: updates per epoch",
        },
        notes=texts.COMPARE_NOTES,
        figures={"gd_final": float(gd.full_losses[-1]), "sgd_final": float(run.full_losses[-1])},
    )

    sizes = sorted(set(m.SIZES) | {run.batch_size})
    spreads: list[tuple[float, float]] = []
    finals: list[float] = []
    for b in sizes:
        other = (
            run
            if b == run.batch_size
            else m.train(data, b, run.rate, run.epochs, run.shuffle, model_seed, loader_seed)
        )
        used = [
            rows
            for epoch in m.loader_batches(m.N_EXAMPLES, b, run.shuffle, loader_seed, SPREAD_EPOCHS)
            for rows in epoch
        ]
        spreads.append((m.spread(data, start, used), m.spread(data, low, used)))
        finals.append(math.nan if other.worse else float(other.full_losses[-1]))
    mine = sizes.index(run.batch_size)
    fan = m.batch_gradients(data, low, list(run.batches[0]))
    full_low = m.gradient_at(data, low)
    arrows = [(f"_batch {k + 1}", low, low - run.rate * g, colors.SGD) for k, g in enumerate(fan)]
    last = run.points[-run.per_epoch - 1 :] if run.updates >= run.per_epoch else run.points
    reach = float(np.max(np.hypot(*(run.rate * fan).T))) if len(fan) else 0.0
    spread_from_low = float(np.max(np.hypot(*(last - low).T))) if len(last) else 0.0
    near = m.near(data, low, max(reach, min(spread_from_low, 3.0) / 1.6))
    yield Step(
        "Noise shakes the marble",
        texts.noise(run, spreads[mine][1], full_low, sizes, spreads, finals, low_value),
        {
            "surface": v.surface_plot(
                near,
                low,
                start,
                paths=(("_SGD, last epoch", last, colors.SGD),),
                arrows=arrows,
                low_value=low_value,
            ),
            "numbers": tb.noise_table(sizes, spreads, finals, low_value, run.batch_size),
        },
        titles={
            "surface": "At the lowest point: each batch's step",
            "numbers": f"Gradient spread per batch size (η = {plain(run.rate)})",
        },
        notes=texts.NOISE_NOTES,
        figures={
            **{f"spread_low_B{b}": s[1] for b, s in zip(sizes, spreads, strict=True)},
            **{f"spread_start_B{b}": s[0] for b, s in zip(sizes, spreads, strict=True)},
        },
    )

    k = min(run.per_epoch, run.updates)
    gap = float(run.full_losses[k]) - low_value
    done = bool(np.isfinite(gap) and gap < TASK_TARGET and run.updates >= run.per_epoch)
    message = (
        f"Within {plain(gap)} of the lowest loss after one epoch."
        if done
        else f"After one epoch the loss is {plain(gap)} above the lowest; get it below "
        f"{plain(TASK_TARGET)}."
    )
    yield Step(
        "Your turn",
        texts.summary(done, gap, TASK_TARGET),
        {
            "surface": v.surface_plot(
                surf,
                low,
                start,
                paths=((f"SGD, B = {run.batch_size}, epoch 1", run.points[: k + 1], colors.SGD),),
                here=run.points[k],
                low_value=low_value,
            ),
            "fit": v.epoch_curve(run, low_value, TASK_TARGET),
            "numbers": tb.task_table(run, low_value, TASK_TARGET),
        },
        titles={
            "surface": f"Loss L(w, b) on all {m.N_EXAMPLES} points: epoch 1",
            "numbers": "The task: one epoch",
            "fit": "Your run: epoch 1",
        },
        task=TaskResult(done, message),
        figures={"task_gap": gap},
    )
