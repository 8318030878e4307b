"""The views of the loss that lesson 4.7 computes: a line, two planes, and slices for sharpness.

- :func:`interpolation`: the loss along the straight line (1 - a) theta_0 + a theta_1 from the
  initial to the trained weights (a beyond [0, 1] extrapolates);
- :func:`random_slice`: the loss over a square of the plane spanned by two filter-normalised
  random directions around the trained weights (Li et al. 2018);
- :func:`project`: least-squares coordinates of the saved weights in such a plane, and how much
  of each step away from the trained weights the plane holds;
- :func:`path_plane`: the plane of the two principal directions of the path itself;
- :func:`sharpness`: 1-D slices through a minimum along filter-normalised directions, and the
  loss rise at a fixed distance.

All losses come from :mod:`engine.analysis.landscape`, which evaluates many weight settings in
one batched pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.analysis.landscape import (
    filter_normalized_direction,
    interpolate,
    loss_grid,
    losses_at,
)
from engine.models.sequential import Sequential
from lessons.ch4_training.loss_landscapes.model import Data, Weights, flat, unflat

LINE_ALPHAS = np.round(np.linspace(-0.5, 1.5, 41), 10)  # steps of 0.05
SLICE_ALPHAS = np.round(np.linspace(-1.0, 1.0, 41), 10)  # for the sharpness slices
RADIUS = 0.5  # sharpness: the loss rise at this filter-normalised distance
SHARPNESS_DIRECTIONS = 4  # random directions averaged per minimum


@dataclass(frozen=True, eq=False)  # holds arrays
class Line:
    """Training and validation loss at each ``alphas`` of a 1-D slice."""

    alphas: np.ndarray
    train: np.ndarray
    val: np.ndarray


def interpolation(model: Sequential, data: Data, start: Weights, end: Weights) -> Line:
    """The loss along (1 - a) * start + a * end for a in :data:`LINE_ALPHAS`."""
    a, train = interpolate(model, data.x_train, data.y_train, start, end, LINE_ALPHAS)
    _, val = interpolate(model, data.x_val, data.y_val, start, end, LINE_ALPHAS)
    return Line(a, train, val)


@dataclass(frozen=True, eq=False)  # holds arrays
class Plane:
    """The training loss over a rectangle of a plane: losses[j, i] at alphas[i], betas[j]."""

    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray
    center: Weights
    directions: tuple[Weights, Weights]
    center_loss: float  # at alpha = beta = 0: the weights the plane is centred on


def _center_loss(model: Sequential, data: Data, center: Weights) -> float:
    return float(losses_at(model, data.x_train, data.y_train, center, [], np.zeros((1, 0)))[0])


def random_slice(
    model: Sequential, data: Data, center: Weights, seed: int, extent: float, resolution: int
) -> Plane:
    """The training loss around ``center`` along two filter-normalised random directions."""
    grid = loss_grid(
        model,
        data.x_train,
        data.y_train,
        center=center,
        extent=extent,
        resolution=resolution,
        seed=seed,
    )
    d1, d2 = grid.directions
    middle = grid.losses[resolution // 2, resolution // 2]  # odd grids: exactly the centre
    loss = float(middle) if resolution % 2 else _center_loss(model, data, center)
    return Plane(grid.alphas, grid.betas, grid.losses, grid.center, (d1, d2), loss)


def plane_losses(
    model: Sequential, data: Data, plane: Plane, coords: np.ndarray, validation: bool = False
) -> np.ndarray:
    """The loss at the points ``coords`` (n, 2) of ``plane`` (the surface under a path)."""
    x, y = (data.x_val, data.y_val) if validation else (data.x_train, data.y_train)
    return losses_at(model, x, y, plane.center, list(plane.directions), coords)


@dataclass(frozen=True, eq=False)  # holds arrays
class Projection:
    """Where the saved weights lie in a plane through the trained weights.

    ``coords[t]`` minimises |theta_t - center - (a d1 + b d2)|; ``captured[t]`` is the share
    of |theta_t - center|^2 that the projection keeps (1 = theta_t lies in the plane; NaN
    for the centre itself), and ``total`` the same share for all steps together.
    """

    coords: np.ndarray
    captured: np.ndarray
    total: float
    distance: np.ndarray  # |theta_t - center|


def project(
    path: tuple[Weights, ...], center: Weights, directions: tuple[Weights, Weights]
) -> Projection:
    """Least-squares coordinates of every saved weight setting in the plane of ``directions``."""
    basis = np.stack([flat(directions[0]), flat(directions[1])], axis=1)  # (P, 2)
    offsets = np.stack([flat(w) - flat(center) for w in path])  # (T, P)
    coords, *_ = np.linalg.lstsq(basis, offsets.T, rcond=None)
    kept = (basis @ coords).T
    whole = np.sum(offsets**2, axis=1)
    part = np.sum(kept**2, axis=1)
    captured = np.divide(part, whole, out=np.full_like(whole, np.nan), where=whole > 0)
    total = float(part.sum() / whole.sum()) if whole.sum() > 0 else 1.0
    return Projection(coords.T, captured, total, np.sqrt(whole))


def path_plane(path: tuple[Weights, ...], center: Weights) -> tuple[Weights, Weights]:
    """Unit directions of the two principal components of the steps theta_t - center.

    They span the plane that keeps the largest share of the path's squared length (the
    singular vectors of the matrix of offsets); signs are chosen so the start has positive
    coordinates.
    """
    offsets = np.stack([flat(w) - flat(center) for w in path])
    _, _, vt = np.linalg.svd(offsets, full_matrices=False)
    first, second = vt[0], vt[1]
    if offsets[0] @ first < 0:
        first = -first
    if offsets[0] @ second < 0:
        second = -second
    return unflat(first, center), unflat(second, center)


def plane_slice(
    model: Sequential,
    data: Data,
    center: Weights,
    directions: tuple[Weights, Weights],
    ranges: tuple[tuple[float, float], tuple[float, float]],
    resolution: int,
) -> Plane:
    """The training loss over the rectangle ``ranges`` (alpha, beta) of a plane."""
    alphas = np.linspace(*ranges[0], resolution)
    betas = np.linspace(*ranges[1], resolution)
    b, a = np.meshgrid(betas, alphas, indexing="ij")
    coeffs = np.stack([a.ravel(), b.ravel()], axis=1)
    values = losses_at(model, data.x_train, data.y_train, center, list(directions), coeffs).reshape(
        resolution, resolution
    )
    return Plane(alphas, betas, values, center, directions, _center_loss(model, data, center))


def path_ranges(
    coords: np.ndarray, margin: float = 0.15
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Ranges of alpha and beta that hold the path and the centre, with a margin."""
    lo = np.minimum(coords.min(axis=0), 0.0)
    hi = np.maximum(coords.max(axis=0), 0.0)
    pad = margin * np.maximum(hi - lo, 1e-6)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (
        float(lo[1] - pad[1]),
        float(hi[1] + pad[1]),
    )


@dataclass(frozen=True, eq=False)  # holds arrays
class Sharpness:
    """Slices through one minimum along several filter-normalised directions."""

    alphas: np.ndarray
    train: np.ndarray  # (directions, alphas)
    val: np.ndarray

    @property
    def mean_train(self) -> np.ndarray:
        return np.asarray(self.train.mean(axis=0))

    @property
    def mean_val(self) -> np.ndarray:
        return np.asarray(self.val.mean(axis=0))

    def _at(self, curve: np.ndarray, alpha: float) -> float:
        return float(np.interp(alpha, self.alphas, curve))

    @property
    def bottom(self) -> float:
        """The training loss at the minimum itself (alpha = 0)."""
        return self._at(self.mean_train, 0.0)

    @property
    def rise(self) -> float:
        """Mean training-loss rise at distance :data:`RADIUS`, both sides, all directions."""
        m = self.mean_train
        return (self._at(m, RADIUS) + self._at(m, -RADIUS)) / 2 - self.bottom


def sharpness_directions(weights: Weights, seed: int) -> list[Weights]:
    """:data:`SHARPNESS_DIRECTIONS` filter-normalised directions for ``weights``.

    The first two are the directions of :func:`random_slice` with the same seed (the map's
    axes).  The same seed draws the same Gaussian numbers for every network of this shape;
    each draw is then scaled filter by filter to that network's own weights.
    """
    rng = np.random.default_rng(seed)  # as engine.analysis.landscape.loss_grid draws them
    return [filter_normalized_direction(weights, rng) for _ in range(SHARPNESS_DIRECTIONS)]


def sharpness(model: Sequential, data: Data, center: Weights, seed: int) -> Sharpness:
    """Training and validation loss along :data:`SLICE_ALPHAS` in each direction."""
    train, val = [], []
    coeffs = SLICE_ALPHAS[:, None]
    for d in sharpness_directions(center, seed):
        train.append(losses_at(model, data.x_train, data.y_train, center, [d], coeffs))
        val.append(losses_at(model, data.x_val, data.y_val, center, [d], coeffs))
    return Sharpness(SLICE_ALPHAS, np.array(train), np.array(val))


def filter_norms(weights: Weights, direction: Weights) -> list[tuple[int, int, float, float]]:
    """(layer, unit, |weights' filter|, |direction's filter|) for every Dense kernel column."""
    rows = []
    for layer, (w, d) in enumerate(zip(weights[::2], direction[::2], strict=True), start=1):
        for unit in range(w.shape[1]):
            rows.append(
                (
                    layer,
                    unit + 1,
                    float(np.linalg.norm(w[:, unit])),
                    float(np.linalg.norm(d[:, unit])),
                )
            )
    return rows
