"""What lesson 4.4 computes: a line y = w·x + b trained by the engine on seeded points.

The model is the engine's ``Sequential`` with one ``Dense(1)`` unit (Keras defaults: a random
weight, a zero bias) trained with mean squared error and plain SGD by ``Sequential.fit``; the
batches come from the engine's ``DataLoader``.  A :class:`RowsAsked` dataset notes which rows
the loader asked for, so the lesson shows the very batches the model trained on.  Loss values
over the (w, b) plane and along the paths come from ``engine.analysis.landscape``; gradients
at fixed weights from the engine's ``backward()``.  Nothing here draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.analysis.landscape import loss_grid, losses_at
from engine.core.events import DivergenceError
from engine.data.loading import DataLoader, Dataset
from engine.data.synthetic.sets import make_regression
from engine.models.sequential import Sequential
from engine.nn.callbacks import Callback
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import SGD

N_EXAMPLES = 32  # training points: the batch-size slider runs from 1 to this
NOISE = 0.5  # standard deviation of the noise on y (the engine's "linear" curve 1.5x + 0.5)
X_RANGE = (-1.0, 1.0)
SIZES = (1, 2, 4, 8, 16, 32)  # the batch sizes compared in the noise table
BOTTOM_RATE = 0.5  # full-batch GD that finds the lowest point ...
BOTTOM_UPDATES = 400  # ... for at most this many updates (it stops moving long before)
GRID = 81  # loss values per side of the contour map

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
Point = Sequence[float] | np.ndarray[Any, Any]  # (w, b)


@dataclass(frozen=True, eq=False)  # holds arrays
class Data:
    """The training points: x and y of shape (N, 1), float64."""

    x: FloatArray
    y: FloatArray

    @property
    def n(self) -> int:
        return len(self.x)


def make_data(seed: int) -> Data:
    """N points y = 1.5x + 0.5 + noise from the engine's seeded regression generator."""
    reg = make_regression(
        "linear",
        N_EXAMPLES,
        noise=NOISE,
        test_fraction=0.0,
        x_range=X_RANGE,
        seed=seed,
        dtype=np.float64,
    )
    return Data(np.asarray(reg.x_train, np.float64), np.asarray(reg.y_train, np.float64))


def new_model(seed: int, rate: float) -> Sequential:
    """y = w·x + b: one Dense unit, float64, compiled with MSE and plain SGD at ``rate``."""
    model = Sequential([Input((1,)), Dense(1)], seed=seed, dtype="float64")
    model.compile(SGD(rate), "mse")
    return model


def weights_of(model: Sequential) -> tuple[float, float]:
    """(w, b) of the one-unit model."""
    kernel, bias = model.get_weights()
    return float(kernel[0, 0]), float(bias[0])


def set_point(model: Sequential, point: Point) -> None:
    """Put the model at (w, b)."""
    model.set_weights([np.array([[point[0]]]), np.array([point[1]])])


class RowsAsked(Dataset):
    """A Dataset that notes, in order, which rows a DataLoader asked it for (one batch each)."""

    def __init__(self, x: FloatArray, y: FloatArray) -> None:
        super().__init__(x, y)
        self.asked: list[IntArray] = []

    def __getitem__(self, index: Any) -> tuple[Any, Any]:
        self.asked.append(np.arange(len(self), dtype=np.int64)[index])
        return super().__getitem__(index)


class _Recorder(Callback):
    """After every optimizer step: the batch loss, the gradient used and the new (w, b)."""

    def __init__(self) -> None:
        super().__init__()
        self.losses: list[float] = []
        self.grads: list[tuple[float, float]] = []
        self.points: list[tuple[float, float]] = []

    def on_batch_end(self, batch: int, logs: Any = None) -> None:
        model = self.model
        if model is None:
            return
        kernel, bias = model.params
        if kernel.grad is None or bias.grad is None:
            raise ValueError("the step left no gradient")
        self.losses.append(float((logs or {})["loss"]))
        self.grads.append((float(kernel.grad.ravel()[0]), float(bias.grad.ravel()[0])))
        self.points.append(weights_of(model))


@dataclass(frozen=True, eq=False)  # holds arrays
class Run:
    """One training run: the batches it used and where every update took (w, b).

    ``points[0]`` is the start, ``points[k]`` the weights after update k; ``grads[k - 1]`` and
    ``batch_losses[k - 1]`` are the gradient and the batch's loss of update k (before it).
    ``full_losses[k]`` is the loss on all N points at ``points[k]``.  ``diverged`` is set when
    a batch loss became NaN or infinite: training stopped before that update.
    """

    batch_size: int
    rate: float
    shuffle: bool
    epochs: int
    batches: tuple[tuple[IntArray, ...], ...]  # per epoch, in the loader's order
    points: FloatArray  # (updates + 1, 2)
    grads: FloatArray  # (updates, 2)
    batch_losses: FloatArray  # (updates,)
    full_losses: FloatArray  # (updates + 1,)
    diverged: bool

    @property
    def per_epoch(self) -> int:
        """Updates in one epoch: N / B, rounded up (a short last batch is kept)."""
        return -(-N_EXAMPLES // self.batch_size)

    @property
    def updates(self) -> int:
        return len(self.grads)

    @property
    def worse(self) -> bool:
        """Training made the fit worse: it overflowed, or the loss ended above where it began."""
        last = float(self.full_losses[-1])
        return self.diverged or not math.isfinite(last) or last > float(self.full_losses[0])

    def epoch_ends(self) -> list[int]:
        """The update count at the end of each completed epoch (1-based epochs)."""
        return [
            e * self.per_epoch
            for e in range(1, self.epochs + 1)
            if e * self.per_epoch <= self.updates
        ]


def train(
    data: Data,
    batch_size: int,
    rate: float,
    epochs: int,
    shuffle: bool,
    model_seed: int,
    loader_seed: int,
) -> Run:
    """``epochs`` passes of the engine's ``fit`` over a seeded DataLoader; every step recorded."""
    model = new_model(model_seed, rate)
    start = weights_of(model)
    rows = RowsAsked(data.x, data.y)
    loader = DataLoader(rows, batch_size, shuffle=shuffle, seed=loader_seed)
    recorder = _Recorder()
    diverged = False
    try:
        model.fit(loader, epochs=epochs, callbacks=[recorder])
    except DivergenceError:
        diverged = True
    updates = len(recorder.grads)
    asked = rows.asked[:updates]  # the batch whose loss overflowed was not used
    per_epoch = len(loader)
    batches = tuple(tuple(asked[e : e + per_epoch]) for e in range(0, len(asked), per_epoch))
    points = np.array([start, *recorder.points], dtype=np.float64)
    return Run(
        batch_size=batch_size,
        rate=rate,
        shuffle=shuffle,
        epochs=epochs,
        batches=batches,
        points=points,
        grads=np.array(recorder.grads, dtype=np.float64).reshape(-1, 2),
        batch_losses=np.array(recorder.losses, dtype=np.float64),
        full_losses=losses_along(data, points, model_seed),
        diverged=diverged,
    )


def loader_batches(
    n: int, batch_size: int, shuffle: bool, seed: int, epochs: int
) -> list[list[IntArray]]:
    """The rows the engine's DataLoader hands out, epoch by epoch (without training)."""
    rows = RowsAsked(np.zeros((n, 1)), np.zeros((n, 1)))
    loader = DataLoader(rows, batch_size, shuffle=shuffle, seed=seed)
    out = []
    for _ in range(epochs):
        rows.asked.clear()
        for _batch in loader:
            pass
        out.append(list(rows.asked))
    return out


def _unit_directions() -> list[list[np.ndarray]]:
    """The (w, b) plane as two weight directions of the Dense model."""
    return [
        [np.array([[1.0]]), np.array([0.0])],
        [np.array([[0.0]]), np.array([1.0])],
    ]


def losses_along(data: Data, points: FloatArray, model_seed: int = 0) -> FloatArray:
    """The loss on all N points at each (w, b) of ``points`` (the engine's batched evaluator)."""
    model = new_model(model_seed, 0.1)
    zero = [np.zeros((1, 1)), np.zeros(1)]
    with np.errstate(over="ignore", invalid="ignore"):
        values = losses_at(model, data.x, data.y, zero, _unit_directions(), points)
    return np.asarray(values, dtype=np.float64)


def gradient_at(data: Data, point: Point, rows: IntArray | None = None) -> FloatArray:
    """(dL/dw, dL/db) of the MSE over ``rows`` (all points if None) at (w, b), by backward()."""
    model = new_model(0, 0.1)
    set_point(model, point)
    x, y = (data.x, data.y) if rows is None else (data.x[rows], data.y[rows])
    loss, _ = model.loss_and_output(x, y)
    model.zero_grad()
    loss.backward()
    kernel, bias = model.params
    if kernel.grad is None or bias.grad is None:
        raise ValueError("backward() left no gradient")
    return np.array([float(kernel.grad.ravel()[0]), float(bias.grad.ravel()[0])])


def predictions(data: Data, point: Point, rows: IntArray) -> FloatArray:
    """The model's outputs ŷ for ``rows`` at (w, b) (the engine's forward pass)."""
    model = new_model(0, 0.1)
    set_point(model, point)
    return np.asarray(model.predict(data.x[rows]), dtype=np.float64).ravel()


def bottom(data: Data) -> tuple[FloatArray, float]:
    """The lowest point of the loss and its value: full-batch GD run until it stops moving."""
    model = new_model(0, BOTTOM_RATE)
    point = np.array(weights_of(model))
    for _ in range(BOTTOM_UPDATES):
        model.train_on_batch(data.x, data.y)
        moved, point = point, np.array(weights_of(model))
        if float(np.max(np.abs(point - moved))) < 1e-14:
            break
    return point, float(losses_along(data, point[None, :])[0])


@dataclass(frozen=True, eq=False)  # holds arrays
class Surface:
    """The loss on a square grid of (w, b): ``z[j, i]`` at (ws[i], bs[j])."""

    ws: FloatArray
    bs: FloatArray
    z: FloatArray

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """The image rectangle (x, y, width, height): each cell centred on its grid point."""
        dw, db = self.ws[1] - self.ws[0], self.bs[1] - self.bs[0]
        return (
            float(self.ws[0] - dw / 2),
            float(self.bs[0] - db / 2),
            float(dw * len(self.ws)),
            float(db * len(self.bs)),
        )

    def levels(self, low: float, count: int = 9) -> tuple[float, ...]:
        """Contour levels spaced geometrically above ``low`` (the lowest loss)."""
        top = float(np.nanmax(self.z)) - low
        return tuple(float(low + v) for v in np.geomspace(top / 400, top * 0.8, count))


def surface(
    data: Data, centre: Point, half_w: float, half_b: float, resolution: int = GRID
) -> Surface:
    """The loss on all points over [w ± half_w] x [b ± half_b] around ``centre``."""
    model = new_model(0, 0.1)
    base = [np.array([[centre[0]]]), np.array([float(centre[1])])]
    d_w = [np.array([[half_w]]), np.array([0.0])]
    d_b = [np.array([[0.0]]), np.array([half_b])]
    land = loss_grid(
        model,
        data.x,
        data.y,
        center=base,
        directions=(d_w, d_b),
        extent=1.0,
        resolution=resolution,
    )
    return Surface(centre[0] + half_w * land.alphas, centre[1] + half_b * land.betas, land.losses)


def overview(data: Data, start: Point, low: Point) -> Surface:
    """The map of the whole lesson: the start and the lowest point with a margin, wider than
    tall (the path runs mostly along w)."""
    a, b = np.asarray(start, float), np.asarray(low, float)
    half_w = 0.5 * abs(float(a[0] - b[0])) + 1.0
    half_b = max(0.5 * abs(float(a[1] - b[1])) + 0.8, 0.55 * half_w)
    return surface(data, (a + b) / 2, half_w, half_b)


def batch_gradients(data: Data, point: Point, batches: Sequence[IntArray]) -> FloatArray:
    """(dL/dw, dL/db) at (w, b) on each batch of ``batches``, one row each (by backward())."""
    model = new_model(0, 0.1)
    set_point(model, point)
    kernel, bias = model.params
    out = np.empty((len(batches), 2))
    for k, rows in enumerate(batches):
        loss, _ = model.loss_and_output(data.x[rows], data.y[rows])
        model.zero_grad()
        loss.backward()
        if kernel.grad is None or bias.grad is None:
            raise ValueError("backward() left no gradient")
        out[k] = float(kernel.grad.ravel()[0]), float(bias.grad.ravel()[0])
    return out


def spread(data: Data, point: Point, batches: Sequence[IntArray]) -> float:
    """RMS distance of the batches' gradients at (w, b) from the gradient on all points."""
    devs = batch_gradients(data, point, batches) - gradient_at(data, point)
    return float(np.sqrt(np.mean(np.sum(devs * devs, axis=1))))


def near(data: Data, centre: Point, reach: float) -> Surface:
    """A finer map around ``centre``, big enough for steps of length ``reach``."""
    half = max(0.05, 1.6 * reach)
    return surface(data, centre, 1.7 * half, half)
