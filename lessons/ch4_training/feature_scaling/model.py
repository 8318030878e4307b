"""Lesson 4.5's experiment: one linear model trained on unscaled and on standardised features.

The data are seeded: two correlated features, x₁ with a spread of about 1 and x₂ with a spread
of about ``scale`` (as if x₂ were recorded in a unit ``scale`` times smaller), both measured from
their average on the training points, and a target ``y = 1·z₁ + 2·z₂ + noise`` (z: the features
in units of their spread).  The model is ``ŷ = w₁x₁ + w₂x₂``: the engine's ``Dense(1)`` without
bias, trained with the mean squared error by the engine's plain ``SGD`` on all training points at
every step (full-batch gradient descent), in float64.

For this loss the curvature of the bowl, the Hessian, is the same everywhere.  The lesson gets it
from the engine: the change of the engine's gradient when one weight moves (central
differences, exact for a quadratic up to rounding).  It equals ``(2/n) XᵀX``, so its eigenvalues,
the condition number, the largest stable rate ``2/λ_max`` and the best constant rate
``2/(λ_max + λ_min)`` all come from the features alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.backend import to_numpy
from engine.core.events import DivergenceError
from engine.data.loading import StandardScaler
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import SGD

N_TRAIN = 200
N_VAL = 100
SPREAD_1 = 1.0  # spread of x₁ (its unit); x₂'s is the ``scale`` control
TRUE_Z = (1.0, 2.0)  # y = 1·z₁ + 2·z₂ + noise, z the features divided by their spread
NOISE = 0.5
TOL = 1e-3  # converged: the training loss is within 0.1 % of its lowest value
BLOW_UP = 1e8  # a run stops once its excess loss is this many times the starting one
START = (0.0, 0.0)  # every run starts from w = 0 (which is v = 0 too: the same model)


@dataclass(frozen=True, eq=False)  # holds arrays
class Data:
    """Training and validation points in the units they were measured in, and standardised."""

    x_train: np.ndarray  # (n, 2) as measured, centred on the training average
    y_train: np.ndarray  # (n,)
    x_val: np.ndarray
    y_val: np.ndarray
    mean: np.ndarray  # the scaler's statistics, from the training points only
    std: np.ndarray
    z_train: np.ndarray  # (x - mean) / std
    z_val: np.ndarray
    scale: float
    rho: float


def make_data(scale: float, rho: float, seed: int) -> Data:
    """Seeded points; ``scale`` only changes x₂'s unit, so every scale gives the same points."""
    if not scale > 0 or not -1 < rho < 1:
        raise ValueError(f"need scale > 0 and -1 < rho < 1, got {scale}, {rho}")
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_VAL
    g = rng.standard_normal((n, 2))
    z1 = g[:, 0]
    z2 = rho * g[:, 0] + np.sqrt(1.0 - rho * rho) * g[:, 1]
    y = TRUE_Z[0] * z1 + TRUE_Z[1] * z2 + NOISE * rng.standard_normal(n)
    x = np.stack([SPREAD_1 * z1, scale * z2], axis=1)
    x = x - x[:N_TRAIN].mean(axis=0)  # measured from the training average
    scaler = StandardScaler().fit(x[:N_TRAIN])
    if scaler.mean_ is None or scaler.scale_ is None:  # fit always sets them
        raise RuntimeError("StandardScaler.fit left no statistics")
    return Data(
        x[:N_TRAIN],
        y[:N_TRAIN],
        x[N_TRAIN:],
        y[N_TRAIN:],
        scaler.mean_.copy(),
        scaler.scale_.copy(),
        scaler.transform(x[:N_TRAIN]),
        scaler.transform(x[N_TRAIN:]),
        float(scale),
        float(rho),
    )


def linear_model(learning_rate: float = 0.01) -> Sequential:
    """ŷ = w₁x₁ + w₂x₂: the engine's Dense(1) without bias, compiled with SGD and MSE."""
    model = Sequential([Input((2,)), Dense(1, use_bias=False)], dtype="float64")
    model.compile(SGD(learning_rate), "mse")
    return model


def _kernel(model: Sequential) -> np.ndarray:
    """A copy of the weights (the optimizer updates its arrays in place)."""
    return np.array(to_numpy(model.params[0].data), dtype=np.float64).reshape(2)


def gradient(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The engine's gradient of the training MSE at ``w`` (reverse-mode autodiff)."""
    model = linear_model()
    model.set_weights([np.asarray(w, dtype=np.float64).reshape(2, 1)])
    loss, _ = model.loss_and_output(x, y[:, None])
    model.zero_grad()
    loss.backward()
    grad = model.params[0].grad
    if grad is None:
        raise RuntimeError("the engine produced no gradient")
    return np.asarray(to_numpy(grad), dtype=np.float64).reshape(2)


def loss_of(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """The engine's training MSE at ``w``."""
    model = linear_model()
    model.set_weights([np.asarray(w, dtype=np.float64).reshape(2, 1)])
    loss, _ = model.loss_and_output(x, y[:, None])
    return float(to_numpy(loss.data))


@dataclass(frozen=True, eq=False)  # holds arrays
class Bowl:
    """The loss over two weights for one set of features: its curvature and its bottom."""

    name: str  # "unscaled" or "standardised"
    x: np.ndarray  # the training features in this case's units
    y: np.ndarray
    hessian: np.ndarray  # (2, 2), from the engine's gradients
    eigenvalues: np.ndarray  # largest first
    eigenvectors: np.ndarray  # columns, in the same order
    best_w: np.ndarray  # where the gradient is zero
    lowest: float  # the loss there

    @property
    def lam_max(self) -> float:
        return float(self.eigenvalues[0])

    @property
    def lam_min(self) -> float:
        return float(self.eigenvalues[1])

    @property
    def kappa(self) -> float:
        """Condition number λ_max / λ_min: how stretched the bowl is."""
        return self.lam_max / self.lam_min

    @property
    def eta_max(self) -> float:
        """The largest stable learning rate, 2 / λ_max."""
        return 2.0 / self.lam_max

    @property
    def eta_best(self) -> float:
        """The best constant learning rate, 2 / (λ_max + λ_min)."""
        return 2.0 / (self.lam_max + self.lam_min)

    @property
    def tolerance(self) -> float:
        """The excess loss below which a run counts as converged."""
        return TOL * self.lowest


def bowl(name: str, x: np.ndarray, y: np.ndarray) -> Bowl:
    """The Hessian from central differences of the engine's gradient (step 1 in each weight),
    its eigen-decomposition, and the bottom, where gradient = g(0) + H w = 0."""
    h = 1.0
    columns = []
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        columns.append((gradient(x, y, e) - gradient(x, y, -e)) / (2 * h))
    hessian = np.stack(columns, axis=1)
    hessian = 0.5 * (hessian + hessian.T)  # equal up to rounding; exactly symmetric for eigh
    values, vectors = np.linalg.eigh(hessian)
    order = np.argsort(values)[::-1]
    best = np.linalg.solve(hessian, -gradient(x, y, np.zeros(2)))
    return Bowl(name, x, y, hessian, values[order], vectors[:, order], best, loss_of(x, y, best))


@dataclass(frozen=True, eq=False)  # holds arrays
class Run:
    """One gradient-descent run: the weights and training loss after every step."""

    rate: float
    weights: np.ndarray  # (steps + 1, 2), the start first
    losses: np.ndarray  # (steps + 1,), the loss at each of those weights
    lowest: float  # the bowl's lowest loss
    blew_up: bool  # stopped because the loss exploded (or became inf/NaN)

    @property
    def steps(self) -> int:
        return len(self.losses) - 1

    @property
    def excess(self) -> np.ndarray:
        """Loss above the lowest possible, at each step (inf where the loss was not finite)."""
        return np.where(np.isfinite(self.losses), self.losses - self.lowest, np.inf)

    def converged_at(self, tolerance: float) -> int | None:
        """The first step whose excess loss is at most ``tolerance``."""
        hits = np.flatnonzero(self.excess <= tolerance)
        return int(hits[0]) if hits.size else None

    @property
    def rising(self) -> bool:
        """Whether the loss went up at the last step (below 2/λ_max it falls at every step)."""
        return self.blew_up or (self.steps > 0 and bool(self.excess[-1] > self.excess[-2]))

    @property
    def diverged(self) -> bool:
        """Blew up, or ended higher than it started and still rising."""
        return self.blew_up or (self.rising and bool(self.excess[-1] > self.excess[0]))


def descend(
    b: Bowl, rate: float, steps: int, stop_at: float | None = None, start: tuple[float, ...] = START
) -> Run:
    """Full-batch gradient descent with the engine's SGD from ``start``; stops after ``steps``,
    when the excess loss reaches ``stop_at``, or when the loss explodes (cleanly, no NaN kept)."""
    model = linear_model(rate)
    model.set_weights([np.asarray(start, dtype=np.float64).reshape(2, 1)])
    targets = b.y[:, None]
    weights = [_kernel(model)]
    losses: list[float] = []
    blew_up = False
    first_excess: float | None = None
    for _ in range(steps):
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                value = model.train_on_batch(b.x, targets)  # the loss before this step
        except DivergenceError:
            losses.append(np.inf)
            blew_up = True
            break
        losses.append(value)
        excess = value - b.lowest
        if first_excess is None:
            first_excess = max(excess, b.tolerance)
        if stop_at is not None and excess <= stop_at:
            break
        if excess > BLOW_UP * first_excess:
            blew_up = True
            break
        weights.append(_kernel(model))
    if len(weights) > len(losses):  # the loss at the last weights (the update was taken)
        w = weights[-1]
        final = loss_of(b.x, b.y, w) if np.all(np.isfinite(w)) else np.inf
        losses.append(final if np.isfinite(final) else np.inf)
        if not np.isfinite(final):
            blew_up = True
    return Run(
        float(rate), np.array(weights), np.array(losses, dtype=np.float64), b.lowest, blew_up
    )


def to_original_units(v: np.ndarray, data: Data) -> tuple[np.ndarray, float]:
    """Weights for standardised features as weights (and an offset) for the measured ones:
    v·(x − m)/s = (v/s)·x − (v/s)·m."""
    w = np.asarray(v, dtype=np.float64) / data.std
    return w, float(-(w * data.mean).sum())


def losses_along(b: Bowl, direction: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """The engine's training loss at ``best_w + t * direction`` for every t of ``steps``."""
    from engine.analysis.landscape import losses_at

    model = linear_model()
    base = [np.asarray(b.best_w, dtype=np.float64).reshape(2, 1)]
    d = [np.asarray(direction, dtype=np.float64).reshape(2, 1)]
    return losses_at(model, b.x, b.y[:, None], base, [d], np.asarray(steps, float)[:, None])


def ellipse_box(b: Bowl, excess: float) -> np.ndarray:
    """The corners of the box around the contour line where the loss is ``excess`` above its
    lowest value: the ellipse ½ (w − w*)ᵀ H (w − w*) = excess reaches ±√(2·excess·(H⁻¹)ⱼⱼ)."""
    half = np.sqrt(2.0 * excess * np.diag(np.linalg.inv(b.hessian)))
    return np.stack([b.best_w - half, b.best_w + half])


def loss_grid(b: Bowl, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The engine's training loss at every (w₁, w₂) of the grid: rows follow ``ys``."""
    from engine.analysis.landscape import losses_at

    w1, w2 = np.meshgrid(xs, ys)
    model = linear_model()
    coefficients = np.stack([w1.ravel(), w2.ravel()], axis=1)
    directions = [[np.array([[1.0], [0.0]])], [np.array([[0.0], [1.0]])]]
    values = losses_at(model, b.x, b.y[:, None], [np.zeros((2, 1))], directions, coefficients)
    return values.reshape(w1.shape)
