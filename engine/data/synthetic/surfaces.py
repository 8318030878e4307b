"""2-D loss surfaces for gradient descent: bowl, ravine, Rosenbrock, saddle, two minima.

Each ``Surface`` holds ``f(w0, w1)``, its gradient, its minima and saddle points, the ranges to
plot and a suggested start. ``f`` is written with + - * / and ** only, variable on the left of
each operator where it can be, so the same function works on floats, NumPy arrays and engine
Tensors. ``SURFACES`` maps each name to its surface; ``surface(name)`` looks one up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.data.synthetic.seeding import FloatArray

__all__ = ["SURFACES", "Surface", "Value", "surface"]

Value = Any  # a float, a NumPy array or an engine Tensor


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface ``f(w0, w1)`` with its gradient, minima and a suggested start."""

    name: str
    title: str
    f: Callable[[Value, Value], Value]
    grad: Callable[[Value, Value], tuple[Value, Value]]
    minima: tuple[tuple[float, float], ...]  # global minimum first
    saddles: tuple[tuple[float, float], ...]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]

    def __call__(self, w0: Value, w1: Value) -> Value:
        """The loss at (w0, w1): floats, arrays (element-wise) or Tensors."""
        return self.f(w0, w1)

    def grid(self, n: int = 101) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(W0, W1, Z) float64 arrays of shape (n, n) over the ranges, rows along w1."""
        w0, w1 = np.meshgrid(np.linspace(*self.x_range, n), np.linspace(*self.y_range, n))
        return w0, w1, np.asarray(self.f(w0, w1), dtype=np.float64)


SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface(
            "bowl", "Round bowl",
            lambda a, b: a**2 + b**2,
            lambda a, b: (a * 2, b * 2),
            ((0.0, 0.0),), (), (-3.0, 3.0), (-3.0, 3.0), (-2.5, 2.0),
        ),
        Surface(
            "ravine", "Long narrow ravine",
            lambda a, b: a**2 * 0.05 + b**2 * 2,
            lambda a, b: (a * 0.1, b * 4),
            ((0.0, 0.0),), (), (-5.0, 5.0), (-2.5, 2.5), (-4.5, 1.5),
        ),
        Surface(
            "rosenbrock", "Rosenbrock's banana valley",
            lambda a, b: (a - 1) ** 2 + (b - a**2) ** 2 * 100,
            lambda a, b: ((a - 1) * 2 - (b - a**2) * a * 400, (b - a**2) * 200),
            ((1.0, 1.0),), (), (-2.0, 2.0), (-1.0, 3.0), (-1.2, 1.0),
        ),
        Surface(
            "saddle", "Saddle point between two valleys",
            lambda a, b: a**2 + b**4 / 4 - b**2 / 2,
            lambda a, b: (a * 2, b**3 - b),
            ((0.0, 1.0), (0.0, -1.0)), ((0.0, 0.0),), (-2.0, 2.0), (-2.0, 2.0), (1.8, 0.001),
        ),
        Surface(
            "two_minima", "Two minima: a local and a global one",
            lambda a, b: a**4 / 4 - a**3 / 3 - a**2 + b**2,
            lambda a, b: (a**3 - a**2 - a * 2, b * 2),
            ((2.0, 0.0), (-1.0, 0.0)), ((0.0, 0.0),), (-2.5, 3.5), (-2.0, 2.0), (-2.2, 1.5),
        ),
    )
}  # fmt: skip


def surface(name: str) -> Surface:
    """The loss surface ``name`` (bowl, ravine, rosenbrock, saddle, two_minima)."""
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; choose from {sorted(SURFACES)}")
    return SURFACES[name]
