"""The numbers of lesson 6.2, all computed by the engine: convolution, ReLU, max pooling, backward.

A digit from scikit-learn's 8x8 set (intensities 0..16, kept as integers so every cell reads as a
whole number) goes through ``conv2d`` with an integer edge kernel ("same" padding, so the feature
map stays 8x8), then ``relu``, then ``MaxPooling2D(2)`` (8x8 -> 4x4).  The backward pass starts
from a small loss on the pooled map, ``L = sum(V * P)`` with seeded integer weights ``V`` (a
stand-in for the layers above), and the engine's autodiff sends ``dL/dP = V`` back through the
pooling and the ReLU.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from engine.core.tensor import Tensor
from engine.data.datasets import load_digits
from engine.nn import activations
from engine.nn.conv import conv2d
from engine.nn.pooling import MaxPooling2D

KERNELS: dict[str, np.ndarray] = {
    "Sobel: vertical edges": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64),
    "Sobel: horizontal edges": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64),
    "Prewitt: vertical edges": np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=np.float64),
    "Laplacian: outlines": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float64),
}
SHIFTS: dict[str, tuple[int, int]] = {
    "1 px right": (0, 1),
    "1 px down": (1, 0),
    "1 px left": (0, -1),
    "1 px up": (-1, 0),
}
PAD = (1, 1, 1, 1)  # "same" padding for a 3x3 kernel: the feature map stays 8x8


@cache
def digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits as (N, 1, 8, 8) float64 intensities 0..16, and their labels."""
    data = load_digits(scale=False)
    x = np.concatenate([data.x_train, data.x_test]).astype(np.float64)
    return x, np.concatenate([data.y_train, data.y_test])


def first_of_class(label: int) -> tuple[int, np.ndarray]:
    """The index and the 8x8 image of the first digit of class ``label`` in the set."""
    x, y = digits()
    index = int(np.flatnonzero(y == label)[0])
    return index, x[index, 0].copy()


def shifted(image: np.ndarray, shift: tuple[int, int]) -> np.ndarray:
    """``image`` (..., H, W) moved by (rows, cols) pixels; cells that come in are 0 (black)."""
    dy, dx = shift
    out = np.zeros_like(image)
    h, w = image.shape[-2:]
    out[..., max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        ..., max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)
    ]
    return out


@dataclass(frozen=True)
class Forward:
    """One batch through conv -> ReLU -> 2x2 max pool (arrays (N, 1, ...) as host copies)."""

    z: np.ndarray  # feature map (N, 1, 8, 8)
    a: np.ndarray  # ReLU(z)
    p: np.ndarray  # pooled (N, 1, 4, 4)
    winners: np.ndarray  # bool (N, 1, 8, 8): the cell of each window the maximum came from
    offsets: np.ndarray  # (N, 1, 4, 4): winner's index i * 2 + j inside its window


def forward(images: np.ndarray, kernel: np.ndarray) -> Forward:
    """Run ``images`` (N, 1, 8, 8) through the engine's conv2d, relu and MaxPooling2D."""
    pool = MaxPooling2D(2)
    z = conv2d(Tensor(images), Tensor(kernel[None, None]), None, (1, 1), PAD)
    a = activations.relu(z)
    p = pool(a)
    winners, offsets = pool.winners, pool.winner_offsets
    if winners is None or offsets is None:
        raise RuntimeError("MaxPooling2D kept no winners after its forward pass")
    return Forward(z.numpy(), a.numpy(), p.numpy(), winners, offsets)


@dataclass(frozen=True)
class Backward:
    """The loss L = sum(V * P) and its gradients, each from the engine's backward pass."""

    v: np.ndarray  # (4, 4) read-out weights; dL/dP = V
    loss: float
    grad_p: np.ndarray  # dL/dP (4, 4)
    grad_a: np.ndarray  # dL/dReLU output (8, 8): nonzero only at winners
    grad_z: np.ndarray  # dL/dz (8, 8): grad_a where z > 0
    grad_x: np.ndarray  # dL/dimage (8, 8)
    grad_k: np.ndarray  # dL/dkernel (3, 3)


def readout_weights(rng: np.random.Generator) -> np.ndarray:
    """Seeded whole-number weights V in {-3, ..., 3} without 0, shape (4, 4)."""
    return rng.choice(np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0]), size=(4, 4))


def backward(image: np.ndarray, kernel: np.ndarray, v: np.ndarray) -> Backward:
    """Forward one 8x8 image, L = sum(V * P), and the engine's reverse pass to every node."""
    x = Tensor(image[None, None], requires_grad=True)
    k = Tensor(kernel[None, None], requires_grad=True)
    z = conv2d(x, k, None, (1, 1), PAD)
    a = activations.relu(z)
    p = MaxPooling2D(2)(a)
    loss = (p * Tensor(v[None, None])).sum()
    loss.backward()
    grads = [t.grad for t in (p, a, z, x, k)]
    if any(g is None for g in grads):
        raise RuntimeError("the engine's backward pass left a gradient empty")
    gp, ga, gz, gx, gk = (np.asarray(g)[0, 0].copy() for g in grads if g is not None)
    return Backward(v.copy(), loss.item(), gp, ga, gz, gx, gk)
