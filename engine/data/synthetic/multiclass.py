"""Seeded 2-D point sets with k classes for the multi-class playground: blobs and k-arm spirals.

:func:`make_k_class` gives points in about [-1, 1]^2 and labels 0 .. k-1 (class ``c`` gets
``n // k`` points, the first ``n % k`` classes one more);
``engine.data.synthetic.sets.make_multiclass``
splits them the same stratified way as the two-class sets.  The same seed gives the same
points.

- ``blobs``: class ``c`` is a round Gaussian cloud (std 0.15) centred on a circle of radius 0.6
  at angle 90 + 360 c / k degrees.  Neighbouring centres are at least 0.6 apart (k <= 6), four
  standard deviations, so a small network separates them almost perfectly.
- ``arms``: class ``c`` is a spiral arm ``r = t``, ``angle = 2 pi (t + c / k)`` for t uniform
  in [0.05, 1]: k arms that wind one full turn around each other.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import DTypeLike

from engine.data.synthetic.seeding import FloatArray, IntArray, Seed
from engine.data.synthetic.seeding import as_generator as _rng

__all__ = ["MAX_K", "MULTICLASS_SETS", "MultiClass", "class_sizes", "make_k_class"]

MultiClass = Literal["blobs", "arms"]
MULTICLASS_SETS: tuple[MultiClass, ...] = ("blobs", "arms")
MAX_K = 8


def class_sizes(n: int, k: int) -> list[int]:
    """``n`` points over ``k`` classes as evenly as possible."""
    if not 2 <= k <= MAX_K:
        raise ValueError(f"need 2 to {MAX_K} classes, got {k}")
    if n < k:
        raise ValueError(f"need at least one point per class: {n} points for {k} classes")
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _blob(c: int, k: int, m: int, rng: np.random.Generator) -> FloatArray:
    angle = math.pi / 2 + 2 * math.pi * c / k
    centre = 0.6 * np.array([math.cos(angle), math.sin(angle)])
    points: FloatArray = centre + rng.normal(0.0, 0.15, (m, 2))
    return points


def _arm(c: int, k: int, m: int, rng: np.random.Generator) -> FloatArray:
    t = rng.uniform(0.05, 1.0, m)
    angle = 2 * math.pi * (t + c / k)
    return np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)


def make_k_class(
    name: MultiClass,
    n: int = 600,
    classes: int = 3,
    *,
    noise: float = 0.0,
    seed: Seed = 0,
    dtype: DTypeLike = np.float32,
) -> tuple[FloatArray, IntArray]:
    """All points (n, 2) and labels (n,) of a k-class set, in class order (not split)."""
    if name not in MULTICLASS_SETS:
        raise ValueError(f"unknown k-class set {name!r}; choose from {MULTICLASS_SETS}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = _rng(seed)
    sizes = class_sizes(n, classes)
    shape = _blob if name == "blobs" else _arm
    x = np.concatenate([shape(c, classes, m, rng) for c, m in enumerate(sizes)])
    x = x + rng.normal(0.0, 1.0, x.shape) * noise
    y = np.concatenate([np.full(m, c, np.int64) for c, m in enumerate(sizes)])
    return x.astype(dtype), y
