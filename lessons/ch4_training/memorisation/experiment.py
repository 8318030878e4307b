"""Lesson 4.8's experiment: one network trained twice, on true and on shuffled digit labels.

The images are scikit-learn's 8x8 digits (``assets/digits8x8.npz``, loaded by
:func:`engine.data.datasets.load_digits`): a small training subset with the same number of
images of every digit, and the data set's whole fixed test split.  The shuffled labels are the
true training labels permuted once by a seeded generator, so every digit keeps its count and
only the pairing of image and label is broken.  Both networks are built from the same seed:
they start with the same weights and see their mini-batches in the same order; only the labels
they learn differ.  After every epoch the engine evaluates each network
(:meth:`Sequential.evaluate`) on its own training labels and on the true test labels.

:func:`near_chance` and :attr:`Run.fit_epoch` are the lesson's only tests for "at chance" and
"fitted"; every verdict in the text uses them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from engine.data.datasets import load_digits
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import Adam

CLASSES = 10
CHANCE = 1.0 / CLASSES  # balanced classes: a network that knows nothing scores this on average
BAND = 0.05  # "at chance": the test accuracy lies within 5 percentage points of CHANCE
BATCH = 32
PIXELS = 64
GENERALISES = 0.5  # a test accuracy that gets most new digits right
UNIFORM_LOSS = math.log(CLASSES)  # cross-entropy of a network that gives every digit 10 %


@dataclass(frozen=True, eq=False)  # holds arrays
class Split:
    """Training images with their true and shuffled labels, and the test images.

    ``y_shuffled == y_true[permutation]``: the same labels in another order.  ``x_*`` are the
    images flattened to 64 pixel values in [0, 1]; :meth:`images` gives them back as 8x8.
    """

    x_train: np.ndarray
    y_true: np.ndarray
    y_shuffled: np.ndarray
    permutation: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def kept(self) -> int:
        """How many training images kept their true label by accident in the shuffle."""
        return int(np.sum(self.y_true == self.y_shuffled))

    @property
    def per_class(self) -> int:
        return len(self.y_true) // CLASSES

    @staticmethod
    def images(x: np.ndarray) -> np.ndarray:
        """Flattened images back to (n, 8, 8)."""
        return x.reshape(len(x), 8, 8)


def make_split(n_train: int, data_seed: int, shuffle_seed: int | list[int]) -> Split:
    """``n_train // 10`` training images of each digit (picked with ``data_seed``), the test
    split, and one seeded permutation of the training labels (``shuffle_seed``).

    Raises :class:`engine.data.types.DatasetError` when the digits file is missing or corrupt.
    """
    digits = load_digits()
    per_class = n_train // CLASSES
    if per_class < 1:
        raise ValueError(f"need at least {CLASSES} training images, got {n_train}")
    rng = np.random.default_rng(data_seed)
    picks = [
        rng.choice(np.flatnonzero(digits.y_train == k), per_class, replace=False)
        for k in range(CLASSES)
    ]
    order = rng.permutation(np.concatenate(picks))
    x_train = digits.x_train[order].reshape(len(order), PIXELS)
    y_true = digits.y_train[order]
    permutation = np.random.default_rng(shuffle_seed).permutation(len(order))
    return Split(
        x_train=x_train,
        y_true=y_true,
        y_shuffled=y_true[permutation],
        permutation=permutation,
        x_test=digits.x_test.reshape(len(digits.x_test), PIXELS),
        y_test=digits.y_test,
    )


def build_model(hidden: int, rate: float, seed: int) -> Sequential:
    """64 pixels -> ``hidden`` ReLU neurons -> softmax over 10 digits, Adam, cross-entropy.

    The same ``seed`` gives the same initial weights and the same order of mini-batches.
    """
    model = Sequential(
        [Input((PIXELS,)), Dense(hidden, activation="relu"), Dense(CLASSES, activation="softmax")],
        seed=seed,
    )
    model.compile(Adam(rate), "sparse_categorical_crossentropy", ["accuracy"])
    return model


@dataclass
class Run:
    """One network and the labels it learns, with its scores after every epoch (0 = untrained)."""

    name: str
    labels: np.ndarray
    model: Sequential
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    fit_epoch: int | None = None  # the first epoch with every training label right

    @property
    def epochs(self) -> int:
        """Epochs trained so far."""
        return len(self.train_acc) - 1

    def evaluate(self, split: Split) -> None:
        """Score the network as it is now: its own training labels, the true test labels."""
        train = self.model.evaluate(split.x_train, self.labels)
        test = self.model.evaluate(split.x_test, split.y_test)
        self.train_acc.append(train["accuracy"])
        self.train_loss.append(train["loss"])
        self.test_acc.append(test["accuracy"])
        self.test_loss.append(test["loss"])
        right = round(train["accuracy"] * len(self.labels))
        if self.fit_epoch is None and right == len(self.labels):
            self.fit_epoch = self.epochs

    def epoch(self, split: Split) -> None:
        """One pass over the training images in mini-batches of :data:`BATCH`, then scores.

        Raises :class:`engine.core.events.DivergenceError` if the loss becomes NaN or infinite.
        """
        self.model.fit(split.x_train, self.labels, batch_size=BATCH, epochs=1)
        self.evaluate(split)

    def answers(self, x: np.ndarray) -> np.ndarray:
        """The digit the network gives each image: its most probable class."""
        return np.asarray(self.model.predict(x).argmax(axis=1))

    @property
    def fitted(self) -> bool:
        return self.fit_epoch is not None


class Experiment:
    """The two runs side by side: the same network on true and on shuffled labels."""

    def __init__(self, split: Split, hidden: int, rate: float, model_seed: int) -> None:
        self.split, self.hidden, self.rate = split, hidden, rate
        self.true = Run("true labels", split.y_true, build_model(hidden, rate, model_seed))
        self.shuffled = Run(
            "shuffled labels", split.y_shuffled, build_model(hidden, rate, model_seed)
        )
        for run in self.runs:
            run.evaluate(split)

    @property
    def runs(self) -> tuple[Run, Run]:
        return self.true, self.shuffled

    @property
    def epochs(self) -> int:
        return self.true.epochs

    @property
    def parameters(self) -> int:
        return self.true.model.count_params()

    def epoch(self) -> None:
        """Train both networks one more epoch (each on its own labels)."""
        for run in self.runs:
            run.epoch(self.split)


def near_chance(accuracy: float) -> bool:
    """Whether a test accuracy lies within :data:`BAND` of chance (10 %)."""
    return abs(accuracy - CHANCE) <= BAND + 1e-12


def above_chance(accuracy: float) -> bool:
    """Whether a test accuracy lies clearly above chance (more than :data:`BAND` above it)."""
    return accuracy > CHANCE + BAND + 1e-12


def verdict(run: Run) -> str:
    """Where a run stands now, in two words at most, read off its scores.

    "memorised": every training label was right at some epoch, yet the test accuracy is at
    chance.  "not fitted": at chance and never fitted.  "generalises": at least
    :data:`GENERALISES` of the test digits right.  Otherwise "above chance" or "below chance".
    """
    test = run.test_acc[-1]
    if near_chance(test):
        return "memorised" if run.fitted else "not fitted"
    if test >= GENERALISES:
        return "generalises"
    return "above chance" if test > CHANCE else "below chance"
