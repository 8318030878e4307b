"""Lesson 4.1's regression: the points, the engine's MSE and MAE fits, the outlier, the pulls.

A cubic ``ŷ = c₀ + c₁x + c₂x² + c₃x³`` (a Dense layer on three polynomial features of x) is
fitted by the engine's ``Sequential`` with full-batch Adam to noisy points, with MSE and with
MAE, then again with one outlier.  Every loss value comes from :mod:`engine.nn.losses`
(``per_example`` for each example, the model's ``evaluate`` for the loss the engine reports),
and each example's pull on its prediction from the engine's ``backward()``.  The engine has no
absolute-error loss, so :class:`MeanAbsoluteError` adds one on the engine's ``Loss`` base
class.  The classification part is in :mod:`lessons.ch4_training.loss_functions.classes`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from engine.core import backend
from engine.core.tensor import Array, Tensor
from engine.data.synthetic.sets import CURVES
from engine.models.sequential import Sequential
from engine.nn import losses
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import Adam

N_POINTS = 10  # regression points (the outlier is one more)
CURVE = "sine"  # the engine's true curve y = sin(πx)
GRID = np.linspace(-1.1, 1.1, 221)  # where the fitted curves are drawn
# Full-batch Adam: (steps, learning rate) phases. MAE's gradient has the same size however
# close a point is, so its steps must shrink to settle; MSE settles by itself.
MSE_SCHEDULE: tuple[tuple[int, float], ...] = ((150, 0.1), (100, 0.03))
MAE_SCHEDULE: tuple[tuple[int, float], ...] = ((150, 0.05), (150, 0.01), (150, 0.002), (150, 5e-4))


class MeanAbsoluteError(losses.Loss):
    """mean(|y_pred − y_true|): the absolute error of each example, then the mean.

    Its gradient with respect to a prediction is ``sign(y_pred − y_true) / n``: every example
    pulls with the same strength, however far off it is.
    """

    name = "mean_absolute_error"

    def _compute(self, y: Array, p: Array, logits: bool) -> tuple[Array, Callable[[], Array]]:
        xp = backend.xp()
        diff = p - y
        width = p.shape[-1] if p.ndim > 1 else 1
        values = xp.abs(diff)
        return (values.mean(axis=-1) if values.ndim > 1 else values), lambda: xp.sign(diff) / width


if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Result = TypeVar("Result", bound="DataclassInstance")
MSE = losses.MeanSquaredError()
MAE = MeanAbsoluteError()
BCE = losses.BinaryCrossentropy()
CCE = losses.CategoricalCrossentropy()


def features(x: np.ndarray) -> np.ndarray:
    """The cubic's inputs: the Legendre polynomials P₁, P₂, P₃ of x (n, 3).

    They span the same cubics as x, x², x³ but are far less correlated on [−1, 1], so
    gradient descent settles in a few hundred steps instead of thousands.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    return np.stack([x, 1.5 * x**2 - 0.5, 2.5 * x**3 - 1.5 * x], axis=1)


def cubic_coefficients(weights: Sequence[np.ndarray]) -> np.ndarray:
    """(c₀, c₁, c₂, c₃) of ŷ = c₀ + c₁x + c₂x² + c₃x³ from the Dense layer's (kernel, bias)."""
    a1, a2, a3 = (float(v) for v in np.asarray(weights[0]).reshape(-1))
    b = float(np.asarray(weights[1]).reshape(-1)[0])
    return np.array([b - 0.5 * a2, a1 - 1.5 * a3, 1.5 * a2, 2.5 * a3])


def train(
    model: Sequential, x: np.ndarray, y: np.ndarray, schedule: Sequence[tuple[int, float]]
) -> Sequential:
    """Full-batch Adam on (x, y) through the phases of ``schedule``; returns the model."""
    optimizer = model.optimizer
    if not isinstance(optimizer, Adam):
        raise ValueError("train() expects a model compiled with Adam")
    xa, ya = model.as_arrays(x, y)
    for steps, rate in schedule:
        optimizer.learning_rate = rate
        for _ in range(steps):
            model.train_on_batch(xa, ya)
    return model


# ----------------------------------------------------------------------------- regression


@dataclass(frozen=True, eq=False)  # holds arrays
class CurveFit:
    """One cubic fitted by the engine with one loss, on the points it was trained on."""

    loss: str  # "MSE" or "MAE": the loss it minimised
    coef: np.ndarray  # c₀..c₃
    pred: np.ndarray  # its predictions at the training points (n,)
    grid: np.ndarray  # its curve at GRID
    at_out: float  # its prediction at the outlier's x
    reported: float  # the loss the engine reports for it (model.evaluate)
    weights: tuple[np.ndarray, ...]


def fit_curve(
    x: np.ndarray,
    y: np.ndarray,
    loss: losses.Loss,
    x_out: float,
    seed: int,
    start: Sequence[np.ndarray] | None = None,
) -> CurveFit:
    """Fit the cubic to (x, y) with ``loss``; ``start`` warm-starts from earlier weights."""
    model = Sequential([Input((3,)), Dense(1)], seed=seed, dtype="float64")
    model.compile(optimizer=Adam(0.1), loss=loss)
    if start is not None:
        model.set_weights(start)
    feats, target = features(x), np.asarray(y, np.float64).reshape(-1, 1)
    train(model, feats, target, MSE_SCHEDULE if loss is MSE else MAE_SCHEDULE)
    weights = tuple(model.get_weights())
    return CurveFit(
        "MSE" if loss is MSE else "MAE",
        cubic_coefficients(weights),
        model.predict(feats)[:, 0],
        model.predict(features(GRID))[:, 0],
        float(model.predict(features(np.array([x_out])))[0, 0]),
        float(model.evaluate(feats, target)["loss"]),
        weights,
    )


def pulls(loss: losses.Loss, y: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """−∂J/∂ŷᵢ for each example, by the engine's backward(): which way and how hard each
    example pulls its prediction when the mean loss J is lowered."""
    p = Tensor(np.asarray(pred, np.float64).reshape(-1, 1), requires_grad=True, dtype="float64")
    value = loss(np.asarray(y, np.float64).reshape(-1, 1), p)
    value.backward()
    if p.grad is None:
        raise RuntimeError("backward() left no gradient on the predictions")
    return -backend.to_numpy(p.grad).reshape(-1).astype(np.float64)


@dataclass(frozen=True, eq=False)  # holds arrays
class Regression:
    """The points, the outlier, the four fits and their per-example losses."""

    x: np.ndarray  # (n,) sorted
    y: np.ndarray
    x_out: float
    y_out: float
    y_true_out: float  # the true curve at x_out: the outlier is y_out − y_true_out off it
    truth: np.ndarray  # the noiseless curve at GRID
    noise: float
    mse: CurveFit  # fitted to the n points
    mae: CurveFit
    mse_out: CurveFit  # fitted to the n points and the outlier
    mae_out: CurveFit
    sq: np.ndarray  # squared errors of the MSE fit (n,), engine per_example
    ab: np.ndarray  # absolute errors of the MAE fit (n,)
    sq_out: np.ndarray  # squared errors of the MSE fit with the outlier (n + 1,)
    ab_out: np.ndarray  # absolute errors of the MAE fit with the outlier (n + 1,)
    cross: dict[str, float]  # "MSE of MAE fit", "MAE of MSE fit" (engine losses)
    pull_mse: np.ndarray  # −∂J/∂ŷ when the outlier joins the clean MSE fit (n + 1,)
    pull_mae: np.ndarray  # the same for MAE at the clean MAE fit

    @property
    def x_all(self) -> np.ndarray:
        return np.append(self.x, self.x_out)

    @property
    def y_all(self) -> np.ndarray:
        return np.append(self.y, self.y_out)

    @property
    def shift_mse(self) -> float:
        """How far the outlier moved the MSE curve at the outlier's x (towards it if > 0)."""
        return (self.mse_out.at_out - self.mse.at_out) * _toward(self.y_out - self.mse.at_out)

    @property
    def shift_mae(self) -> float:
        return (self.mae_out.at_out - self.mae.at_out) * _toward(self.y_out - self.mae.at_out)


def _toward(gap: float) -> float:
    return 1.0 if gap >= 0 else -1.0


def points(noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """N_POINTS points spread over [−1, 1] (one in each of N_POINTS equal strips, at a random
    place inside it), y = the engine's true curve + Gaussian noise of this size."""
    rng = np.random.default_rng(seed)
    width = 2.0 / N_POINTS
    x = -1.0 + width * (np.arange(N_POINTS) + rng.uniform(0.15, 0.85, N_POINTS))
    y = CURVES[CURVE](x) + noise * rng.normal(0.0, 1.0, N_POINTS)
    return x.astype(np.float64), np.asarray(y, dtype=np.float64)


def frozen(obj: Result) -> Result:
    """``obj`` with every array field read-only: cached results are shared by runs."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
        elif isinstance(value, CurveFit):
            frozen(value)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, np.ndarray):
                    item.setflags(write=False)
    return obj


@lru_cache(maxsize=16)
def regression(
    noise: float, outlier: float, x_out: float, data_seed: int, model_seed: int
) -> Regression:
    """The regression part for the given controls: points, outlier, fits, per-example losses.

    Cached: a restart for another control (★'s place) reuses these fits.  Arrays are
    read-only.
    """
    x, y = points(noise, data_seed)
    y_true_out = float(CURVES[CURVE](np.array(x_out)))
    y_out = y_true_out + outlier
    x_all, y_all = np.append(x, x_out), np.append(y, y_out)
    mse = fit_curve(x, y, MSE, x_out, model_seed)
    mae = fit_curve(x, y, MAE, x_out, model_seed, start=mse.weights)
    mse_out = fit_curve(x_all, y_all, MSE, x_out, model_seed, start=mse.weights)
    mae_out = fit_curve(x_all, y_all, MAE, x_out, model_seed, start=mae.weights)
    at_out_mse = np.append(mse.pred, mse.at_out)
    at_out_mae = np.append(mae.pred, mae.at_out)
    return frozen(
        Regression(
            x=x,
            y=y,
            x_out=float(x_out),
            y_out=y_out,
            y_true_out=y_true_out,
            truth=CURVES[CURVE](GRID),
            noise=float(noise),
            mse=mse,
            mae=mae,
            mse_out=mse_out,
            mae_out=mae_out,
            sq=MSE.per_example(y[:, None], mse.pred[:, None]),
            ab=MAE.per_example(y[:, None], mae.pred[:, None]),
            sq_out=MSE.per_example(y_all[:, None], mse_out.pred[:, None]),
            ab_out=MAE.per_example(y_all[:, None], mae_out.pred[:, None]),
            cross={
                "MSE of MAE fit": float(MSE(y[:, None], mae.pred[:, None]).item()),
                "MAE of MSE fit": float(MAE(y[:, None], mse.pred[:, None]).item()),
                "MSE of MAE fit, outlier": float(MSE(y_all[:, None], mae_out.pred[:, None]).item()),
                "MAE of MSE fit, outlier": float(MAE(y_all[:, None], mse_out.pred[:, None]).item()),
            },
            pull_mse=pulls(MSE, y_all, at_out_mse),
            pull_mae=pulls(MAE, y_all, at_out_mae),
        )
    )
