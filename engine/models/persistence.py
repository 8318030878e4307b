"""A model's summary table, and saving/loading its weights as a .npz file.

The file holds one array per parameter under its name ("dense/kernel", "dense/bias", ...) plus
the model's input shape, so loading can build an unbuilt model of the same architecture first.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.core import backend
from engine.nn.layers import Input, Shape

if TYPE_CHECKING:
    from engine.models.sequential import Sequential

__all__ = [
    "LayerSummary",
    "load_weights",
    "save_weights",
    "set_weights",
    "summary_rows",
    "summary_text",
]

_INPUT_SHAPE = "__input_shape__"


@dataclass(frozen=True)
class LayerSummary:
    """One row of `Sequential.summary()`."""

    name: str
    kind: str
    output_shape: Shape
    params: int


def set_weights(model: Sequential, weights: Sequence[Any]) -> None:
    """Replace all of `model`'s parameters with arrays shaped as `get_weights` returns."""
    params = model.params
    if len(weights) != len(params):
        raise ValueError(
            f"set_weights: model {model.name!r} has {len(params)} weight arrays, got {len(weights)}"
        )
    arrays = [np.asarray(backend.to_numpy(w)) for w in weights]
    for p, w in zip(params, arrays, strict=True):
        if w.shape != p.shape:
            raise ValueError(f"set_weights: {p.name} has shape {p.shape}, got {w.shape}")
    xp = backend.xp()
    for p, w in zip(params, arrays, strict=True):
        p.data = xp.array(w, dtype=p.data.dtype)  # fresh arrays: event payloads stay as shown


def _require_built(model: Sequential, what: str) -> Shape:
    if model.input_shape is None:
        raise ValueError(
            f"{what}: model {model.name!r} is not built yet; start it with Input(shape) or "
            "call it on data first"
        )
    return model.input_shape


def summary_rows(model: Sequential) -> list[LayerSummary]:
    """Name, type, output shape and parameter count of every layer (Input excluded)."""
    shape = _require_built(model, "summary()")
    rows = []
    for layer in model.layers:
        shape = layer.output_shape(shape)
        if not isinstance(layer, Input):
            rows.append(LayerSummary(layer.name, type(layer).__name__, shape, layer.count_params()))
    return rows


def _shape_text(shape: Shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def summary_text(model: Sequential) -> str:
    """The Keras-style summary table as text."""
    rows = summary_rows(model)
    cells = [(f"{r.name} ({r.kind})", _shape_text(r.output_shape), f"{r.params:,}") for r in rows]
    header = ("Layer (type)", "Output Shape", "Param #")
    widths = [max(len(c[i]) for c in [header, *cells]) + 2 for i in range(3)]
    rule = "=" * sum(widths)

    def line(c: tuple[str, str, str]) -> str:
        return "".join(text.ljust(w) for text, w in zip(c, widths, strict=True)).rstrip()

    total = model.count_params()
    return "\n".join(
        [
            f'Model: "{model.name}"',
            line(header),
            rule,
            *(line(c) for c in cells),
            rule,
            f"Total params: {total:,}",
            f"Trainable params: {total:,}",
            "Non-trainable params: 0",
        ]
    )


def save_weights(model: Sequential, path: str | os.PathLike[str]) -> None:
    """Write every parameter under its name, plus the input shape, to `path` (.npz)."""
    shape = _require_built(model, "save()")
    arrays: dict[str, Any] = {
        p.name or f"param{i}": backend.to_numpy(p.data) for i, p in enumerate(model.params)
    }
    arrays[_INPUT_SHAPE] = np.array([-1 if d is None else d for d in shape], dtype=np.int64)
    np.savez(path, **arrays)


def load_weights(model: Sequential, path: str | os.PathLike[str]) -> None:
    """Read a file written by `save_weights` into `model`, checking names and shapes."""
    with np.load(path) as data:
        stored = {k: data[k] for k in data.files}
    if _INPUT_SHAPE not in stored:
        raise ValueError(f"{os.fspath(path)!r} is not a DeepStep weights file (no input shape)")
    if not model.built:
        model.build(tuple(None if d < 0 else int(d) for d in stored.pop(_INPUT_SHAPE)))
    else:
        stored.pop(_INPUT_SHAPE)
    names = [p.name or f"param{i}" for i, p in enumerate(model.params)]
    if sorted(names) != sorted(stored):
        raise ValueError(
            f"{os.fspath(path)!r} holds weights {sorted(stored)} but model {model.name!r} has "
            f"{sorted(names)}"
        )
    model.set_weights([stored[name] for name in names])
