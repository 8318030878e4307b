"""Seeds and array type aliases shared by the seeded synthetic data generators.

A seed is an int or a ``numpy.random.Generator``: the same int always gives the same data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["FloatArray", "IntArray", "Seed", "as_generator"]

Seed = int | np.random.Generator
FloatArray = NDArray[np.floating[Any]]
IntArray = NDArray[np.int64]


def as_generator(seed: Seed) -> np.random.Generator:
    """A generator from an int seed, or the generator itself."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
