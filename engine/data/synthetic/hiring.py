"""Synthetic hiring data with a known, documented bias against one group of applicants.

``make_hiring`` generates the applicants in five steps:

1. Group: exactly ``round(n * group_share)`` applicants are in group B (1), the rest in group A
   (0), in random order.
2. Ability: every applicant has a latent ability ``a ~ N(0, 1)``, independent of the group, so
   the two groups are equally able.
3. Features seen by a model: ``experience`` = 6 + 2.5 (0.6 a + 0.8 e1) years, ``test_score`` =
   60 + 12 (0.8 a + 0.6 e2), ``interview`` = 3 + (0.7 a + 0.71 e3), the proxy ``neighbourhood``
   = p z + sqrt(1 - p^2) e4 where z is the standardised group indicator and p =
   ``proxy_strength`` (so corr(neighbourhood, group) = p), and ``group`` itself (e1..e4 are
   independent N(0, 1) noise).
4. Ground truth: ``qualified`` = 1 for the ``hire_rate`` share of applicants with the highest
   ability (no group involved).
5. Historical decision (the label ``y`` a screening model learns from): ``hired`` = 1 for the
   ``hire_rate`` share with the highest ``a - bias * group + 0.5 e5``: past recruiters marked
   group B down by ``bias`` standard deviations of ability.

A model trained on ``hired`` learns the recruiters' bias; dropping the ``group`` column does not
remove it while ``neighbourhood`` carries the group (``proxy_strength`` > 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

from engine.data.synthetic.seeding import FloatArray, IntArray, Seed
from engine.data.synthetic.seeding import as_generator as _rng

__all__ = ["HIRING_FEATURES", "HiringSet", "make_hiring"]

HIRING_FEATURES = ("experience", "test_score", "interview", "neighbourhood", "group")


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class HiringSet:
    """Synthetic applicants (see the module docstring for how they are generated).

    ``x`` (n, 5) holds the features of ``feature_names`` (the last one is ``group``); ``y`` is
    the biased historical decision, ``qualified`` the unbiased ground truth.
    """

    x: FloatArray
    y: IntArray
    qualified: IntArray
    group: IntArray
    feature_names: tuple[str, ...]
    group_names: tuple[str, str]
    bias: float
    proxy_strength: float
    group_share: float
    hire_rate: float

    def without_group(self) -> tuple[FloatArray, tuple[str, ...]]:
        """The features with the ``group`` column dropped (the proxy stays)."""
        return self.x[:, :-1], self.feature_names[:-1]

    def rates(self, decision: IntArray) -> dict[str, float]:
        """Share of each group with ``decision`` == 1 (e.g. selection rate per group)."""
        return {
            name: float(decision[self.group == g].mean()) for g, name in enumerate(self.group_names)
        }

    def describe(self) -> str:
        """How this set was generated, with its knob values."""
        return (
            f"{len(self.y)} applicants, {self.group_share:.0%} in group B; ability is the same "
            f"in both groups. Historical recruiters hired the top {self.hire_rate:.0%} by "
            f"ability minus {self.bias:g} SD for group B. 'neighbourhood' correlates "
            f"{self.proxy_strength:g} with group membership."
        )


def make_hiring(
    n: int = 2000,
    *,
    bias: float = 1.0,
    proxy_strength: float = 0.8,
    group_share: float = 0.3,
    hire_rate: float = 0.3,
    seed: Seed = 0,
    dtype: DTypeLike = np.float32,
) -> HiringSet:
    """Applicants with a known hiring bias against group B (process: module docstring)."""
    if not 0.0 <= proxy_strength <= 1.0:
        raise ValueError(f"proxy_strength must be in [0, 1], got {proxy_strength}")
    if not 0.0 < group_share < 1.0 or not 0.0 < hire_rate < 1.0:
        raise ValueError("group_share and hire_rate must be in (0, 1)")
    rng = _rng(seed)
    n_b = round(n * group_share)
    group = rng.permutation(np.arange(n) < n_b).astype(np.int64)
    ability = rng.normal(0.0, 1.0, n)
    e = rng.normal(0.0, 1.0, (5, n))
    z = (group - group_share) / math.sqrt(group_share * (1 - group_share))
    features = np.stack(
        [
            6.0 + 2.5 * (0.6 * ability + 0.8 * e[0]),
            60.0 + 12.0 * (0.8 * ability + 0.6 * e[1]),
            3.0 + (0.7 * ability + 0.71 * e[2]),
            proxy_strength * z + math.sqrt(1.0 - proxy_strength**2) * e[3],
            group.astype(np.float64),
        ],
        axis=1,
    )
    k = round(n * hire_rate)

    def top_k(score: FloatArray) -> IntArray:
        chosen = np.zeros(n, dtype=np.int64)
        chosen[np.argsort(-score, kind="stable")[:k]] = 1
        return chosen

    return HiringSet(
        features.astype(dtype),
        top_k(ability - bias * group + 0.5 * e[4]),
        top_k(ability),
        group,
        HIRING_FEATURES,
        ("A", "B"),
        bias,
        proxy_strength,
        group_share,
        hire_rate,
    )
