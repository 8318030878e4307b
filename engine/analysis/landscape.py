"""Loss landscapes: the loss along a line between two weight settings, and over a 2-D slice.

Every setting has the form `base + c1 * d1 + c2 * d2 + ...` (a line from `start` to `end` is
`start + alpha * (end - start)`). Settings are evaluated in batches: each layer computes for many
weight settings at once (a stacked matrix product, see `engine.analysis.batched`), not one forward
pass
per grid point.

The 2-D slice uses filter-normalised random directions (Li et al., 2018, "Visualizing the Loss
Landscape of Neural Nets"): each filter of a random direction (a Dense kernel column, i.e. the
weights into one unit; a conv kernel's output channel) is scaled to the norm of the same filter
of the weights, and bias directions are zero.
"""

from __future__ import annotations

import contextvars
import itertools
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.analysis.batched import StackedEvaluator, mixed, supported
from engine.analysis.exptables import grid_levels
from engine.core import backend
from engine.core.autodiff import no_grad
from engine.core.tensor import Array, Tensor
from engine.models.sequential import Sequential
from engine.nn import losses

__all__ = ["Landscape", "filter_normalized_direction", "interpolate", "loss_grid", "losses_at"]

_ELEMENTS_PER_BATCH = 1 << 19  # per activation buffer: 2 MB in float32, cache-sized


@dataclass(frozen=True, eq=False)
class Landscape:
    """losses[j, i] is the loss at center + alphas[i] * directions[0] + betas[j] * directions[1]."""

    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray
    center: list[np.ndarray]
    directions: tuple[list[np.ndarray], list[np.ndarray]]


def filter_normalized_direction(
    weights: Sequence[np.ndarray], rng: np.random.Generator
) -> list[np.ndarray]:
    """A Gaussian direction with each filter rescaled to the norm of the weights' filter."""
    direction = []
    for w in weights:
        w = np.asarray(w, dtype=np.float64)
        if w.ndim <= 1:
            direction.append(np.zeros_like(w))  # biases: not perturbed
            continue
        d = rng.standard_normal(w.shape)
        axes = (0,) if w.ndim == 2 else tuple(range(1, w.ndim))  # Dense columns; conv channels
        w_norm = np.sqrt((w * w).sum(axis=axes, keepdims=True))
        d_norm = np.sqrt((d * d).sum(axis=axes, keepdims=True))
        direction.append(d * w_norm / np.maximum(d_norm, 1e-12))
    return direction


def losses_at(
    model: Sequential,
    x: Any,
    y: Any,
    base: Sequence[np.ndarray],
    directions: Sequence[Sequence[np.ndarray]],
    coefficients: np.ndarray,
    loss: str | losses.Loss | None = None,
    workers: int = 1,
) -> np.ndarray:
    """The loss at `base + sum_k coefficients[:, k] * directions[k]`, one value per row;
    `workers` threads share the rows (NumPy releases the GIL; 1: no thread is started)."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"losses_at: workers must be a positive integer, got {workers!r}")
    loss_fn = losses.get(loss) if loss is not None else model.loss
    if loss_fn is None:
        raise ValueError("losses_at: compile the model or pass loss=...")
    coeffs = np.asarray(coefficients, dtype=np.float64)
    if coeffs.ndim != 2 or coeffs.shape[1] != len(directions):
        raise ValueError(
            f"coefficients must have shape (settings, {len(directions)}), got {coeffs.shape}"
        )
    xa, ya = model.as_arrays(x, y)
    if not model.built:
        model.build((None, *xa.shape[1:]))
    params = model.params
    _check_weights("base", base, params)
    for d in directions:
        _check_weights("direction", d, params)
    xp = backend.xp()
    # Each parameter as a (1 + directions, ...) stack: its base, then its direction components.
    stacks = [
        xp.asarray(np.stack([base[i], *(d[i] for d in directions)]), dtype=model.dtype)
        for i in range(len(params))
    ]
    chunk = max(1, _ELEMENTS_PER_BATCH // (len(xa) * _widest(model)))
    grid = grid_levels(coeffs)
    out = np.empty(len(coeffs))

    def run(first: int, stop: int) -> None:
        """The losses of rows first..stop-1, chunk by chunk, with an evaluator of its own."""
        levels = None if grid is None else grid[0]
        evaluator = StackedEvaluator(model, loss_fn, xa, ya, stacks, chunk, levels)
        with no_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(first, stop, chunk):
                c = coeffs[start : min(start + chunk, stop)]
                mix = xp.asarray(np.concatenate([np.ones((len(c), 1)), c], axis=1), model.dtype)
                if evaluator.supported:
                    rows = None if grid is None else grid[1][start : start + len(c)]
                    out[start : start + len(c)] = evaluator.losses(mix, rows)
                else:
                    settings = [mixed(mix, s) for s in stacks]
                    out[start : start + len(c)] = _looped_losses(model, loss_fn, xa, ya, settings)

    parts = _split(len(coeffs), chunk, workers if supported(model) else 1)  # a loop sets weights
    if len(parts) == 1:
        run(0, len(coeffs))
    else:  # NumPy and the BLAS release the GIL: each thread takes a share of the chunks
        with ThreadPoolExecutor(len(parts)) as pool:
            done = [pool.submit(contextvars.copy_context().run, run, a, b) for a, b in parts]
            for future in done:
                future.result()
    return out


def _split(rows: int, chunk: int, workers: int) -> list[tuple[int, int]]:
    """Up to `workers` (first, stop) ranges of whole chunks, as even as the chunks allow."""
    chunks = -(-rows // chunk)
    shares = min(workers, chunks)
    edges = [min(rows, (chunks * w // shares) * chunk) for w in range(shares + 1)]
    return [(a, b) for a, b in itertools.pairwise(edges) if b > a]


def _check_weights(what: str, weights: Sequence[Any], params: list[Tensor]) -> None:
    if len(weights) != len(params):
        raise ValueError(f"{what}: expected {len(params)} weight arrays, got {len(weights)}")
    for w, p in zip(weights, params, strict=True):
        if tuple(np.shape(w)) != p.shape:
            raise ValueError(f"{what}: {p.name} has shape {p.shape}, got {np.shape(w)}")


def _widest(model: Sequential) -> int:
    shape = model.input_shape or (None, 1)
    widest = math.prod(d or 1 for d in shape[1:])
    for layer in model.layers:
        shape = layer.output_shape(shape)
        widest = max(widest, math.prod(d or 1 for d in shape[1:]))
    return widest


def _looped_losses(
    model: Sequential, loss_fn: losses.Loss, x: Array, y: Array, settings: list[Array]
) -> np.ndarray:
    """Fallback for layers without a batched path: one forward pass per weight setting."""
    saved = model.get_weights()
    try:
        values = []
        for j in range(settings[0].shape[0]):
            model.set_weights([w[j] for w in settings])
            values.append(float(model.loss_and_output(x, y, loss_fn)[0].data))
        return np.array(values)
    finally:
        model.set_weights(saved)


def interpolate(
    model: Sequential,
    x: Any,
    y: Any,
    start: Sequence[np.ndarray],
    end: Sequence[np.ndarray],
    alphas: int | Sequence[float] | np.ndarray = 51,
    loss: str | losses.Loss | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(alphas, losses) along (1 - alpha) * start + alpha * end; `alphas` may be a count
    (evenly spaced over [0, 1]) or explicit values (beyond [0, 1] extrapolates)."""
    a = np.linspace(0.0, 1.0, alphas) if isinstance(alphas, int) else np.asarray(alphas, float)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"interpolate: alphas must be a count >= 1 or a 1-D array, got {alphas!r}")
    start_arrays = [np.asarray(w, dtype=np.float64) for w in start]
    delta = [np.asarray(e, dtype=np.float64) - s for s, e in zip(start_arrays, end, strict=True)]
    return a, losses_at(model, x, y, start_arrays, [delta], a[:, None], loss)


def loss_grid(
    model: Sequential,
    x: Any,
    y: Any,
    center: Sequence[np.ndarray] | None = None,
    directions: tuple[Sequence[np.ndarray], Sequence[np.ndarray]] | None = None,
    extent: float = 1.0,
    resolution: int = 51,
    seed: int = 0,
    loss: str | losses.Loss | None = None,
    workers: int = 1,
) -> Landscape:
    """The loss on a resolution x resolution grid over [-extent, extent]^2 around `center`
    (the current weights by default) along two directions (filter-normalised random ones,
    from `seed`, by default); `workers` threads share the grid (see `losses_at`)."""
    if resolution < 2 or extent <= 0:
        raise ValueError(
            f"loss_grid: need resolution >= 2 and extent > 0, got {resolution}, {extent}"
        )
    if not model.built:
        model.build((None, *np.shape(x)[1:]))
    base = [np.asarray(w, dtype=np.float64) for w in (center or model.get_weights())]
    if directions is None:
        rng = np.random.default_rng(seed)
        directions = (
            filter_normalized_direction(base, rng),
            filter_normalized_direction(base, rng),
        )
    d1 = [np.asarray(d, dtype=np.float64) for d in directions[0]]
    d2 = [np.asarray(d, dtype=np.float64) for d in directions[1]]
    axis = np.linspace(-extent, extent, resolution)
    beta, alpha = np.meshgrid(axis, axis, indexing="ij")
    coeffs = np.stack([alpha.ravel(), beta.ravel()], axis=1)
    values = losses_at(model, x, y, base, [d1, d2], coeffs, loss, workers)
    return Landscape(axis, axis.copy(), values.reshape(resolution, resolution), base, (d1, d2))
