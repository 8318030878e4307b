"""Lesson 5.3's data and plots: the layer's small batch and weights, FLOPs and timing curves.

The timing plots put log₂ n on the x axis (the plot panel has a logarithmic y axis only), so
with the logarithmic y axis a power law n³ is a straight line.
"""

from __future__ import annotations

import numpy as np

from lessons.ch5_real_data.graphs_gpu import timing as tm
from lessons.core.base import PlotData, Series
from lessons.shared import colors

FEATURES, UNITS = 3, 2  # the dense layer: 3 inputs, 2 neurons
MAX_BATCH = 6
MODEL = colors.MODEL  # blue: NumPy on the CPU, and the FLOP counts
COMPARISON = colors.COMPARISON  # yellow: CuPy on the GPU, where there is one
X_LABEL = "log₂ n  (n = 32 … 512)"


def layer_data(rng: np.random.Generator, batch: int) -> tuple[np.ndarray, ...]:
    """A batch X and weights W, b with one or two decimals, easy to check by hand."""
    x = rng.integers(-20, 21, (batch, FEATURES)) / 10
    w = rng.integers(-10, 11, (FEATURES, UNITS)) / 10
    b = rng.integers(-5, 6, UNITS) / 10
    return x, w, b


def size_plot(
    sizes: tuple[int, ...], named: dict[str, tuple[tuple[float, ...], int]], y_label: str
) -> PlotData:
    """Values against log₂ n, one line with labelled points per name."""
    x = np.log2(np.array(sizes, dtype=float))
    series = []
    for name, (values, color) in named.items():
        y = np.array(values, dtype=float)
        series.append(Series(name, x, y, color=color))
        series.append(
            Series(f"_{name} points", x, y, "marker", color, labels=tuple(str(n) for n in sizes))
        )
    return PlotData(tuple(series), axis_labels=(X_LABEL, y_label))


def batch_plot(m: int) -> PlotData:
    """The FLOPs of the layer's product (m×3)·(3×2) against the batch size, m marked."""
    batches = np.arange(1, MAX_BATCH + 1, dtype=float)
    work = np.array([tm.flops(int(k), FEATURES, UNITS) for k in batches], dtype=float)
    return PlotData(
        (
            Series("FLOPs 2·m·3·2", batches, work, color=MODEL),
            Series(
                "_this batch",
                np.array([float(m)]),
                np.array([float(tm.flops(m, FEATURES, UNITS))]),
                "marker",
                MODEL,
                labels=(f"m = {m}",),
            ),
        ),
        axis_labels=("batch size m", "FLOPs"),
    )
