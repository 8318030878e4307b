"""The MNIST subset split three ways, the MLP (784 -> hidden relu -> 10 softmax) and its epochs
(lesson 5.1 trains it; chapter 8 trains the same model to study its errors and attacks).

The shipped subset has 4,000 training and 1,000 test digits; the last 500 training digits
are held out for validation (they pick the epoch; the test digits are only looked at once).
Every shown loss and accuracy is computed here from the model's softmax outputs with NumPy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache

import numpy as np

from engine.data.datasets import load_mnist
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import Adam

VALIDATION = 500  # training digits held out for validation
PIXELS = 28 * 28


@dataclass(frozen=True, eq=False)
class Digits:
    """Flattened images (n, 784) in [0, 1] and labels, split train / validation / test."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@cache
def digits() -> Digits:
    """assets/mnist5k.npz through the engine's loader, split and flattened once."""
    s = load_mnist()
    x = s.x_train.reshape(len(s.x_train), PIXELS)
    cut = len(x) - VALIDATION
    return Digits(
        x[:cut],
        s.y_train[:cut],
        x[cut:],
        s.y_train[cut:],
        s.x_test.reshape(len(s.x_test), PIXELS),
        s.y_test,
    )


@dataclass(frozen=True)
class Scores:
    """Mean cross-entropy and accuracy of one set, from the softmax outputs."""

    loss: float
    accuracy: float


def scores(probs: np.ndarray, y: np.ndarray) -> Scores:
    """Cross-entropy -mean log p(true class) and the share of argmax hits."""
    p = np.clip(probs[np.arange(len(y)), y], 1e-12, 1.0)
    return Scores(float(-np.mean(np.log(p))), float(np.mean(probs.argmax(axis=1) == y)))


def build(hidden: int, rate: float, seed: int) -> Sequential:
    """784 -> Dense(hidden, relu) -> Dense(10, softmax), sparse cross-entropy, Adam."""
    model = Sequential(
        [Input((PIXELS,)), Dense(hidden, activation="relu"), Dense(10, activation="softmax")],
        seed=seed,
    )
    model.compile(Adam(rate), "sparse_categorical_crossentropy")
    return model


class Trainer:
    """One model and its mini-batch epochs over the training digits (seeded shuffles)."""

    def __init__(self, hidden: int, rate: float, seed: int) -> None:
        self.data = digits()
        self.model = build(hidden, rate, seed)
        self.shuffle = np.random.default_rng(seed + 1)
        self.epochs = 0
        self.seconds: list[float] = []  # measured time of each epoch

    def epoch(self, batch: int, rate: float) -> None:
        """One pass over the shuffled training digits (DivergenceError if the loss blows up)."""
        optimizer = self.model.optimizer
        assert optimizer is not None
        optimizer.learning_rate = rate
        start = time.perf_counter()
        order = self.shuffle.permutation(len(self.data.y_train))
        for i in range(0, len(order), batch):
            rows = order[i : i + batch]
            self.model.train_on_batch(self.data.x_train[rows], self.data.y_train[rows])
        self.seconds.append(time.perf_counter() - start)
        self.epochs += 1

    def probs(self, x: np.ndarray) -> np.ndarray:
        """Softmax outputs (n, 10) for flattened images, as float64."""
        return np.asarray(self.model.predict(x), dtype=np.float64)

    def kernel(self) -> np.ndarray:
        """The first Dense layer's kernel (784, hidden)."""
        return self.model.get_weights()[0]

    def dead(self, x: np.ndarray) -> tuple[int, int]:
        """(hidden neurons whose ReLU outputs 0 for every row of ``x``, hidden neurons)."""
        kernel, bias = self.model.get_weights()[:2]
        active = (x @ kernel + bias > 0).any(axis=0)
        return int((~active).sum()), int(active.size)
