"""Gradient-descent runs for lesson 1.1: a 1-D cost with two valleys and 2-D bowls, on the engine.

Every cost is a Tensor expression and every slope comes from ``backward()``; every update is
the engine's :class:`~engine.nn.optimizers.SGD` (plain or with momentum).  A run stops early when
the ball comes to rest, and stops cleanly (no overflow, no NaN) when it flies away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.data.synthetic.sets import Surface
from engine.nn.optimizers import SGD

# The two valleys of the 1-D cost: where its slope is zero (checked by the tests).
W_GLOBAL = 2.0
W_LOCAL = -1.5
W_PEAK = 0.0
W_RANGE = (-3.0, 3.5)  # what the curve plot shows
J_RANGE = (-1.4, 12.0)  # room below zero for the valley labels, also on a small screen
FAR = 10.0  # a ball beyond |w| = FAR has left the picture
AT_REST = 0.01  # within this of a minimum, moving less than this: the ball has settled


def cost(w: Tensor) -> Tensor:
    """J(w) = w⁴/4 − w³/6 − 3w²/2 + 4: a local valley at w = −1.5, the global one at w = 2."""
    return w**4 / 4 - w**3 / 6 - w**2 * 1.5 + 4


COST_TEX = r"J(w) = \frac{w^4}{4} - \frac{w^3}{6} - \frac{3w^2}{2} + 4"


def _scalar(a: Any) -> float:
    return float(np.asarray(to_numpy(a)).reshape(()))


def cost_curve(xs: np.ndarray) -> np.ndarray:
    """J over many w at once (one vectorised Tensor expression)."""
    return cost(Tensor(xs, dtype="float64")).numpy()


def slope(w: float) -> tuple[float, float]:
    """J(w) and dJ/dw at ``w``, the slope by reverse-mode autodiff."""
    t = Tensor(w, requires_grad=True, dtype="float64", name="w")
    j = cost(t)
    j.backward()
    return j.item(), _scalar(t.grad)


@dataclass(frozen=True)
class Move:
    """One update: from ``w`` (cost ``j``, slope ``g``) by ``delta`` to ``w_new``."""

    t: int
    w: float
    j: float
    g: float
    v_old: float  # the momentum velocity before the update (0 without momentum)
    velocity: float  # the velocity after the update (0 without momentum)
    delta: float
    w_new: float
    j_new: float


@dataclass(frozen=True)
class Run:
    """A 1-D descent: its moves and how it ended ("rest", "far" or "running")."""

    start: float
    rate: float
    beta: float
    moves: tuple[Move, ...]
    end: str

    @property
    def positions(self) -> np.ndarray:
        return np.array([self.start, *(m.w_new for m in self.moves)])

    @property
    def costs(self) -> np.ndarray:
        first = self.moves[0].j if self.moves else slope(self.start)[0]
        return np.array([first, *(m.j_new for m in self.moves)])

    @property
    def final(self) -> float:
        return self.moves[-1].w_new if self.moves else self.start

    def settled_at(self, target: float) -> int | None:
        """The first step after which the ball rests within AT_REST of ``target``."""
        for m in self.moves:
            if abs(m.w_new - target) < AT_REST and abs(m.delta) < AT_REST:
                return m.t
        return None


def descend(start: float, rate: float, beta: float = 0.0, steps: int = 20) -> Run:
    """Gradient descent on ``cost`` from ``start``; stops at rest or when the ball flies off."""
    w = Tensor(start, requires_grad=True, dtype="float64", name="w")
    opt = SGD(learning_rate=rate, momentum=beta)
    moves: list[Move] = []
    end = "running"
    for t in range(1, steps + 1):
        before = w.item()
        v_old = _scalar(opt.state_of(w).get("velocity", 0.0))
        w.zero_grad()
        j = cost(w)
        j.backward()
        g = _scalar(w.grad)
        opt.step([w])
        after = w.item()
        velocity = _scalar(opt.state_of(w)["velocity"]) if beta else 0.0
        j_new = slope(after)[0] if abs(after) < 1e6 else math.inf
        moves.append(Move(t, before, j.item(), g, v_old, velocity, after - before, after, j_new))
        if abs(after) > FAR:
            end = "far"
            break
        if abs(after - before) < 1e-4 and abs(g) < 1e-3:
            end = "rest"
            break
    return Run(start, rate, beta, tuple(moves), end)


def valley(w: float) -> str:
    """Which valley a resting position belongs to."""
    return "global" if w > W_PEAK else "local"


# ---- two weights ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Path2D:
    """A descent on a 2-D surface: positions (n, 2), costs (n,), gradients (n - 1, 2)."""

    points: np.ndarray
    costs: np.ndarray
    grads: np.ndarray


def descend_2d(
    surface: Surface, start: tuple[float, float], rate: float, beta: float, steps: int
) -> Path2D:
    """Gradient descent on ``surface`` (gradients by backward(), updates by the engine's SGD)."""
    a = Tensor(start[0], requires_grad=True, dtype="float64", name="w1")
    b = Tensor(start[1], requires_grad=True, dtype="float64", name="w2")
    opt = SGD(learning_rate=rate, momentum=beta)
    points, costs, grads = [(a.item(), b.item())], [], []
    for _ in range(steps):
        a.zero_grad()
        b.zero_grad()
        j = surface(a, b)
        j.backward()
        costs.append(j.item())
        grads.append((_scalar(a.grad), _scalar(b.grad)))
        opt.step([a, b])
        points.append((a.item(), b.item()))
    last_a, last_b = (Tensor(v, dtype="float64") for v in points[-1])
    costs.append(surface(last_a, last_b).item())
    return Path2D(np.array(points), np.array(costs), np.array(grads))


def surface_image(surface: Surface, n: int = 121) -> tuple[np.ndarray, tuple[float, ...]]:
    """The surface on an n x n grid (rows along w2) and its image rectangle x, y, w, h."""
    x0, x1 = surface.x_range
    y0, y1 = surface.y_range
    w1, w2 = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    z = surface(Tensor(w1, dtype="float64"), Tensor(w2, dtype="float64")).numpy()
    return z, (x0, y0, x1 - x0, y1 - y0)


def zigzags(path: Path2D) -> int:
    """How often the second weight changes sign along the path (a zig-zag count)."""
    signs = np.sign(path.points[:, 1])
    signs = signs[signs != 0]
    return int(np.count_nonzero(np.diff(signs)))
