"""The course's one rule for calling a run "overfitting" (lessons 3.3 and 4.6).

At epoch ``end``, all of: the lowest validation loss (at epoch ``best``) lies at least
``patience`` epochs back; in each of the last ``patience`` epochs the validation loss stayed
more than ``rise`` above that lowest value (a sustained rise, not one noisy epoch); the training
loss is lower now than at ``best``; and, where asked, the gap between validation and training
loss has grown.  Epochs are numbered as the caller numbers them; ``offset`` is the epoch whose
loss sits at index 0 of the arrays (1 when the lists start after the first epoch, 0 when they
start with the untrained network).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Overfit", "judge"]


@dataclass(frozen=True)
class Overfit:
    """The numbers behind an overfitting verdict: the best epoch against the epoch looked at."""

    best: int
    epoch: int
    best_val: float
    end_val: float
    floor_val: float  # the lowest validation loss of the last `patience` epochs
    best_train: float
    end_train: float

    @property
    def rise(self) -> float:
        """How far the last `patience` epochs all stayed above the best, as a fraction of it."""
        return self.floor_val / self.best_val - 1.0

    @property
    def gap_best(self) -> float:
        return self.best_val - self.best_train

    @property
    def gap_end(self) -> float:
        return self.end_val - self.end_train


def judge(
    train: Sequence[float],
    val: Sequence[float],
    best: int,
    end: int,
    *,
    patience: int,
    rise: float,
    offset: int,
    growing_gap: bool = False,
) -> Overfit | None:
    """The verdict at epoch ``end`` with the best epoch ``best`` (see the module); None if the
    rule does not hold (or ``best`` is 0: no finite validation loss)."""
    last = end - offset  # index of epoch `end`
    if best == 0 or end - best < patience:
        return None
    if not all(math.isfinite(float(v)) for v in val[: last + 1]):
        return None
    found = Overfit(
        best=best,
        epoch=end,
        best_val=float(val[best - offset]),
        end_val=float(val[last]),
        floor_val=float(min(val[last - patience + 1 : last + 1])),
        best_train=float(train[best - offset]),
        end_train=float(train[last]),
    )
    if found.rise <= rise or found.end_train >= found.best_train:
        return None
    if growing_gap and found.gap_end <= found.gap_best:
        return None
    return found
