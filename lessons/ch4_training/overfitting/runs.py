"""Lesson 4.6's experiments: one over-sized network trained four ways on the same noisy points.

The data are the engine's seeded "circle" set with jitter: a few training points (the weights
learn from them) and many validation points (watched after every epoch).  The network,
2 -> 8 -> 8 -> 1 with tanh hidden units and a sigmoid output, has far more weights than the
few points need.  Every run starts from the same initial weights and takes one full-batch Adam
step per epoch with the engine's ``Sequential.fit``:

* ``plain``: no regularisation, for the whole budget (the curves part);
* ``stopped``: the same run under the engine's ``EarlyStopping`` callback, which stops
  :data:`PATIENCE` epochs after the best validation loss and restores that epoch's weights;
* ``l2``: the optimizer's ``weight_decay`` adds ``lambda * w`` to every gradient;
* ``dropout``: a ``Dropout`` layer after each hidden layer; for the steps in :data:`WATCHED`
  the dropout layers' forward passes are recorded (engine ``ForwardPass`` events), and the mask
  each step used is read off them.

The runs are pure functions of their arguments and memoised, so moving one slider retrains only
the run it changes.  :func:`overfitting` is the lesson's one rule for calling a run overfitted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.core.events import DivergenceError, ForwardPass, Tracer, use_tracer
from engine.data.synthetic.sets import make_playground
from engine.models.sequential import Sequential
from engine.nn.callbacks import Callback, EarlyStopping
from engine.nn.layers import Dense, Dropout, Input, Layer
from engine.nn.losses import BinaryCrossentropy
from engine.nn.optimizers import Adam
from lessons.shared.overfit import Overfit, judge

NOISE = 0.2  # std of the jitter added to every coordinate
VALIDATION = 400  # validation points (the training points are a control)
HIDDEN = (8, 8)
RATE = 0.03  # Adam's learning rate
EPOCHS = 200  # the budget of every run; one full-batch step per epoch
PATIENCE = 30  # early stopping's patience, and the window of the overfitting rule
RISE = 0.05  # the rule: the validation loss stayed more than 5 % above its lowest value
WATCHED = (1, 2)  # the dropout run's training steps whose masks the lesson shows
WATCHED_POINT = 0  # the training point whose masks the diagram draws

Weights = tuple[np.ndarray, ...]  # Dense kernels and biases, inputs to output


def _frozen(array: np.ndarray) -> np.ndarray:
    """A read-only copy: memoised runs are shared, so nothing may change them."""
    out = np.array(array)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)  # holds arrays
class Split:
    """Training and validation points (n, 2) with labels (n, 1), 0 outside and 1 inside."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


@lru_cache(maxsize=4)
def make_split(n_train: int, seed: int) -> Split:
    """``n_train`` training and :data:`VALIDATION` validation points of the jittered circle."""
    n = n_train + VALIDATION
    ps = make_playground("circle", n, noise=NOISE, test_fraction=VALIDATION / n, seed=seed)
    column = np.float32
    return Split(
        _frozen(ps.x_train),
        _frozen(ps.y_train.reshape(-1, 1).astype(column)),
        _frozen(ps.x_test),
        _frozen(ps.y_test.reshape(-1, 1).astype(column)),
    )


def build_model(seed: int, weight_decay: float = 0.0, dropout: float = 0.0) -> Sequential:
    """The over-sized network; with ``dropout`` a Dropout layer follows each hidden layer.

    Every variant starts from the initial weights of the plain network with this seed.
    """
    layers: list[Layer] = [Input((2,))]
    for units in HIDDEN:
        layers.append(Dense(units, activation="tanh"))
        if dropout > 0:
            layers.append(Dropout(dropout))
    layers.append(Dense(1, activation="sigmoid"))
    model = Sequential(layers, seed=seed)
    optimizer = Adam(RATE, weight_decay=weight_decay)
    model.compile(optimizer=optimizer, loss=BinaryCrossentropy())
    if dropout > 0:
        model.set_weights(build_model(seed).get_weights())
    return model


class Recorder(Callback):
    """After every epoch: both losses and a copy of the weights (entry 0: the untrained net).

    The validation loss is the one ``fit`` logs after the epoch.  The training loss is
    measured the same way, after the epoch's step and in inference mode (dropout off); the
    loss ``fit`` logs for training is the step's own, before the update and with dropout on.
    """

    def __init__(self, split: Split) -> None:
        super().__init__()
        self.split = split
        self.train: list[float] = []
        self.val: list[float] = []
        self.weights: list[Weights] = []

    def start(self, model: Sequential) -> None:
        """Measure the untrained ``model`` (entry 0), before the first ``fit``."""
        self.set_model(model)
        self._measure(model.evaluate(self.split.x_val, self.split.y_val)["loss"])

    def _measure(self, val: float) -> None:
        if self.model is None:
            return
        s = self.split
        self.train.append(self.model.evaluate(s.x_train, s.y_train)["loss"])
        self.val.append(float(val))
        self.weights.append(tuple(_frozen(w) for w in self.model.get_weights()))

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        self._measure((logs or {}).get("val_loss", math.nan))


@dataclass(frozen=True, eq=False)  # holds arrays
class Trained:
    """One run: both losses after every epoch (index 0 = untrained) and the weights.

    ``masks[step]`` holds, per dropout layer, which hidden values the training step kept
    (n_train, units), read from the engine's forward pass of that step.
    """

    weight_decay: float
    dropout: float
    train: np.ndarray
    val: np.ndarray
    weights: tuple[Weights, ...]
    masks: Mapping[int, tuple[np.ndarray, ...]]
    diverged_at: int | None = None  # the epoch whose loss was not a finite number

    @property
    def epochs(self) -> int:
        return len(self.val) - 1

    @property
    def best(self) -> int:
        """The epoch (from 1) with the lowest validation loss."""
        return best_epoch(self.val)

    def gap(self, epoch: int) -> float:
        """Validation minus training loss after ``epoch``."""
        return float(self.val[epoch] - self.train[epoch])

    def norm(self, epoch: int) -> float:
        """‖w‖: the length of all weights and biases (what the L2 penalty measures)."""
        return param_norm(self.weights[epoch])


def wrong(weights: Weights, x: np.ndarray, y: np.ndarray) -> int:
    """How many of the points (x, y) the network with these weights puts on the wrong side
    of its boundary p = 0.5 (the engine's prediction, inference mode)."""
    model = build_model(0)
    model.set_weights(weights)
    with np.errstate(over="ignore", invalid="ignore"):
        p = model.predict(x)
    return int(np.sum((p[:, 0] > 0.5) != (y[:, 0] > 0.5)))


def param_norm(weights: Sequence[np.ndarray]) -> float:
    return math.sqrt(sum(float(np.sum(np.square(w, dtype=np.float64))) for w in weights))


def best_epoch(val: Sequence[float] | np.ndarray, until: int | None = None) -> int:
    """The epoch (from 1) with the lowest validation loss among epochs 1 .. ``until``."""
    values = np.asarray(val, dtype=np.float64)[1 : None if until is None else until + 1]
    if values.size == 0:
        return 0
    return int(np.argmin(np.where(np.isfinite(values), values, np.inf))) + 1


def _fit(model: Sequential, split: Split, recorder: Callback, epochs: int) -> None:
    if epochs > 0:
        model.fit(
            split.x_train,
            split.y_train,
            batch_size=len(split.x_train),
            epochs=epochs,
            validation_data=(split.x_val, split.y_val),
            shuffle=False,
            callbacks=[recorder],
        )


def dropout_masks(model: Sequential, recorded: Sequence[object]) -> tuple[np.ndarray, ...]:
    """What each Dropout layer kept in the recorded training step: True = kept.

    The layer multiplies its input by its mask (0, or 1 / (1 - rate)); its ``ForwardPass``
    event holds input and output, so a value was dropped where the output is 0 and the input
    was not (a tanh output of exactly 0 would read as kept; it does not occur here).
    """
    masks = []
    for layer in model.layers:
        if not isinstance(layer, Dropout):
            continue
        event = next(
            (e for e in recorded if isinstance(e, ForwardPass) and e.layer == layer.name), None
        )  # the step's forward pass comes first, before the inference passes that measure
        if event is None:
            raise ValueError(f"no forward pass of {layer.name!r} was recorded in this step")
        masks.append(_frozen((event.output != 0) | (event.inputs == 0)))
    return tuple(masks)


def train(model: Sequential, split: Split, epochs: int, watch: Sequence[int] = ()) -> Trained:
    """Fit ``model`` for ``epochs`` full-batch steps; record the dropout masks of ``watch``."""
    recorder = Recorder(split)
    recorder.start(model)
    masks: dict[int, tuple[np.ndarray, ...]] = {}
    done, diverged = 0, None
    try:
        for step in sorted(s for s in watch if 1 <= s <= epochs):
            _fit(model, split, recorder, step - 1 - done)
            tracer = Tracer()
            with use_tracer(tracer), tracer.record(kinds=(ForwardPass,), cap=64) as got:
                _fit(model, split, recorder, 1)
            masks[step] = dropout_masks(model, got)
            done = step
        _fit(model, split, recorder, epochs - done)
    except DivergenceError:  # the run stops cleanly; the curves end at the last finite epoch
        diverged = len(recorder.val)
    optimizer = model.optimizer
    return Trained(
        weight_decay=optimizer.weight_decay if optimizer is not None else 0.0,
        dropout=next((ly.rate for ly in model.layers if isinstance(ly, Dropout)), 0.0),
        train=_frozen(np.asarray(recorder.train)),
        val=_frozen(np.asarray(recorder.val)),
        weights=tuple(recorder.weights),
        masks=masks,
        diverged_at=diverged,
    )


@lru_cache(maxsize=4)
def plain_run(n_train: int, data_seed: int, model_seed: int) -> Trained:
    return train(build_model(model_seed), make_split(n_train, data_seed), EPOCHS)


@lru_cache(maxsize=8)
def l2_run(n_train: int, data_seed: int, model_seed: int, strength: float) -> Trained:
    model = build_model(model_seed, weight_decay=strength)
    return train(model, make_split(n_train, data_seed), EPOCHS)


@lru_cache(maxsize=8)
def dropout_run(n_train: int, data_seed: int, model_seed: int, rate: float) -> Trained:
    model = build_model(model_seed, dropout=rate)
    return train(model, make_split(n_train, data_seed), EPOCHS, WATCHED)


@dataclass(frozen=True, eq=False)  # holds arrays
class Stopped:
    """The engine's EarlyStopping at work: where it stopped, what it kept, and a re-check.

    ``restored_val`` is the validation loss of the weights the callback put back, evaluated
    again after training; it should equal the logged loss of the epoch ``best``.
    """

    best: int  # the epoch (from 1) whose weights were restored
    stopped: int  # the epoch after which training stopped (the budget if it never did)
    val: np.ndarray  # the logged validation loss of every epoch it trained (index 0 = epoch 1)
    best_value: float  # the callback's record of the best validation loss
    restored_val: float
    restored_train: float
    weights: Weights


@lru_cache(maxsize=4)
def stopped_run(n_train: int, data_seed: int, model_seed: int) -> Stopped:
    """The plain run again under ``EarlyStopping(patience=PATIENCE, restore_best_weights)``."""
    split = make_split(n_train, data_seed)
    model = build_model(model_seed)
    stopper = EarlyStopping(monitor="val_loss", patience=PATIENCE, restore_best_weights=True)
    history = model.fit(
        split.x_train,
        split.y_train,
        batch_size=len(split.x_train),
        epochs=EPOCHS,
        validation_data=(split.x_val, split.y_val),
        shuffle=False,
        callbacks=[stopper],
    )
    val = model.evaluate(split.x_val, split.y_val)["loss"]
    train_loss = model.evaluate(split.x_train, split.y_train)["loss"]
    stopped = stopper.stopped_epoch + 1 if stopper.stopped_epoch >= 0 else len(history.epoch)
    return Stopped(
        best=stopper.best_epoch + 1,
        stopped=stopped,
        val=_frozen(np.asarray(history.history["val_loss"])),
        best_value=stopper.best_value,
        restored_val=val,
        restored_train=train_loss,
        weights=tuple(_frozen(w) for w in model.get_weights()),
    )


def overfitting(
    train: np.ndarray | Sequence[float], val: np.ndarray | Sequence[float], epoch: int | None = None
) -> Overfit | None:
    """The course's rule for "overfitting" (:mod:`lessons.shared.overfit`) at ``epoch``
    (default: the last; the arrays start with epoch 0); None if not."""
    end = len(val) - 1 if epoch is None else epoch
    best = best_epoch(val, end)
    return judge(list(train), list(val), best, end, patience=PATIENCE, rise=RISE, offset=0)


def first_overfit(run: Trained) -> int | None:
    """The first epoch at which :func:`overfitting` holds for ``run``; None if it never does."""
    for epoch in range(PATIENCE + 1, run.epochs + 1):
        if overfitting(run.train, run.val, epoch) is not None:
            return epoch
    return None
