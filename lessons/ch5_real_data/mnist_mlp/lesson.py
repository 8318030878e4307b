"""Lesson 5.1: MNIST with an MLP: train live, read the weights, the mistakes, and your digit.

A live lesson: step 1 shows the data (a training digit of each class, the untrained softmax of
the outlined one); each following step trains one epoch (mini-batch Adam on the engine's
``Sequential``) and shows the curves (solid training, dashed validation), the first layer's
weights as 28x28 images, the validation confusion matrix and the digits of the chosen cell with
their softmax bars (one image grid holds whichever digits a step is about).  After the last
epoch the test digits are scored once; then every step classifies what the learner drew on the
canvas, preprocessed like MNIST (:mod:`.preprocess`).  Of the controls (:mod:`.controls`), the
hidden size and the number of epochs restart the run; the learning rate and batch size apply
from the next epoch; the chosen cell (a click on the matrix), the chosen image and the drawing
are view controls (``Effect.VIEW``): the newest step is redrawn for them at once with the
model it was computed with, without training (``redraw``), and the steps after it read them.
Back shows the exact earlier steps (an older step keeps its view).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from engine.core.events import DivergenceError
from lessons.ch5_real_data.mnist_mlp import preprocess, texts, views
from lessons.ch5_real_data.mnist_mlp.controls import CONTROLS
from lessons.core.base import (
    Bars,
    ImageGrid,
    Lesson,
    Plot,
    Step,
    Task,
    TaskResult,
    Values,
)
from lessons.core.panels import Canvas, CanvasData, PanelData
from lessons.shared.code import model_code
from lessons.shared.mnist import Trainer, digits, scores

# The digits the first step shows before a click on the matrix: images, labels, softmax.
Sample = tuple[np.ndarray, np.ndarray, np.ndarray] | None
CELL_TITLES = {"digits": "Digits of the chosen cell", "softmax": "Softmax of the outlined digit"}
SAMPLE_TITLES = {
    "digits": "Training digits (click a cell for its digits)",
    "softmax": "Softmax of the outlined digit (untrained)",
}
DRAWN_TITLES = {
    "digits": "Your digit (28x28), two mean training digits",
    "softmax": "Softmax of your digit",
}


class MnistMlp(Lesson):
    """Train a one-hidden-layer MLP on MNIST digits live; weights, confusion, mistakes, drawing."""

    id = "mnist_mlp"
    chapter = 5
    number = "5.1"
    title = "MNIST with an MLP"
    summary = (
        "A multi-layer perceptron learns to read handwritten digits from the MNIST subset, one "
        "epoch per step: loss and accuracy curves, each hidden neuron's weights as a 28x28 "
        "image, the confusion matrix (click a cell to see its digits), the mistakes with their "
        "softmax bars, and a pad to draw your own digit, preprocessed like MNIST and classified."
    )
    live = True
    seed = 5
    controls = CONTROLS
    panels = (  # six panels: one grid shows a step's digits (was two: samples and gallery)
        Plot("curves", "Loss and accuracy", x_label="epoch", y_label="loss, accuracy", stretch=3),
        ImageGrid(
            "weights",
            "First-layer weights (orange +, blue −)",
            columns=6,
            colormap="diverging",
            stretch=4,
        ),
        Plot(
            "confusion",
            "Confusion matrix (click a cell)",
            x_label="predicted",
            y_label="true",
            aspect_locked=True,
            legend=False,
            pick="cell",
            pick_point=True,
            stretch=4,
            help="Digits of each true class (row) by predicted class (column); click a cell "
            "to see its digits.",
        ),
        ImageGrid("digits", "Digits of the chosen cell", columns=4, stretch=4),
        Bars(
            "softmax",
            "Softmax of the outlined digit",
            y_label="p",
            value_format="{:.1f}",
            stretch=4,
        ),
        Canvas("canvas", "Draw a digit", control="drawing", stretch=3),
    )
    layout = (3, 3)
    quiz = texts.QUIZ
    task = Task(
        "accuracy",
        f"Reach {texts.pct(texts.TASK_ACCURACY)} validation accuracy: change the hidden "
        "neurons, epochs, learning rate or batch size.",
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        """Every step is yielded through ``show``: built by a function of the control values
        (only the view controls matter to it) that ``redraw`` calls again while the generator
        waits at that step, so a redrawn step is the step these values would have given."""
        model_seed = int(rng.integers(2**31))
        data = digits()
        epochs, hidden = int(c.epochs), int(c.hidden)
        trainer = Trainer(hidden, float(c.rate), model_seed)
        keys = ("epoch", "train_loss", "val_loss", "train_acc", "val_acc")
        history: dict[str, list[float]] = {k: [] for k in keys}
        best: dict[str, float] = {"epoch": 0.0, "acc": 0.0}
        kept: list[np.ndarray] = []  # the weights of the best validation epoch

        def show(view: Callable[[Values], Step]) -> Step:
            def coded(cv: Values) -> Step:  # every step carries its model as code
                return replace(view(cv), code=model_code(trainer.model, epochs, int(cv.batch)))

            return self.show(c, coded)

        def canvas(cv: Values, caption: str = "") -> CanvasData:
            if trainer.epochs < epochs:
                return CanvasData(tuple(cv.drawing), "classified once training is done")
            return CanvasData(tuple(cv.drawing), caption or "classified from the next step on")

        def analysis(
            x: np.ndarray, y: np.ndarray, probs: np.ndarray, cv: Values, sample: Sample = None
        ) -> tuple[dict[str, PanelData], dict[str, str]]:
            """Matrix, digits of the chosen cell (or ``sample``'s digits until a cell is
            clicked), bars and pad for the view controls; with the titles of the grid and bars."""
            pred = probs.argmax(axis=1)
            counts = views.confusion(y, pred)
            true, guess = views.chosen_cell(counts, tuple(cv.cell))
            shown: dict[str, PanelData] = {
                "confusion": views.confusion_plot(counts, (true, guess)),
                "canvas": canvas(cv),
            }
            if sample is not None and not views.clicked(tuple(cv.cell)):
                return {**shown, **views.sample_panels(*sample, int(cv.image))}, SAMPLE_TITLES
            rows = np.flatnonzero((y == true) & (pred == guess))[: views.GALLERY]
            chosen = min(int(cv.image), max(len(rows), 1)) - 1
            if len(rows):
                p = probs[rows[chosen]]
                caption = f"true {true}, predicted {guess} (p = {p[guess]:.2f})"
            else:
                p, caption = np.full(10, 0.1), f"no digit {true} was called {guess}"
            shown["digits"] = views.gallery(x[rows], probs[rows], true, guess, chosen)
            shown["softmax"] = views.softmax_bars(p, caption)
            return shown, CELL_TITLES

        def record() -> tuple[dict[str, PanelData], dict[str, float], np.ndarray]:
            train = scores(trainer.probs(data.x_train), data.y_train)
            val_probs = trainer.probs(data.x_val)
            val = scores(val_probs, data.y_val)
            history["epoch"].append(float(trainer.epochs))
            for key, value in zip(
                keys[1:], (train.loss, val.loss, train.accuracy, val.accuracy), strict=True
            ):
                history[key].append(value)
            if trainer.epochs and val.accuracy > best["acc"]:
                best["epoch"], best["acc"] = float(trainer.epochs), val.accuracy
                kept[:] = trainer.model.get_weights()
            panels: dict[str, PanelData] = {
                "curves": views.curves(history, epochs),
                "weights": views.weight_images(trainer.kernel()),
            }
            figures = {
                "epoch": float(trainer.epochs),
                "train_loss": train.loss,
                "val_loss": val.loss,
                "train_accuracy": train.accuracy,
                "val_accuracy": val.accuracy,
            }
            return panels, figures, val_probs

        def task() -> TaskResult:
            done = best["acc"] >= texts.TASK_ACCURACY
            return TaskResult(done, texts.task_message(done, best["acc"]))

        def validation(
            title: str,
            text: str,
            panels: dict[str, PanelData],
            probs: np.ndarray,
            titles: dict[str, str] | None = None,
            sample: Sample = None,
            **extra: Any,
        ) -> Callable[[Values], Step]:
            """A training step: ``panels`` and the validation analysis for the view controls."""

            def view(cv: Values) -> Step:
                shown, named = analysis(data.x_val, data.y_val, probs, cv, sample)
                return Step(
                    title, text, {**panels, **shown}, titles={**named, **(titles or {})}, **extra
                )

            return view

        def stopped(text: str, at: float) -> Callable[[Values], Step]:
            return lambda cv: Step(
                "Training diverged",
                text,
                {"canvas": canvas(cv)},
                figures={"epoch": at},
                stop=True,
            )

        panels, figures, probs = record()
        params = trainer.model.count_params()
        intro = texts.INTRO.format(
            train=len(data.y_train),
            val=len(data.y_val),
            test=len(data.y_test),
            hidden=hidden,
            params=params,
            acc=texts.pct(figures["val_accuracy"]),
        )
        order = views.sample_order(data.y_train, 1)
        sample = (data.x_train[order], data.y_train[order], trainer.probs(data.x_train[order]))
        yield show(
            validation(
                "Ten digits, 784 numbers each",
                intro,
                panels,
                probs,
                sample=sample,
                figures=figures,
                notes=texts.INTRO_NOTES,
            )
        )
        while trainer.epochs < epochs:
            rate = float(c.rate)
            try:
                trainer.epoch(int(c.batch), rate)
            except DivergenceError as err:
                while float(c.rate) == rate:  # wait for another learning rate
                    yield show(stopped(texts.diverged(err.loss, rate), float(trainer.epochs)))
                trainer = Trainer(hidden, float(c.rate), model_seed)
                for column in history.values():
                    column.clear()
                best.update(epoch=0.0, acc=0.0)
                kept.clear()
                panels, figures, probs = record()
                fresh = f"A new start with $\\eta = {c.rate:g}$. Press Play."
                yield show(validation("Fresh weights", fresh, panels, probs, figures=figures))
                continue
            panels, figures, probs = record()
            done = trainer.epochs
            mean = float(np.mean(trainer.seconds))
            val_loss = history["val_loss"]
            low = int(np.nanargmin(val_loss))
            rising = (
                int(history["epoch"][low])
                if done - low >= 2
                and val_loss[-1] > val_loss[low]
                and history["train_loss"][-1] < history["train_loss"][low]
                else None
            )
            text = texts.epoch_text(
                done,
                epochs,
                trainer.seconds[-1],
                mean * (epochs - done),
                history["val_acc"][-1],
                history["train_acc"][-1],
                int(best["epoch"]),
                rising,
                (history["train_loss"][0], history["train_loss"][-1]),
                trainer.dead(data.x_val),
            )
            yield show(
                validation(
                    f"Epoch {done} of {epochs}",
                    text,
                    panels,
                    probs,
                    figures=figures,
                    notes=texts.EPOCH_NOTES.format(
                        blank=int((data.x_train.max(axis=0) == 0).sum())
                    ),
                    titles={"curves": f"Loss and accuracy: epoch {done} of {epochs}"},
                    task=task(),
                )
            )

        if kept:  # validation picks the epoch: its weights are tested and used from here on
            trainer.model.set_weights(kept)
        test_probs = trainer.probs(data.x_test)
        test = scores(test_probs, data.y_test)
        weights = views.weight_images(trainer.kernel())
        counts = views.confusion(data.y_test, test_probs.argmax(axis=1))
        pair = views.chosen_cell(counts, (-1.0, -1.0))
        text = texts.test_text(
            test.accuracy, int(best["epoch"]), best["acc"], pair, int(counts[pair])
        )
        result = task()

        def tested(cv: Values) -> Step:
            shown, named = analysis(data.x_test, data.y_test, test_probs, cv)
            return Step(
                "The test digits, once",
                text,
                {**shown, "weights": weights},
                figures={"test_accuracy": test.accuracy, "test_loss": test.loss},
                titles={
                    **named,
                    "confusion": "Test confusion matrix (click a cell)",
                    "weights": f"First-layer weights, epoch {int(best['epoch'])} "
                    "(orange +, blue −)",
                },
                stop=True,
                task=result,
            )

        yield show(tested)
        means = np.stack([data.x_train[data.y_train == d].mean(axis=0) for d in range(10)])

        def drawing(cv: Values) -> Step:
            """A drawing step: the drawing classified by the kept weights."""
            image = preprocess.digit_of(tuple(cv.drawing))
            drawn = bool(image.any())
            probs = trainer.probs(image.reshape(1, -1).astype(np.float32))[0]
            order = np.argsort(probs)[::-1]
            shown, named = analysis(data.x_test, data.y_test, test_probs, cv)
            shown["canvas"] = canvas(cv, "classified as you draw")
            if drawn:  # the grid and bars turn to the drawing; undrawn, they keep the cell's
                shown["digits"] = views.drawn_grid(image, means, order)
                shown["softmax"] = views.softmax_bars(
                    probs, f"your digit: {int(order[0])} (p = {probs[order[0]]:.2f})"
                )
                named = DRAWN_TITLES
            return Step(
                "Your digit" if drawn else "Draw a digit",
                texts.draw_text(
                    drawn,
                    int(order[0]),
                    float(probs[order[0]]),
                    int(order[1]),
                    float(probs[order[1]]),
                ),
                shown,
                figures={"drawn": float(drawn), "predicted": float(order[0]) if drawn else -1.0},
                titles=named,
                notes=texts.DRAW_NOTES,
                task=result,
            )

        while True:
            yield show(drawing)
