"""Momentum by the numbers on a quadratic: eigen-directions, the heavy-ball matrix, rate maps.

The quadratic is the race's ravine, J = ½ wᵀHw with curvatures λ = 0.1 and 4, turned by 30°
so that its long and short axes are no longer the weight axes.  Its Hessian is measured from
the engine's gradients and split into eigenvalues and eigenvectors; a path's coordinates along
the eigenvectors then evolve independently.  Along an eigenvector with curvature λ the engine's
Momentum (v ← βv − ηg, w ← w + v) is the heavy-ball recurrence

    c_{k+1} = (1 + β − ηλ) c_k − β c_{k−1},   i.e.  (c_{k+1}, c_k) = T (c_k, c_{k−1}),
    T = [[1 + β − ηλ, −β], [1, 0]],

and the error shrinks per update by the spectral radius ρ(T), the larger modulus of the roots
of z² − (1 + β − ηλ) z + β.  The rate of a whole run is the largest ρ over the directions.
The maps here are those spectral radii (theory, no run); :func:`measured_rate` reads the decay
off an engine run, so that the two can be compared.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.data.synthetic.surfaces import Surface, Value
from lessons.ch4_training.optimizers import race as r

LAMBDAS = (0.1, 4.0)  # the curvatures built in: slow and fast direction
ANGLE = math.radians(30.0)
START_EIGEN = (-4.5, 1.5)  # the start in eigen-coordinates (slow, fast), as the ravine's start
SHRINK = 1e-3  # "converged": the distance to the minimum is a thousandth of the start's
MAP_BETAS = np.linspace(0.0, 0.99, 100)  # the map's columns
MAP_RATES = np.linspace(0.01, 1.0, 100)  # the map's rows (learning rates)
FINE_BETAS = np.linspace(0.0, 0.9999, 20_000)  # one row of the map, finely (critical damping)

_C, _S = math.cos(ANGLE), math.sin(ANGLE)
Q_BUILT = np.array([[_C, -_S], [_S, _C]])  # columns: the slow and the fast direction
H_BUILT = Q_BUILT @ np.diag(LAMBDAS) @ Q_BUILT.T
_H11, _H12, _H22 = float(H_BUILT[0, 0]), float(H_BUILT[0, 1]), float(H_BUILT[1, 1])
_W0 = Q_BUILT @ np.array(START_EIGEN)


def _loss(a: Value, b: Value) -> Value:
    return a**2 * (_H11 / 2) + a * b * _H12 + b**2 * (_H22 / 2)


def _grad(a: Value, b: Value) -> tuple[Value, Value]:
    return (a * _H11 + b * _H12, a * _H12 + b * _H22)


TILTED = r.Course(
    "tilted ravine",
    Surface(
        "tilted",
        "The ravine turned by 30°",
        _loss,
        _grad,
        ((0.0, 0.0),),
        (),
        (-5.5, 5.5),
        (-3.5, 3.5),
        (float(_W0[0]), float(_W0[1])),
    ),
    f"J = \\tfrac{{1}}{{2}}\\,w^T H w,\\ H = \\begin{{pmatrix}} {_H11:.4g} & {_H12:.4g} \\\\ "
    f"{_H12:.4g} & {_H22:.4g} \\end{{pmatrix}}",
    "ravine turned by 30°",
)


@dataclass(frozen=True)
class Eigen:
    """The quadratic's Hessian measured from the engine, and its eigen-decomposition."""

    hessian: np.ndarray  # 2 x 2
    values: np.ndarray  # ascending: slow, fast
    vectors: np.ndarray  # columns, each turned to point like the built-in direction

    @property
    def slow(self) -> float:
        return float(self.values[0])

    @property
    def fast(self) -> float:
        return float(self.values[1])

    def coordinates(self, points: np.ndarray) -> np.ndarray:
        """Each point's coordinates along the eigenvectors (n, 2): c = Qᵀ (w − w*)."""
        coords: np.ndarray = (np.asarray(points) - np.array(TILTED.surface.minima[0])) @ (
            self.vectors
        )
        return coords


def eigen() -> Eigen:
    """Measure H from the engine's gradients at the minimum and decompose it."""
    hess = r.curvature(TILTED, TILTED.surface.minima[0])
    values, vectors = np.linalg.eigh(hess)
    signs = np.sign(np.sum(vectors * Q_BUILT, axis=0))
    return Eigen(hess, values, vectors * np.where(signs == 0, 1.0, signs))


# ---- theory: the heavy-ball iteration ---------------------------------------------------------


def iteration_matrix(rate: float, beta: float, lam: float) -> np.ndarray:
    """T for one direction: (c_{k+1}, c_k) = T (c_k, c_{k−1})."""
    return np.array([[1 + beta - rate * lam, -beta], [1.0, 0.0]])


def radius(rate: np.ndarray | float, beta: np.ndarray | float, lam: float) -> np.ndarray:
    """ρ(T) for one direction, for arrays of rates and betas (closed form of the roots)."""
    b = 1 + np.asarray(beta, dtype=np.float64) - np.asarray(rate, dtype=np.float64) * lam
    beta_arr = np.asarray(beta, dtype=np.float64)
    disc = b * b - 4 * beta_arr
    real = (np.abs(b) + np.sqrt(np.maximum(disc, 0.0))) / 2
    out: np.ndarray = np.where(disc >= 0, real, np.sqrt(np.maximum(beta_arr, 0.0)))
    return out


def rate_of(
    rate: np.ndarray | float, beta: np.ndarray | float, lams: Sequence[float]
) -> np.ndarray:
    """The convergence rate of the whole run: the largest ρ over the directions."""
    rho: np.ndarray = np.max([radius(rate, beta, lam) for lam in lams], axis=0)
    return rho


def rate_map(lams: Sequence[float]) -> np.ndarray:
    """ρ over the map's grid: rows are learning rates (MAP_RATES), columns betas (MAP_BETAS)."""
    eta, beta = np.meshgrid(MAP_RATES, MAP_BETAS, indexing="ij")
    return rate_of(eta, beta, lams)


def steps_for(rho: float, factor: float = 1 / SHRINK) -> float:
    """Updates needed to shrink an error ``factor``-fold at rate ρ per update (inf if ρ ≥ 1)."""
    return math.log(factor) / -math.log(rho) if 0 < rho < 1 else (0.0 if rho == 0 else math.inf)


@dataclass(frozen=True)
class Damping:
    """The best momentum for one learning rate: read off the map's row, and from theory."""

    rate: float
    beta_map: float  # the β with the lowest ρ along the row (grid search)
    rho_map: float
    beta_theory: float  # max over λ of (1 − √(ηλ))²: every direction critically damped or more
    rho_theory: float  # max over λ of |1 − √(ηλ)|
    limiting: float  # the curvature whose critical damping sets β*

    @property
    def possible(self) -> bool:
        """Whether some β < 1 makes the run converge at this rate."""
        return self.rho_map < 1


def damping(rate: float, lams: Sequence[float]) -> Damping:
    """Critical damping for ``rate``: the grid minimum of the map's row and the formula."""
    row = rate_of(rate, FINE_BETAS, lams)
    i = int(np.argmin(row))
    crit = [(1 - math.sqrt(rate * lam)) ** 2 for lam in lams]
    k = int(np.argmax(crit))
    return Damping(
        rate=rate,
        beta_map=float(FINE_BETAS[i]),
        rho_map=float(row[i]),
        beta_theory=crit[k],
        rho_theory=max(abs(1 - math.sqrt(rate * lam)) for lam in lams),
        limiting=float(lams[k]),
    )


def polyak(lams: Sequence[float]) -> tuple[float, float, float]:
    """The best (η, β) for curvatures in [λ_min, λ_max] and the rate there (Polyak, 1964)."""
    lo, hi = min(lams), max(lams)
    rate = 4 / (math.sqrt(hi) + math.sqrt(lo)) ** 2
    kappa = math.sqrt(hi / lo)
    rho = (kappa - 1) / (kappa + 1)
    return rate, rho**2, rho


# ---- measuring an engine run -------------------------------------------------------------------


def offsets(points: np.ndarray) -> np.ndarray:
    """Each point's offset from the minimum, w − w* (n, 2)."""
    out: np.ndarray = np.asarray(points, dtype=np.float64) - np.array(TILTED.surface.minima[0])
    return out


def errors(points: np.ndarray) -> np.ndarray:
    """Distance to the minimum at every point of a path."""
    e = offsets(points)
    out: np.ndarray = np.hypot(e[:, 0], e[:, 1])
    return out


def measured_rate(offset: np.ndarray, floor: float = 1e-11) -> float:
    """The decay per update of an engine run, read off its offsets from the minimum.

    ``offset`` is (n + 1, d): w − w* (d = 2), or one eigen-coordinate (d = 1).  The size of the
    recurrence's state s_k = ‖(e_k, e_{k−1})‖ falls like ρᵏ up to a bounded wobble; a
    least-squares line through log s_k over the second half of the run (before s falls below
    ``floor`` times its start, where rounding takes over) gives ρ.
    """
    e = np.asarray(offset, dtype=np.float64).reshape(len(offset), -1)
    with np.errstate(over="ignore", invalid="ignore"):
        s = np.sqrt(np.sum(e[1:] ** 2, axis=1) + np.sum(e[:-1] ** 2, axis=1))
        ok = np.isfinite(s) & (s > floor * s[0])
    end = int(np.argmin(ok)) if not ok.all() else s.size
    if end < 8:
        return float("nan")
    k = np.arange(end // 2, end)
    slope = np.polyfit(k, np.log(s[k]), 1)[0]
    return float(math.exp(slope))


def shrunk_at(points: np.ndarray) -> int | None:
    """The first update from which the distance to the minimum stays below SHRINK times the
    start's until the end of the run (None if it never does)."""
    e = errors(points)
    above = np.flatnonzero(~(e <= SHRINK * e[0]))
    if above.size == 0:
        return 0
    last = int(above[-1])
    return last + 1 if last + 1 < e.size else None
