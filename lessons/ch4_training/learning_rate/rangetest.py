"""Lesson 4.2's learning-rate range test: fastai's learning-rate finder on the lesson's network.

One run from the lesson's initial weights; after every mini-batch update the learning rate is
multiplied by the same factor (so it grows geometrically, a straight line on a log scale).
After each update the loss on all 140 training points is measured (the set is small enough to
afford it; fastai records the noisy loss of the mini-batch instead) and averaged with fastai's
moving average.  The test stops when that average passes :data:`STOP_FACTOR` times its lowest
value (fastai's rule) or a loss is inf/NaN.  :func:`suggest` reads fastai's two classic
suggestions off the curve: a tenth of the rate at the lowest point, and the steepest descent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.core.events import DivergenceError
from engine.models.sequential import Sequential
from engine.nn.optimizers import SGD
from lessons.ch4_training.learning_rate.model import BATCH, STOP_FACTOR, Problem, losses

START_RATE, END_RATE, FINDER_BATCHES = 1e-3, 10.0, 500  # fastai: 1e-7 .. 10 in 100 updates
SMOOTHING = 0.9  # the moving average: a = SMOOTHING a + (1 - SMOOTHING) loss (fastai: 0.98)


@dataclass(frozen=True, eq=False)  # holds arrays
class RangeTest:
    """fastai's learning-rate finder: one run whose rate grows geometrically per mini-batch.

    ``rates[i]`` is the rate of update ``i``; ``loss[i]`` the loss on all training points
    after it, ``smooth[i]`` its moving average (:func:`smoothed`), the curve that is read.
    ``reason`` says why it stopped: "blow-up" (the smoothed loss passed STOP_FACTOR times its
    lowest value), "not finite" (inf or NaN), or "end" (the schedule ran out).
    """

    rates: tuple[float, ...]
    loss: tuple[float, ...]
    smooth: tuple[float, ...]
    factor: float  # the rate's growth per mini-batch
    reason: str
    fit_lowest: np.ndarray  # the network's curve on the grid where the average was lowest
    fit_end: np.ndarray  # ... and when the test stopped (its last finite weights)

    @property
    def batches(self) -> int:
        return len(self.rates)

    @property
    def picks(self) -> Picks:
        return suggest(self.rates, self.smooth)


@dataclass(frozen=True)
class Picks:
    """Where the range-test plot says to look: its lowest loss, a tenth of that rate, and the
    steepest descent before it (indices into the range test's arrays)."""

    lowest: int
    steepest: int
    minimum_rate: float
    tenth: float  # minimum_rate / 10
    steepest_rate: float


def suggest(rates: Sequence[float], loss: Sequence[float]) -> Picks:
    """The two classic suggestions of fastai's finder, computed on the recorded curve.

    ``minimum / 10``: a tenth of the rate at the lowest loss.  ``steepest``: the rate where
    the loss falls fastest per factor of rate (the most negative slope against log rate),
    before the lowest point.
    """
    values = np.array([v if math.isfinite(v) else np.inf for v in loss])
    lowest = int(np.argmin(values)) if len(values) else 0
    steepest = 0
    if lowest > 0:
        log_rates = np.log(np.asarray(rates[: lowest + 1]))
        slopes = np.diff(values[: lowest + 1]) / np.diff(log_rates)
        steepest = int(np.argmin(slopes))
    minimum_rate = float(rates[lowest]) if len(rates) else math.nan
    steepest_rate = float(rates[steepest]) if len(rates) else math.nan
    return Picks(lowest, steepest, minimum_rate, minimum_rate / 10, steepest_rate)


def smoothed(values: Sequence[float], beta: float = SMOOTHING) -> list[float]:
    """fastai's moving average: ``a = beta a + (1 - beta) v``, divided by ``1 - beta^(i+1)`` so
    the first values are not pulled towards the zero it starts from."""
    out, average = [], 0.0
    for i, value in enumerate(values):
        average = beta * average + (1.0 - beta) * value
        out.append(average / (1.0 - beta ** (i + 1)))
    return out


def range_test(problem: Problem) -> RangeTest:
    """Train from the lesson's initial weights while the rate grows after every mini-batch.

    The rate of update ``i`` is ``START_RATE * factor**i``, the factor chosen so that update
    ``FINDER_BATCHES - 1`` would use ``END_RATE``.  After each update the loss on all
    training points is measured and averaged (:func:`smoothed`); the test stops at the first
    average above ``STOP_FACTOR`` times the lowest so far, or at a loss that is not finite.
    """
    factor = (END_RATE / START_RATE) ** (1.0 / (FINDER_BATCHES - 1))
    optimizer = SGD(START_RATE)
    net = problem.model(optimizer)
    order = problem.shuffles()
    x = problem.inputs(problem.x_train)
    grid = problem.inputs(problem.x_grid)
    rates: list[float] = []
    loss: list[float] = []
    lowest, reason = math.inf, "end"
    fit_lowest = fit_end = _curve(net, grid)
    rows, begin = next(order), 0
    for i in range(FINDER_BATCHES):
        if begin >= len(rows):
            rows, begin = next(order), 0
        pick = rows[begin : begin + BATCH]
        begin += BATCH
        rate = START_RATE * factor**i
        optimizer.learning_rate = rate
        rates.append(rate)
        try:
            net.train_on_batch(x[pick], problem.y_train[pick])
        except DivergenceError:
            loss.append(math.inf)
            reason = "not finite"
            break
        value = losses(net, problem)[0]
        loss.append(value)
        if not math.isfinite(value):
            reason = "not finite"
            break
        fit_end = _curve(net, grid)
        average = smoothed(loss)[-1]
        if average < lowest:
            lowest, fit_lowest = average, fit_end
        if average > STOP_FACTOR * lowest:
            reason = "blow-up"
            break
    average_loss = tuple(smoothed(loss))
    return RangeTest(tuple(rates), tuple(loss), average_loss, factor, reason, fit_lowest, fit_end)


def _curve(net: Sequential, grid: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        out: np.ndarray = net.predict(grid)[:, 0].astype(np.float64)
    return out
