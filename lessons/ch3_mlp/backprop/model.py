"""Backpropagation through a 2-3-2 sigmoid network on one example, every number written out.

The network: ``z1 = x W1 + b1, a1 = σ(z1), z2 = a1 W2 + b2, y = σ(z2)`` with the squared error
``J = ½ Σ_k (y_k − t_k)²``.  :func:`forward` and :func:`backward` apply the textbook formulas
(output error, deltas flowing back, gradient = delta × input); :func:`engine_gradients` gets the
same gradients from the engine (a ``Sequential`` of two sigmoid ``Dense`` layers, whose mean
squared error over the two outputs is exactly ``J``, and ``backward()``);
:func:`central_differences` nudges every weight both ways.  :func:`engine_step` takes one SGD
step with the engine's optimizer.  All in float64.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.losses import MeanSquaredError
from engine.nn.optimizers import SGD

SIZES = (2, 3, 2)
PARAMS = ("w1", "b1", "w2", "b2")
EPS = 1e-6  # central-difference step


@dataclass(frozen=True, eq=False)  # holds arrays
class Net:
    """Weights W1 (2, 3), b1 (3,), W2 (3, 2), b2 (2,): W[i, j] joins neuron i to neuron j."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    def arrays(self) -> list[np.ndarray]:
        return [self.w1, self.b1, self.w2, self.b2]

    def minus(self, grads: Net, eta: float) -> Net:
        """``w − η g`` for every parameter."""
        return Net(*(w - eta * g for w, g in zip(self.arrays(), grads.arrays(), strict=True)))

    def max_abs_diff(self, other: Net) -> float:
        return max(
            float(np.max(np.abs(a - b))) for a, b in zip(self.arrays(), other.arrays(), strict=True)
        )


def random_net(rng: np.random.Generator) -> Net:
    """Weights drawn uniformly from [−1, 1], rounded to two decimals so they read easily."""

    def draw(*shape: int) -> np.ndarray:
        return np.round(rng.uniform(-1.0, 1.0, shape), 2)

    return Net(draw(2, 3), draw(3), draw(3, 2), draw(2))


def sigmoid(z: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return result


@dataclass(frozen=True, eq=False)
class Forward:
    """The forward pass: sums and outputs of each layer, the error and the loss."""

    x: np.ndarray
    t: np.ndarray
    z1: np.ndarray
    a1: np.ndarray
    z2: np.ndarray
    y: np.ndarray
    loss: float

    @property
    def error(self) -> np.ndarray:
        """∂J/∂y = y − t."""
        diff: np.ndarray = self.y - self.t
        return diff


@dataclass(frozen=True, eq=False)
class Backward:
    """The backward pass: output deltas, what flows back to each hidden neuron, its delta."""

    d2: np.ndarray  # δ_k = (y_k − t_k) y_k (1 − y_k)
    back: np.ndarray  # Σ_k w_jk δ_k, the error arriving at hidden neuron j
    d1: np.ndarray  # δ_j = a_j (1 − a_j) Σ_k w_jk δ_k
    grads: Net  # ∂J/∂w_ij = δ_j a_i (inputs x for the first layer), ∂J/∂b_j = δ_j


def forward(net: Net, x: np.ndarray, t: np.ndarray) -> Forward:
    """Each neuron: weighted sum plus bias, then the sigmoid."""
    z1 = x @ net.w1 + net.b1
    a1 = sigmoid(z1)
    z2 = a1 @ net.w2 + net.b2
    y = sigmoid(z2)
    loss = 0.5 * float(np.sum((y - t) ** 2))
    return Forward(x, t, z1, a1, z2, y, loss)


def backward(net: Net, f: Forward) -> Backward:
    """Deltas from the output back, then every gradient as delta times the neuron's input."""
    d2 = f.error * f.y * (1 - f.y)
    back = net.w2 @ d2
    d1 = f.a1 * (1 - f.a1) * back
    grads = Net(np.outer(f.x, d1), d1.copy(), np.outer(f.a1, d2), d2.copy())
    return Backward(d2, back, d1, grads)


def _model(net: Net) -> Sequential:
    model = Sequential(
        [Input((2,)), Dense(3, activation="sigmoid"), Dense(2, activation="sigmoid")],
        dtype="float64",
    )
    model.set_weights(net.arrays())
    return model


def engine_gradients(net: Net, x: np.ndarray, t: np.ndarray) -> tuple[float, Net]:
    """The engine's loss and gradients: forward through two sigmoid Dense layers, backward()."""
    model = _model(net)
    loss = MeanSquaredError()(t[None, :], model(Tensor(x[None, :], dtype="float64")))
    model.zero_grad()
    loss.backward()
    grads = [np.array(to_numpy(p.grad), dtype=np.float64) for p in model.params]
    return float(to_numpy(loss.data)), Net(*grads)


def engine_step(net: Net, x: np.ndarray, t: np.ndarray, eta: float) -> Net:
    """One step of the engine's SGD on the example; the new weights."""
    model = _model(net)
    model.compile(optimizer=SGD(eta), loss="mse")
    model.train_on_batch(x[None, :], t[None, :])
    return Net(*model.get_weights())


def _entries(net: Net) -> Iterator[tuple[str, tuple[int, ...]]]:
    for name in PARAMS:
        for index in np.ndindex(getattr(net, name).shape):
            yield name, index


def central_differences(net: Net, x: np.ndarray, t: np.ndarray, eps: float = EPS) -> Net:
    """Every gradient as (J(w + ε) − J(w − ε)) / 2ε, each weight nudged on its own."""
    out = {name: np.zeros_like(getattr(net, name)) for name in PARAMS}
    for name, index in _entries(net):
        values = []
        for sign in (1.0, -1.0):
            array = getattr(net, name).copy()
            array[index] += sign * eps
            values.append(forward(replace(net, **{name: array}), x, t).loss)
        out[name][index] = (values[0] - values[1]) / (2 * eps)
    return Net(**out)


# ---- names -----------------------------------------------------------------------------------

INPUTS = ("x₁", "x₂")
HIDDEN = ("h₁", "h₂", "h₃")
OUTPUTS = ("o₁", "o₂")
SUB = "₁₂₃"


def weight_names() -> tuple[str, ...]:
    """Every weight as "source→target": x₁→h₁ ... h₃→o₂ (the highlight choice)."""
    first = tuple(f"{i}→{j}" for i in INPUTS for j in HIDDEN)
    second = tuple(f"{j}→{k}" for j in HIDDEN for k in OUTPUTS)
    return first + second


def locate(name: str) -> tuple[int, int, int]:
    """A weight name as (layer, source, target): layer 1 joins inputs to hidden neurons."""
    source, target = name.split("→")
    if source in INPUTS:
        return 1, INPUTS.index(source), HIDDEN.index(target)
    return 2, HIDDEN.index(source), OUTPUTS.index(target)


def rows(net: Net) -> list[tuple[str, str, tuple[int, ...]]]:
    """Table rows: (label, parameter, index) for every weight and bias, layer by layer."""
    out = []
    for name, index in _entries(net):
        layer = name[1]
        if name[0] == "w":
            src = (INPUTS if layer == "1" else HIDDEN)[index[0]]
            dst = (HIDDEN if layer == "1" else OUTPUTS)[index[1]]
            out.append((f"w {src}→{dst}", name, index))
        else:
            dst = (HIDDEN if layer == "1" else OUTPUTS)[index[0]]
            out.append((f"bias of {dst}", name, index))
    return out


__all__ = [
    "EPS",
    "HIDDEN",
    "INPUTS",
    "OUTPUTS",
    "Backward",
    "Forward",
    "Net",
    "backward",
    "central_differences",
    "engine_gradients",
    "engine_step",
    "forward",
    "locate",
    "random_net",
    "rows",
    "weight_names",
]
