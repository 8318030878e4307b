"""Lesson 7.2: RNN topologies: sequence→sequence, sequence→vector, vector→sequence, encoder→decoder.

One recurrent cell, wired four ways.  Each topology gets a small task of its own (running sum,
"is the sum positive?", a sine from its frequency, reversing digits), a SimpleRNN model built
with the engine's topology builders and trained by the engine (cached per sequence length).
The lesson shows the task on one test sequence, then runs it time step by time step through
the unrolled diagram: inputs enter and outputs leave at the steps the topology has them, the
hidden state fills in column by column, and the numbers of each step are in a table.  A closing
table compares every model's test score with a baseline that has no memory or no input; the
quiz matches real applications to the topologies.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch7_recurrent.topologies import frames, narrate, tasks, texts, views
from lessons.core.base import (
    Choice,
    Image,
    Lesson,
    Plot,
    Slider,
    Step,
    Table,
    TableData,
    Values,
)
from lessons.markup.numbers import plain

ALL = "all four"


def _task_rows(run: tasks.Trained) -> tuple[tuple[str, str], ...]:
    """The intro step's table: how the model was trained and how it scores."""
    rows = [
        ("model", f"{RNNS[run.topology]} + Dense, {run.model.count_params()} weights"),
        ("training", f"{tasks.TRAIN} examples × {run.setup.epochs} epochs, Adam"),
        ("final training loss", plain(run.loss, 3)),
        (f"test score ({tasks.TEST} seq.)", narrate.score_text(run)),
        ("baseline", f"{narrate.baseline_text(run)}: {BASELINES[run.topology]}"),
    ]
    if run.topology == "encoder-decoder":
        rows.append(("whole sequences right", narrate.pct(run.whole)))
    elif not run.setup.classify:
        rows.append((f"outputs within {tasks.TOLERANCE}", narrate.pct(run.hits)))
    return tuple(rows)


RNNS = {
    t: f"{'2 × ' if t == 'encoder-decoder' else ''}SimpleRNN({s.units})"
    for t, s in tasks.SETUPS.items()
}
BASELINES = {
    "sequence-to-sequence": "output xₜ: no memory",
    "sequence-to-vector": "sign of the last input: no memory",
    "vector-to-sequence": "mean target per step: ignores ω",
    "encoder-decoder": "a random digit",
}


def summary_table(length: int) -> TableData:
    """Every topology's task, shapes, test score and baseline (all trained for ``length``)."""
    rows = []
    for topo in tasks.TOPOLOGIES:
        run = tasks.trained(topo, length)
        rows.append(
            (
                texts.SHORT[topo],
                run.setup.task,
                narrate.score_text(run),
                f"{narrate.baseline_text(run)}",
            )
        )
    return TableData(("topology", "task", "test score", "baseline"), tuple(rows))


class Topologies(Lesson):
    """Four RNN topologies, each animated on a small task the engine trained."""

    id = "topologies"
    chapter = 7
    number = "7.2"
    title = "Topologies"
    summary = (
        "Sequence to sequence, sequence to vector, vector to sequence and encoder-decoder: "
        "the same recurrent cell wired four ways, each trained on a small task of its own "
        "(running sum, sign of a sum, a sine from its frequency, reversing digits) and run "
        "time step by time step through the unrolled network."
    )
    seed = tasks.SEED
    controls = (
        Choice(
            "topology",
            "Topology",
            options=(ALL, *tasks.TOPOLOGIES),
            default=ALL,
            help="Walk through all four, or only one.",
        ),
        Slider(
            "length",
            "Sequence length T",
            3,
            8,
            default=5,
            step=1,
            integer=True,
            help="Time steps per sequence; every model is retrained for it.",
        ),
        Slider(
            "sample",
            "Test sequence",
            0,
            tasks.TEST - 1,
            default=0,
            step=1,
            integer=True,
            help="Which test sequence is animated.",
        ),
    )
    panels = (
        Plot("diagram", "The network unrolled in time", legend=False, stretch=3),
        Image(
            "hidden",
            "Hidden state h(t)",
            colormap="diverging",
            x_label="time step",
            y_label="unit",
            stretch=1,
        ),
        Plot("signals", "The test sequence", x_label="time step", y_label="value"),
        Table("numbers", "Numbers"),
    )
    layout = (2, 2)
    quiz = texts.QUIZ

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        length, sample = int(c.length), int(c.sample)
        chosen = tasks.TOPOLOGIES if c.topology == ALL else (str(c.topology),)
        runs = {topo: tasks.trained(topo, length) for topo in chosen}
        yield Step(
            texts.OVERVIEW_TITLE,
            texts.OVERVIEW.format(train=tasks.TRAIN),
            {
                "diagram": views.overview(),
                "numbers": TableData(
                    ("topology", "task"),
                    tuple(
                        (texts.SHORT[t], f"{tasks.SETUPS[t].task} ({SHAPES[t]})") for t in chosen
                    ),
                ),
            },
            notes=texts.OVERVIEW_NOTES,
            titles={"numbers": "The tasks"},
        )
        for run in runs.values():
            yield from self._topology(run, sample)
        if c.topology == ALL:
            table = summary_table(length)
            yield Step(
                texts.SUMMARY_TITLE,
                texts.SUMMARY.format(verdicts=_verdicts(runs)),
                {"diagram": views.overview(), "numbers": table},
                notes=texts.SUMMARY_NOTES,
                titles={"numbers": f"Test scores, T = {length}"},
                figures={f"score {t}": r.score for t, r in runs.items()}
                | {f"baseline {t}": r.baseline for t, r in runs.items()},
            )

    def _topology(self, run: tasks.Trained, sample: int) -> Iterator[Step]:
        tr = tasks.trace(run, sample)
        name = texts.SHORT[run.topology]
        data = frames.panels(run, sample, tr, -1)
        data["numbers"] = TableData(("quantity", "value"), _task_rows(run))
        yield Step(
            f"{name}: {run.setup.task}",
            narrate.intro(run),
            data,
            notes=texts.TASK_NOTES[run.topology].format(units=run.setup.units),
            titles={
                "numbers": f"{name}: the trained model",
                "signals": _signals_title(run, sample),
            },
            figures={"score": run.score, "baseline": run.baseline, "loss": run.loss},
        )
        for k in range(frames.columns(run)):
            yield Step(
                narrate.title(run, k),
                narrate.step(run, sample, tr, k),
                frames.panels(run, sample, tr, k),
                notes=texts.STEP_NOTES,
                titles={"numbers": f"Numbers at {frames.label(run, k)}"},
                figures=_figures(run, tr, k),
            )


SHAPES = {
    "sequence-to-sequence": "T numbers → T numbers",
    "sequence-to-vector": "T numbers → 1 answer",
    "vector-to-sequence": "1 number → T numbers",
    "encoder-decoder": "T digits → T digits",
}


def _signals_title(run: tasks.Trained, sample: int) -> str:
    if run.topology == "vector-to-sequence":
        return f"Test example {sample}: ω = {plain(float(run.inputs[sample]), 2)}"
    return f"Test sequence {sample}"


def _figures(run: tasks.Trained, tr: tasks.Trace, k: int) -> dict[str, float]:
    figures = {"h norm": float(np.linalg.norm(tr.states[k]))}
    if run.topology in ("sequence-to-sequence", "vector-to-sequence"):
        figures["output"] = float(tr.shown[k])
    elif run.topology == "sequence-to-vector" and k == run.length - 1:
        figures["output"] = float(tr.shown)
    elif run.topology == "encoder-decoder" and k >= run.length:
        figures["output"] = float(tr.shown[k - run.length])
    return figures


def _verdicts(runs: dict[str, tasks.Trained]) -> str:
    """Which models beat their baselines, as the scores say."""
    losers = [texts.SHORT[t] for t, r in runs.items() if not narrate.beats(r)]
    if not losers:
        return "every model beats its baseline."
    return f"{', '.join(losers)} {'does' if len(losers) == 1 else 'do'} not beat the baseline."
