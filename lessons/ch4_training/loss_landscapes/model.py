"""Lesson 4.7's experiment: one small network, trained with small and with large batches.

The data are noisy XOR points in the plane, half for training and half for validation.  The
network (2 inputs, two tanh layers of 16, one sigmoid output, binary cross-entropy, Adam)
starts from the same initial weights in both runs:

- the *small-batch* run takes mini-batches of ``batch`` points for :data:`EPOCHS` epochs and
  keeps its weights after every epoch (the training path);
- the *large-batch* run takes every training point in each update, for as many updates as the
  small-batch run made, and also keeps the weights at the first update where its training loss
  reached the small-batch run's final training loss (the same depth, reached sooner).

Every loss here is the engine's (``Sequential.evaluate`` and :mod:`engine.analysis.landscape`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.data.synthetic.sets import make_playground
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import Adam

POINTS = 300  # half train, half validation
NOISE = 0.15
HIDDEN = (16, 16)
ACTIVATION = "tanh"
RATE = 0.02  # Adam
EPOCHS = 30  # of the small-batch run


@dataclass(frozen=True, eq=False)  # holds arrays
class Data:
    """Training and validation points; labels as (n, 1) float32 columns."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray

    @property
    def n_train(self) -> int:
        return len(self.x_train)


def make_data(seed: int) -> Data:
    """Noisy XOR points: class 1 where x1 * x2 > 0; half of them held out for validation."""
    points = make_playground("xor", POINTS, noise=NOISE, test_fraction=0.5, seed=seed)
    column = np.float32
    return Data(
        points.x_train,
        points.y_train.astype(column)[:, None],
        points.x_test,
        points.y_test.astype(column)[:, None],
    )


def new_model(seed: int) -> Sequential:
    """The network, compiled: 2 -> 16 -> 16 -> 1, tanh, sigmoid output, Adam."""
    layers = [Input((2,)), *(Dense(h, activation=ACTIVATION) for h in HIDDEN)]
    model = Sequential([*layers, Dense(1, activation="sigmoid")], seed=seed)
    model.compile(Adam(RATE), "binary_crossentropy", metrics=["accuracy"])
    return model


Weights = list[np.ndarray]


@dataclass(frozen=True)
class Scores:
    """Loss and accuracy on the training and the validation points."""

    train: float
    val: float
    train_acc: float
    val_acc: float

    @property
    def gap(self) -> float:
        """Validation minus training loss: how much worse the unseen points do."""
        return self.val - self.train


def scores(model: Sequential, data: Data, weights: Weights) -> Scores:
    """The engine's losses and accuracies at ``weights`` (the model keeps them afterwards)."""
    model.set_weights(weights)
    t = model.evaluate(data.x_train, data.y_train)
    v = model.evaluate(data.x_val, data.y_val)
    return Scores(t["loss"], v["loss"], t["accuracy"], v["accuracy"])


@dataclass(frozen=True, eq=False)  # holds arrays
class SmallBatchRun:
    """The small-batch run: the weights after every epoch (``path[0]`` is the start)."""

    batch: int
    updates: int
    path: tuple[Weights, ...]
    train: np.ndarray  # training loss at each saved point
    val: np.ndarray
    end: Scores

    @property
    def initial(self) -> Weights:
        return self.path[0]

    @property
    def final(self) -> Weights:
        return self.path[-1]


def train_small_batch(
    model: Sequential, data: Data, batch: int, epochs: int = EPOCHS
) -> SmallBatchRun:
    """Train ``model`` (fresh) in mini-batches, keeping the weights after every epoch."""
    path = [model.get_weights()]
    train = [scores(model, data, path[0]).train]
    val = [model.evaluate(data.x_val, data.y_val)["loss"]]
    for _ in range(epochs):
        model.fit(data.x_train, data.y_train, batch_size=batch, epochs=1)
        path.append(model.get_weights())
        train.append(model.evaluate(data.x_train, data.y_train)["loss"])
        val.append(model.evaluate(data.x_val, data.y_val)["loss"])
    end = scores(model, data, path[-1])
    updates = epochs * math.ceil(data.n_train / batch)
    return SmallBatchRun(batch, updates, tuple(path), np.array(train), np.array(val), end)


@dataclass(frozen=True, eq=False)  # holds arrays
class LargeBatchRun:
    """The full-batch run: its end, and where it first matched a target training loss."""

    updates: int
    final: Weights
    end: Scores
    matched: Weights | None  # the weights at the first update at or below the target
    matched_update: int  # 0 if never reached
    matched_scores: Scores | None
    losses: np.ndarray  # the training loss before each update (full batch: the exact loss)


def train_large_batch(model: Sequential, data: Data, updates: int, target: float) -> LargeBatchRun:
    """Train ``model`` (fresh) on all training points at once for ``updates`` updates."""
    losses = np.empty(updates)
    matched: Weights | None = None
    matched_update = 0
    for i in range(updates):
        before = model.get_weights() if matched is None else None
        losses[i] = model.train_on_batch(data.x_train, data.y_train)
        if before is not None and losses[i] <= target:
            matched, matched_update = before, i  # the weights that had this loss: i updates
    final = model.get_weights()
    matched_scores = scores(model, data, matched) if matched is not None else None
    end = scores(model, data, final)
    return LargeBatchRun(updates, final, end, matched, matched_update, matched_scores, losses)


@dataclass(frozen=True, eq=False)  # holds arrays
class Experiment:
    """The data and both runs from the same initial weights."""

    data: Data
    small: SmallBatchRun
    large: LargeBatchRun


@lru_cache(maxsize=4)
def experiment(data_seed: int, model_seed: int, batch: int) -> Experiment:
    """Train both runs (remembered: moving a control that only changes a slice reuses them).

    The arrays are made read-only, so no caller can change what a later call gets.
    """
    data = make_data(data_seed)
    small = train_small_batch(new_model(model_seed), data, batch)
    large = train_large_batch(new_model(model_seed), data, small.updates, small.end.train)
    for weights in (*small.path, large.final, large.matched or []):
        for w in weights:
            w.flags.writeable = False
    return Experiment(data, small, large)


def parameter_count(weights: Weights) -> int:
    return sum(int(w.size) for w in weights)


def flat(weights: Weights) -> np.ndarray:
    """All arrays of a weight list as one float64 vector."""
    return np.concatenate([np.asarray(w, dtype=np.float64).ravel() for w in weights])


def unflat(vector: np.ndarray, like: Weights) -> Weights:
    """A vector cut back into arrays shaped like ``like``."""
    out, start = [], 0
    for w in like:
        out.append(vector[start : start + w.size].reshape(w.shape))
        start += w.size
    return out
