"""Panel data for the playground lessons: the network diagram, decision map, loss curves, numbers.

Everything here turns numbers the engine computed (weights, gradients, the probe of every
neuron over the plane, losses) into panel data; nothing is trained or recomputed here.  With
k > 2 classes the decision map holds each class's probability at every cell (the app mixes the
classes' colours, Okabe-Ito, so colour-blind learners can tell them apart) and the class
regions' edges are drawn; see :mod:`lessons.shared.mlp.classes` for the per-class table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.core.base import NetworkData, NeuronLayer, PlotData, Series, TableData
from lessons.markup.numbers import plain
from lessons.shared.mlp.net import EXTENT, PlaneData, Scores, Trainer, pool2

MAX_CURVE_POINTS = 600  # loss curves are thinned to at most this many points per series
HEAT_LIMIT = 6.0e4  # heat maps are stored as float16; larger values are clipped
COLOURS = ("blue", "orange", "green", "vermillion", "pink", "sky blue")  # the app's palette 0-5
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
    classes = trainer.data.classes
    outputs = tuple(f"p({class_label(trainer.data, c)})" for c in range(classes))
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
                labels=outputs if last and classes > 2 else (),
            )
        )
    return NetworkData(tuple(layers), editable=editable, extent=EXTENT, caption=caption)


def class_label(data: PlaneData, index: int) -> str:
    """A class's name with its colour, e.g. ``setosa (blue)``, or ``class 0 (blue)``."""
    colour = COLOURS[index % len(COLOURS)]
    if not data.class_names:
        return f"class {index} ({colour})"
    name = data.class_names[index]
    return name if name == colour else f"{name} ({colour})"


def points_series(data: PlaneData, show_test: bool = True, held_out: str = "test") -> list[Series]:
    """Training points as circles, held-out points as triangles; class c in palette colour c
    (blue class 0, orange class 1, then green, vermillion, pink, sky blue)."""
    out = []
    sets = [("training", data.x_train, data.y_train, "o", 7.0)]
    if show_test:
        sets.append((held_out, data.x_test, data.y_test, "t1", 8.0))
    for kind, x, y, symbol, size in sets:
        for label in range(data.classes):
            mask = y[:, 0] == label
            name = data.class_names[label] if data.class_names else f"class {label}"
            out.append(
                Series(
                    f"{kind} · {name}",
                    x[mask, 0].astype(np.float64),
                    x[mask, 1].astype(np.float64),
                    style="scatter",
                    color=label,
                    symbol=symbol,
                    size=size,
                )
            )
    return out


def level_line(
    field: np.ndarray, level: float, extent: tuple[float, float, float, float] = EXTENT
) -> tuple[np.ndarray, np.ndarray]:
    """Where ``field`` (cell centres over ``extent``, rows upwards) crosses ``level``.

    Marching squares, vectorised: each square of four neighbouring samples that the level
    crosses gives a straight segment between the crossings on its sides.  Returns x and y with
    a NaN after every segment, ready to draw as one line with gaps.
    """
    f = np.asarray(field, dtype=np.float64) - level
    n_rows, n_cols = f.shape
    x0, y0, w, h = extent
    xs = x0 + w * (np.arange(n_cols) + 0.5) / n_cols
    ys = y0 + h * (np.arange(n_rows) + 0.5) / n_rows
    a, b, c, d = f[:-1, :-1], f[:-1, 1:], f[1:, 1:], f[1:, :-1]  # corners, anticlockwise
    xl, xr = xs[None, :-1], xs[None, 1:]
    yb, yt = ys[:-1, None], ys[1:, None]

    def cross(
        u: np.ndarray,
        v: np.ndarray,
        pu: tuple[np.ndarray, np.ndarray],
        pv: tuple[np.ndarray, np.ndarray],
    ) -> np.ndarray:
        hit = (u * v < 0) | ((u == 0) & (v != 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(hit, u / (u - v), 0.0)
        px = np.where(hit, pu[0] + t * (pv[0] - pu[0]), np.nan)
        py = np.where(hit, pu[1] + t * (pv[1] - pu[1]), np.nan)
        return np.stack([px, py], axis=-1)

    shape = a.shape
    left, right = np.broadcast_to(xl, shape), np.broadcast_to(xr, shape)
    bottom, top = np.broadcast_to(yb, shape), np.broadcast_to(yt, shape)
    sides = np.stack(
        [
            cross(a, b, (left, bottom), (right, bottom)),
            cross(b, c, (right, bottom), (right, top)),
            cross(c, d, (right, top), (left, top)),
            cross(d, a, (left, top), (left, bottom)),
        ]
    )  # (4, rows - 1, cols - 1, 2)
    found = np.isfinite(sides[..., 0])
    count = found.sum(axis=0)
    pieces = []
    two = count == 2
    if two.any():
        order = np.argsort(~found[:, two], axis=0, kind="stable")[:2]  # the two crossed sides
        pts = sides[:, two]
        cols = np.arange(pts.shape[1])
        pieces.append((pts[order[0], cols], pts[order[1], cols]))
    four = count == 4
    if four.any():
        pts = sides[:, four]
        centre = (a + b + c + d)[four] / 4
        same = centre * a[four] > 0  # the centre is on corner a's side: cut off b and d
        first = np.where(same[:, None], pts[0], pts[3])
        pieces.append((np.where(same[:, None], pts[1], pts[0]), first))
        pieces.append((pts[2], np.where(same[:, None], pts[3], pts[1])))
    if not pieces:
        return np.zeros(0), np.zeros(0)
    start = np.concatenate([p[0] for p in pieces])
    end = np.concatenate([p[1] for p in pieces])
    gap = np.full(len(start), np.nan)
    x = np.stack([start[:, 0], end[:, 0], gap], axis=1).ravel()
    y = np.stack([start[:, 1], end[:, 1], gap], axis=1).ravel()
    return x, y


_POINTS: dict[tuple[int, bool, str], tuple[PlaneData, tuple[Series, ...]]] = {}


def _points(data: PlaneData, show_test: bool, held_out: str) -> tuple[Series, ...]:
    """The points' series, made once per data set: every step of a run shares them."""
    key = (id(data), show_test, held_out)
    cached = _POINTS.get(key)
    if cached is None or cached[0] is not data:
        if len(_POINTS) > 16:
            _POINTS.clear()
        cached = (data, tuple(points_series(data, show_test, held_out)))
        _POINTS[key] = cached
    return cached[1]


def boundary_plot(
    data: PlaneData,
    output: np.ndarray | None,
    *,
    show_test: bool = True,
    discretize: bool = False,
    held_out: str = "test",
) -> PlotData:
    """The points over the network's output p(class 1) on the plane, with the p = 0.5 line.

    With k > 2 classes ``output`` is (k, n, n): each class's probability over the plane; the
    map mixes the class colours by probability (one colour per cell when ``discretize``) and
    the lines are the edges between the regions where each class wins.
    """
    x, y, w, h = EXTENT
    pad = 0.03 * w
    x_range, y_range = (x - pad, x + w + pad), (y - pad, y + h + pad)
    series = _points(data, show_test, held_out)
    axes = data.axis_names
    if output is None:
        return PlotData(series=series, x_range=x_range, y_range=y_range, axis_labels=axes)
    if np.ndim(output) == 3:
        return _regions_plot(np.asarray(output), series, discretize, x_range, y_range, axes)
    field = np.nan_to_num(np.asarray(output, dtype=np.float32), nan=0.5)
    image = (field > 0.5).astype(np.float32) if discretize else field
    lx, ly = level_line(field, 0.5)
    line = Series("decision boundary p = 0.5", lx, ly, style="line", color=6, width=1.5)
    return PlotData(
        series=(line, *series),
        image=image,
        image_rect=EXTENT,
        image_levels=(0.0, 1.0),
        x_range=x_range,
        y_range=y_range,
        axis_labels=axes,
    )


def _regions_plot(
    probs: np.ndarray,
    series: tuple[Series, ...],
    discretize: bool,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    axes: tuple[str, str] | None = None,
) -> PlotData:
    """k classes: a probability-mixed (or winner-only) map and the edges between regions."""
    k = len(probs)
    field = np.nan_to_num(np.asarray(probs, dtype=np.float32), nan=1.0 / k)
    winner = np.argmax(field, axis=0)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    for c in range(k):  # class c wins where p_c beats the best other class
        others = np.max(np.delete(field, c, axis=0), axis=0)
        lx, ly = level_line(field[c] - others, 0.0)
        xs.append(lx)
        ys.append(ly)
    line = Series(
        "edges between the class regions", np.concatenate(xs), np.concatenate(ys),
        style="line", color=6, width=1.5,
    )  # fmt: skip
    weights = (winner[None] == np.arange(k)[:, None, None]) if discretize else field
    image = np.moveaxis(weights.astype(np.float32), 0, -1)  # (n, n, k)
    return PlotData(
        series=(line, *series),
        image=image,
        image_rect=EXTENT,
        image_colormap="classes",
        image_levels=(0.0, 1.0),
        x_range=x_range,
        y_range=y_range,
        axis_labels=axes,
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
        x_range=(0.0, _nice_ceiling(float(epochs[-1]) if len(epochs) else 0.0)),
        y_range=(0.0, 1.05 * min(max(top, 0.1), 10.0)),
    )


def _nice_ceiling(x: float) -> float:
    """The next of 10, 20, 50, 100, 200, 500, ... at or above x: the axis changes rarely."""
    nice = 10.0
    while nice < x:
        nice *= 2.5 if str(int(nice))[0] == "2" else 2.0
    return nice


def stats_table(trainer: Trainer, scores: Scores, rate: float, l2: float, batch: int) -> TableData:
    """Every number of the run so far, one per row."""
    rows: tuple[tuple[str, str], ...] = (
        ("Epoch", str(trainer.epochs)),
        ("Updates", str(trainer.updates)),
        ("Training loss", plain(scores.train_loss)),
        ("Test loss", plain(scores.test_loss)),
        ("Training accuracy", f"{100 * scores.train_accuracy:.1f} %"),
        ("Test accuracy", f"{100 * scores.test_accuracy:.1f} %"),
        ("Parameters", str(trainer.parameters)),
        ("Points (train/test)", f"{len(trainer.x_train)}/{len(trainer.x_test)}"),
        ("Classes", str(trainer.classes)),
        ("Learning rate η", plain(rate)),
        ("L2 strength λ", plain(l2)),
        ("Batch size", str(batch)),
    )
    return TableData(("", "Value"), rows)
