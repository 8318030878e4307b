"""Panel data for the playground lessons: the network diagram, decision map, loss curves, numbers.

Everything here turns numbers the engine computed (weights, gradients, the probe of every
neuron over the plane, losses) into panel data; nothing is trained or recomputed here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons._format import plain
from lessons._playground_net import EXTENT, PlaneData, Scores, Trainer, pool2
from lessons.base import NetworkData, NeuronLayer, PlotData, Series, TableData

MAX_CURVE_POINTS = 600  # loss curves are thinned to at most this many points per series
HEAT_LIMIT = 6.0e4  # heat maps are stored as float16; larger values are clipped
LEVELS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def _small(maps: np.ndarray) -> np.ndarray:
    """Neuron heat maps at half the probe's resolution, compact (float16) for the history."""
    pooled = pool2(np.nan_to_num(maps, nan=0.0, posinf=HEAT_LIMIT, neginf=-HEAT_LIMIT))
    small: np.ndarray = np.clip(pooled, -HEAT_LIMIT, HEAT_LIMIT).astype(np.float16)
    return small


def network_data(
    trainer: Trainer,
    probe: Sequence[np.ndarray],
    input_maps: np.ndarray,
    *,
    editable: bool = True,
    caption: str = "",
) -> NetworkData:
    """The diagram: input features, each hidden layer, the output; weights and last gradients."""
    weights = trainer.weights()
    grads = trainer.gradients()
    layers = [
        NeuronLayer(
            "inputs",
            len(trainer.chosen),
            heatmaps=input_maps,
            labels=tuple(f.label for f in trainer.chosen),
        )
    ]
    names = [f"hidden {i + 1}" for i in range(len(trainer.hidden))] + ["output"]
    for i, (name, maps) in enumerate(zip(names, probe, strict=True)):
        kernel, bias = weights[i]
        g_kernel, g_bias = grads[i]
        last = i == len(names) - 1
        layers.append(
            NeuronLayer(
                name,
                len(bias),
                heatmaps=_small(maps),
                levels=(0.0, 1.0) if last else LEVELS.get(trainer.activation),
                weights=kernel,
                biases=bias,
                weight_grads=g_kernel,
                bias_grads=g_bias,
            )
        )
    return NetworkData(tuple(layers), editable=editable, extent=EXTENT, caption=caption)


def points_series(data: PlaneData, show_test: bool = True) -> list[Series]:
    """Training points as circles, test points as triangles; blue class 0, orange class 1."""
    out = []
    sets = [("training", data.x_train, data.y_train, "o", 7.0)]
    if show_test:
        sets.append(("test", data.x_test, data.y_test, "t1", 8.0))
    for kind, x, y, symbol, size in sets:
        for label in (0, 1):
            mask = y[:, 0] == label
            out.append(
                Series(
                    f"{kind} · class {label}",
                    x[mask, 0].astype(np.float64),
                    x[mask, 1].astype(np.float64),
                    style="scatter",
                    color=label,
                    symbol=symbol,
                    size=size,
                )
            )
    return out


def boundary_plot(
    data: PlaneData,
    output: np.ndarray | None,
    *,
    show_test: bool = True,
    discretize: bool = False,
) -> PlotData:
    """The points over the network's output p(class 1) on the plane, with the p = 0.5 line."""
    x, y, w, h = EXTENT
    pad = 0.03 * w
    x_range, y_range = (x - pad, x + w + pad), (y - pad, y + h + pad)
    series = tuple(points_series(data, show_test))
    if output is None:
        return PlotData(series=series, x_range=x_range, y_range=y_range)
    field = np.nan_to_num(np.asarray(output, dtype=np.float64), nan=0.5)
    image = (field > 0.5).astype(np.float64) if discretize else field
    return PlotData(
        series=series,
        image=image,
        image_rect=EXTENT,
        image_levels=(0.0, 1.0),
        contours=(0.5,) if float(field.min()) < 0.5 < float(field.max()) else (),
        x_range=x_range,
        y_range=y_range,
    )


def _thin(values: Sequence[float]) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    stride = max(1, -(-len(array) // MAX_CURVE_POINTS))
    if stride == 1:
        return array
    kept = array[::stride]
    return kept if (len(array) - 1) % stride == 0 else np.append(kept, array[-1])


def loss_plot(
    epochs: Sequence[float],
    train: Sequence[float],
    test: Sequence[float],
    target: float | None = None,
) -> PlotData:
    """Training (solid) and test (dashed) loss per epoch; an optional target line."""
    x = _thin(epochs)
    series = (
        Series("training loss", x, _thin(train), style="line", color=6),
        Series("test loss", x, _thin(test), style="dash", color=3),
    )
    values = np.asarray([*train, *test, target or 0.0], dtype=np.float64)
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size else 1.0
    return PlotData(
        series=series,
        hlines=(target,) if target is not None else (),
        x_range=(0.0, max(10.0, float(epochs[-1]) if len(epochs) else 0.0)),
        y_range=(0.0, 1.05 * min(max(top, 0.1), 10.0)),
    )


def stats_table(trainer: Trainer, scores: Scores, rate: float, l2: float, batch: int) -> TableData:
    """Every number of the run so far, one per row."""
    rows: tuple[tuple[str, str], ...] = (
        ("Epoch", str(trainer.epochs)),
        ("Weight updates (mini-batches)", str(trainer.updates)),
        ("Training loss", plain(scores.train_loss)),
        ("Test loss", plain(scores.test_loss)),
        ("Training accuracy", f"{100 * scores.train_accuracy:.1f} %"),
        ("Test accuracy", f"{100 * scores.test_accuracy:.1f} %"),
        ("Weights and biases", str(trainer.parameters)),
        ("Training / test points", f"{len(trainer.x_train)} / {len(trainer.x_test)}"),
        ("Learning rate η", plain(rate)),
        ("L2 strength λ", plain(l2)),
        ("Batch size", str(batch)),
    )
    return TableData(("Quantity", "Value"), rows)
