"""Small neuron models for chapter 2, computed by the engine: threshold units, tiny networks.

* Linear threshold units and the perceptron rule (lesson 2.2): ``ltu``, ``rule``, ``train``.
* 2-k-1 networks z = g(X W1 + b1) W2 + b2 and the collapse of a linear stack (lesson 2.3).
* Derivatives of elementwise functions by one backward pass, and one neuron trained with SGD
  (lesson 2.4).

Every sum, product, activation and gradient is a Tensor operation; NumPy only holds the results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.nn import activations as act
from engine.nn.activations import step
from engine.nn.losses import BinaryCrossentropy
from engine.nn.optimizers import SGD, Adam

Fn = Callable[[Tensor], Tensor]
TRAIN_STEPS = 100
TRAIN_RATE = 0.5


def grid_points(box: float = 1.5, n: int = 121) -> np.ndarray:
    """(n*n, 2) points of an n x n grid over [-box, box]^2, row-major (rows are x2)."""
    axis = np.linspace(-box, box, n)
    x1, x2 = np.meshgrid(axis, axis)
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


# ---- threshold units and the perceptron rule ----------------------------------------------------

MAX_EPOCHS = 50
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]) - 0.5
XOR_Y = np.array([0, 1, 1, 0])
TRUE_LINE = np.array([0.5, -1.0, 0.35]) / np.hypot(0.5, 1.0)  # unknown to the learner
MARGIN = 0.1


def augment(x: np.ndarray) -> np.ndarray:
    """Inputs with a constant 1 appended, so the bias is the last weight."""
    return np.hstack([x, np.ones((len(x), 1))])


def ltu(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """H(x . w) for rows x (with the 1 appended) and weights w (one column per unit)."""
    return step(Tensor(x, dtype="float64") @ Tensor(w, dtype="float64")).numpy()


@dataclass(frozen=True)
class Update:
    """One sample seen by the perceptron rule."""

    epoch: int
    index: int
    x: np.ndarray  # with the 1 appended
    y: int
    z: float
    y_hat: int
    before: np.ndarray
    delta: np.ndarray
    after: np.ndarray

    @property
    def mistake(self) -> bool:
        return self.y != self.y_hat


def rule(w: np.ndarray, x: np.ndarray, y: int, eta: float) -> tuple[float, int, np.ndarray]:
    """z = w . x, y_hat = H(z) and the change eta (y - y_hat) x, all by the engine."""
    xt, wt = Tensor(x, dtype="float64"), Tensor(w, dtype="float64")
    z = xt @ wt
    y_hat = step(z)
    delta = (float(y) - y_hat) * eta * xt
    return z.item(), int(y_hat.item()), delta.numpy()


def train(
    x: np.ndarray, y: np.ndarray, w0: np.ndarray, eta: float, epochs: int, rng: np.random.Generator
) -> tuple[list[Update], list[int]]:
    """The perceptron rule, one shuffled epoch after another; stops after a clean epoch."""
    xs, w = augment(x), w0.astype(np.float64).copy()
    seen: list[Update] = []
    mistakes: list[int] = []
    for epoch in range(1, epochs + 1):
        wrong = 0
        for i in rng.permutation(len(xs)):
            z, y_hat, delta = rule(w, xs[i], int(y[i]), eta)
            after = (Tensor(w, dtype="float64") + Tensor(delta, dtype="float64")).numpy()
            seen.append(Update(epoch, int(i), xs[i], int(y[i]), z, y_hat, w, delta, after))
            wrong += int(y_hat != y[i])
            w = after
        mistakes.append(wrong)
        if wrong == 0:
            break
    return seen, mistakes


def separable_set(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points labelled by a hidden line, keeping only those at least MARGIN from it."""
    x = rng.uniform(-1.25, 1.25, (20 * n, 2))
    d = (Tensor(augment(x), dtype="float64") @ Tensor(TRUE_LINE, dtype="float64")).numpy()
    keep = np.flatnonzero(np.abs(d) > MARGIN)[:n]
    return x[keep], (d[keep] > 0).astype(np.int64)


def train_layer(
    rng: np.random.Generator, eta: float, epochs: int = MAX_EPOCHS
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """A layer of three LTUs learns three clusters, one unit per class, with the same rule.

    Returns the points, their classes, the weights (3 x 3: w1, w2, b by unit) and the mistakes
    per epoch.  The update for all units at once is W <- W + eta x^T (y - y_hat).
    """
    angles = np.deg2rad([90.0, 210.0, 330.0])
    y = np.repeat(np.arange(3), 7)
    centres = 0.8 * np.stack([np.cos(angles), np.sin(angles)], axis=1) + np.array([-0.2, -0.4])
    x = centres[y] + rng.normal(0, 0.15, (21, 2))
    xs, targets = augment(x), np.eye(3)[y]
    w = np.zeros((3, 3))
    mistakes: list[int] = []
    for _ in range(epochs):
        wrong = 0
        for i in rng.permutation(len(xs)):
            xi = Tensor(xs[i : i + 1], dtype="float64")
            err = Tensor(targets[i : i + 1], dtype="float64") - step(
                xi @ Tensor(w, dtype="float64")
            )
            w = (Tensor(w, dtype="float64") + eta * (xi.T @ err)).numpy()
            wrong += int(np.any(err.numpy() != 0))
        mistakes.append(wrong)
        if wrong == 0:
            break
    return x, y, w, mistakes


def mistakes_so_far(updates: Sequence[Update], upto: int) -> list[int]:
    """Mistakes per epoch counted up to update ``upto`` (the current epoch so far)."""
    counts: dict[int, int] = {}
    for u in updates[: upto + 1]:
        counts[u.epoch] = counts.get(u.epoch, 0) + int(u.mistake)
    return [counts[e] for e in sorted(counts)]


XOR_HIDDEN = np.array([[1.0, -1.0], [1.0, -1.0], [0.5, 0.5]])  # OR and NAND of the inputs
XOR_OUT = np.array([[1.0], [1.0], [-1.5]])  # AND of the two hidden units


def xor_network(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hand-set 2-2-1 network of LTUs that computes XOR: hidden outputs and y_hat."""
    h = ltu(XOR_HIDDEN, augment(x))
    return h, ltu(XOR_OUT, augment(h))[:, 0]


def ltu_formula(w: np.ndarray, inputs: Sequence[str]) -> str:
    """``H(w1 x1 + w2 x2 + b)`` written from the weights themselves (math markup).

    ``w`` holds one weight per input and the bias last, as everywhere in chapter 2.
    """
    text = ""
    for wk, name in zip(w[:-1], inputs, strict=True):
        sign = "-" if wk < 0 else "+"
        mag = "" if abs(wk) == 1 else f"{abs(wk):g} "
        text += f" {sign} {mag}{name}" if text else f"{'-' if wk < 0 else ''}{mag}{name}"
    b = float(w[-1])
    if b:
        text += f" {'-' if b < 0 else '+'} {abs(b):g}"
    return f"H({text})"


# ---- 2-k-1 networks ------------------------------------------------------------------------

EPOCHS = 500
RATE = 0.05
ACTIVATIONS: dict[str, Fn] = {"tanh": act.tanh, "ReLU": act.relu}


def as_tensor(a: np.ndarray) -> Tensor:
    return Tensor(np.asarray(a, dtype=np.float64), dtype="float64")


@dataclass
class Net:
    """A 2-k-1 network: z = g(X W1 + b1) W2 + b2, with g the identity for a linear stack."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    g: Fn

    def hidden(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pre-activations and activations of the hidden layer for rows x."""
        pre = as_tensor(x) @ as_tensor(self.w1) + as_tensor(self.b1)
        return pre.numpy(), self.g(pre).numpy()

    def score(self, x: np.ndarray) -> np.ndarray:
        """The output score z (a logit: the class is 1 where z >= 0)."""
        return (
            self.g(as_tensor(x) @ as_tensor(self.w1) + as_tensor(self.b1)) @ as_tensor(self.w2)
            + as_tensor(self.b2)
        ).numpy()[:, 0]

    def fit(self, x: np.ndarray, y: np.ndarray, epochs: int = EPOCHS) -> list[float]:
        """Full-batch Adam on binary cross-entropy; the weights are updated in place."""
        params = [
            Tensor(p, requires_grad=True, dtype="float64")
            for p in (self.w1, self.b1, self.w2, self.b2)
        ]
        opt, loss_fn, losses = Adam(RATE), BinaryCrossentropy(from_logits=True), []
        for _ in range(epochs):
            for p in params:
                p.zero_grad()
            w1, b1, w2, b2 = params
            loss = loss_fn(y[:, None].astype(np.float64), self.g(as_tensor(x) @ w1 + b1) @ w2 + b2)
            loss.backward()
            opt.step(params)
            losses.append(loss.item())
        self.w1, self.b1, self.w2, self.b2 = (p.numpy() for p in params)
        return losses


def fresh_net(init: Sequence[np.ndarray], g: Fn) -> Net:
    """A fresh network from initial weights (copied, so training leaves ``init`` alone)."""
    w1, b1, w2, b2 = (np.array(a, dtype=np.float64) for a in init)
    return Net(w1, b1, w2, b2, g)


def identity(t: Tensor) -> Tensor:
    return t


def collapse(net: Net) -> tuple[np.ndarray, np.ndarray]:
    """The single layer equal to a linear stack: W = W1 W2 and b = b1 W2 + b2."""
    w = as_tensor(net.w1) @ as_tensor(net.w2)
    b = as_tensor(net.b1) @ as_tensor(net.w2) + as_tensor(net.b2)
    return w.numpy(), b.numpy()


def affine_residual(net: Net) -> float:
    """RMS distance of the score over the plane from the best affine function a x1 + b x2 + c."""
    grid = grid_points(n=41)
    z = net.score(grid)
    design = np.hstack([grid, np.ones((len(grid), 1))])
    coef, *_ = np.linalg.lstsq(design, z, rcond=None)
    return float(np.sqrt(np.mean((design @ coef - z) ** 2)))


def accuracy(net: Net, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((net.score(x) >= 0) == (y == 1)))


# ---- one activation, one neuron -----------------------------------------------------------------


def derivative(fn: Fn, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(xs) and f'(xs) from one backward pass through the batch (elementwise functions)."""
    x = Tensor(np.asarray(xs, dtype=np.float64), requires_grad=True, dtype="float64")
    y = fn(x)
    y.sum().backward()
    if x.grad is None:
        raise RuntimeError("backward() left no gradient on x")
    return y.numpy(), to_numpy(x.grad)


def train_neuron(
    fn: Fn, bias: float, steps: int = TRAIN_STEPS, lr: float = TRAIN_RATE
) -> np.ndarray:
    """Fit y = f(w x + b) to t = 0.8 x + 0.1 on x in [0, 1] with SGD; rows (w, b, loss)."""
    xs = Tensor(np.linspace(0.0, 1.0, 10), dtype="float64")
    target = Tensor(0.8 * np.linspace(0.0, 1.0, 10) + 0.1, dtype="float64")
    w = Tensor(np.array(0.5), requires_grad=True, name="w", dtype="float64")
    b = Tensor(np.array(bias), requires_grad=True, name="b", dtype="float64")
    opt = SGD(learning_rate=lr)
    rows = []
    for i in range(steps + 1):
        w.zero_grad()
        b.zero_grad()
        loss = ((fn(xs * w + b) - target) ** 2).mean()
        rows.append((w.item(), b.item(), loss.item()))
        if i < steps:
            loss.backward()
            opt.step([w, b])
    return np.array(rows)
