"""Lesson 4.2's experiments: one network trained at many learning rates, and the range test.

The model is a small multi-layer perceptron (1 input, 16 tanh neurons, 1 linear output) that
learns ``y = sin(pi x)`` from 140 noisy points with mini-batch SGD and mean squared error; 60
more points are the validation set.  The input is standardised with the training points' mean
and standard deviation (lesson 4.5).  Every run starts from the same initial weights and sees
the mini-batches in the same order, so runs differ only in their learning rate.

* :func:`train` runs one rate for a budget of epochs and records both losses after every
  epoch; a loss that stops being a finite number ends the run (the engine refuses the update).
* :func:`regions` labels the rates of a sweep with the lesson's one rule (:data:`GOOD_FACTOR`).
* :func:`blow_up` replays a diverging rate batch by batch to show the loss growing to infinity.
* the range test (fastai's learning-rate finder) is in
  :mod:`lessons.ch4_training.learning_rate.rangetest`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from engine.core.backend import to_numpy
from engine.core.events import DivergenceError
from engine.data.synthetic.sets import make_regression
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.losses import MeanSquaredError
from engine.nn.optimizers import SGD

POINTS = 200  # training and validation points together
VALIDATION = 0.3  # share of the points kept for validation
NOISE = 0.1  # standard deviation of the noise on y
HIDDEN = 16  # tanh neurons in the hidden layer
BATCH = 10  # points per mini-batch
SWEEP = tuple(float(10.0 ** (k / 5)) for k in range(-12, 3))  # 0.004 ... 2.5, 5 per decade
GOOD_FACTOR = 1.5  # "good": final loss at most this many times the best final loss
STOP_FACTOR = 4.0  # blow-up: a loss above this many times the lowest (fastai's finder rule)
REGIONS = ("too small", "good", "too big", "diverged")


@dataclass(frozen=True, eq=False)  # holds arrays
class Problem:
    """The data and the recipe of the network: the same for every run of the lesson.

    ``x_*`` are the points as plotted (x in [-1, 1]); the network reads them standardised
    (:meth:`inputs`).  ``x_grid``/``y_grid`` is the noiseless curve on a fine grid.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_grid: np.ndarray
    y_grid: np.ndarray
    model_seed: int

    def inputs(self, x: np.ndarray) -> np.ndarray:
        """``x`` standardised with the training points' mean and standard deviation."""
        mean, std = float(np.mean(self.x_train)), float(np.std(self.x_train))
        scaled: np.ndarray = ((x - mean) / std).astype(np.float32)
        return scaled

    @property
    def batches_per_epoch(self) -> int:
        return math.ceil(len(self.x_train) / BATCH)

    def model(self, optimizer: SGD) -> Sequential:
        """A fresh network with the lesson's initial weights, trained by ``optimizer``."""
        net = Sequential(
            [Input((1,)), Dense(HIDDEN, activation="tanh"), Dense(1)], seed=self.model_seed
        )
        net.compile(optimizer=optimizer, loss=MeanSquaredError())
        return net

    def shuffles(self) -> Iterator[np.ndarray]:
        """The order of the training points in each epoch: the same for every run."""
        rng = np.random.default_rng([self.model_seed, 7])
        while True:
            yield rng.permutation(len(self.x_train))


def make_problem(data_seed: int, model_seed: int) -> Problem:
    """The noisy sine points (seeded) and the seed of the initial weights."""
    data = make_regression("sine", POINTS, noise=NOISE, test_fraction=VALIDATION, seed=data_seed)
    return Problem(
        data.x_train, data.y_train, data.x_test, data.y_test, data.x_grid, data.y_grid, model_seed
    )


def losses(net: Sequential, problem: Problem) -> tuple[float, float]:
    """Mean squared error on the training and the validation points (inf/NaN allowed)."""
    with np.errstate(over="ignore", invalid="ignore"):
        train = net.evaluate(problem.inputs(problem.x_train), problem.y_train)["loss"]
        val = net.evaluate(problem.inputs(problem.x_val), problem.y_val)["loss"]
    return float(train), float(val)


@dataclass(frozen=True)
class Stop:
    """Where a run stopped because the loss was no longer a finite number."""

    epoch: int  # counting from 1
    batch: int  # counting from 1 within the epoch; 0: measured after the epoch
    loss: float  # the value that stopped it (inf or NaN)


@dataclass(frozen=True, eq=False)  # holds arrays
class Run:
    """One learning rate trained for a budget: both losses after every epoch (epoch 0 first)."""

    rate: float
    epochs: int
    train: tuple[float, ...]
    val: tuple[float, ...]
    stop: Stop | None
    fit: np.ndarray | None  # the network's output on the grid at the end (None if diverged)
    updates: int  # mini-batch updates actually made

    @property
    def diverged(self) -> bool:
        return self.stop is not None

    @property
    def start(self) -> float:
        """The validation loss of the untrained network."""
        return self.val[0]

    @property
    def final(self) -> float:
        """The final validation loss: its mean over the last quarter of the epochs; NaN if the
        run stopped on an infinite loss."""
        if self.stop is not None or len(self.val) < self.epochs + 1:
            return math.nan
        return float(np.mean(self.val[-last_quarter(self.epochs) :]))


def last_quarter(epochs: int) -> int:
    """How many of the last epochs the final loss averages: a quarter of them, at least one."""
    return max(1, epochs // 4)


def train(problem: Problem, rate: float, epochs: int) -> Run:
    """Train a fresh network at ``rate`` for ``epochs`` epochs of mini-batch SGD."""
    net = problem.model(SGD(rate))
    first = losses(net, problem)
    train_l, val_l = [first[0]], [first[1]]
    stop: Stop | None = None
    order = problem.shuffles()
    x = problem.inputs(problem.x_train)
    updates = 0
    for epoch in range(1, epochs + 1):
        rows, before = next(order), updates
        try:
            for begin in range(0, len(rows), BATCH):
                pick = rows[begin : begin + BATCH]
                net.train_on_batch(x[pick], problem.y_train[pick])
                updates += 1
        except DivergenceError as err:  # the engine refused this update: the loss was inf/NaN
            stop = Stop(epoch, updates - before + 1, float(err.loss))
            break
        t, v = losses(net, problem)
        train_l.append(t)
        val_l.append(v)
        if not (math.isfinite(t) and math.isfinite(v)):
            stop = Stop(epoch, 0, t if not math.isfinite(t) else v)
            break
    fit = None
    if stop is None:
        with np.errstate(over="ignore", invalid="ignore"):
            fit = net.predict(problem.inputs(problem.x_grid))[:, 0].astype(np.float64)
    return Run(rate, epochs, tuple(train_l), tuple(val_l), stop, fit, updates)


# ---- regions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The numbers behind the region labels of a sweep."""

    labels: tuple[str, ...]  # one of REGIONS per rate
    best: int | None  # index of the rate with the lowest final loss (None if all diverged)
    best_loss: float
    best_rate: float
    start: float  # the validation loss before training

    @property
    def good_limit(self) -> float:
        return GOOD_FACTOR * self.best_loss

    def indices(self, region: str) -> list[int]:
        return [i for i, label in enumerate(self.labels) if label == region]


def regions(runs: Sequence[Run]) -> Verdict:
    """Label each run with the lesson's rule.

    * diverged: the run stopped on inf/NaN, or its final loss is more than
      :data:`STOP_FACTOR` times the untrained network's (the range test's blow-up rule);
    * good: a final loss at most :data:`GOOD_FACTOR` times the lowest final loss of the sweep;
    * too small / too big: the others, below / above the rate with the lowest final loss.
    """
    start = runs[0].start if runs else math.nan
    finals = [r.final for r in runs]
    failed = [not (math.isfinite(f) and f <= STOP_FACTOR * start) for f in finals]
    usable = [i for i, bad in enumerate(failed) if not bad]
    if not usable:
        return Verdict(tuple("diverged" for _ in runs), None, math.nan, math.nan, start)
    best = min(usable, key=lambda i: finals[i])
    limit = GOOD_FACTOR * finals[best]
    labels = []
    for i, f in enumerate(finals):
        if failed[i]:
            labels.append("diverged")
        elif f <= limit:
            labels.append("good")
        else:
            labels.append("too small" if runs[i].rate < runs[best].rate else "too big")
    return Verdict(tuple(labels), best, finals[best], runs[best].rate, start)


def classify(run: Run, verdict: Verdict) -> str:
    """The region of any run (the learner's, a suggestion's) by the sweep's rule and numbers:
    diverged, good (within GOOD_FACTOR of the sweep's best), else too small / too big by
    whether its rate is below or above the sweep's best rate."""
    final = run.final
    if not (math.isfinite(final) and final <= STOP_FACTOR * verdict.start):
        return "diverged"
    if math.isfinite(verdict.best_loss) and final <= GOOD_FACTOR * verdict.best_loss:
        return "good"
    if not math.isfinite(verdict.best_rate):
        return "good"  # nothing in the sweep trained: this run is the best there is
    return "too small" if run.rate < verdict.best_rate else "too big"


def representatives(runs: Sequence[Run], verdict: Verdict) -> list[tuple[str, Run]]:
    """One run per region that has any: the middle too-small rate, the best rate, the largest
    finite too-big rate, the smallest diverging rate."""
    reps = []
    for region in REGIONS:
        idx = verdict.indices(region)
        if not idx:
            continue
        if region == "too small":
            pick = idx[len(idx) // 2]
        elif region == "good":
            pick = verdict.best if verdict.best is not None else idx[0]
        elif region == "too big":
            pick = idx[-1]
        else:
            pick = idx[0]
        reps.append((region, runs[pick]))
    return reps


# ---- divergence, batch by batch ------------------------------------------------------------


@dataclass(frozen=True)
class BlowUp:
    """A diverging run replayed update by update: the batch loss, the size of the weights and
    the network's curve (on the grid) before each update."""

    rate: float
    batch_loss: tuple[float, ...]  # loss of each batch before its update; the last is inf/NaN
    weight_norm: tuple[float, ...]  # ||w|| before each of those batches
    curves: tuple[np.ndarray, ...]  # the network's output on the grid before each batch
    stopped: bool  # True when the engine refused an update (the loss was not finite)


def blow_up(problem: Problem, rate: float, most: int = 400) -> BlowUp:
    """Replay ``rate`` from the start, one mini-batch at a time, until the engine stops it."""
    net = problem.model(SGD(rate))
    order = problem.shuffles()
    x = problem.inputs(problem.x_train)
    grid = problem.inputs(problem.x_grid)
    batch_loss: list[float] = []
    norms: list[float] = []
    curves: list[np.ndarray] = []
    while len(batch_loss) < most:
        rows = next(order)
        for begin in range(0, len(rows), BATCH):
            pick = rows[begin : begin + BATCH]
            norms.append(weight_norm(net))
            with np.errstate(over="ignore", invalid="ignore"):
                curves.append(net.predict(grid)[:, 0].astype(np.float64))
            try:
                batch_loss.append(net.train_on_batch(x[pick], problem.y_train[pick]))
            except DivergenceError as err:
                batch_loss.append(float(err.loss))
                return BlowUp(rate, tuple(batch_loss), tuple(norms), tuple(curves), True)
    return BlowUp(rate, tuple(batch_loss), tuple(norms), tuple(curves), False)


def weight_norm(net: Sequential) -> float:
    """The length of all weights and biases as one vector."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = sum(
            float(np.sum(np.square(to_numpy(p.data), dtype=np.float64))) for p in net.params
        )
    return math.sqrt(total) if math.isfinite(total) else math.inf
