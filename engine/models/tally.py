"""Batch losses and metrics kept on the device and read back to the host once, at the end.

On a GPU every number read on the host is a copy that waits for the device. `fit` and
`evaluate` add each batch's loss and metric values to a `Tally` as device arrays, then read the
whole table in one copy::

    tally = Tally(metrics)
    for xb, yb in batches:
        out = model(xb)
        tally.add(loss_fn(yb, out), yb, out)
    losses, means = tally.read()   # one copy: every batch's loss, and the weighted means
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.analysis.metrics import Metric
from engine.core import backend
from engine.core.tensor import Array, Tensor

__all__ = ["Tally"]


class Tally:
    """Per-batch values (loss, then each metric) kept as the device arrays they are, with batch
    sizes; cast to float64 and stacked into one table when read."""

    def __init__(self, metrics: Sequence[Metric]) -> None:
        self.metrics = list(metrics)
        self.names = ["loss", *(m.name for m in self.metrics)]
        self.columns: list[list[Any]] = [[] for _ in self.names]  # device arrays (or floats)
        self.sizes: list[int] = []

    def add(self, loss: Tensor, y: Array, out: Tensor | None) -> None:
        """Record a batch's loss and metrics without reading them (`out`, the model's output,
        may be None where there are no metrics)."""
        if self.metrics and out is None:
            raise ValueError("Tally.add: the metrics need the model's output")
        self.columns[0].append(loss.data)
        if out is not None:
            with np.errstate(over="ignore", invalid="ignore"):  # outputs after a divergence
                for column, metric in zip(self.columns[1:], self.metrics, strict=True):
                    column.append(metric.on_device(y, out.data))
        self.sizes.append(len(y))

    @staticmethod
    def _arrays(values: list[Any]) -> list[Array]:
        xp = backend.xp()
        return [xp.asarray(v) for v in values]

    def read(self) -> tuple[list[float], dict[str, float]]:
        """One copy to the host: each batch's loss, and the sample-weighted mean of each column."""
        xp = backend.xp()
        # (a metric may give a Python float: a device array first, for CuPy's stack)
        loss, *scores = self.columns
        stacked = [xp.stack(c).astype(xp.float64) for c in (loss, *map(self._arrays, scores))]
        table = backend.to_numpy(xp.stack(stacked, axis=1)).tolist()
        totals = dict.fromkeys(self.names, 0.0)
        for row, n in zip(table, self.sizes, strict=True):
            for name, value in zip(self.names, row, strict=True):
                totals[name] += value * n
        seen = sum(self.sizes)
        return [row[0] for row in table], {k: v / seen for k, v in totals.items()}
