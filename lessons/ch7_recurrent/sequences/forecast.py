"""The sunspot forecast of lesson 7.5: windows of past years, a small recurrent net, the baseline.

The series is NOAA's yearly mean sunspot number, 1700-2008 (309 years, see
assets/ATTRIBUTION.md).  A window of the ``window`` years before year y is the input, the value
of year y the target: a one-step-ahead forecast.  Targets up to 1948 train the net, 1949-1978
validate it (they pick the epoch), 1979-2008 test it.  The naive baseline forecasts each year
as the year before.  Values are standardised with the training years' mean and spread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np

from engine.core.events import DivergenceError
from engine.data.datasets import load_sunspots
from engine.data.types import Series
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import Adam
from engine.nn.recurrent import GRU, LSTM, Recurrent

TRAIN_END = 1948  # last target year of the training part
VAL_END = 1978  # last target year of the validation part; the test years follow to 2008
UNITS = 8  # recurrent units of the forecaster
CHECKPOINTS = 3  # the training is shown after each third of its epochs


@cache
def sunspots() -> Series:
    """The yearly sunspot series, loaded once."""
    return load_sunspots()


@dataclass(frozen=True)
class Windows:
    """Every (window, next year) pair of the series, split by the target's year."""

    years: np.ndarray  # (N,) target years
    x: np.ndarray  # (N, window) past values, raw
    y: np.ndarray  # (N,) target values, raw
    last: np.ndarray  # (N,) the value of the year before the target (the baseline)
    mean: float
    scale: float

    def part(self, name: str) -> np.ndarray:
        """Boolean mask of the "train", "val" or "test" targets."""
        mask: np.ndarray
        if name == "train":
            mask = self.years <= TRAIN_END
        elif name == "val":
            mask = (self.years > TRAIN_END) & (self.years <= VAL_END)
        else:
            mask = self.years > VAL_END
        return mask

    def inputs(self, mask: np.ndarray) -> np.ndarray:
        """Standardised windows (n, window, 1) as float32 for the net."""
        z: np.ndarray = (self.x[mask] - self.mean) / self.scale
        return np.asarray(z[:, :, None], dtype=np.float32)

    def targets(self, mask: np.ndarray) -> np.ndarray:
        z: np.ndarray = (self.y[mask] - self.mean) / self.scale
        return np.asarray(z[:, None], dtype=np.float32)

    def raw(self, prediction: np.ndarray) -> np.ndarray:
        """Net outputs back in sunspot numbers."""
        return np.asarray(prediction, dtype=np.float64).reshape(-1) * self.scale + self.mean


@lru_cache(maxsize=8)  # keyed by control values: bounded for long sessions
def windows(window: int) -> Windows:
    """The windows of ``window`` years; standardisation from the training targets' years."""
    s = sunspots()
    values = s.values.astype(np.float64)
    years = s.t.astype(np.int64)
    pairs = np.lib.stride_tricks.sliding_window_view(values, window + 1)
    target_years = years[window:]
    train = values[years <= TRAIN_END]
    return Windows(
        target_years,
        pairs[:, :window].copy(),
        pairs[:, window].copy(),
        pairs[:, window - 1].copy(),
        float(train.mean()),
        float(train.std()),
    )


def mae(prediction: np.ndarray, target: np.ndarray) -> float:
    return float(np.mean(np.abs(prediction - target)))


def rmse(prediction: np.ndarray, target: np.ndarray) -> float:
    return float(np.sqrt(np.mean((prediction - target) ** 2)))


def forecaster(cell: str, window: int, seed: int) -> Sequential:
    """RNN(UNITS) -> Dense(1): reads a window, forecasts the next year (standardised)."""
    rnn: Recurrent = LSTM(UNITS, name="rnn") if cell == "LSTM" else GRU(UNITS, name="rnn")
    model = Sequential([Input((window, 1)), rnn, Dense(1, name="out")], seed=seed)
    return model


@dataclass
class ForecastRun:
    """A forecaster in training: its loss history and the best validation epoch's weights."""

    cell: str
    window: int
    model: Sequential
    epochs: list[int] = field(default_factory=list)
    train_mse: list[float] = field(default_factory=list)
    val_mse: list[float] = field(default_factory=list)
    best_epoch: int = 0
    best_weights: list[np.ndarray] = field(default_factory=list)

    def train(self, epochs: int) -> None:
        """``epochs`` full-batch Adam steps; keeps the weights of the lowest validation MSE."""
        w = windows(self.window)
        tr, va = w.part("train"), w.part("val")
        x, y = w.inputs(tr), w.targets(tr)
        xv, yv = w.inputs(va), w.targets(va)
        for _ in range(epochs):
            loss = self.model.train_on_batch(x, y)
            val = float(np.mean((self.model.predict(xv)[:, 0] - yv[:, 0]) ** 2))
            e = len(self.epochs) + 1
            self.epochs.append(e)
            self.train_mse.append(loss)
            self.val_mse.append(val)
            if not np.isfinite(val):
                raise FloatingPointError("validation loss is not finite")
            if val <= min(self.val_mse):
                self.best_epoch = e
                self.best_weights = [a.copy() for a in self.model.get_weights()]

    def predict(self, mask: np.ndarray) -> np.ndarray:
        """The current weights' forecasts (sunspot numbers) for the targets in ``mask``."""
        w = windows(self.window)
        return w.raw(self.model.predict(w.inputs(mask))[:, 0])

    def hidden(self, mask: np.ndarray) -> np.ndarray:
        """The recurrent layer's final state h_T (n, UNITS) for each window in ``mask``."""
        w = windows(self.window)
        rnn = next(la for la in self.model.layers if isinstance(la, Recurrent))
        out, _ = rnn.call_with_state(w.inputs(mask))
        return np.asarray(out.data, dtype=np.float64)


def new_run(cell: str, window: int, seed: int, rate: float) -> ForecastRun:
    model = forecaster(cell, window, seed)
    model.compile(Adam(rate), "mse")
    return ForecastRun(cell, window, model)


@dataclass(frozen=True)
class Errors:
    """Test-year errors of the net (best validation epoch) and of the naive baseline."""

    model_mae: float
    model_rmse: float
    base_mae: float
    base_rmse: float
    val_mae: float
    val_base_mae: float

    @property
    def beats(self) -> tuple[bool, bool]:
        """(lower MAE, lower RMSE) than the baseline on the test years."""
        return self.model_mae < self.base_mae, self.model_rmse < self.base_rmse


def errors(run: ForecastRun) -> Errors:
    """The errors with the weights as they are now (restore the best first for the verdict)."""
    w = windows(run.window)
    te, va = w.part("test"), w.part("val")
    p, pv = run.predict(te), run.predict(va)
    return Errors(
        mae(p, w.y[te]),
        rmse(p, w.y[te]),
        mae(w.last[te], w.y[te]),
        rmse(w.last[te], w.y[te]),
        mae(pv, w.y[va]),
        mae(w.last[va], w.y[va]),
    )


@dataclass(frozen=True)
class Checkpoint:
    """The forecaster after a share of its epochs: weights, histories, best epoch so far;
    ``diverged``: training stopped at a non-finite loss after ``epochs`` epochs."""

    epochs: int
    train_mse: tuple[float, ...]
    val_mse: tuple[float, ...]
    best_epoch: int
    weights: tuple[np.ndarray, ...]
    best_weights: tuple[np.ndarray, ...]
    diverged: bool = False

    def run(self, cell: str, window: int, seed: int) -> ForecastRun:
        """A forecaster with this checkpoint's weights and history (to predict, not to train)."""
        model = forecaster(cell, window, seed)
        if self.weights:
            model.set_weights(list(self.weights))
        return ForecastRun(
            cell,
            window,
            model,
            list(range(1, len(self.val_mse) + 1)),
            list(self.train_mse),
            list(self.val_mse),
            self.best_epoch,
            [a.copy() for a in self.best_weights],
        )


@lru_cache(maxsize=4)  # keyed by control values: bounded for long sessions
def checkpoints(
    cell: str, window: int, total: int, rate: float, seed: int
) -> tuple[Checkpoint, ...]:
    """Train one forecaster for ``total`` epochs and keep it after each third (cached: a pure
    function of its arguments, so a changed view or text control does not retrain it)."""
    run = new_run(cell, window, seed, rate)
    out: list[Checkpoint] = []
    for k in range(1, CHECKPOINTS + 1):
        diverged = False
        try:
            run.train(math.ceil(total * k / CHECKPOINTS) - len(run.epochs))
        except (FloatingPointError, DivergenceError):
            diverged = True
        out.append(
            Checkpoint(
                len(run.epochs),
                tuple(run.train_mse),
                tuple(run.val_mse),
                run.best_epoch,
                tuple(a.copy() for a in run.model.get_weights()),
                tuple(a.copy() for a in run.best_weights),
                diverged,
            )
        )
        if diverged:
            break
    return tuple(out)
