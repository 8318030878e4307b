"""Seeded synthetic data: playground sets (two or k classes), regression curves, toy sequences.

Every generator takes ``seed`` (an int or a ``numpy.random.Generator``): the same int gives the
same data. Arrays are float32 unless ``dtype`` says otherwise; labels are int64.

The 2-D loss surfaces (``engine.data.synthetic.surfaces``), the hidden-bias hiring data
(``engine.data.synthetic.hiring``,
whose module docstring documents how it is generated) and the k-class point shapes
(``engine.data.synthetic.multiclass``) live in their own modules and are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import DTypeLike

from engine.data.synthetic.hiring import HIRING_FEATURES, HiringSet, make_hiring
from engine.data.synthetic.multiclass import MULTICLASS_SETS, MultiClass, make_k_class
from engine.data.synthetic.seeding import FloatArray, IntArray, Seed
from engine.data.synthetic.seeding import as_generator as _rng
from engine.data.synthetic.surfaces import SURFACES, Surface, Value, surface

__all__ = [
    "CURVES",
    "HIRING_FEATURES",
    "MULTICLASS_SETS",
    "PLAYGROUND_SETS",
    "SURFACES",
    "FloatArray",
    "HiringSet",
    "IntArray",
    "MultiClass",
    "Playground",
    "PointSet",
    "RegressionSet",
    "Seed",
    "SequenceSet",
    "Surface",
    "Value",
    "make_adding_problem",
    "make_circle",
    "make_copy_task",
    "make_gaussians",
    "make_hiring",
    "make_multiclass",
    "make_playground",
    "make_regression",
    "make_remember_first",
    "make_sine_sequences",
    "make_spiral",
    "make_xor",
    "surface",
]

Playground = Literal["circle", "xor", "gaussians", "spiral"]
PLAYGROUND_SETS: tuple[Playground, ...] = ("circle", "xor", "gaussians", "spiral")


def _split(
    x: FloatArray, y: IntArray, test_fraction: float, rng: np.random.Generator
) -> tuple[FloatArray, IntArray, FloatArray, IntArray]:
    """A stratified shuffled split: each class gives ``round(count * test_fraction)`` to test."""
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    train: list[IntArray] = []
    test: list[IntArray] = []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        k = round(len(idx) * test_fraction)
        test.append(idx[:k])
        train.append(idx[k:])
    tr = rng.permutation(np.concatenate(train))
    te = rng.permutation(np.concatenate(test))
    return x[tr], y[tr], x[te], y[te]


# ------------------------------------------------------------------------ playground sets


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class PointSet:
    """A 2-D classification set: points (n, 2) in about [-1, 1]^2, labels 0/1, split."""

    x_train: FloatArray
    y_train: IntArray
    x_test: FloatArray
    y_test: IntArray
    name: str
    noise: float


def _class_sizes(n: int) -> tuple[int, int]:
    if n < 2:
        raise ValueError(f"need at least 2 points, got {n}")
    return n // 2, n - n // 2


def _circle(n0: int, n1: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    def ring(m: int, r_lo: float, r_hi: float) -> FloatArray:
        r = rng.uniform(r_lo, r_hi, m)
        angle = rng.uniform(0.0, 2 * math.pi, m)
        return np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)

    return ring(n0, 0.7, 1.0), ring(n1, 0.0, 0.5)


def _xor(n0: int, n1: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    def quadrants(m: int, same_sign: bool) -> FloatArray:
        u = rng.uniform(0.05, 1.0, (m, 2))
        s = rng.choice([-1.0, 1.0], m)
        return np.stack([s * u[:, 0], (s if same_sign else -s) * u[:, 1]], axis=1)

    return quadrants(n0, False), quadrants(n1, True)


def _gaussians(n0: int, n1: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    return rng.normal(-0.5, 0.2, (n0, 2)), rng.normal(0.5, 0.2, (n1, 2))


def _spiral(n0: int, n1: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    def arm(m: int, offset: float) -> FloatArray:
        t = rng.uniform(0.05, 1.0, m)
        angle = 1.75 * 2 * math.pi * t + offset
        return np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)

    return arm(n0, 0.0), arm(n1, math.pi)


_SHAPES = {"circle": _circle, "xor": _xor, "gaussians": _gaussians, "spiral": _spiral}


def make_playground(
    name: Playground,
    n: int = 400,
    *,
    noise: float = 0.0,
    test_fraction: float = 0.5,
    seed: Seed = 0,
    dtype: DTypeLike = np.float32,
) -> PointSet:
    """One of the four playground sets with ``n // 2`` points of class 0, the rest class 1.

    circle: class 1 inside radius 0.5, class 0 on a ring 0.7-1.0. xor: class 1 where x*y > 0.
    gaussians: class 0 around (-0.5, -0.5), class 1 around (0.5, 0.5), std 0.2. spiral: two
    interleaved arms. ``noise`` is the std of Gaussian jitter added to every coordinate. The
    split is stratified: each class gives ``round(count * test_fraction)`` points to test.
    """
    if name not in _SHAPES:
        raise ValueError(f"unknown playground set {name!r}; choose from {PLAYGROUND_SETS}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = _rng(seed)
    n0, n1 = _class_sizes(n)
    a, b = _SHAPES[name](n0, n1, rng)
    x = np.concatenate([a, b]) + rng.normal(0.0, 1.0, (n, 2)) * noise
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    xtr, ytr, xte, yte = _split(x.astype(dtype), y, test_fraction, rng)
    return PointSet(xtr, ytr, xte, yte, name, noise)


def make_circle(
    n: int = 400, *, noise: float = 0.0, test_fraction: float = 0.5, seed: Seed = 0
) -> PointSet:
    """The circle set (see ``make_playground``)."""
    return make_playground("circle", n, noise=noise, test_fraction=test_fraction, seed=seed)


def make_xor(
    n: int = 400, *, noise: float = 0.0, test_fraction: float = 0.5, seed: Seed = 0
) -> PointSet:
    """The XOR set (see ``make_playground``)."""
    return make_playground("xor", n, noise=noise, test_fraction=test_fraction, seed=seed)


def make_gaussians(
    n: int = 400, *, noise: float = 0.0, test_fraction: float = 0.5, seed: Seed = 0
) -> PointSet:
    """The two-gaussians set (see ``make_playground``)."""
    return make_playground("gaussians", n, noise=noise, test_fraction=test_fraction, seed=seed)


def make_spiral(
    n: int = 400, *, noise: float = 0.0, test_fraction: float = 0.5, seed: Seed = 0
) -> PointSet:
    """The two-spirals set (see ``make_playground``)."""
    return make_playground("spiral", n, noise=noise, test_fraction=test_fraction, seed=seed)


def make_multiclass(
    name: MultiClass,
    n: int = 600,
    classes: int = 3,
    *,
    noise: float = 0.0,
    test_fraction: float = 0.5,
    seed: Seed = 0,
) -> PointSet:
    """A k-class set (``multiclass``: blobs or a k-arm spiral), split stratified."""
    rng = _rng(seed)
    x, y = make_k_class(name, n, classes, noise=noise, seed=rng)
    xtr, ytr, xte, yte = _split(x, y, test_fraction, rng)
    return PointSet(xtr, ytr, xte, yte, name, noise)


# ----------------------------------------------------------------------- regression curves

CURVES: dict[str, Callable[[FloatArray], FloatArray]] = {
    "linear": lambda x: 1.5 * x + 0.5,
    "quadratic": lambda x: 2.0 * x**2 - 1.0,
    "cubic": lambda x: 2.0 * x**3 - 1.5 * x,
    "sine": lambda x: np.sin(math.pi * x),
    "step": lambda x: np.where(x > 0.0, 1.0, 0.0),
    "abs": lambda x: np.abs(x),
}


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class RegressionSet:
    """A 1-D regression set: x and y of shape (n, 1), split, and the noiseless curve on a grid."""

    x_train: FloatArray
    y_train: FloatArray
    x_test: FloatArray
    y_test: FloatArray
    x_grid: FloatArray
    y_grid: FloatArray
    name: str
    noise: float


def make_regression(
    name: str = "sine",
    n: int = 100,
    *,
    noise: float = 0.1,
    test_fraction: float = 0.3,
    x_range: tuple[float, float] = (-1.0, 1.0),
    seed: Seed = 0,
    dtype: DTypeLike = np.float32,
) -> RegressionSet:
    """``y = curve(x) + N(0, noise^2)`` with x uniform in ``x_range``; curves: see ``CURVES``."""
    if name not in CURVES:
        raise ValueError(f"unknown curve {name!r}; choose from {sorted(CURVES)}")
    if not 0.0 <= test_fraction < 1.0 or n < 2:
        raise ValueError("need n >= 2 and test_fraction in [0, 1)")
    rng = _rng(seed)
    f = CURVES[name]
    x = rng.uniform(*x_range, (n, 1))
    y = f(x) + rng.normal(0.0, 1.0, (n, 1)) * noise
    k = round(n * test_fraction)
    grid = np.linspace(*x_range, 201)[:, None]
    return RegressionSet(
        x[k:].astype(dtype),
        y[k:].astype(dtype),
        x[:k].astype(dtype),
        y[:k].astype(dtype),
        grid.astype(dtype),
        f(grid).astype(dtype),
        name,
        noise,
    )


# -------------------------------------------------------------------------- toy sequences


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class SequenceSet:
    """Sequences ``x`` (batch, time, features) and targets ``y``; ``task`` says which kind."""

    x: FloatArray
    y: FloatArray | IntArray
    name: str
    task: Literal["regression", "classification", "sequence_classification"]


def make_sine_sequences(
    n: int = 256,
    length: int = 20,
    *,
    noise: float = 0.05,
    horizon: int = 1,
    seed: Seed = 0,
    dtype: DTypeLike = np.float32,
) -> SequenceSet:
    """Windows of noisy sine waves; ``y`` (n, horizon) holds the next ``horizon`` values.

    Each sequence has its own amplitude in [0.5, 1], period in [8, 24] steps and phase.
    """
    rng = _rng(seed)
    amplitude = rng.uniform(0.5, 1.0, (n, 1))
    period = rng.uniform(8.0, 24.0, (n, 1))
    phase = rng.uniform(0.0, 2 * math.pi, (n, 1))
    t = np.arange(length + horizon)[None, :]
    wave = amplitude * np.sin(2 * math.pi * t / period + phase)
    wave = wave + rng.normal(0.0, 1.0, wave.shape) * noise
    return SequenceSet(
        wave[:, :length, None].astype(dtype), wave[:, length:].astype(dtype), "sine", "regression"
    )


def _balanced_symbols(n: int, n_symbols: int, rng: np.random.Generator) -> IntArray:
    """n symbols, each of ``n_symbols`` appearing n // n_symbols or one more times, shuffled."""
    return rng.permutation(np.arange(n, dtype=np.int64) % n_symbols)


def make_remember_first(
    n: int = 256,
    length: int = 20,
    *,
    n_symbols: int = 4,
    seed: Seed = 0,
    dtype: DTypeLike = np.float32,
) -> SequenceSet:
    """Remember-the-first: one-hot random symbols (n, length, n_symbols); ``y`` = first symbol.

    The classes are balanced: each symbol is the first one of n // n_symbols (or one more)
    sequences. The answer is ``length - 1`` steps back, a long-range dependency.
    """
    rng = _rng(seed)
    symbols = rng.integers(0, n_symbols, (n, length))
    symbols[:, 0] = _balanced_symbols(n, n_symbols, rng)
    x = np.eye(n_symbols)[symbols].astype(dtype)
    return SequenceSet(x, symbols[:, 0].copy(), "remember_first", "classification")


def make_copy_task(
    n: int = 256,
    length: int = 5,
    *,
    delay: int = 10,
    n_symbols: int = 8,
    seed: Seed = 0,
    dtype: DTypeLike = np.float32,
) -> SequenceSet:
    """Copy: show ``length`` symbols, wait ``delay`` blanks and a go-marker, then repeat them.

    ``x`` is one-hot (n, 2 length + delay + 1, n_symbols + 2): symbols 0..n_symbols-1, blank =
    n_symbols, go = n_symbols + 1. ``y`` (n, T) int64 is blank except the last ``length``
    steps, which hold the symbols shown at the start.
    """
    rng = _rng(seed)
    steps = 2 * length + delay + 1
    blank, go = n_symbols, n_symbols + 1
    shown = rng.integers(0, n_symbols, (n, length))
    inputs = np.full((n, steps), blank, dtype=np.int64)
    inputs[:, :length] = shown
    inputs[:, length + delay] = go
    targets = np.full((n, steps), blank, dtype=np.int64)
    targets[:, -length:] = shown
    x = np.eye(n_symbols + 2)[inputs].astype(dtype)
    return SequenceSet(x, targets, "copy", "sequence_classification")


def make_adding_problem(
    n: int = 256, length: int = 50, *, seed: Seed = 0, dtype: DTypeLike = np.float32
) -> SequenceSet:
    """The adding problem: ``x`` (n, length, 2) holds values U[0, 1] and a 0/1 marker channel.

    Exactly two steps are marked, one in each half; ``y`` (n, 1) is the sum of their values.
    """
    if length < 2:
        raise ValueError(f"length must be >= 2, got {length}")
    rng = _rng(seed)
    values = rng.uniform(0.0, 1.0, (n, length))
    half = length // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, length, n)
    marks = np.zeros((n, length))
    rows = np.arange(n)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    x = np.stack([values, marks], axis=2)
    return SequenceSet(x.astype(dtype), y[:, None].astype(dtype), "adding", "regression")
