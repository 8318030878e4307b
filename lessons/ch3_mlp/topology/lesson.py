"""Lesson 3.3: tuning the topology: the same data and budget for five network shapes.

A small, a medium, a large, a deep and a funnel-shaped network train one after another on the
same points with the same optimizer, batch size and number of epochs.  Each network is shown
at three checkpoints (its first epoch, its best validation epoch, the end of the budget) with
its neurons, its decision map, every network's loss curves and a results table (weights,
losses, early-stopping epoch, test loss there, multiply-adds).  The closing steps read the
lesson's advice off those numbers: take a network bigger than needed and stop training at the
epoch where the validation loss is lowest.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from engine.data.synthetic.sets import Playground
from lessons.ch3_mlp.topology import runs as tr
from lessons.ch3_mlp.topology import texts
from lessons.core.base import (
    Choice,
    Lesson,
    MultipleChoice,
    Network,
    NetworkData,
    NumericQuestion,
    PanelData,
    Plot,
    PlotData,
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


class Topology(Lesson):
    """Small, medium, large, deep and funnel networks on the same data and budget."""

    id = "topology"
    chapter = 3
    number = "3.3"
    title = "Tuning the topology"
    summary = (
        "How many layers, how many neurons? Five networks (small, medium, large, deep and a "
        "funnel) train on the same noisy points for the same number of epochs. A results table "
        "and their loss curves compare size, fit, generalisation and cost, and show why a "
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
            help="Solid: training loss; dashed: validation loss; dot: the best epoch.",
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
                "A network with more weights can fit the training points closely, noise "
                "included: a low training loss does not show that it generalises",
                "Validation points are easier",
            ),
            answer=1,
            explanations=(
                "Even with many training points, a low training loss can come from memorising "
                "their noise.",
                "Right: only points the network never trained on show how well it generalises. "
                "In the table, compare each network's train and val. columns.",
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
                "Long training can let a big network memorise the noise: its validation loss "
                "then rises, and the last epoch is not the best one.",
            ),
        ),
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        data_seed, model_seed = (int(v) for v in rng.integers(2**31, size=2))
        name = DATA_LABELS[c.data]
        split = tr.make_split(name, float(c.noise), data_seed)
        budget = int(c.epochs)
        runs: list[tr.Run] = []
        start = tr.Run.start(tr.CANDIDATES[0], split, str(c.activation), float(c.rate), model_seed)
        trainer = start.trainer
        yield Step(
            "Same data, same budget, five networks",
            texts.intro(split, budget, float(c.rate)),
            {
                "net": network_data(trainer, trainer.probe(), trainer.input_maps(), editable=False),
                "boundary": boundary_plot(split.data, None, held_out="validation"),
                "results": tr.results_table([], budget),
            },
            figures={"candidates": float(len(tr.CANDIDATES))},
            notes=texts.intro_notes(split),
        )
        for index, cand in enumerate(tr.CANDIDATES):
            run = (
                start
                if index == 0
                else tr.Run.start(cand, split, str(c.activation), float(c.rate), model_seed)
            )
            runs.append(run)
            yield from _checkpoints(run, runs, index, budget, split)
        yield _results_step(runs, budget, split)
        yield _advice_step(runs, budget, split)


def _checkpoints(
    run: tr.Run, runs: list[tr.Run], index: int, budget: int, split: tr.Split
) -> Iterator[Step]:
    """Train one network for the budget; show its first epoch, its best epoch and the end."""
    name = run.candidate.name

    def frame(title: str, text: str, view: tuple[NetworkData, PlotData], upto: int) -> Step:
        return Step(
            f"“{name}”: {title}",
            text,
            {
                "net": view[0],
                "boundary": view[1],
                "curves": tr.curves_plot(runs, budget, upto),
                "results": tr.results_table(runs, budget, index, upto),
            },
            figures={
                "epoch": float(upto),
                f"{name}_val": run.at(run.val, upto),
                f"{name}_train": run.at(run.train, upto),
            },
            notes=texts.verdict_notes() if upto == budget else "",
        )

    run.epoch(split)
    yield frame(f"epoch 1 of {budget}", texts.first_epoch(run, index == 0), run.view(split), 1)
    for _ in range(2, budget + 1):
        run.epoch(split)
    end = run.view(split)
    b = run.best
    if 1 < b < budget:
        kept = run.best_view(split)  # the weights early stopping keeps
        if kept is not None:
            yield frame(f"best validation loss, epoch {b}", texts.best(run), kept, b)
    if budget > 1:
        yield frame(f"epoch {budget} of {budget}", texts.verdict(run, budget), end, budget)


def _results_step(runs: list[tr.Run], budget: int, split: tr.Split) -> Step:
    """The table of all five; the diagram and map show the network with the lowest val. at best."""
    winner = min(runs, key=lambda r: tr.finite(r.at(r.val, r.best)))
    data: dict[str, PanelData] = {
        "results": tr.results_table(runs, budget, runs.index(winner)),
        "curves": tr.curves_plot(runs, budget),
    }
    view = winner.best_view(split)
    if view is not None:
        data["net"], data["boundary"] = view
    return Step(
        "Results",
        texts.results(runs, budget),
        data,
        figures={
            **{f"{r.candidate.name}_best_test": tr.finite(r.at(r.test, r.best)) for r in runs},
            "winner_best_val": tr.finite(winner.at(winner.val, winner.best)),
        },
        notes=texts.RESULTS_NOTES,
        titles=_titles(winner),
    )


def _titles(run: tr.Run) -> dict[str, str]:
    """Panel titles naming the network shown and the epoch early stopping keeps."""
    name, b = run.candidate.name, run.best
    return {
        "net": f"The {name} network at its best epoch, {b}",
        "boundary": f"Output of {name}, epoch {b} (● train, ▲ validation)",
    }


def _advice_step(runs: list[tr.Run], budget: int, split: tr.Split) -> Step:
    large = next(r for r in runs if r.candidate.name == "large")
    best_run = min(runs, key=lambda r: tr.finite(r.at(r.test, r.best)))
    b = large.best
    stopped, ended = large.at(large.test, b), large.test[-1]
    gap = stopped - tr.finite(best_run.at(best_run.test, best_run.best))
    verdict = (
        "the best of all five"
        if best_run is large
        else f"within {plain(gap)} of the best, <b>{best_run.candidate.name}</b> "
        f"({plain(best_run.at(best_run.test, best_run.best))})"
    )
    over = tr.overfitting(large.train, large.val) is not None
    text = (
        f"The <b>large</b> network's validation loss was lowest at epoch {b} "
        f"({plain(large.at(large.val, b))}); {plain(large.val[-1])} after all {budget}. "
        f"Its test loss is {plain(stopped)} stopped at epoch {b}, {plain(ended)} at the end: "
        f"stopped early, it is {verdict}. "
    )
    text += (
        "Without stopping it would have overfitted. "
        if over
        else "Within this budget it did not overfit; a longer one can let it. "
    )
    text += (
        "<p>The advice: use more layers and neurons than you need, and keep the weights "
        "from the epoch with the lowest validation loss (<b>early stopping</b>).</p>"
    )
    notes = (
        "Rather than searching for the exact right size, take a network that is clearly big "
        "enough. It learns the shape quickly; watching the validation loss and keeping the "
        "best epoch stops it before it memorises the noise of the training points. Trial and "
        "error with smaller and funnel-shaped networks can save multiply-adds and weights, and "
        "ready-made architectures from model zoos are another starting point. Try other data "
        "sets, more noise or a longer budget."
    )
    data: dict[str, PanelData] = {
        "curves": tr.curves_plot(runs, budget),
        "results": tr.results_table(runs, budget, runs.index(large)),
    }
    view = large.best_view(split)
    if view is not None:
        data["net"], data["boundary"] = view
        notes += f" The diagram and the map show the large network at epoch {b}."
    return Step(
        "Bigger than needed, stopped early",
        text,
        data,
        figures={
            "large_best_epoch": float(b),
            "large_test_stopped": tr.finite(stopped),
            "large_test_end": tr.finite(ended),
        },
        notes=notes,
        titles=_titles(large) if view is not None else {},
        last=True,  # the lesson ends here: the step counter knows its length on arrival
    )
