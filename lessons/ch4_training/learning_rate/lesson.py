"""Lesson 4.2: the learning rate: too small, good, too big and diverged, on a real network.

A live lesson (its runs train in the app's worker, a few per step).  One network, a small MLP
fitting a noisy sine with mini-batch SGD, is trained

1. at the learner's rate (the slider), with its loss curves and fitted curve;
2. at 15 rates spaced evenly on a log scale, three per step, the plot of final validation loss
   against rate growing as they arrive;
3. then the sweep is cut into regions by a stated rule (:func:`model.regions`), one run of
   each region is compared, and the smallest diverging rate is replayed update by update up
   to the overflow that stops it;
4. finally fastai's range test grows the rate every mini-batch until the loss blows up; its
   suggestions are marked, trained like the sweep, and compared with the sweep's regions.

The lesson ends with a try-it task (a rate with a low final loss) and a quiz.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch4_training.learning_rate import finder_views as fv
from lessons.ch4_training.learning_rate import model as lm
from lessons.ch4_training.learning_rate import rangetest as rt
from lessons.ch4_training.learning_rate import texts
from lessons.ch4_training.learning_rate import views as v
from lessons.ch4_training.learning_rate.quiz import QUIZ, TASK
from lessons.core.base import Lesson, PanelData, Plot, Slider, Step, Table, TaskResult, Values

CHUNK = 3  # sweep rates trained per step


class LearningRate(Lesson):
    """One network at many learning rates: a sweep, its regions, divergence, the range test."""

    id = "learning_rate"
    chapter = 4
    number = "4.2"
    title = "The learning rate"
    summary = (
        "How big should each step down the gradient be? A small network fits a noisy wave "
        "with SGD at your learning rate, then at fifteen rates from 0.004 to 2.5. Final loss "
        "against rate shows the rates that are too small, good, too big or diverge, marked "
        "by a rule computed from the runs; a diverging run is followed to infinity. Last, "
        "fastai's learning-rate range test finds a rate in a single short run."
    )
    live = True  # the runs train in the worker, a few per step
    seed = 0
    controls = (
        Slider(
            "rate",
            "Your learning rate η",
            0.0001,
            10.0,
            default=0.01,
            log=True,
            help="The step size of your own run (restarts the lesson at your run).",
        ),
        Slider(
            "epochs",
            "Epochs per run",
            10,
            60,
            default=texts.TASK_EPOCHS,
            step=10,
            integer=True,
            help="The training budget of your run and of every rate of the sweep (restarts).",
        ),
    )
    panels = (
        Plot(
            "rates",
            "Loss against learning rate",
            x_label="log₁₀ η   (−2 is η = 0.01, 0 is η = 1)",
            y_label="loss (MSE, log scale)",
            log_y=True,
            stretch=3,
            help="Dashed: each sweep rate's final validation loss; solid: the range test's "
            "training loss; star: your rate; horizontal line: the untrained loss.",
        ),
        Table("numbers", "Every number", stretch=2),
        Plot(
            "curves",
            "Loss per epoch",
            x_label="epoch",
            y_label="loss (log scale)",
            log_y=True,
            stretch=1,
            help="Solid: training loss; dashed: validation loss.",
        ),
        Plot(
            "fit",
            "The network's curve",
            x_label="x",
            y_label="y",
            legend=False,
            stretch=1,
            help="Black: training points (●), validation points (▲) and sin πx; blue: the "
            "network's output after training.",
        ),
    )
    layout = (2, 2)
    quiz = QUIZ
    task = TASK

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        data_seed, model_seed = (int(s) for s in rng.integers(2**31, size=2))
        problem = lm.make_problem(data_seed, model_seed)
        epochs, rate = int(c.epochs), float(c.rate)
        n_train, n_val = len(problem.x_train), len(problem.x_val)

        yours = lm.train(problem, rate, epochs)
        done, message = texts.task_message(yours, epochs)
        task = TaskResult(done, message)
        yield Step(
            f"Your rate: η = {v.rate_text(rate)}",
            texts.your_run(yours, n_train, n_val),
            {
                "rates": v.rates_plot([], None, yours),
                "numbers": v.run_table(yours),
                "curves": v.curves_plot([yours], epochs),
                "fit": v.fit_plot(problem, [(_name(rate), yours.fit)], v.lost([yours])),
            },
            task=task,
            figures={"rate": rate, "final": yours.final, "start": yours.start},
            notes=texts.your_notes(n_val, epochs),
            titles={"numbers": "Your run", "curves": "Loss per epoch, your run"},
        )

        runs: list[lm.Run] = []
        total = len(lm.SWEEP)
        for first in range(0, total, CHUNK):
            new = [lm.train(problem, r, epochs) for r in lm.SWEEP[first : first + CHUNK]]
            runs += new
            last = first + len(new)
            yield Step(
                f"The sweep: rates {first + 1}–{last} of {total}",
                texts.sweep_chunk(new, runs, first + 1, total, epochs),
                {
                    "rates": v.rates_plot(runs, None, yours),
                    "numbers": v.chunk_table(new, first + 1, total),
                    "curves": v.curves_plot(
                        new, epochs, training=False, names=[_name(r.rate) for r in new]
                    ),
                    "fit": v.fit_plot(problem, [(_name(r.rate), r.fit) for r in new], v.lost(new)),
                },
                figures={f"final_{first + i + 1}": r.final for i, r in enumerate(new)},
                notes=texts.SWEEP_NOTES if first == 0 else "",
                titles={
                    "rates": f"Final validation loss against rate ({last} of {total})",
                    "numbers": f"Rates {first + 1}–{last}",
                    "curves": "Validation loss per epoch, the newest rates",
                },
            )

        verdict = lm.regions(runs)
        yield from _regions_steps(problem, runs, verdict, yours, epochs)
        test = rt.range_test(problem)
        yield from _range_steps(problem, runs, verdict, yours, test, epochs)
        yield Step(
            "Your turn",
            texts.closing(yours, verdict, runs),
            {
                "rates": v.rates_plot(runs, verdict, yours),
                "numbers": v.regions_table(runs, verdict),
                "curves": v.curves_plot([yours], epochs),
                "fit": v.fit_plot(problem, [(_name(rate), yours.fit)], v.lost([yours])),
            },
            task=task,
            figures={"your_final": yours.final},
            notes=texts.CLOSING_NOTES,
            titles={
                "rates": "The sweep and your rate",
                "numbers": "Regions of the sweep",
                "curves": "Loss per epoch, your run",
                "fit": "Your network's curve",
            },
            last=True,
        )


def _name(rate: float) -> str:
    return f"η = {v.rate_text(rate)}"


def _regions_steps(
    problem: lm.Problem, runs: list[lm.Run], verdict: lm.Verdict, yours: lm.Run, epochs: int
) -> Iterator[Step]:
    """The regions of the sweep, one run of each, and the smallest diverging rate up close."""
    rates = v.rates_plot(runs, verdict, yours)
    table = v.regions_table(runs, verdict)
    best = runs[verdict.best] if verdict.best is not None else None
    data: dict[str, PanelData] = {"rates": rates, "numbers": table}
    if best is not None:
        data["curves"] = v.curves_plot([best], epochs)
        data["fit"] = v.fit_plot(problem, [(_name(best.rate), best.fit)])
    yield Step(
        "Four regions, read off the sweep",
        texts.regions(runs, verdict, yours),
        data,
        figures={
            "best_rate": verdict.best_rate,
            "best_loss": verdict.best_loss,
            **{f"count_{r.replace(' ', '_')}": float(len(verdict.indices(r))) for r in lm.REGIONS},
        },
        notes=texts.REGIONS_NOTES,
        titles={
            "rates": "Final validation loss against rate: regions",
            "numbers": "Regions",
            "curves": "Loss per epoch, the best rate",
        },
    )
    reps = lm.representatives(runs, verdict)
    errors = [v.fit_error(problem, run.fit) for _, run in reps]
    yield Step(
        "What each region looks like",
        texts.kinds(reps, errors, epochs),
        {
            "curves": v.curves_plot(
                [run for _, run in reps], epochs, training=False, names=[r for r, _ in reps]
            ),
            "fit": v.fit_plot(
                problem, [(r, run.fit) for r, run in reps], v.lost([run for _, run in reps])
            ),
        },
        figures={
            **{f"rep_{r.replace(' ', '_')}": run.rate for r, run in reps},
            **{
                f"distance_{r.replace(' ', '_')}": e for (r, _), e in zip(reps, errors, strict=True)
            },
        },
        titles={"curves": "Validation loss per epoch, one rate per region"},
    )
    gone = verdict.indices("diverged")
    diverging = [runs[i] for i in gone if runs[i].stop is not None]
    trace = lm.blow_up(problem, diverging[0].rate) if diverging else None
    data = {}
    if trace is not None:
        data = {
            "curves": fv.blowup_plot(trace),
            "numbers": fv.blowup_table(trace),
            "fit": fv.blowup_fits(problem, trace),
        }
    yield Step(
        "Divergence, update by update",
        texts.divergence(trace),
        data,
        figures={"blowup_updates": float(len(trace.batch_loss)) if trace else 0.0},
        notes=texts.DIVERGENCE_NOTES,
        titles=(
            {
                "curves": f"Batch loss per update, η = {v.rate_text(trace.rate)}",
                "numbers": "The last updates",
                "fit": f"The network's curve, η = {v.rate_text(trace.rate)}",
            }
            if trace
            else {}
        ),
    )


def _range_steps(
    problem: lm.Problem,
    runs: list[lm.Run],
    verdict: lm.Verdict,
    yours: lm.Run,
    test: rt.RangeTest,
    epochs: int,
) -> Iterator[Step]:
    """The range test, how to read it, and its suggestions trained like the sweep."""
    p = test.picks
    yield Step(
        "The range test",
        texts.range_test(test),
        {
            "rates": v.rates_plot([], None, None, fv.finder_series(test, picks=False), test.rates),
            "curves": fv.schedule_plot(test),
            "numbers": fv.finder_table(test),
            "fit": v.fit_plot(
                problem,
                [
                    (f"lowest, update {p.lowest + 1}", test.fit_lowest),
                    (f"stop, update {test.batches}", test.fit_end),
                ],
            ),
        },
        figures={"finder_updates": float(test.batches), "finder_factor": test.factor},
        notes=texts.range_notes(test),
        titles={
            "rates": "Range test: training loss against rate",
            "curves": "The range test's rate per update",
            "numbers": "The range test",
            "fit": "The network's curve during the range test",
        },
    )
    yield Step(
        "Reading the range test",
        texts.reading(test),
        {
            "rates": v.rates_plot(
                [], None, None, fv.finder_series(test, picks=True), test.rates, fv.pick_notes(test)
            )
        },
        figures={
            "finder_minimum": p.minimum_rate,
            "finder_tenth": p.tenth,
            "finder_steepest": p.steepest_rate,
        },
        notes=texts.READING_NOTES,
    )
    trained = [
        ("lowest ÷ 10", lm.train(problem, p.tenth, epochs)),
        ("steepest", lm.train(problem, p.steepest_rate, epochs)),
        ("lowest", lm.train(problem, p.minimum_rate, epochs)),
    ]
    sweep_updates = sum(r.updates for r in runs)
    marks, notes = fv.trained_picks(trained)
    yield Step(
        "The range test against the sweep",
        texts.compare(test, trained, verdict, sweep_updates),
        {
            "rates": v.rates_plot(runs, verdict, None, [marks], (), notes),
            "numbers": fv.picks_table(test, trained, verdict),
            "curves": v.curves_plot(
                [run for _, run in trained], epochs, training=False, names=[n for n, _ in trained]
            ),
            "fit": v.fit_plot(
                problem, [(name, run.fit) for name, run in trained], v.lost([r for _, r in trained])
            ),
        },
        figures={
            **{f"pick_final_{i}": run.final for i, (_, run) in enumerate(trained)},
            "sweep_updates": float(sweep_updates),
        },
        titles={
            "rates": "The suggestions (◆) trained, on the sweep",
            "numbers": "The suggestions, trained",
            "curves": "Validation loss per epoch, the suggestions",
            "fit": "The suggestions' curves after training",
        },
    )
