"""Lesson 3.1: the playground: train a small network on 2-D points and watch every neuron learn.

A live lesson: one step per epoch.  Each epoch shuffles the training points, cuts them into
mini-batches and takes one SGD step per batch on the engine's ``Sequential``; then every
neuron is evaluated over the plane in one batched forward pass, so the diagram shows each
neuron's output as a small heat map, the edges show the weights, and the decision map shows
the output.  The data, features, topology and activation restart the run (the same seed gives
the same run); the learning rate, L2 strength, batch size and the display toggles are read by
the next epoch.  Back shows the exact earlier epochs, weights included.

Besides the four two-class sets there are k-class sets (blobs, a k-arm spiral; the classes
control sets k) and "your data": a table the learner imported with two numeric features
(``self.imports``, see :mod:`lessons.core.userdata`).  With more than two classes the output
layer is a softmax over k neurons trained with categorical cross-entropy; the per-class table
shows each class's accuracy and the confusion matrix of the test points.

After every epoch the lesson keeps a checkpoint (:meth:`Playground.checkpoint`: weights, last
gradients, optimizer state, the shuffling generator, counters and the loss history), so a long
run continues where it was instead of training every epoch again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from engine.core import backend
from engine.data.synthetic.sets import MultiClass
from engine.data.synthetic.sets import Playground as PointSetName
from engine.nn.optimizers import SGD
from lessons.ch3_mlp.playground import data as more_data
from lessons.ch3_mlp.playground import texts
from lessons.core.base import (
    Button,
    Choice,
    Effect,
    Lesson,
    LessonState,
    Network,
    Plot,
    Slider,
    Step,
    Table,
    Task,
    TaskResult,
    Toggle,
    Values,
)
from lessons.shared.mlp import net
from lessons.shared.mlp.classes import confusion, confusion_table, with_class_rows
from lessons.shared.mlp.views import boundary_plot, loss_plot, network_data, stats_table

TASK_LOSS = 0.1  # the spiral task: test loss below this
DATA_LABELS: dict[str, PointSetName] = {
    "circle": "circle",
    "XOR": "xor",
    "two gaussians": "gaussians",
    "spiral": "spiral",
}
K_CLASS_LABELS: dict[str, MultiClass] = {"blobs": "blobs", "k-arm spiral": "arms"}
USER_DATA = "your data"
CHECKPOINT_VERSION = 1


def _feature_toggles() -> tuple[Toggle, ...]:
    return tuple(
        Toggle(
            f.control,
            f"Input {f.label}",
            default=f.control in ("x1", "x2"),
            help=f"Feed the feature {f.label} to the network (restarts training).",
        )
        for f in net.FEATURES
    )


class Playground(Lesson):
    """Train a multi-layer perceptron on 2-D points and see every neuron, weight and loss."""

    id = "playground"
    chapter = 3
    number = "3.1"
    title = "The playground"
    summary = (
        "A multi-layer perceptron learns to separate two classes of points in the plane. Every "
        "neuron is drawn as a map of its output over the plane, every weight as a line you can "
        "hover over, and the loss of the training and test points is plotted epoch by epoch. "
        "Change the data, the input features, the layers and neurons, the activation, the "
        "learning rate, L2 and the batch size, and watch what the network does with them."
    )
    live = True
    seed = 3
    controls = (
        Choice(
            "data",
            "Data set",
            options=(*DATA_LABELS, *K_CLASS_LABELS, USER_DATA),
            default="circle",
            help="Which points to classify (restarts training). 'your data' is the table you "
            "imported with Data ▸ Import CSV….",
        ),
        Slider(
            "classes",
            "Classes (blobs, k-arm spiral)",
            2,
            more_data.MAX_CLASSES,
            default=3,
            integer=True,
            help="How many classes the blobs and the k-arm spiral have (restarts).",
        ),
        Slider("noise", "Noise", 0.0, 0.5, default=0.0, step=0.05, help="Jitter of the points."),
        Slider(
            "train_share",
            "Training share",
            10.0,
            90.0,
            default=50.0,
            step=10.0,
            integer=True,
            unit="%",
            help="Percentage of the points used for training; the rest are test points.",
        ),
        Button("regenerate", "Regenerate the points", help="Draw new points (restarts)."),
        *_feature_toggles(),
        Slider(
            "layers",
            "Hidden layers",
            0,
            6,
            default=2,
            integer=True,
            help="Number of hidden layers (also the +/- buttons on the diagram; restarts).",
        ),
        Slider(
            "neurons",
            "Neurons per hidden layer",
            1,
            8,
            default=4,
            integer=True,
            help="Neurons in each hidden layer (also the +/- buttons on the diagram; restarts).",
        ),
        Choice(
            "activation",
            "Activation",
            options=net.ACTIVATIONS,
            default="tanh",
            help="The hidden neurons' activation function (restarts).",
        ),
        Slider(
            "rate",
            "Learning rate η",
            0.0001,
            10.0,
            default=0.03,
            log=True,
            effect=Effect.LIVE,
            help="Step size of each update; applies from the next epoch.",
        ),
        Slider(
            "l2",
            "L2 strength λ",
            0.0,
            0.1,
            default=0.0,
            step=0.001,
            effect=Effect.LIVE,
            help="Weight decay: each update also shrinks every weight by η·λ·w.",
        ),
        Slider(
            "batch",
            "Batch size",
            1,
            30,
            default=10,
            integer=True,
            effect=Effect.LIVE,
            help="Training points per weight update; applies from the next epoch.",
        ),
        Toggle("show_test", "Show test points", default=True, effect=Effect.LIVE),
        Toggle("discretize", "Discretize the output", default=False, effect=Effect.LIVE),
    )
    panels = (
        Network(
            "network",
            "Network: each neuron's output over the plane",
            layers_control="layers",
            neurons_control="neurons",
            layer_range=(0, 6),
            neuron_range=(1, 8),
            stretch=3,
            help="Hover over a line for its weight and last gradient; click a neuron to enlarge.",
        ),
        Plot(
            "boundary",
            "Output (● training, ▲ test)",
            x_label="x₁",
            y_label="x₂",
            aspect_locked=True,
            legend=False,
            stretch=2,
            help="The network's probability of orange over the plane; the line is p = 0.5.",
        ),
        Plot("loss", "Loss per epoch", x_label="epoch", y_label="cross-entropy", stretch=2),
        Table("numbers", "Every number", stretch=2),
        Table(
            "confusion",
            "Confusion matrix (test points)",
            stretch=3,
            help="How many test points of each true class (row) went to each predicted class "
            "(column); the highlighted diagonal holds the correct ones.",
        ),
    )
    layout = (2, 3)
    quiz = texts.QUIZ
    task = Task(
        "spiral",
        "Solve the spiral: choose the spiral data set, then find input features, a topology and "
        f"settings with which the test loss falls below {TASK_LOSS}.",
    )

    _save: Callable[[], LessonState] | None = None  # the state now, once an epoch is shown

    def checkpoint(self) -> LessonState | None:
        """The training state after the newest epoch; none before training or while diverged."""
        return None if self._save is None else self._save()

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        data_seed = int(rng.integers(2**31))
        model_seed = int(rng.integers(2**31))
        seeds = (data_seed, int(c.regenerate))
        data_name, hint = str(DATA_LABELS.get(c.data, c.data)), None
        if c.data in DATA_LABELS:
            noise, share = float(c.noise), float(c.train_share) / 100.0
            data = net.make_data(DATA_LABELS[c.data], noise, share, seeds)
        elif c.data in K_CLASS_LABELS:
            data_name = K_CLASS_LABELS[c.data]
            k, noise, share = int(c.classes), float(c.noise), float(c.train_share) / 100.0
            data = more_data.k_class_data(data_name, k, noise, share, seeds)
        else:
            entry = self.imports.for_playground()
            placed = more_data.user_data(entry)
            if isinstance(placed, more_data.Unusable):
                yield Step(placed.title, placed.text, stop=True, last=True)  # length 1, known
                return
            data, data_name = placed, "user"
            if entry is not None and entry.table is not None:
                hint = more_data.user_intro(entry.table, data)
        chosen = [f for f in net.FEATURES if c[f.control]]
        hidden = (int(c.neurons),) * int(c.layers)
        if not chosen:
            yield Step(
                "No inputs",
                texts.NO_INPUTS,
                {"boundary": boundary_plot(data, None)},
                stop=True,
                last=True,
            )
            return

        optimizer = SGD(float(c.rate), weight_decay=float(c.l2))
        trainer = net.Trainer(data, chosen, hidden, str(c.activation), model_seed, optimizer)
        inputs = trainer.input_maps()
        history: tuple[list[float], list[float], list[float]] = ([], [], [])
        spiral = data_name == "spiral"

        def frame(title: str, text: str, stop: bool = False, notes: str = "") -> Step:
            scores = trainer.scores()
            probe = trainer.probe()
            for column, value in zip(
                history, (trainer.epochs, scores.train_loss, scores.test_loss), strict=True
            ):
                column.append(value)
            task = None
            if spiral:
                solved = scores.test_loss < TASK_LOSS
                task = TaskResult(solved, texts.task_message(solved, scores.test_loss))
            rate, l2, batch = float(c.rate), float(c.l2), int(c.batch)
            counts = confusion(trainer, data)
            return Step(
                title,
                text,
                {
                    "network": network_data(trainer, probe, inputs),
                    "boundary": boundary_plot(
                        data,
                        probe[-1][0] if data.classes <= 2 else probe[-1],
                        show_test=bool(c.show_test),
                        discretize=bool(c.discretize),
                    ),
                    "loss": loss_plot(*history, target=TASK_LOSS if spiral else None),
                    "numbers": with_class_rows(
                        stats_table(trainer, scores, rate, l2, batch), counts, data
                    ),
                    "confusion": confusion_table(counts, data),
                },
                task=task,
                figures={
                    "epoch": float(trainer.epochs),
                    "train_loss": scores.train_loss,
                    "test_loss": scores.test_loss,
                    "test_accuracy": scores.test_accuracy,
                    "classes": float(data.classes),
                },
                stop=stop,
                notes=notes,
            )

        def epoch_step() -> Step:
            return frame(f"Epoch {trainer.epochs}", texts.training(trainer, data_name, c, hint))

        def save() -> LessonState:
            return _training_state(trainer, optimizer, history, data)

        if self.resume is not None:  # continue a saved run at its epoch (ValueError: no fit)
            _restore(self.resume, trainer, optimizer, history, data)
            self._save = save
            yield epoch_step()  # the saved epoch's step again, as it was
        else:
            yield frame(
                "Before training",
                texts.intro(trainer, data_name, hint),
                notes=texts.intro_notes(trainer, data_name),
            )
        while True:
            optimizer.learning_rate = float(c.rate)
            optimizer.weight_decay = float(c.l2)
            try:
                trainer.epoch(int(c.batch))
            except net.DivergenceError as err:
                self._save = None
                rate = float(c.rate)
                yield frame("Training diverged", texts.diverged(err.loss, rate), stop=True)
                while float(c.rate) == rate:  # wait for a smaller learning rate
                    yield frame("Training diverged", texts.diverged(err.loss, rate), stop=True)
                trainer = net.Trainer(
                    data, chosen, hidden, str(c.activation), model_seed, optimizer
                )
                optimizer.iterations = 0
                for column in history:
                    column.clear()
                yield frame("Fresh weights", texts.fresh_start(float(c.rate)))
                continue
            self._save = save
            yield epoch_step()


def _digest(data: net.PlaneData) -> str:
    """Which points a checkpoint was trained on."""
    h = hashlib.sha256()
    for array in (data.x_train, data.y_train, data.x_test, data.y_test):
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def _training_state(
    trainer: net.Trainer,
    optimizer: SGD,
    history: tuple[list[float], list[float], list[float]],
    data: net.PlaneData,
) -> LessonState:
    """Copies of everything the next epoch and its step depend on (see Playground.checkpoint)."""
    params = trainer.model.params
    return {
        "version": CHECKPOINT_VERSION,
        "data": _digest(data),
        "weights": trainer.model.get_weights(),
        "grads": [None if p.grad is None else backend.to_numpy(p.grad).copy() for p in params],
        "optimizer": {
            "iterations": optimizer.iterations,
            "state": [optimizer.state_of(p) for p in params],
        },
        "shuffle": trainer.shuffle.bit_generator.state,
        "epochs": trainer.epochs,
        "updates": trainer.updates,
        "history": [
            np.asarray(column, dtype=np.int64 if i == 0 else np.float64)
            for i, column in enumerate(history)
        ],
    }


def _restore(
    state: LessonState,
    trainer: net.Trainer,
    optimizer: SGD,
    history: tuple[list[float], list[float], list[float]],
    data: net.PlaneData,
) -> None:
    """Put a saved training state back (ValueError if it was not made for this data and net)."""
    if state.get("version") != CHECKPOINT_VERSION or state.get("data") != _digest(data):
        raise ValueError("the checkpoint was made for other data")
    params = trainer.model.params
    grads: list[Any] = state["grads"]
    saved = state["optimizer"]
    if len(grads) != len(params) or len(saved["state"]) != len(params):
        raise ValueError("the checkpoint was made for another network")
    trainer.model.set_weights(state["weights"])
    xp = backend.xp()
    for p, g in zip(params, grads, strict=True):
        p.grad = None if g is None else xp.array(g, dtype=p.data.dtype)
    for p, kept in zip(params, saved["state"], strict=True):
        optimizer.set_state_of(p, kept)
    optimizer.iterations = int(saved["iterations"])
    trainer.shuffle.bit_generator.state = state["shuffle"]
    trainer.epochs, trainer.updates = int(state["epochs"]), int(state["updates"])
    columns = [np.asarray(column).tolist() for column in state["history"]]
    if len(columns) != len(history) or len({len(column) for column in columns}) != 1:
        raise ValueError("the checkpoint's loss history is incomplete")
    for column, values in zip(history, columns, strict=True):
        column[:] = values[:-1]  # the step shown again appends its own numbers
