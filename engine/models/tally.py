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

import numpy as np

from engine.analysis.metrics import Metric
from engine.core import backend
from engine.core.tensor import Array, Tensor

__all__ = ["Tally"]


class Tally:
    """Per-batch rows (loss, then each metric) as float64 device arrays, with batch sizes."""

    def __init__(self, metrics: Sequence[Metric]) -> None:
        self.metrics = list(metrics)
        self.names = ["loss", *(m.name for m in self.metrics)]
        self.rows: list[Array] = []
        self.sizes: list[int] = []

    def add(self, loss: Tensor, y: Array, out: Tensor | None) -> None:
        """Record a batch's loss and metrics without reading them (`out`, the model's output,
        may be None where there are no metrics)."""
        xp = backend.xp()
        if self.metrics and out is None:
            raise ValueError("Tally.add: the metrics need the model's output")
        with np.errstate(over="ignore", invalid="ignore"):  # outputs after a divergence
            scores = [] if out is None else [m.on_device(y, out.data) for m in self.metrics]
            values = [loss.data, *scores]
            self.rows.append(xp.stack([xp.asarray(v, dtype=xp.float64) for v in values]))
        self.sizes.append(len(y))

    def read(self) -> tuple[list[float], dict[str, float]]:
        """One copy to the host: each batch's loss, and the sample-weighted mean of each column."""
        table = backend.to_numpy(backend.xp().stack(self.rows)).tolist()
        totals = dict.fromkeys(self.names, 0.0)
        for row, n in zip(table, self.sizes, strict=True):
            for name, value in zip(self.names, row, strict=True):
                totals[name] += value * n
        seen = sum(self.sizes)
        return [row[0] for row in table], {k: v / seen for k, v in totals.items()}
