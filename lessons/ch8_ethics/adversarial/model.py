"""The attacked model of lesson 8.4: 5.1's MNIST MLP retrained, its input gradient, FGSM.

:func:`trained` repeats lesson 5.1's default run exactly (same seed, 784 -> 32 ReLU -> 10
softmax, Adam at 0.002, batches of 128, 10 epochs, the best validation epoch kept) once per
process.  The attack works on a float64 copy of those weights in the engine: the gradient of
the cross-entropy with respect to the *input* pixels comes from one backward pass
(:func:`input_gradient`).  The fast gradient sign method (Goodfellow et al., 2015) moves each
pixel by epsilon in the direction that raises the loss and clips to the pixel range:
``x' = clip(x + eps * sign(g), 0, 1)``; random-sign noise of the same size is the control.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from lessons.shared.mnist import PIXELS, Trainer, digits, scores

HIDDEN, RATE, BATCH, EPOCHS = 32, 0.002, 128, 10  # lesson 5.1's defaults
GRID = np.round(np.linspace(0.0, 0.3, 31), 3)  # epsilons of the test-set curve
FINE = np.round(np.arange(0, 301) * 0.001, 3)  # epsilons scanned for one digit (0 first)


@dataclass(frozen=True, eq=False)
class Trained:
    """The kept weights of 5.1's default run and how it was picked."""

    weights: tuple[np.ndarray, ...]
    best_epoch: int
    val_accuracy: float
    train_history: tuple[float, ...]  # training accuracy after each epoch
    val_history: tuple[float, ...]  # validation accuracy after each epoch


@cache
def trained(model_seed: int) -> Trained:
    """Lesson 5.1's default run for ``model_seed``: 10 epochs, validation picks the epoch."""
    data = digits()
    trainer = Trainer(HIDDEN, RATE, model_seed)
    best, kept = (0, -1.0), trainer.model.get_weights()
    train: list[float] = []
    val: list[float] = []
    while trainer.epochs < EPOCHS:
        trainer.epoch(BATCH, RATE)
        train.append(scores(trainer.probs(data.x_train), data.y_train).accuracy)
        val.append(scores(trainer.probs(data.x_val), data.y_val).accuracy)
        if val[-1] > best[1]:
            best, kept = (trainer.epochs, val[-1]), trainer.model.get_weights()
    return Trained(tuple(w.copy() for w in kept), best[0], best[1], tuple(train), tuple(val))


class Attacked:
    """A float64 engine model holding the trained weights: softmax, loss gradient, attacks."""

    def __init__(self, weights: tuple[np.ndarray, ...]) -> None:
        self.model = Sequential(
            [Input((PIXELS,)), Dense(HIDDEN, activation="relu"), Dense(10, activation="softmax")],
            dtype="float64",
        )
        self.model.compile("sgd", "sparse_categorical_crossentropy")
        self.model.set_weights([np.asarray(w, dtype=np.float64) for w in weights])

    def weights(self) -> list[np.ndarray]:
        """Kernel (784, 32), bias (32,), kernel (32, 10), bias (10,) as float64."""
        return self.model.get_weights()

    def probs(self, x: np.ndarray) -> np.ndarray:
        """Softmax outputs (n, 10) for flattened images (n, 784)."""
        return np.asarray(self.model.predict(np.asarray(x, dtype=np.float64)), dtype=np.float64)

    def losses(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each image's cross-entropy -log p(true class)."""
        p = self.probs(x)[np.arange(len(y)), y]
        out: np.ndarray = -np.log(np.clip(p, 1e-300, 1.0))
        return out

    def input_gradient(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dL_i/dx_i for each row: the engine's backward pass through the whole network down
        to the pixels (the mean loss's gradient times the batch size)."""
        xt = Tensor(np.asarray(x, dtype=np.float64), requires_grad=True, dtype="float64")
        loss, _ = self.model.loss_and_output(xt, np.asarray(y))
        self.model.zero_grad()
        loss.backward()
        if xt.grad is None:
            raise RuntimeError("the backward pass did not reach the input")
        grad: np.ndarray = np.asarray(to_numpy(xt.grad), dtype=np.float64) * len(x)
        return grad


def fgsm(x: np.ndarray, grad: np.ndarray, eps: float) -> np.ndarray:
    """The fast gradient sign step: clip(x + eps * sign(grad), 0, 1)."""
    moved: np.ndarray = np.clip(x + eps * np.sign(grad), 0.0, 1.0)
    return moved


def random_signs(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """+1 or -1 per pixel, each with probability 1/2: noise with FGSM's size, not its direction."""
    return rng.choice(np.array([-1.0, 1.0]), size=shape)


@dataclass(frozen=True, eq=False)
class Sweep:
    """The test set attacked at each epsilon of ``eps``: accuracies and success rates.

    A success is a test digit the model got right that the perturbation makes it get wrong;
    the rate is over the digits it got right without perturbation."""

    eps: np.ndarray
    fgsm_accuracy: np.ndarray
    noise_accuracy: np.ndarray
    fgsm_success: np.ndarray
    noise_success: np.ndarray
    clean_accuracy: float


def sweep(
    net: Attacked,
    x: np.ndarray,
    y: np.ndarray,
    grad: np.ndarray,
    signs: np.ndarray,
    eps: np.ndarray,
) -> Sweep:
    """Attack every row of ``x`` (input gradients ``grad``) with FGSM and with ``signs``."""
    right = net.probs(x).argmax(axis=1) == y
    out: dict[str, list[float]] = {k: [] for k in ("fa", "na", "fs", "ns")}
    for e in eps:
        for key, moved in (("f", fgsm(x, grad, float(e))), ("n", fgsm(x, signs, float(e)))):
            hit = net.probs(moved).argmax(axis=1) == y
            out[key + "a"].append(float(hit.mean()))
            out[key + "s"].append(float((right & ~hit).sum() / max(int(right.sum()), 1)))
    arrays = {k: np.asarray(v) for k, v in out.items()}
    return Sweep(
        np.asarray(eps, dtype=float),
        arrays["fa"],
        arrays["na"],
        arrays["fs"],
        arrays["ns"],
        float(right.mean()),
    )


@dataclass(frozen=True, eq=False)
class SetAttack:
    """The test digits, their input gradients, the fixed random signs and the curve."""

    net: Attacked
    grad: np.ndarray
    signs: np.ndarray
    curve: Sweep


@cache
def attacked_test_set(model_seed: int, noise_seed: int) -> SetAttack:
    """The trained model attacked on every test digit at each epsilon of ``GRID``."""
    data = digits()
    net = Attacked(trained(model_seed).weights)
    grad = net.input_gradient(data.x_test, data.y_test)
    signs = random_signs(np.random.default_rng(noise_seed), data.x_test.shape)
    return SetAttack(net, grad, signs, sweep(net, data.x_test, data.y_test, grad, signs, GRID))


@dataclass(frozen=True, eq=False)
class DigitScan:
    """One digit attacked at every epsilon of ``eps``: its answers and two probabilities."""

    eps: np.ndarray
    answers: np.ndarray  # the predicted digit at each epsilon
    p_answer: np.ndarray  # p(the unperturbed answer)
    p_other: np.ndarray  # the largest probability of any other digit
    smallest: float | None  # the first epsilon of ``eps`` whose answer differs, if any


def scan(net: Attacked, x: np.ndarray, grad: np.ndarray, eps: np.ndarray) -> DigitScan:
    """FGSM on one flattened digit ``x`` (784,) at each epsilon of ``eps``."""
    probs = net.probs(np.clip(x[None] + eps[:, None] * np.sign(grad)[None], 0.0, 1.0))
    answers = probs.argmax(axis=1)
    first = int(answers[0])
    others = probs.copy()
    others[:, first] = -1.0
    changed = np.flatnonzero(answers != first)
    return DigitScan(
        eps,
        answers,
        probs[:, first],
        others.max(axis=1),
        float(eps[changed[0]]) if len(changed) else None,
    )
