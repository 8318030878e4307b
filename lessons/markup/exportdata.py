"""One lesson step's numbers as plain JSON data, so a teacher can build exercises from them.

:func:`step_data` turns what a :class:`~lessons.core.runner.LessonRun` shows at one step into a
dict of plain lists, numbers and strings: the lesson, the step's title, narrative and speaker
notes as plain text (markup stripped, math linearised), the control values and seed, the step's
named figures, and every panel's data field by field (tables as headers and rows, plot series as
x/y arrays, images and heat maps as nested lists, network layers with their weights).
:func:`write_json` saves it.

JSON has no NaN or infinity, and a diverging run shows both, so non-finite numbers are written
as the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``; every other number is the exact
value the engine computed.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lessons.core.base import Lesson, Step
from lessons.core.panels import (
    Annotation,
    BarData,
    CanvasData,
    GraphData,
    ImageData,
    ImageGridData,
    NetworkData,
    NeuronLayer,
    PanelData,
    PlotData,
    Series,
    Surface3DData,
    TableData,
    TextData,
)
from lessons.core.runner import LessonRun
from lessons.markup.mathtext import to_plain

__all__ = [
    "FORMAT",
    "VERSION",
    "json_value",
    "panel_data",
    "step_data",
    "step_record",
    "to_json",
    "write_json",
]

FORMAT = "deepstep-step-data"
VERSION = 1
NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def step_data(run: LessonRun, number: int | None = None) -> dict[str, Any]:
    """What ``run`` shows at step ``number`` (0-based; default the current one) as JSON data.

    IndexError if the step is no longer (or not yet) in the run's history.
    """
    n = run.position if number is None else number
    return step_record(
        run.lesson,
        run.step_at(n),
        run.panel_state(n),
        number=n,
        total=run.length,
        values=dict(run.values),
        seed=run.seed,
        titles=run.panel_titles(n),
    )


def step_record(
    lesson: type[Lesson],
    step: Step,
    state: Mapping[str, PanelData],
    *,
    number: int,
    total: int | None,
    values: Mapping[str, Any],
    seed: int,
    titles: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One step as JSON data: ``state`` is every panel's newest data, ``number`` 0-based."""
    titles = titles or {}
    return {
        "format": FORMAT,
        "version": VERSION,
        "lesson": {
            "id": lesson.id,
            "number": lesson.number,
            "title": lesson.title,
            "chapter": lesson.chapter,
        },
        "step": number + 1,
        "steps": total,
        "title": to_plain(step.title),
        "narrative": to_plain(step.text),
        "notes": to_plain(step.notes),
        "controls": {name: json_value(value) for name, value in values.items()},
        "seed": seed,
        "figures": {name: json_value(value) for name, value in step.figures.items()},
        "panels": [
            {
                "id": spec.id,
                "kind": _kind(type(spec).__name__),
                "title": titles.get(spec.id, spec.title),
                "data": panel_data(state[spec.id]) if spec.id in state else None,
            }
            for spec in lesson.panels
        ],
        "code": None if step.code is None else {"keras": step.code.keras, "torch": step.code.torch},
    }


def write_json(data: Mapping[str, Any], path: Path) -> None:
    """Write ``data`` to ``path`` as UTF-8 JSON (through a temporary file, then a rename)."""
    text = to_json(data)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text + "\n", encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _kind(class_name: str) -> str:
    """A panel spec's class name as a lower-case kind: ``ImageGrid`` -> ``image_grid``,
    ``Surface3D`` -> ``surface_3d``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z0-9])", "_", class_name).lower()


def to_json(value: Any, indent: int = 0) -> str:
    """JSON text one field a line, each list of plain values on one line (a row, a series)."""
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(value, Mapping) and value:
        fields = (
            f"{inner}{_plain_json(str(k))}: {to_json(v, indent + 1)}" for k, v in value.items()
        )
        return "{\n" + ",\n".join(fields) + f"\n{pad}}}"
    if isinstance(value, list | tuple) and any(
        isinstance(v, Mapping | list | tuple) for v in value
    ):
        items = (f"{inner}{to_json(v, indent + 1)}" for v in value)
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return _plain_json(value)


def _plain_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


# ---- panel data, one function per type ---------------------------------------------------------


def panel_data(data: PanelData) -> dict[str, Any]:
    """A panel's data at one step as named fields of plain values."""
    match data:
        case PlotData():
            return _plot(data)
        case BarData():
            return {
                "labels": list(data.labels),
                "values": json_value(data.values),
                "highlight": data.highlight,
                "y_range": json_value(data.y_range),
                "y_label": data.y_label,
                "caption": data.caption,
            }
        case TableData():
            return {
                "headers": list(data.columns),
                "rows": [[json_value(cell) for cell in row] for row in data.rows],
                "highlight_rows": list(data.highlight_rows),
                "highlight_cells": json_value(data.highlight_cells),
            }
        case ImageData():
            return {
                "image": json_value(data.image),
                "shape": list(np.shape(data.image)),
                "levels": json_value(data.levels),
                "highlight": json_value(data.highlight),
                "row_labels": list(data.row_labels),
                "col_labels": list(data.col_labels),
                "caption": data.caption,
            }
        case ImageGridData():
            return {
                "images": json_value(data.images),
                "shape": list(np.shape(data.images)),
                "captions": list(data.captions),
                "levels": json_value(data.levels),
                "highlight": list(data.highlight),
            }
        case TextData():
            return {"text": to_plain(data.text)}
        case GraphData():
            return _graph(data)
        case NetworkData():
            return _network(data)
        case Surface3DData():
            return _surface3d(data)
        case CanvasData():
            return {"strokes": json_value(data.strokes), "caption": data.caption}
    raise TypeError(f"cannot export panel data of type {type(data).__name__}")


def _plot(data: PlotData) -> dict[str, Any]:
    return {
        "series": [_series(s) for s in data.series],
        "annotations": [_annotation(a) for a in data.annotations],
        "vlines": json_value(data.vlines),
        "hlines": json_value(data.hlines),
        "background": None
        if data.image is None
        else {
            "image": json_value(data.image),
            "shape": list(np.shape(data.image)),
            "rect": json_value(data.image_rect),  # x, y, width, height
            "levels": json_value(data.image_levels),
            "contours": json_value(data.contours),
        },
        "x_range": json_value(data.x_range),
        "y_range": json_value(data.y_range),
        "axis_labels": json_value(data.axis_labels),
        "x_ticks": [[float(x), label] for x, label in data.x_ticks],
    }


def _series(series: Series) -> dict[str, Any]:
    return {
        "name": series.name,
        "style": series.style,
        "x": json_value(series.x),
        "y": json_value(series.y),
        "labels": list(series.labels),
    }


def _annotation(annotation: Annotation) -> dict[str, Any]:
    return {
        "x": json_value(annotation.x),
        "y": json_value(annotation.y),
        "text": annotation.text,
    }


def _graph(data: GraphData) -> dict[str, Any]:
    return {
        "nodes": [
            {
                "id": node.id,
                "op": node.op,
                "label": node.label,
                "value": node.value,
                "grad": node.grad,
                "layer": node.layer,
                "state": node.state,
            }
            for node in data.nodes
        ],
        "edges": [
            {"source": e.source, "target": e.target, "label": e.label, "lit": e.lit}
            for e in data.edges
        ],
        "caption": data.caption,
    }


def _network(data: NetworkData) -> dict[str, Any]:
    return {
        "sizes": list(data.sizes),
        "layers": [_layer(layer) for layer in data.layers],
        "selected": json_value(data.selected),
        "highlight_edge": json_value(data.highlight_edge),
        "extent": json_value(data.extent),  # the input plane the heat maps cover: x, y, w, h
        "caption": data.caption,
    }


def _surface3d(data: Surface3DData) -> dict[str, Any]:
    return {
        "x": json_value(data.x),
        "y": json_value(data.y),
        "z": json_value(data.z),  # z[j][i] is the height at (x[i], y[j]): rows are y
        "path": json_value(data.path),  # (n, 3): x, y, z of each point, or null
        "marker": json_value(data.marker),
        "levels": json_value(data.levels),
        "contours": json_value(data.contours),
        "caption": data.caption,
    }


def _layer(layer: NeuronLayer) -> dict[str, Any]:
    return {
        "name": layer.name,
        "size": layer.size,
        "labels": list(layer.labels),
        "weights": json_value(layer.weights),  # (previous size, size)
        "biases": json_value(layer.biases),
        "weight_grads": json_value(layer.weight_grads),
        "bias_grads": json_value(layer.bias_grads),
        "heatmaps": json_value(layer.heatmaps),  # (size, h, w), rows from the lowest y up
        "levels": json_value(layer.levels),
        "active": json_value(layer.active),  # one bool per neuron; False = dropped; null = all
    }


# ---- values ------------------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """``value`` as plain JSON data: arrays as nested lists, NumPy scalars as Python numbers,
    non-finite floats as "NaN"/"Infinity"/"-Infinity", anything else unknown as its text."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return _number(float(value))
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return str(value)


def _number(value: float) -> float | str:
    return value if math.isfinite(value) else NON_FINITE[repr(value)]


def _array(array: np.ndarray) -> Any:
    if array.dtype.kind in "biu" or (array.dtype.kind == "f" and np.isfinite(array).all()):
        return array.tolist()  # fast path: exact Python numbers
    return json_value(array.tolist())
