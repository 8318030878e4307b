"""Lesson 3.3: tuning the topology: the same data and budget for five network shapes.

A small, a medium, a large, a deep and a funnel-shaped network train one after another on the
same points with the same optimizer, batch size and number of epochs.  Each step trains one
network a little further and shows its neurons, its decision map, every network's loss curves
and a results table (weights, losses, early-stopping epoch, test loss there, time).  The
closing steps read the lesson's advice off those numbers: take a network bigger than needed
and stop training at the epoch where the validation loss is lowest.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from engine.data.synthetic.sets import Playground
from lessons.ch3_mlp.topology import runs as tr
from lessons.core.base import (
    Choice,
    Lesson,
    MultipleChoice,
    Network,
    NumericQuestion,
    PanelData,
    Plot,
    Slider,
    Step,
    Table,
    Values,
)
from lessons.markup.numbers import plain
from lessons.shared.mlp import net
from lessons.shared.mlp.views import boundary_plot, network_data

DATA_LABELS: dict[str, Playground] = {
    "circle": "circle",
    "XOR": "xor",
    "two gaussians": "gaussians",
    "spiral": "spiral",
}
PROGRESS_STEPS = 8  # steps shown while each network trains


class Topology(Lesson):
    """Small, medium, large, deep and funnel networks on the same data and budget."""

    id = "topology"
    chapter = 3
    number = "3.3"
    title = "Tuning the topology"
    summary = (
        "How many layers, how many neurons? Five networks (small, medium, large, deep and a "
        "funnel) train on the same noisy points for the same number of epochs. A results table "
        "and their loss curves compare size, fit, generalisation and time, and show why a "
        "network bigger than needed, stopped early, is a safe choice."
    )
    live = True  # trained in the worker, one step at a time, with progress
    seed = 33
    controls = (
        Choice("data", "Data set", options=tuple(DATA_LABELS), default="circle"),
        Slider("noise", "Noise", 0.0, 0.3, default=0.15, step=0.05, help="Jitter of the points."),
        Slider(
            "epochs",
            "Epochs (the budget)",
            40,
            400,
            default=200,
            step=40,
            integer=True,
            help="How long every network trains.",
        ),
        Slider("rate", "Learning rate (Adam)", 0.001, 0.1, default=0.01, log=True),
        Choice("activation", "Activation", options=net.ACTIVATIONS, default="tanh"),
    )
    panels = (
        Network("net", "The network in training", stretch=3),
        Plot(
            "boundary",
            "Output (● train, ▲ validation)",
            x_label="x₁",
            y_label="x₂",
            aspect_locked=True,
            legend=False,
            stretch=2,
        ),
        Plot(
            "curves",
            "Loss per epoch",
            x_label="epoch",
            y_label="cross-entropy",
            stretch=2,
            help="Solid: validation loss; dashed: training loss; dot: the best epoch.",
        ),
        Table("results", "Results: same data, same budget", stretch=4),
    )
    quiz = (
        NumericQuestion(
            "params",
            "How many weights and biases does the large network (2 inputs, three hidden layers "
            "of 8, one output) have?",
            answer=177,
            tolerance=0.0,
            explanation="(2 + 1)·8 + (8 + 1)·8 + (8 + 1)·8 + (8 + 1)·1 = 24 + 72 + 72 + 9 = 177.",
        ),
        MultipleChoice(
            "validation",
            "Why compare the networks on validation points instead of training points?",
            (
                "Training points are too few",
                "A bigger network always fits the training points better, even when it only "
                "memorises their noise",
                "Validation points are easier",
            ),
            answer=1,
            explanations=(
                "Even with many training points the training loss favours the largest network.",
                "Right: only points the network never trained on show how well it generalises.",
                "They come from the same distribution; they are just unseen.",
            ),
        ),
        MultipleChoice(
            "advice",
            "You have no idea how big the network should be. What does this lesson suggest?",
            (
                "Start with the smallest network and never go bigger",
                "Take more layers and neurons than needed, and stop at the best validation loss",
                "Train the biggest network as long as possible",
            ),
            answer=1,
            explanations=(
                "A too small network cannot fit the data however long it trains.",
                "Right: the large network learns fast, and early stopping keeps the version "
                "from before it starts memorising noise.",
                "Long training lets a big network memorise the noise: its validation loss rises.",
            ),
        ),
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        data_seed, model_seed = (int(v) for v in rng.integers(2**31, size=2))
        name = DATA_LABELS[c.data]
        split = tr.make_split(name, float(c.noise), data_seed)
        budget = int(c.epochs)
        every = max(1, budget // PROGRESS_STEPS)
        runs: list[tr.Run] = []
        start = tr.Run.start(tr.CANDIDATES[0], split, str(c.activation), float(c.rate), model_seed)
        trainer = start.trainer
        yield Step(
            "Same data, same budget, five networks",
            _intro(split, budget, float(c.rate)),
            {
                "net": network_data(trainer, trainer.probe(), trainer.input_maps(), editable=False),
                "boundary": boundary_plot(split.data, None, held_out="validation"),
                "results": tr.results_table([], budget),
            },
            figures={"candidates": float(len(tr.CANDIDATES))},
        )
        for index, cand in enumerate(tr.CANDIDATES):
            run = (
                start
                if index == 0
                else tr.Run.start(cand, split, str(c.activation), float(c.rate), model_seed)
            )
            runs.append(run)
            for epoch in range(1, budget + 1):
                run.epoch(split)
                if epoch % every and epoch != budget:
                    continue
                diagram, boundary = run.view(split)
                yield Step(
                    f"Training “{cand.name}”: epoch {epoch} of {budget}",
                    _progress(cand, run, epoch),
                    {
                        "net": diagram,
                        "boundary": boundary,
                        "curves": tr.curves_plot(runs, budget),
                        "results": tr.results_table(runs, budget, current=index),
                    },
                    figures={f"{cand.name}_val": run.val[-1], f"{cand.name}_train": run.train[-1]},
                )
        yield _results_step(runs, budget)
        yield _advice_step(runs, budget, split)


def _intro(split: tr.Split, budget: int, rate: float) -> str:
    n_train, n_val, n_test = len(split.data.x_train), len(split.data.x_test), len(split.x_test)
    rows = "".join(f"<li><b>{c.name}</b>: {c.note}</li>" for c in tr.CANDIDATES)
    return (
        "How big should a network be? Rather than guess, try several shapes under equal "
        f"conditions: the same {n_train} training points, {budget} epochs each, mini-batches "
        f"of {tr.BATCH}, the Adam optimizer with learning rate {plain(rate)}. The candidates:"
        f"<ul>{rows}</ul>"
        f"Another {n_val} <b>validation</b> points are checked after every epoch: the epoch "
        "where their loss is lowest is where early stopping would stop. The last "
        f"{n_test} <b>test</b> points are only used to report how good that stopped network "
        "is. In the loss plot, solid lines are validation losses, dashed lines training "
        "losses, and a dot marks each network's best epoch. Press Play: the networks train "
        "one after another."
    )


def _progress(cand: tr.Candidate, run: tr.Run, epoch: int) -> str:
    text = (
        f"The <b>{cand.name}</b> network ({cand.note}) has {run.trainer.parameters} weights "
        f"and biases. After {epoch} epochs its training loss is {plain(run.train[-1])} and "
        f"its validation loss {plain(run.val[-1])}"
    )
    best = run.best
    if best < epoch and run.val[-1] > run.at(run.val, best) * 1.05:
        text += (
            f", up from its best, {plain(run.at(run.val, best))} at epoch {best}: it has "
            "started to learn the noise of the training points."
        )
    else:
        text += "."
    return (
        text + " Each square in the diagram is a neuron's output over the plane; the curves "
        "below collect every network trained so far."
    )


def _results_step(runs: list[tr.Run], budget: int) -> Step:
    by_train = min(runs, key=lambda r: _finite(r.train[-1]))
    by_val_end = min(runs, key=lambda r: _finite(r.val[-1]))
    small = runs[0]
    text = (
        f"After {budget} epochs each: the lowest training loss belongs to "
        f"<b>{by_train.candidate.name}</b> ({plain(by_train.train[-1])}), the lowest "
        "validation loss to "
        f"<b>{by_val_end.candidate.name}</b> ({plain(by_val_end.val[-1])}). "
        f"The small network, with {small.trainer.parameters} weights, ends at a training loss "
        f"of {plain(small.train[-1])}: too few neurons to draw the boundary, however long it "
        "trains. A low training loss alone proves nothing: compare it with the validation "
        "loss, which counts points the network never learned from. The column best is the "
        "epoch with the lowest validation loss (where early stopping keeps the weights) and "
        "test@best the test loss there; time shows what the extra weights cost."
    )
    return Step(
        "Results",
        text,
        {"results": tr.results_table(runs, budget), "curves": tr.curves_plot(runs, budget)},
        figures={f"{r.candidate.name}_best_test": _finite(r.at(r.test, r.best)) for r in runs},
    )


def _advice_step(runs: list[tr.Run], budget: int, split: tr.Split) -> Step:
    large = next(r for r in runs if r.candidate.name == "large")
    best_run = min(runs, key=lambda r: _finite(r.at(r.test, r.best)))
    b = large.best
    stopped, ended = large.at(large.test, b), large.test[-1]
    gap = stopped - _finite(best_run.at(best_run.test, best_run.best))
    verdict = (
        "the best of all five"
        if best_run is large
        else f"within {plain(gap)} of the best, <b>{best_run.candidate.name}</b> "
        f"({plain(best_run.at(best_run.test, best_run.best))})"
    )
    text = (
        f"Follow the <b>large</b> network: its validation loss was lowest at epoch {b} "
        f"({plain(large.at(large.val, b))}) and {plain(large.val[-1])} after all {budget}. "
        f"Stopped at epoch {b}, its test loss is {plain(stopped)}; trained to the end, "
        f"{plain(ended)}. Stopped early, it is {verdict}. "
        "<p>That is the practical advice: rather than searching for the exact right size, "
        "use more layers and neurons than you need, watch the validation loss, and keep the "
        "network from the epoch where it was lowest (<b>early stopping</b>). The big network "
        "learns the shape quickly; stopping early prevents it from memorising the noise. "
        "Trial and error with smaller and funnel-shaped networks can save time and weights, "
        "and ready-made architectures from model zoos are another starting point.</p>"
    )
    data: dict[str, PanelData] = {
        "curves": tr.curves_plot(runs, budget),
        "results": tr.results_table(runs, budget, runs.index(large)),
    }
    view = large.best_view(split)
    if view is not None:
        data["net"], data["boundary"] = view
        text += (
            f"<p>The diagram and the map show the large network as it was at epoch {b}, "
            "the one early stopping keeps.</p>"
        )
    text += "Try other data sets, more noise or a longer budget."
    return Step(
        "Bigger than needed, stopped early",
        text,
        data,
        figures={"large_best_epoch": float(b), "large_test_stopped": _finite(stopped)},
    )


def _finite(x: float) -> float:
    return x if math.isfinite(x) else math.inf
