"""Panel data for lesson 4.6: the network diagram, the output map, loss curves, weight histograms.

Everything here turns what the runs recorded (weights after each epoch, losses, the dropout
masks the engine used) into panel data.  The only computation is the network's forward pass
over a grid of the plane (every neuron's output, for the diagram's heat maps and the map),
done by the engine in inference mode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.core.autodiff import no_grad
from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.nn.layers import Input
from lessons.ch4_training.overfitting import runs as rs
from lessons.core.base import Annotation, NetworkData, NeuronLayer, PlotData, Series
from lessons.shared.mlp.views import level_line

EXTENT = (-1.6, -1.6, 3.2, 3.2)  # the plane the map and the heat maps cover: x, y, w, h
GRID = 48  # map resolution (cell centres); the diagram's heat maps use GRID // 2
BINS = 24  # histogram bins

# Palette indices (one meaning each in this lesson): class 0 blue and class 1 orange (the
# points, as in chapter 3), and one colour per way of training in the loss and weight plots.
PLAIN = 6  # black: no regularisation (and early stopping, which is the same run stopped)
L2 = 4  # reddish purple: the L2 penalty
DROPOUT = 5  # sky blue: dropout
HIDDEN_NAMES = tuple(f"hidden {i + 1}" for i in range(len(rs.HIDDEN)))


def grid_points() -> np.ndarray:
    """(GRID², 2) cell centres over :data:`EXTENT`, row-major, rows from the lowest x₂ up."""
    x0, y0, w, h = EXTENT
    xs = x0 + w * (np.arange(GRID) + 0.5) / GRID
    ys = y0 + h * (np.arange(GRID) + 0.5) / GRID
    a, b = np.meshgrid(xs, ys)
    return np.stack([a.ravel(), b.ravel()], axis=1).astype(np.float32)


def probe(weights: rs.Weights) -> list[np.ndarray]:
    """Every layer's output over the grid, one batched forward pass: [(units, n, n), ...].

    The plain network with these weights in inference mode (where dropout passes everything).
    """
    model = rs.build_model(0)
    model.set_weights(weights)
    outputs = []
    with no_grad(), np.errstate(over="ignore", invalid="ignore"):
        h = Tensor(grid_points())
        for layer in model.layers:
            if isinstance(layer, Input):
                continue
            h = layer(h)
            outputs.append(to_numpy(h.data).T.reshape(-1, GRID, GRID).astype(np.float32))
    return outputs


def _small(maps: np.ndarray) -> np.ndarray:
    """Heat maps at half resolution (2 x 2 means), compact for the step history."""
    k, n, _ = maps.shape
    pooled = maps.reshape(k, n // 2, 2, n // 2, 2).mean(axis=(2, 4))
    small: np.ndarray = np.nan_to_num(pooled, nan=0.0).astype(np.float16)
    return small


def network(
    weights: rs.Weights,
    active: Sequence[np.ndarray] | None = None,
    caption: str = "",
) -> NetworkData:
    """The diagram: inputs, the hidden layers, the output; ``active`` per hidden layer greys
    out the neurons a dropout mask switched off."""
    maps = probe(weights)
    inputs = grid_points().T.reshape(2, GRID, GRID)
    layers = [NeuronLayer("inputs", 2, heatmaps=_small(inputs), labels=("x₁", "x₂"))]
    names = (*HIDDEN_NAMES, "output")
    for i, name in enumerate(names):
        kernel, bias = weights[2 * i], weights[2 * i + 1]
        hidden = i < len(HIDDEN_NAMES)
        layers.append(
            NeuronLayer(
                name,
                len(bias),
                heatmaps=_small(maps[i]),
                levels=(-1.0, 1.0) if hidden else (0.0, 1.0),
                weights=np.array(kernel),
                biases=np.array(bias),
                active=np.array(active[i], dtype=bool) if active is not None and hidden else None,
            )
        )
    return NetworkData(tuple(layers), extent=EXTENT, caption=caption)


def points(split: rs.Split) -> list[Series]:
    """The training points: class 0 (outside) blue, class 1 (inside) orange."""
    out = []
    for label, name in ((0, "outside"), (1, "inside")):
        mask = split.y_train[:, 0] == label
        out.append(
            Series(
                f"training · {name}",
                split.x_train[mask, 0].astype(np.float64),
                split.x_train[mask, 1].astype(np.float64),
                style="scatter",
                color=label,
                size=8.0,
            )
        )
    return out


def output_map(split: rs.Split, weights: rs.Weights, watched: int | None = None) -> PlotData:
    """The network's output p(inside) over the plane with its p = 0.5 line and the points;
    ``watched`` rings one training point (the one whose dropout masks the diagram shows)."""
    field = np.nan_to_num(probe(weights)[-1][0], nan=0.5)
    lx, ly = level_line(field, 0.5, EXTENT)
    series = [Series("p = 0.5", lx, ly, style="line", color=6, width=1.5)]
    if watched is not None:
        x, y = split.x_train[watched]
        series.append(
            Series(
                "watched point",
                np.array([float(x)]),
                np.array([float(y)]),
                style="marker",
                color=7,
                size=11.0,
            )
        )
    series += points(split)
    x0, y0, w, h = EXTENT
    return PlotData(
        series=tuple(series),
        image=field,
        image_rect=EXTENT,
        image_levels=(0.0, 1.0),
        x_range=(x0, x0 + w),
        y_range=(y0, y0 + h),
    )


@dataclass(frozen=True)
class Curve:
    """One run in the loss plot: its name and colour, drawn up to epoch ``upto``."""

    name: str
    run: rs.Trained
    color: int
    upto: int | None = None
    best: bool = True  # mark its best epoch so far


def curves(shown: Sequence[Curve], marks: Sequence[tuple[float, str, float]] = ()) -> PlotData:
    """Training loss (solid) and validation loss (dashed) per epoch; a dot at the best epoch.

    ``marks`` are vertical lines at epochs, each labelled at the top of the plot: (epoch, label,
    0 for a label right of the line or 1 for one left of it).
    """
    series = []
    top = 0.8
    for c in shown:
        end = c.run.epochs if c.upto is None else min(c.upto, c.run.epochs)
        x = np.arange(end + 1, dtype=np.float64)
        train, val = np.asarray(c.run.train[: end + 1]), np.asarray(c.run.val[: end + 1])
        series.append(Series(c.name, x, train, color=c.color))
        series.append(Series(f"_{c.name}, validation", x, val, style="dash", color=c.color))
        b = rs.best_epoch(c.run.val, end)
        if c.best and b:
            series.append(
                Series(
                    f"_{c.name}: best epoch",
                    np.array([float(b)]),
                    np.array([float(c.run.val[b])]),
                    style="marker",
                    color=c.color,
                    size=7.0,
                )
            )
        finite = np.concatenate([train, val])
        finite = finite[np.isfinite(finite)]
        if finite.size:
            top = max(top, float(finite.max()))
    y_top = 1.05 * min(top, 3.0)
    return PlotData(
        series=tuple(series),
        annotations=tuple(
            Annotation(x, y_top, text, color=PLAIN, anchor=(side, 0.0)) for x, text, side in marks
        ),
        vlines=tuple(x for x, _, _ in marks),
        x_range=(0.0, float(rs.EPOCHS)),
        y_range=(0.0, y_top),
    )


@dataclass(frozen=True, eq=False)  # holds arrays
class Weighed:
    """One set of weights in the histogram: a name, its colour, filled or outlined."""

    name: str
    weights: rs.Weights
    color: int
    filled: bool = False  # filled: a reference (an earlier epoch); outlined: the one discussed


def histogram(sets: Sequence[Weighed]) -> PlotData:
    """How many weights and biases fall in each bin, one shape per set, all on the same bins.

    Each set's name gains its length ‖w‖ (all weights and biases, what L2 penalises).
    """
    values = [np.concatenate([np.ravel(w) for w in s.weights]) for s in sets]
    largest = max((float(np.max(np.abs(v))) for v in values if v.size), default=0.0)
    largest = largest if largest > 0 else 1.0
    edges = np.linspace(-largest, largest, BINS + 1)
    series = []
    top = 1.0
    for s, v in zip(sets, values, strict=True):
        counts, _ = np.histogram(v, bins=edges)
        top = max(top, float(counts.max()))
        # the outline of the bars: up and down at every edge, flat across each bin
        x = np.repeat(edges, 2)
        y = np.concatenate([[0.0], np.repeat(counts.astype(np.float64), 2), [0.0]])
        name = f"{s.name}: ‖w‖ = {rs.param_norm(s.weights):.3g}"
        style = "area" if s.filled else "line"
        series.append(Series(name, x, y, style=style, color=s.color, width=2.0))
    pad = 0.05 * (edges[-1] - edges[0])
    return PlotData(
        series=tuple(series),
        x_range=(float(edges[0] - pad), float(edges[-1] + pad)),
        y_range=(0.0, 1.3 * top),
    )


def drop_counts(masks: Sequence[np.ndarray], rate: float) -> PlotData:
    """For one training step: how many of the points each hidden neuron was dropped for.

    Neurons are numbered through the hidden layers (hidden 1 first); the horizontal line is
    the expected count, rate × points.
    """
    counts = np.concatenate([np.sum(~np.asarray(m), axis=0) for m in masks]).astype(np.float64)
    points = masks[0].shape[0]
    edges = np.arange(len(counts) + 1, dtype=np.float64) + 0.5
    x = np.repeat(edges, 2)
    y = np.concatenate([[0.0], np.repeat(counts, 2), [0.0]])
    expected = rate * points
    split = float(masks[0].shape[1]) + 0.5  # between the two hidden layers
    return PlotData(
        series=(Series(f"dropped for this many of the {points} points", x, y, color=DROPOUT),),
        annotations=(
            Annotation(0.7, points * 1.13, "hidden 1", color=PLAIN, anchor=(0.0, 0.0)),
            Annotation(split + 0.2, points * 1.13, "hidden 2", color=PLAIN, anchor=(0.0, 0.0)),
        ),
        vlines=(split,),
        hlines=(expected,),
        x_range=(0.0, float(edges[-1] + 0.5)),
        y_range=(0.0, float(points) * 1.15),
        axis_labels=("hidden neuron", "points"),
    )
