"""The two networks of lesson 6.3, built with the engine, and what the lesson measures on them.

The CNN is Keras's classic MNIST example made small enough to train live on two cores::

    Conv2D(8, 3x3, relu) -> MaxPooling2D(2x2) -> Dropout(0.25) -> Flatten
        -> Dense(64, relu) -> Dropout(0.25) -> Dense(10, softmax)

The MLP it is held against is the same head without the convolution: Flatten -> Dense(64, relu)
-> Dropout(0.25) -> Dense(10, softmax).  Both are trained the same way (Adam, the same batches
in the same order).  Also here: closed-form parameter counts and FLOPs, the receptive field of
a feature-map pixel, and the seeded on-the-fly augmentation (shifts and small rotations).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from engine.core import backend
from engine.core.autodiff import no_grad
from engine.core.tensor import Tensor
from engine.data.datasets import load_mnist
from engine.data.types import ImageSet
from engine.models.sequential import Sequential
from engine.nn.conv import Conv2D
from engine.nn.layers import Dense, Dropout, Flatten
from engine.nn.optimizers import Adam
from engine.nn.pooling import MaxPooling2D
from lessons.shared.images import shift_rotate

FILTERS = 8  # feature maps of the convolution
KERNEL = 3  # its kernel is KERNEL x KERNEL
POOL = 2
HIDDEN = 64  # units of the dense layer (both networks)
DROPOUT = 0.25
BATCH = 32
CHUNK = 500  # training images per live step
SIDE = 28
CONV_SIDE = SIDE - KERNEL + 1  # 26
POOL_SIDE = CONV_SIDE // POOL  # 13


@cache
def mnist() -> ImageSet:
    """The shipped MNIST subset (4,000 training and 1,000 test digits), loaded once."""
    return load_mnist()


def cnn(seed: int) -> Sequential:
    """The small Keras-style CNN, weights drawn from ``seed``, built for 1x28x28 inputs."""
    model = Sequential(
        [
            Conv2D(FILTERS, KERNEL, activation="relu", name="conv"),
            MaxPooling2D(POOL, name="pool"),
            Dropout(DROPOUT, seed=seed + 1, name="dropout"),
            Flatten(name="flatten"),
            Dense(HIDDEN, activation="relu", name="dense"),
            Dropout(DROPOUT, seed=seed + 2, name="dropout_1"),
            Dense(10, activation="softmax", name="output"),
        ],
        seed=seed,
    )
    model.build((None, 1, SIDE, SIDE))
    return model


def mlp(seed: int) -> Sequential:
    """The MLP with the same head and dropout, but no convolution."""
    model = Sequential(
        [
            Flatten(name="flatten"),
            Dense(HIDDEN, activation="relu", name="dense"),
            Dropout(DROPOUT, seed=seed + 2, name="dropout"),
            Dense(10, activation="softmax", name="output"),
        ],
        seed=seed,
    )
    model.build((None, 1, SIDE, SIDE))
    return model


def cnn_params() -> int:
    """Closed form: conv F(k²+1), dense (F·13²+1)·64, output (64+1)·10."""
    conv = FILTERS * (KERNEL * KERNEL + 1)
    return conv + (FILTERS * POOL_SIDE**2 + 1) * HIDDEN + (HIDDEN + 1) * 10


def mlp_params() -> int:
    """Closed form: (784+1)·64 + (64+1)·10."""
    return (SIDE * SIDE + 1) * HIDDEN + (HIDDEN + 1) * 10


def cnn_flops() -> int:
    """Forward FLOPs per image (2 per multiply-add) of the conv and dense layers."""
    conv = 2 * CONV_SIDE**2 * FILTERS * KERNEL * KERNEL
    return conv + 2 * FILTERS * POOL_SIDE**2 * HIDDEN + 2 * HIDDEN * 10


def mlp_flops() -> int:
    """Forward FLOPs per image (2 per multiply-add) of the two dense layers."""
    return 2 * SIDE * SIDE * HIDDEN + 2 * HIDDEN * 10


def compile_adam(model: Sequential, rate: float) -> None:
    model.compile(Adam(rate), "sparse_categorical_crossentropy")


def accuracy(model: Sequential, x: np.ndarray, y: np.ndarray) -> float:
    """Share of ``x`` classified as ``y`` (inference mode: dropout off)."""
    return float(np.mean(model.predict(x, batch_size=500).argmax(axis=1) == y))


@dataclass
class Trained:
    """A model with its optimizer state, training-time clock and accuracy history."""

    name: str
    model: Sequential
    seconds: float = 0.0
    epochs: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)

    def train(self, xb: np.ndarray, yb: np.ndarray) -> float:
        """One optimizer step on a batch; the batch accuracy before the step (training mode)."""
        start = time.perf_counter()
        loss, out = self.model.loss_and_output(xb, yb, training=True)
        value = float(loss.data)
        if not math.isfinite(value):
            raise FloatingPointError(f"{self.name}: loss became {value}")
        self.model.zero_grad()
        loss.backward()
        if self.model.optimizer is None:
            raise ValueError(f"{self.name}: compile the model first")
        self.model.optimizer.step(self.model.params)
        self.seconds += time.perf_counter() - start
        return float(np.mean(backend.to_numpy(out.data).argmax(axis=1) == yb))


def layer_outputs(model: Sequential, image: np.ndarray) -> list[np.ndarray]:
    """Each layer's output for one image (1, 28, 28), inference mode, in layer order."""
    x = backend.xp().asarray(image[None], dtype=model.dtype)
    outs: list[np.ndarray] = []
    with no_grad():
        h = Tensor(x)
        for layer in model.layers:
            h = layer(h, training=False)
            outs.append(backend.to_numpy(h.data)[0].copy())
    return outs


def receptive_field(layer: str, row: int, col: int) -> tuple[int, int, int, int]:
    """The input box (row, col, height, width) one pixel of ``layer`` ("conv" or "pool") sees."""
    if layer == "conv":
        return row, col, KERNEL, KERNEL
    side = POOL + KERNEL - 1
    return row * POOL, col * POOL, side, side


@dataclass(frozen=True)
class Augmented:
    """One batch as the augmenting loader made it: the draws and the images."""

    shifts: np.ndarray  # (n, 2) integer (dy, dx)
    angles: np.ndarray  # (n,) degrees
    images: np.ndarray  # (n, 1, 28, 28)


def augment(
    batch: np.ndarray, rng: np.random.Generator, max_shift: int, max_degrees: float
) -> Augmented:
    """Random shifts in [-max_shift, max_shift] pixels and rotations in ±max_degrees, one draw
    per image from ``rng``; the batch keeps its shape and dtype."""
    n = len(batch)
    shifts = rng.integers(-max_shift, max_shift + 1, size=(n, 2))
    angles = rng.uniform(-max_degrees, max_degrees, size=n)
    out = np.empty_like(batch)
    for i in range(n):
        out[i, 0] = shift_rotate(batch[i, 0], int(shifts[i, 0]), int(shifts[i, 1]), angles[i])
    return Augmented(shifts, angles, out)


def training_subset(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` training digits drawn without replacement (seeded), with their labels."""
    data = mnist()
    idx = np.random.default_rng([seed, 7]).permutation(len(data.x_train))[:n]
    return data.x_train[idx], data.y_train[idx]


def difference_margin(acc_a: float, acc_b: float, n: int) -> float:
    """Two standard errors of the difference of two accuracies measured on ``n`` images."""
    var = acc_a * (1 - acc_a) / n + acc_b * (1 - acc_b) / n
    return 2.0 * math.sqrt(var)


def at_chance(acc: float, n: int) -> bool:
    """Whether an accuracy on ``n`` test images is within two standard errors of guessing (10%)."""
    return abs(acc - 0.1) <= 2.0 * math.sqrt(0.1 * 0.9 / n)
