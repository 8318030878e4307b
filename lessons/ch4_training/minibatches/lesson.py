"""Lesson 4.4: mini-batches and Samuel's loop: one update walked step by step, then let run.

A line y = w·x + b learns from 32 seeded points.  Samuel's seven steps (initialise, predict,
loss, gradient, step, repeat, stop) are drawn as a loop whose current step lights up while
the engine's ``fit`` trains the model on batches from the engine's ``DataLoader``: the first
update is shown with every number, then an epoch, then the whole run.  Full-batch gradient
descent and mini-batch SGD then run on the same loss map; the spread of the batch gradients
is measured for several batch sizes, and a task asks for a setting that gets close to the
lowest loss in one epoch.  Every control restarts the (cheap) run, so the batch-size slider
changes the mini-batch run at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import numpy as np

from lessons.ch4_training.minibatches import model as m
from lessons.ch4_training.minibatches import tables as tb
from lessons.ch4_training.minibatches import texts
from lessons.ch4_training.minibatches import views as v
from lessons.ch4_training.minibatches.compare import TASK_TARGET, compare
from lessons.ch4_training.minibatches.walk import walk
from lessons.core.base import (
    Lesson,
    MultipleChoice,
    NumericQuestion,
    Plot,
    Slider,
    Step,
    Table,
    Task,
    Toggle,
    Values,
)
from lessons.markup.numbers import plain


class MiniBatches(Lesson):
    """Samuel's loop, full-batch GD against mini-batch SGD, and how a data loader batches."""

    id = "minibatches"
    chapter = 4
    number = "4.4"
    title = "Mini-batches and Samuel's loop"
    summary = (
        "Arthur Samuel's recipe for machine learning as a loop of seven steps, run by the "
        "engine on a line fitted to 32 points: one update with every number, then an epoch, "
        "then the whole run. Full-batch gradient descent against mini-batch SGD on the same "
        "loss map, the noise small batches add, and how a data loader shuffles and batches."
    )
    seed = 48
    controls = (
        Slider(
            "batch",
            "Batch size B",
            1,
            m.N_EXAMPLES,
            default=4,
            step=1,
            integer=True,
            help=f"Points per update (1 to {m.N_EXAMPLES}; {m.N_EXAMPLES} = full batch).",
        ),
        Slider(
            "rate",
            "Learning rate η",
            0.01,
            1.0,
            default=0.1,
            log=True,
            help="How far each update moves against the gradient.",
        ),
        Slider("epochs", "Epochs", 1, 30, default=10, step=1, integer=True),
        Toggle(
            "shuffle",
            "Shuffle every epoch",
            default=True,
            help="Off: every epoch cuts the stored order into the same batches.",
        ),
    )
    panels = (
        Plot("loop", "Samuel's loop", legend=False, aspect_locked=True, stretch=2),
        Plot(
            "surface",
            f"Loss L(w, b) on all {m.N_EXAMPLES} points",
            x_label="weight w",
            y_label="bias b",
            aspect_locked=True,
            stretch=3,
        ),
        Plot(
            "fit",
            "Data (orange: the batch)",
            x_label="x",
            y_label="y",
            legend=False,
            stretch=2,
            help="Black: the points; orange: the batch in use; blue: the line ŷ = w·x + b.",
        ),
        Table("numbers", "The seven steps here", stretch=3),
    )
    layout = (2, 2)
    quiz = (
        MultipleChoice(
            "backward",
            "Which of Samuel's steps does the engine's backward() carry out?",
            ("Predict", "Loss", "Gradient", "Step"),
            answer=2,
            explanations=(
                "Predicting is the forward pass: ŷ = w·x + b.",
                "The loss is computed from the predictions, before backward() runs.",
                "Right: backward() fills ∂L/∂w and ∂L/∂b, the gradient.",
                "The step uses the gradient; the optimizer does it after backward().",
            ),
        ),
        NumericQuestion(
            "updates",
            f"With {m.N_EXAMPLES} points and batch size 4, how many updates does one epoch make?",
            answer=m.N_EXAMPLES / 4,
            tolerance=0.0,
            explanation=f"{m.N_EXAMPLES} / 4 = {m.N_EXAMPLES // 4}: each point is used once per "
            "epoch, 4 per update.",
        ),
        MultipleChoice(
            "spread",
            f"In the noise table, what is the spread of the batch gradients for B = "
            f"{m.N_EXAMPLES}?",
            (
                "The largest of all batch sizes",
                "Zero: every batch is the whole data set",
                "The same as for B = 1",
            ),
            answer=1,
            explanations=(
                "Larger batches average more points, so their gradients vary less.",
                "Right: a batch of all points gives exactly the full gradient every time: "
                "that is full-batch gradient descent.",
                "B = 1 has the largest spread: each update sees a single point.",
            ),
        ),
    )
    task = Task(
        "one_epoch",
        f"Choose a batch size and a learning rate with which the loss on all points is within "
        f"{plain(TASK_TARGET)} of the lowest after one epoch.",
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        data_seed, model_seed, loader_seed = (int(s) for s in rng.integers(2**31, size=3))
        batch, rate = int(c.batch), float(c.rate)
        epochs, shuffle = int(c.epochs), bool(c.shuffle)
        data = m.make_data(data_seed)
        low, low_value = m.bottom(data)
        run = m.train(data, batch, rate, epochs, shuffle, model_seed, loader_seed)
        start = run.points[0]
        surf = m.overview(data, start, low)

        show = partial(v.surface_plot, surf, low, start, low_value=low_value)
        yield Step(
            "Samuel's loop",
            texts.intro(),
            {
                "loop": v.loop_plot(None),
                "surface": show(),
                "fit": v.fit_plot(data, None),
                "numbers": tb.stages_table(batch, epochs, shuffle),
            },
            notes=texts.INTRO_NOTES,
            figures={
                "lowest_loss": low_value,
                "lowest_w": float(low[0]),
                "lowest_b": float(low[1]),
            },
        )

        shown = m.loader_batches(m.N_EXAMPLES, batch, shuffle, loader_seed, tb.SHOWN_EPOCHS)
        first = shown[0][0]
        yield Step(
            "The data loader: shuffle, then cut",
            texts.loader(batch, shuffle, first, len(shown[0][-1])),
            {
                "fit": v.fit_plot(data, None, first),
                "numbers": tb.loader_table(shown),
            },
            titles={"numbers": f"Example numbers in each batch (B = {batch})"},
            notes=texts.LOADER_NOTES,
            figures={"batches_per_epoch": float(len(shown[0]))},
        )
        yield from walk(data, run, surf, low, low_value)
        yield from compare(data, run, surf, low, low_value, model_seed, loader_seed)
