"""The engine runs on the turned ravine and the numbers the quadratic steps read off them.

One race on the quadratic (see :mod:`lessons.ch4_training.optimizers.quadratic`) holds every run
those steps show: SGD and Momentum with the learner's settings, Momentum at the best point of the
rate map, plain gradient descent at the best rate of the map's β = 0 column, and Momentum at the
learner's rate with the critically damped β.  Each run's decay is measured from its path, so
the map's theory can be checked against the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.nn.optimizers import SGD, Momentum, Optimizer
from lessons.ch4_training.optimizers import quadratic as q
from lessons.ch4_training.optimizers import race as r

STEPS = 150  # updates of every run on the quadratic
TASK_UPDATES = 40  # the task: 1000 times closer to the minimum within this many updates


@dataclass(frozen=True, eq=False)  # holds arrays
class Study:
    """Everything the quadratic steps show, computed once per set of control values."""

    eig: q.Eigen
    race: r.Race
    rate: float  # Momentum's learning rate (the learner's)
    beta: float  # Momentum's β (the learner's)
    sgd_rate: float
    rho_map: np.ndarray  # ρ over the map grid (rows: q.MAP_RATES, columns: q.MAP_BETAS)
    best: tuple[float, float, float]  # the map's lowest cell: η, β, ρ
    gd_best: tuple[float, float]  # the best cell of the β = 0 column: η, ρ
    damping: q.Damping  # the best β for the learner's rate

    @property
    def lams(self) -> tuple[float, float]:
        return (self.eig.slow, self.eig.fast)

    def rho(self, rate: float, beta: float) -> float:
        """The map's value at any (η, β): the spectral radius, evaluated exactly there."""
        return float(q.rate_of(rate, beta, self.lams))

    def track(self, key: str) -> r.Track | None:
        return self.race.tracks.get(key)

    def measured(self, key: str) -> float:
        """The decay per update the engine's run ``key`` showed (NaN if there is none)."""
        track = self.track(key)
        return float("nan") if track is None else q.measured_rate(q.offsets(track.points))

    def measured_along(self, key: str, direction: int) -> float:
        """The decay of run ``key`` along eigen-direction ``direction`` (0 slow, 1 fast); NaN
        for a run that diverged (its fast coordinate's growth swamps the other)."""
        track = self.track(key)
        if track is None or track.diverged_at is not None:
            return float("nan")
        coords = self.eig.coordinates(track.points)[:, direction : direction + 1]
        return q.measured_rate(coords)

    def shrunk(self, key: str) -> int | None:
        """The update from which run ``key`` stays 1000 times closer to the minimum."""
        track = self.track(key)
        return None if track is None else q.shrunk_at(track.points)

    @property
    def task_done(self) -> bool:
        at = self.shrunk("momentum")
        return at is not None and at <= TASK_UPDATES


def study(sgd_rate: float, rate: float, beta: float) -> Study:
    """Measure the quadratic's curvature, map the rates and run the engine's optimizers."""
    eig = q.eigen()
    lams = (eig.slow, eig.fast)
    rho_map = q.rate_map(lams)
    i, j = np.unravel_index(int(np.argmin(rho_map)), rho_map.shape)
    best = (float(q.MAP_RATES[i]), float(q.MAP_BETAS[j]), float(rho_map[i, j]))
    k = int(np.argmin(rho_map[:, 0]))
    gd_best = (float(q.MAP_RATES[k]), float(rho_map[k, 0]))
    damp = q.damping(rate, lams)
    racers: list[tuple[str, Optimizer]] = [
        ("sgd", SGD(learning_rate=sgd_rate)),
        ("momentum", Momentum(learning_rate=rate, momentum=beta)),
        ("momentum:best", Momentum(learning_rate=best[0], momentum=best[1])),
        ("sgd:best", SGD(learning_rate=gd_best[0])),
    ]
    if damp.possible:
        racers.append(("momentum:critical", Momentum(learning_rate=rate, momentum=damp.beta_map)))
    race = r.run_race(q.TILTED, racers, STEPS)
    return Study(eig, race, rate, beta, sgd_rate, rho_map, best, gd_best, damp)
