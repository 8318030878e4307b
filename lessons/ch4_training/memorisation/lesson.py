"""Lesson 4.8: memorisation vs generalisation: the same network on true and on shuffled labels.

Two copies of one network (same architecture, same initial weights, same batch order) train
side by side on a small set of 8x8 digits: one on the true labels, one on the labels shuffled
once by a seeded permutation.  Training accuracy (solid) and test accuracy (dashed) are drawn
after every epoch.  The lesson stops at checkpoints the runs decide: the epoch at which each
run first gets every training label right, the end of the budget (seen as loss: the memoriser
is confidently wrong on new digits) and a summary.  It is live: the player trains in its
worker, each checkpoint step a few dozen epochs of two small networks.

The experiment is Zhang et al.'s (ICLR 2017) at the size of a laptop: a network that can fit
random labels perfectly scores chance on new data, so its training accuracy alone says nothing
about generalisation.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from engine.core.events import DivergenceError
from engine.data.types import DatasetError
from lessons.ch4_training.memorisation import experiment as ex
from lessons.ch4_training.memorisation import texts, views
from lessons.core.base import (
    Button,
    ImageGrid,
    Lesson,
    PanelData,
    Plot,
    Slider,
    Step,
    Table,
    TaskResult,
    Values,
)

ACCURACY_TITLE = "Accuracy per epoch (solid: training, dashed: test)"
LOSS_TITLE = "Cross-entropy per epoch (solid: training, dashed: test)"


class Memorisation(Lesson):
    """The same network learns true digit labels and memorises shuffled ones."""

    id = "memorisation"
    chapter = 4
    number = "4.8"
    title = "Memorisation vs generalisation"
    summary = (
        "Shuffle the labels of real handwritten digits and train the same network on them "
        "beside a copy that gets the true labels. Both reach 100 % training accuracy; only the "
        "true-label network does better than chance on digits it never saw. A network that can "
        "memorise anything shows that training accuracy alone proves nothing."
    )
    live = True  # trained in the player's worker, one checkpoint at a time
    seed = 48
    controls = (
        Slider(
            "train_size",
            "Training images",
            100,
            600,
            default=300,
            step=100,
            integer=True,
            help="How many training digits (a tenth of them of each digit); restarts.",
        ),
        Slider(
            "hidden",
            "Hidden neurons",
            16,
            512,
            default=256,
            step=16,
            integer=True,
            help="Neurons in the one hidden layer: the network's room to memorise; restarts.",
        ),
        Slider(
            "rate",
            "Learning rate (Adam)",
            0.0005,
            0.05,
            default=texts.TASK_RATE,
            log=True,
            help="The step size of both networks' optimizer; restarts.",
        ),
        Slider(
            "epochs",
            "Epochs (the budget)",
            20,
            200,
            default=texts.TASK_BUDGET,
            step=20,
            integer=True,
            help="How long both networks train; restarts.",
        ),
        Button(
            "reshuffle",
            "Shuffle the labels again",
            help="Another random permutation of the training labels (restarts).",
        ),
    )
    panels = (
        Plot(
            "curves",
            ACCURACY_TITLE,
            x_label="epoch",
            y_label="accuracy (%)",
            stretch=3,
            help="Blue: true labels; yellow: shuffled labels. Solid: training; dashed: test "
            "digits (real labels). A dot: the epoch a run first fits every training label.",
        ),
        ImageGrid(
            "training",
            "Training digits (true → shuffled: answer)",
            columns=views.COLUMNS,
            stretch=2,
            help="Each training digit's true label, the shuffled label it got, and the "
            "shuffled run's answer; framed where that answer is the shuffled label.",
        ),
        Table("results", "The two runs now", stretch=3),
        ImageGrid(
            "test",
            "Test digits (digit: true run | shuffled)",
            columns=views.COLUMNS,
            stretch=2,
            help="Each test digit's real label, then the answers of the true-label run and "
            "of the shuffled-label run; framed where the shuffled run is right.",
        ),
    )
    layout = (2, 2)
    quiz = texts.QUIZ
    task = texts.TASK

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        try:
            exp = start(c, rng)
        except DatasetError as err:
            yield Step("The digits are missing", texts.missing_data(str(err)), stop=True, last=True)
            return
        budget = int(c.epochs)
        yield self._frame(exp, budget, "Real digits, shuffled labels", texts.intro(exp))
        while exp.epochs < budget:
            try:
                exp.epoch()
            except DivergenceError as err:
                yield self._frame(
                    exp,
                    budget,
                    "Training diverged",
                    texts.diverged(exp.epochs + 1, err.loss, float(c.rate)),
                    stop=True,
                    last=True,
                )
                return
            fitted = tuple(run for run in exp.runs if run.fit_epoch == exp.epochs)
            if fitted:
                yield self._frame(
                    exp,
                    budget,
                    texts.checkpoint_title(exp, fitted),
                    texts.checkpoint(exp, fitted),
                    notes=texts.CHECKPOINT_NOTES,
                )
        task = _task(exp, c)
        yield self._frame(
            exp,
            budget,
            texts.ending_title(exp),
            texts.ending(exp),
            notes=texts.ENDING_NOTES,
            loss=True,
            task=task,
        )
        yield self._frame(
            exp,
            budget,
            "Memorising is not learning",
            texts.summary(exp),
            notes=texts.SUMMARY_NOTES,
            task=task,
            last=True,
        )

    @staticmethod
    def _frame(
        exp: ex.Experiment,
        budget: int,
        title: str,
        text: str,
        *,
        notes: str = "",
        loss: bool = False,
        task: TaskResult | None = None,
        stop: bool = False,
        last: bool = False,
    ) -> Step:
        """A step showing both runs as they are now (the curves as loss when ``loss``)."""
        t, sh = exp.true, exp.shuffled
        data: dict[str, PanelData] = {
            "curves": views.loss_plot(exp, budget) if loss else views.accuracy_plot(exp, budget),
            "training": views.training_grid(exp),
            "results": views.results_table(exp, final=last or loss or stop),
            "test": views.test_grid(exp),
        }
        return Step(
            title,
            text,
            data,
            task=task,
            figures={
                "epoch": float(exp.epochs),
                "true_train_accuracy": t.train_acc[-1],
                "true_test_accuracy": t.test_acc[-1],
                "shuffled_train_accuracy": sh.train_acc[-1],
                "shuffled_test_accuracy": sh.test_acc[-1],
                "true_test_loss": t.test_loss[-1],
                "shuffled_test_loss": sh.test_loss[-1],
                "true_fit_epoch": float(t.fit_epoch or 0),
                "shuffled_fit_epoch": float(sh.fit_epoch or 0),
                "kept_labels": float(exp.split.kept),
            },
            notes=notes or texts.intro_notes(exp),
            titles={"curves": LOSS_TITLE if loss else ACCURACY_TITLE},
            stop=stop,
            last=last,
        )


def start(c: Values, rng: np.random.Generator) -> ex.Experiment:
    """The lesson's experiment for control values ``c``, untrained (scored at epoch 0).

    Seeds come from ``rng``, the lesson's generator: the same seed gives the same training
    images, the same shuffle (changed by the reshuffle button) and the same initial weights.
    """
    data_seed, model_seed, shuffle_seed = (int(v) for v in rng.integers(2**31, size=3))
    split = ex.make_split(int(c.train_size), data_seed, [shuffle_seed, int(c.reshuffle)])
    return ex.Experiment(split, int(c.hidden), float(c.rate), model_seed)


def _task(exp: ex.Experiment, c: Values) -> TaskResult:
    """The "try it" task: true labels fitted, shuffled ones not, at the default rate and budget."""
    rate_kept = abs(float(c.rate) - texts.TASK_RATE) < 1e-9
    budget_ok = int(c.epochs) >= texts.TASK_BUDGET
    done = rate_kept and budget_ok and exp.true.fitted and not exp.shuffled.fitted
    return TaskResult(done, texts.task_message(done, exp, rate_kept, budget_ok))
