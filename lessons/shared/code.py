"""A trained engine model written out as Keras code and as PyTorch code ("Show as code").

Everything is read off the built, compiled ``Sequential``: its input shape, each layer's
settings (Dense, Conv2D, MaxPooling2D, Dropout, Flatten), the loss and the optimizer with its
learning rate; so the code shown is the model that trained, with the controls' current values.
Keras is channels-last and the engine, like PyTorch, channels-first: the Keras input shape is
turned around.  PyTorch's ``CrossEntropyLoss`` takes the scores before the softmax, so a final
softmax is left out of the PyTorch model (a comment says so); a final sigmoid stays, with
``BCELoss``.  ``torch_code``
is plain, runnable PyTorch (tests execute it where torch is installed and compare its parameter
count with the engine's).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.models.sequential import Sequential
from engine.nn.conv import Conv2D
from engine.nn.layers import Dense, Dropout, Flatten, Layer
from engine.nn.pooling import MaxPooling2D
from lessons.core.base import Code
from lessons.markup.numbers import plain

INDENT = "  "  # two spaces: code panels are narrow
TORCH_ACTIVATIONS = {"relu": "nn.ReLU()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()"}
TORCH_LOSSES = {
    "sparse_categorical_crossentropy": "nn.CrossEntropyLoss()",
    "categorical_crossentropy": "nn.CrossEntropyLoss()",
    "binary_crossentropy": "nn.BCELoss()",
    "mean_squared_error": "nn.MSELoss()",
}
OPTIMIZERS = {"Adam": "Adam", "SGD": "SGD", "RMSprop": "RMSprop"}


def activation_name(layer: Layer) -> str:
    """The layer's activation as Keras names it ("linear" when it has none)."""
    activation = getattr(layer, "activation", None)
    return str(getattr(activation, "__name__", "linear")) if activation is not None else "linear"


def layer_shapes(model: Sequential) -> list[tuple[Layer, tuple[int, ...]]]:
    """Each layer with the shape (without the batch) that flows into it."""
    if model.input_shape is None:
        raise ValueError("the model is not built: give it an Input layer")
    shape = tuple(int(s or 0) for s in model.input_shape[1:])  # without the batch axis
    rows: list[tuple[Layer, tuple[int, ...]]] = []
    for layer in model.layers:
        rows.append((layer, shape))
        out = layer.output_shape((None, *shape))
        shape = tuple(int(s or 0) for s in out[1:])
    return rows


def _learning_rate(model: Sequential) -> tuple[str, str]:
    optimizer = model.optimizer
    if optimizer is None:
        raise ValueError("the model is not compiled")
    name = type(optimizer).__name__
    return OPTIMIZERS.get(name, name), plain(float(optimizer.learning_rate), 4)


def _loss(model: Sequential) -> str:
    if model.loss is None:
        raise ValueError("the model is not compiled")
    return str(model.loss.name)


def _keras_layer(layer: Layer) -> str | None:
    act = activation_name(layer)
    tail = f', activation="{act}"' if act != "linear" else ""
    if isinstance(layer, Dense):
        return f"Dense({layer.units}{tail})"
    if isinstance(layer, Conv2D):
        kh, kw = layer.kernel_size
        size = str(kh) if kh == kw else f"({kh}, {kw})"
        stride = "" if layer.strides == (1, 1) else f", strides={layer.strides[0]}"
        pad = "" if layer.padding == "valid" else f', padding="{layer.padding}"'
        return f"Conv2D({layer.filters}, {size}{stride}{pad}{tail})"
    if isinstance(layer, MaxPooling2D):
        return f"MaxPooling2D({layer.pool_size[0]})"
    if isinstance(layer, Dropout):
        return f"Dropout({plain(layer.rate, 3)})"
    if isinstance(layer, Flatten):
        return "Flatten()"
    return None  # Input: written as the model's first line


def keras_input(shape: Sequence[int]) -> str:
    """Keras's input shape: channels last for images (the engine is channels first)."""
    dims = (*shape[1:], shape[0]) if len(shape) == 3 else tuple(shape)
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def keras_model(model: Sequential) -> str:
    """Keras code that builds and compiles the same model."""
    rows = layer_shapes(model)
    lines = [f"{INDENT}{text}," for layer, _ in rows if (text := _keras_layer(layer))]
    lines[-1] = lines[-1][:-1] + "])"
    optimizer, rate = _learning_rate(model)
    return "\n".join(
        [
            f"model = Sequential([Input({keras_input(rows[0][1])}),",
            *lines,
            f"model.compile({optimizer}({rate}),",
            f'{INDENT}loss="{_loss(model)}",',
            f'{INDENT}metrics=["accuracy"])',
        ]
    )


def _torch_layer(layer: Layer, shape: tuple[int, ...], last: bool) -> list[str]:
    act = activation_name(layer)
    parts: list[str] = []
    if isinstance(layer, Dense):
        parts.append(f"nn.Linear({shape[-1]}, {layer.units})")
    elif isinstance(layer, Conv2D):
        kh, kw = layer.kernel_size
        size = str(kh) if kh == kw else f"({kh}, {kw})"
        stride = "" if layer.strides == (1, 1) else f", stride={layer.strides[0]}"
        pad = "" if layer.padding == "valid" else f', padding="{layer.padding}"'
        parts.append(f"nn.Conv2d({shape[0]}, {layer.filters}, {size}{stride}{pad})")
    elif isinstance(layer, MaxPooling2D):
        parts.append(f"nn.MaxPool2d({layer.pool_size[0]})")
    elif isinstance(layer, Dropout):
        parts.append(f"nn.Dropout({plain(layer.rate, 3)})")
    elif isinstance(layer, Flatten):
        parts.append("nn.Flatten()")
    if act in TORCH_ACTIVATIONS:
        parts.append(TORCH_ACTIVATIONS[act])
    elif act == "softmax" and not last:
        parts.append("nn.Softmax(dim=1)")
    return parts


def torch_model(model: Sequential) -> str:
    """Runnable PyTorch for the same layers, the loss and the optimizer (``model``,
    ``loss_fn``, ``opt``)."""
    rows = [(layer, shape) for layer, shape in layer_shapes(model) if _keras_layer(layer)]
    lines = ["model = nn.Sequential("]
    for i, (layer, shape) in enumerate(rows):
        parts = _torch_layer(layer, shape, i == len(rows) - 1)
        if parts:
            lines.append(f"{INDENT}{', '.join(parts)},")
    lines[-1] = lines[-1][:-1] + ")"
    final = activation_name(rows[-1][0])
    loss = _loss(model)
    if final == "softmax" and "categorical" in loss:
        lines.append("# no final softmax: CrossEntropyLoss applies it")
    optimizer, rate = _learning_rate(model)
    lines += [
        f"loss_fn = {TORCH_LOSSES.get(loss, 'nn.MSELoss()')}",
        f"opt = torch.optim.{optimizer}(",
        f"{INDENT}model.parameters(), lr={rate})",
    ]
    return "\n".join(lines)


def keras_fit(epochs: int, batch: int) -> str:
    """Keras: one call trains."""
    return f"model.fit(x_tr, y_tr,\n{INDENT}epochs={epochs}, batch_size={batch})"


def torch_fit(epochs: int, batch: int) -> str:
    """Runnable PyTorch training loop over shuffled mini-batches (``x_tr`` and ``y_tr``
    tensors given)."""
    return "\n".join(
        [
            "data = TensorDataset(x_tr, y_tr)",
            f"dl = DataLoader(data, {batch}, shuffle=True)",
            f"for epoch in range({epochs}):",
            f"{INDENT}model.train()",
            f"{INDENT}for xb, yb in dl:",
            f"{INDENT * 2}opt.zero_grad()",
            f"{INDENT * 2}loss_fn(model(xb), yb).backward()",
            f"{INDENT * 2}opt.step()",
        ]
    )


TORCH_IMPORTS = (
    "import torch\nfrom torch import nn\nfrom torch.utils.data import DataLoader, TensorDataset"
)


def keras_imports(model: Sequential) -> str:
    """The Keras imports the model's code needs (only the layers it uses)."""
    used = sorted({type(layer).__name__ for layer, _ in layer_shapes(model) if _keras_layer(layer)})
    optimizer, _ = _learning_rate(model)
    return "\n".join(
        [
            "from keras import Input, Sequential",
            f"from keras.layers import {', '.join(used)}",
            f"from keras.optimizers import {optimizer}",
        ]
    )


def model_code(model: Sequential, epochs: int, batch: int) -> Code:
    """The whole model, its compile/loss and its training, copyable, in both frameworks."""
    keras = "\n\n".join([keras_imports(model), keras_model(model), keras_fit(epochs, batch)])
    torch = "\n\n".join([TORCH_IMPORTS, torch_model(model), torch_fit(epochs, batch)])
    return Code(keras, torch)
