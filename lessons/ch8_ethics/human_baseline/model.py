"""Lesson 8.3's numbers: 5.1's MLP retrained, its accuracy with an interval, a paired test
against a person on the same digits, and its accuracy on rotated and noisy digits.

The model is lesson 5.1's with its default settings (784 -> 32 ReLU -> 10 softmax, Adam
0.002, batches of 128, 10 epochs, the epoch with the best validation accuracy kept), trained
from the seed 5.1 draws first, so it is the model a learner who kept 5.1's defaults trained.
Intervals are Wilson score intervals (they stay inside [0, 1] for small samples); the
bootstrap percentile interval is shown beside them as an independent check.  The paired test
is McNemar's exact test: only the digits one reader got right and the other wrong count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from lessons.shared.images import shift_rotate
from lessons.shared.mnist import Digits, Trainer, digits

HIDDEN, RATE, BATCH, EPOCHS = 32, 0.002, 128, 10  # lesson 5.1's defaults
Z95 = 1.959963984540054  # the standard normal's 97.5 % point
PANEL = 9  # digits in "you against the model"
SHIFT_ANGLES = np.arange(0.0, 61.0, 5.0)  # rotations the shift curve is measured at


@dataclass(frozen=True)
class Baseline:
    """A published human figure and what it was measured on."""

    source: str
    error: float  # share of digits people got wrong
    data: str

    @property
    def accuracy(self) -> float:
        return 1.0 - self.error


# Chaaban, I. and Scheessele, M. R. (2007), "Human performance on the USPS database",
# technical report, Indiana University South Bend: 2.37 % human error on USPS digits.
HUMAN = Baseline("Chaaban & Scheessele 2007", 0.0237, "USPS scanned ZIP-code digits (16x16)")


@dataclass(frozen=True, eq=False)
class Model:
    """The trained model's weights (the kept epoch) and how it scores each test digit."""

    trainer: Trainer
    epoch: int  # the epoch validation kept
    probs: np.ndarray  # (n_test, 10) softmax on the upright test digits

    @property
    def correct(self) -> np.ndarray:
        return np.asarray(self.probs.argmax(axis=1) == digits().y_test)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Softmax outputs (n, 10) for flattened images."""
        return self.trainer.probs(x.reshape(len(x), -1).astype(np.float32))


@cache
def trained(seed: int) -> Model:
    """5.1's default run: 10 epochs, the best validation epoch's weights kept."""
    trainer = Trainer(HIDDEN, RATE, seed)
    data: Digits = digits()
    best, kept, epoch = -1.0, trainer.model.get_weights(), 0
    for _ in range(EPOCHS):
        trainer.epoch(BATCH, RATE)
        acc = float(np.mean(trainer.probs(data.x_val).argmax(axis=1) == data.y_val))
        if acc > best:
            best, kept, epoch = acc, trainer.model.get_weights(), trainer.epochs
    trainer.model.set_weights(kept)
    return Model(trainer, epoch, trainer.probs(data.x_test))


def wilson(hits: int, n: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of a share ``hits / n`` (0, 1 when n = 0)."""
    if n <= 0:
        return 0.0, 1.0
    p = hits / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap(correct: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """Accuracies of ``draws`` resamples (with replacement) of the scored digits."""
    rng = np.random.default_rng(seed)
    n = len(correct)
    picks = rng.integers(0, n, size=(draws, n))
    result: np.ndarray = np.asarray(correct[picks].mean(axis=1), dtype=np.float64)
    return result


def mcnemar(you: np.ndarray, model: np.ndarray) -> tuple[int, int, float]:
    """(digits only you got right, digits only the model got right, exact two-sided p)."""
    b = int(np.sum(you & ~model))
    c = int(np.sum(model & ~you))
    n = b + c
    if n == 0:
        return b, c, 1.0
    tail = sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2.0**n
    return b, c, min(1.0, 2.0 * tail)


def panel_digits(which: int) -> np.ndarray:
    """The test digits of set ``which`` (1-based) for "you against the model": a seeded draw."""
    rng = np.random.default_rng([83, which])
    return np.sort(rng.choice(len(digits().y_test), PANEL, replace=False))


def shifted(x: np.ndarray, degrees: float, noise: float, seed: int) -> np.ndarray:
    """Images (n, 784) rotated by ``degrees`` and given Gaussian pixel noise of std ``noise``
    (seeded), clipped to [0, 1]."""
    images = x.reshape(len(x), 28, 28)
    if degrees:
        images = shift_rotate(images, 0, 0, degrees)
    if noise:
        images = images + np.random.default_rng(seed).normal(0.0, noise, images.shape)
    out: np.ndarray = np.clip(images, 0.0, 1.0).reshape(len(x), -1).astype(np.float32)
    return out


@lru_cache(maxsize=16)  # keyed by control values: bounded for long sessions
def shift_curve(seed: int, noise: float) -> np.ndarray:
    """The model's test accuracy at each of ``SHIFT_ANGLES`` with pixel noise ``noise``."""
    model, data = trained(seed), digits()
    hits = [
        model.predict(shifted(data.x_test, a, noise, 7)).argmax(1) == data.y_test
        for a in SHIFT_ANGLES
    ]
    return np.array([float(np.mean(h)) for h in hits])
