"""Lesson 3.3's experiment: the same data and budget for several topologies, one after another.

The points are split three ways: training points (the weights learn from them), validation
points (watched after every epoch to find the best epoch: early stopping) and test points
(touched only to report the result at the chosen epoch).  Each candidate network trains with
the same optimizer settings, batch size and number of epochs.  :func:`overfitting` is the
lesson's one test for "it has started to learn the noise"; every verdict in the text uses it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from engine.data.synthetic.sets import Playground
from engine.nn.optimizers import Adam
from lessons.core.base import NetworkData, PlotData, Series, TableData
from lessons.markup.numbers import plain
from lessons.shared.mlp import net
from lessons.shared.mlp.views import boundary_plot, network_data
from lessons.shared.overfit import Overfit, judge

BATCH = 25
PATIENCE = 20  # epochs the validation loss must stay up before the lesson calls it overfitting
RISE = 0.05  # ... by more than this fraction above its lowest value


@dataclass(frozen=True)
class Candidate:
    """A topology to try: its name, hidden layer sizes and what it stands for."""

    name: str
    hidden: tuple[int, ...]
    note: str
    color: int  # palette index of its loss curves, the same in every step

    @property
    def shape(self) -> str:
        """The hidden layers, short: "2", "3×8" (three layers of 8), "8–6–4–2"."""
        sizes = self.hidden
        if len(sizes) > 1 and len(set(sizes)) == 1:
            return f"{len(sizes)}×{sizes[0]}"
        return "–".join(map(str, sizes)) or "none"


# Okabe-Ito colours that are easy to tell apart and leave out the diagram's blue and orange
# (weight sign): black, sky blue, bluish green, reddish purple, yellow (palette 6, 5, 2, 4, 7).
CANDIDATES = (
    Candidate("small", (2,), "one hidden layer of 2 neurons: fewer than the problem needs", 6),
    Candidate(
        "medium", (6,), "one hidden layer of 6 neurons: about what a careful search finds", 5
    ),
    Candidate("large", (8, 8, 8), "three layers of 8: more layers and neurons than needed", 2),
    Candidate("deep", (3, 3, 3, 3, 3, 3), "six thin layers of 3 neurons", 4),
    Candidate("funnel", (8, 6, 4, 2), "layers that shrink towards the output: 8, 6, 4, 2", 7),
)


@dataclass(frozen=True, eq=False)  # holds arrays
class Split:
    """Training, validation and test points with labels."""

    data: net.PlaneData  # training points, and the validation points as its "test" part
    x_test: np.ndarray
    y_test: np.ndarray


def make_split(name: Playground, noise: float, seed: int) -> Split:
    """Half the points for training; the other half split evenly into validation and test."""
    whole = net.make_data(name, noise, 0.5, seed)
    half = len(whole.x_test) // 2
    train_val = net.PlaneData(
        whole.x_train, whole.y_train, whole.x_test[:half], whole.y_test[:half], name
    )
    return Split(train_val, whole.x_test[half:], whole.y_test[half:])


@dataclass
class Run:
    """One candidate's training: the three losses after every epoch."""

    candidate: Candidate
    trainer: net.Trainer
    train: list[float] = field(default_factory=list)
    val: list[float] = field(default_factory=list)
    test: list[float] = field(default_factory=list)
    best_weights: list[np.ndarray] | None = None  # the weights at the best epoch so far
    _inputs: np.ndarray | None = None

    @classmethod
    def start(
        cls, candidate: Candidate, split: Split, activation: str, rate: float, seed: int
    ) -> Run:
        chosen = net.FEATURES[:2]
        trainer = net.Trainer(split.data, chosen, candidate.hidden, activation, seed, Adam(rate))
        return cls(candidate, trainer)

    def epoch(self, split: Split) -> None:
        """One epoch of training, then the three losses."""
        try:
            self.trainer.epoch(BATCH)
        except net.DivergenceError:
            self.train.append(math.nan)
            self.val.append(math.nan)
            self.test.append(math.nan)
            return
        scores = self.trainer.scores()
        self.train.append(scores.train_loss)
        self.val.append(scores.test_loss)  # the trainer's "test" points are the validation set
        self.test.append(self.trainer.evaluate(split.x_test, split.y_test)[0])
        if self.best == len(self.val):
            self.best_weights = self.trainer.model.get_weights()

    def view(self, split: Split) -> tuple[NetworkData, PlotData]:
        """The diagram and the decision map of the network as it is now."""
        probe = self.trainer.probe()
        diagram = network_data(self.trainer, probe, self.inputs(), editable=False)
        return diagram, boundary_plot(split.data, probe[-1][0], held_out="validation")

    def best_view(self, split: Split) -> tuple[NetworkData, PlotData] | None:
        """The network as early stopping keeps it (call when its training is over)."""
        if self.best_weights is None:
            return None
        self.trainer.model.set_weights(self.best_weights)
        self.trainer.model.zero_grad()  # the gradients of the last epoch belong to other weights
        return self.view(split)

    def inputs(self) -> np.ndarray:
        if self._inputs is None:
            self._inputs = self.trainer.input_maps()
        return self._inputs

    @property
    def best(self) -> int:
        """The epoch (counting from 1) with the lowest validation loss; 0 before training."""
        return best_epoch(self.val)

    @property
    def cost(self) -> int:
        """Multiply-adds of one epoch: 3 per weight (forward, and two in the backward pass)
        for every training point; the same count for every run of this network."""
        return 3 * _weights(self.candidate.hidden) * len(self.trainer.x_train)

    def at(self, series: list[float], epoch: int) -> float:
        return series[epoch - 1] if 1 <= epoch <= len(series) else math.nan


def best_epoch(val: list[float], until: int | None = None) -> int:
    """The epoch (from 1) with the lowest validation loss among the first ``until``; 0 if none."""
    finite = [v if math.isfinite(v) else math.inf for v in val[:until]]
    return int(np.argmin(finite)) + 1 if finite else 0


def overfitting(train: list[float], val: list[float], epoch: int | None = None) -> Overfit | None:
    """The course's test for overfitting (:mod:`lessons.shared.overfit`) at ``epoch`` (default:
    the last), with a gap between validation and training loss that has grown; None if not."""
    end = len(val) if epoch is None else epoch
    best = best_epoch(val, end)
    return judge(train, val, best, end, patience=PATIENCE, rise=RISE, offset=1, growing_gap=True)


def results_table(
    runs: list[Run], budget: int, current: int | None = None, upto: int | None = None
) -> TableData:
    """One row per candidate: size, losses, the early-stopping epoch, its losses, the cost.

    The current run's row shows its numbers at epoch ``upto`` (default: its last epoch).
    """
    # train and val.: at the last epoch so far; "at best": at the best epoch.  The test loss only
    # counts where early stopping stops (test at best): it never chooses anything.  Headers
    # of two short words, so that the table can set them on two lines to fit at 1280x720.
    columns = (
        "network", "weights", "train", "val.", "best epoch", "val. at best", "test at best",
        "cost (M)",
    )  # fmt: skip
    rows = []
    for i, cand in enumerate(CANDIDATES):
        run = runs[i] if i < len(runs) else None
        label = f"{cand.name} {cand.shape}"
        if run is None or not run.val:
            params = run.trainer.parameters if run else _parameters(cand.hidden)
            # not trained yet: a placeholder keeps the loss columns narrow number columns
            rows.append((label, str(params), "…", "", "", "", "", ""))
            continue
        done = upto if i == current and upto is not None else len(run.val)
        best = best_epoch(run.val, done)
        rows.append(
            (
                label,
                str(run.trainer.parameters),
                plain(run.at(run.train, done), 3),
                plain(run.at(run.val, done), 3),
                str(best),  # so far: the step's title says how far the run has got
                plain(run.at(run.val, best), 3),
                plain(run.at(run.test, best), 3),
                _millions(run.cost * done),
            )
        )
    highlight = () if current is None else (current,)
    return TableData(columns, tuple(rows), highlight_rows=highlight)


def _millions(count: float) -> str:
    """Multiply-adds in millions: 3 significant digits, 2 below one million ("0.074"), so
    that the column stays narrow."""
    millions = count / 1e6
    return plain(millions, 3 if millions >= 1 else 2)


def _parameters(hidden: tuple[int, ...], inputs: int = 2) -> int:
    sizes = (inputs, *hidden, 1)
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def _weights(hidden: tuple[int, ...], inputs: int = 2) -> int:
    """The weights without the biases: the multiply-adds of one forward pass of one point."""
    sizes = (inputs, *hidden, 1)
    return sum(a * b for a, b in itertools.pairwise(sizes))


def curves_plot(runs: list[Run], budget: int, upto: int | None = None) -> PlotData:
    """Training loss (solid) and validation loss (dashed) per epoch for every candidate.

    The last run is drawn up to epoch ``upto`` (default: all of it); a dot marks each run's
    best epoch so far.
    """
    series = []
    top = 0.1
    for i, run in enumerate(runs):
        done = upto if i == len(runs) - 1 and upto is not None else len(run.val)
        x = np.arange(1, done + 1, dtype=np.float64)
        val, train = np.asarray(run.val[:done]), np.asarray(run.train[:done])
        name = run.candidate.name
        color = run.candidate.color
        series.append(Series(name, x, train, style="line", color=color))
        series.append(Series(f"_{name} validation", x, val, style="dash", color=color))
        if done:
            b = best_epoch(run.val, done)
            series.append(
                Series(
                    f"_{name} best epoch",
                    np.array([float(b)]),
                    np.array([run.at(run.val, b)]),
                    style="marker",
                    color=color,
                    size=7,
                )
            )
        finite = np.concatenate([val, train])
        finite = finite[np.isfinite(finite)]
        if finite.size:
            top = max(top, float(np.percentile(finite, 99)))
    return PlotData(
        series=tuple(series),
        x_range=(0.0, float(budget)),
        y_range=(0.0, 1.05 * min(top, 2.0)),
    )


def finite(x: float) -> float:
    """NaN (a diverged run) counts as infinitely bad when runs are compared."""
    return x if math.isfinite(x) else math.inf
