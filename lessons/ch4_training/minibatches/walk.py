"""Lesson 4.4, steps 3-9: Samuel's loop walked through once with every number, then let run.

Initialise, predict, loss, gradient and step are shown for the first batch (the zoomed map
shows the batch's step next to the step all points would give); then the rest of epoch 1, and
the whole run with its stopping rule.  All numbers come from the run :func:`.model.train`
recorded, or from the engine at the run's weights.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import numpy as np

from lessons.ch4_training.minibatches import model as m
from lessons.ch4_training.minibatches import tables as tb
from lessons.ch4_training.minibatches import texts
from lessons.ch4_training.minibatches import views as v
from lessons.core.base import Step
from lessons.shared import colors


def walk(
    data: m.Data, run: m.Run, surf: m.Surface, low: np.ndarray, low_value: float
) -> Iterator[Step]:
    """One update stage by stage, then epoch 1, then the whole run."""
    start, rate = run.points[0], run.rate
    rows = run.batches[0][0]
    size = len(rows)
    full0 = float(run.full_losses[0])
    x = data.x.ravel()[rows]
    yhat = m.predictions(data, start, rows)
    first = f"The loop: update 1 of {run.updates}"
    surface = partial(v.surface_plot, surf, low, start, low_value=low_value)
    yield Step(
        "1 Initialise",
        texts.initialise(start, full0),
        {
            "loop": v.loop_plot("initialise"),
            "surface": surface(here=start),
            "fit": v.fit_plot(data, start),
            "numbers": tb.init_table(start, full0),
        },
        titles={"numbers": "Step 1: the initial weights", "loop": "The loop: start"},
        figures={"w0": float(start[0]), "b0": float(start[1]), "loss0": full0},
    )
    yield Step(
        "2 Predict",
        texts.predict(start, rows, x, yhat),
        {
            "loop": v.loop_plot("predict", "update 1"),
            "fit": v.fit_plot(data, start, rows),
            "numbers": tb.batch_table(data, rows, yhat, with_loss=False),
        },
        titles={"numbers": "Step 2: the first batch and its predictions", "loop": first},
        figures={"prediction_first": float(yhat[0])},
    )
    batch_loss = float(run.batch_losses[0])
    yield Step(
        "3 Loss",
        texts.loss(batch_loss, full0, size),
        {
            "loop": v.loop_plot("loss", "update 1"),
            "fit": v.fit_plot(data, start, rows, yhat),
            "numbers": tb.batch_table(data, rows, yhat, with_loss=True),
        },
        titles={"numbers": "Step 3: the batch's loss"},
        figures={"batch_loss": batch_loss},
    )
    g = run.grads[0]
    full = m.gradient_at(data, start)
    shares = m.batch_gradients(data, start, [np.array([i]) for i in rows]) / size
    after = run.points[1]
    near = partial(
        v.surface_plot,
        m.near(data, start, rate * max(float(np.hypot(*g)), float(np.hypot(*full)))),
        low,
        start,
        low_value=low_value,
    )
    zoomed = "Loss map, zoomed in at the start"
    yield Step(
        "4 Gradient",
        texts.gradient(g, full, rate),
        {
            "loop": v.loop_plot("gradient", "update 1"),
            "surface": near(
                arrows=(
                    ("step, this batch", start, start - rate * g, colors.SGD),
                    ("step, all points", start, start - rate * full, v.FULL_BATCH),
                ),
                here=start,
            ),
            "numbers": tb.gradient_table(rows, yhat - data.y.ravel()[rows], shares, g, full),
        },
        titles={"numbers": "Step 4: each example's share of the gradient", "surface": zoomed},
        notes=texts.GRADIENT_NOTES,
        figures={"grad_w": float(g[0]), "grad_b": float(g[1])},
    )
    batch_after = float(m.losses_along(m.Data(data.x[rows], data.y[rows]), after[None, :])[0])
    full1 = float(run.full_losses[1])
    yield Step(
        "5 Step",
        texts.step(start, g, after, rate, (batch_loss, batch_after), (full0, full1)),
        {
            "loop": v.loop_plot("step", "update 1"),
            "surface": near(
                paths=(("mini-batch SGD", run.points[:2], colors.SGD),),
                here=after,
            ),
            "fit": v.fit_plot(data, after, rows),
            "numbers": tb.step_table(start, g, rate, after),
        },
        titles={"numbers": "Step 5: the update"},
        figures={"w1": float(after[0]), "b1": float(after[1]), "loss1": full1},
    )
    k = min(run.per_epoch, run.updates)
    yield Step(
        "6 Repeat: one epoch",
        texts.repeat(run, k),
        {
            "loop": v.loop_plot("repeat", f"{k} update{'s' if k > 1 else ''}"),
            "surface": surface(
                paths=(("mini-batch SGD", run.points[: k + 1], colors.SGD),), here=run.points[k]
            ),
            "fit": v.fit_plot(data, run.points[k]),
            "numbers": tb.updates_table(run, 1, k),
        },
        titles={
            "numbers": "Step 6: every update of epoch 1",
            "surface": f"Loss L(w, b) on all {m.N_EXAMPLES} points",
            "loop": f"The loop: epoch 1, {k} of {run.updates} updates",
        },
        figures={"loss_epoch1": float(run.full_losses[k])},
    )
    end = run.points[-1]
    yield Step(
        "7 Stop",
        texts.stop(run, low, low_value),
        {
            "loop": v.loop_plot("stop", f"{run.updates} updates"),
            "surface": surface(paths=(("mini-batch SGD", run.points, colors.SGD),), here=end),
            "fit": v.fit_plot(data, end),
            "numbers": tb.epochs_table(run, low, low_value),
        },
        titles={
            "numbers": "Step 7: the end of each epoch",
            "loop": f"The loop: stop after {len(run.batches)} epoch"
            + ("s" if len(run.batches) != 1 else ""),
        },
        notes=texts.STOP_NOTES,
        figures={"final_loss": float(run.full_losses[-1]), "diverged": float(run.worse)},
        stop=run.worse,
    )
