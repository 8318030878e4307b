"""The lesson's model written out as Keras code and as PyTorch code, read off the engine model.

The layer sizes and activations come from the built ``Sequential`` (not from the controls), so
the code shown is the model that trained.  Three parts, each Keras beside PyTorch: the model,
its training, and the k-fold loop.  ``torch_model`` and ``torch_fit`` are plain, runnable
PyTorch: the tests execute them where torch is installed and compare the parameter count with
the engine's.
"""

from __future__ import annotations

from engine.models.sequential import Sequential
from engine.nn.layers import Dense
from lessons.core.escape import escape_markup
from lessons.markup.numbers import plain

INDENT = "  "  # two spaces: the code panels are narrow
TORCH_ACTIVATIONS = {"relu": "nn.ReLU()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()"}


def dense_layers(model: Sequential) -> list[tuple[int, int, str]]:
    """(inputs, units, activation name) of each Dense layer, in order."""
    if model.input_shape is None:
        raise ValueError("the model is not built: give it an Input layer")
    width = int(model.input_shape[-1] or 0)
    rows: list[tuple[int, int, str]] = []
    for layer in model.layers:
        if isinstance(layer, Dense):
            name = getattr(layer.activation, "__name__", "linear")
            rows.append((width, layer.units, name))
            width = layer.units
    return rows


def keras_model(model: Sequential, rate: float) -> str:
    """Keras code that builds and compiles the same model."""
    layers = dense_layers(model)
    dense = [f'{INDENT}Dense({units}, activation="{act}"),' for _, units, act in layers]
    return "\n".join(
        [
            f"model = Sequential([Input(({layers[0][0]},)),",
            *dense[:-1],
            dense[-1][:-1] + "])",
            f"model.compile(Adam({plain(rate, 3)}),",
            f'{INDENT}loss="binary_crossentropy",',
            f'{INDENT}metrics=["accuracy"])',
        ]
    )


def torch_model(model: Sequential, rate: float) -> str:
    """Runnable PyTorch for the same layers, the loss and the optimizer
    (``model = nn.Sequential(...)``, ``bce``, ``opt``)."""
    lines = ["model = nn.Sequential("]
    for inputs, units, act in dense_layers(model):
        lines.append(f"{INDENT}nn.Linear({inputs}, {units}), {TORCH_ACTIVATIONS[act]},")
    lines[-1] = lines[-1][:-1] + ")"
    lines += [f"bce, lr = nn.BCELoss(), {plain(rate, 3)}", "opt = Adam(model.parameters(), lr)"]
    return "\n".join(lines)


def keras_fit(epochs: int, batch: int) -> str:
    """Keras: one call trains."""
    return f"model.fit(x_tr, y_tr,\n{INDENT}epochs={epochs}, batch_size={batch})"


def torch_fit(epochs: int, batch: int) -> str:
    """Runnable PyTorch training loop over shuffled mini-batches (``x_tr`` float32 (n, inputs)
    and ``y_tr`` float32 (n, 1) tensors given)."""
    return "\n".join(
        [
            "data = TensorDataset(x_tr, y_tr)",
            f"dl = DataLoader(data, {batch}, True)",
            f"for epoch in range({epochs}):",
            f"{INDENT}for xb, yb in dl:",
            f"{INDENT * 2}opt.zero_grad()",
            f"{INDENT * 2}bce(model(xb), yb).backward()",
            f"{INDENT * 2}opt.step()",
        ]
    )


def keras_kfold(k: int, epochs: int, batch: int) -> str:
    """The k-fold loop in Keras and scikit-learn (``create_model()``: the model code)."""
    return "\n".join(
        [
            "scores = []",
            f"folds = KFold({k}, shuffle=True)",
            "for tr, va in folds.split(x):",
            f"{INDENT}model = create_model()",
            f"{INDENT}model.fit(x[tr], y[tr],",
            f"{INDENT * 2}epochs={epochs}, batch_size={batch})",
            f"{INDENT}s = model.evaluate(x[va], y[va])",
            f"{INDENT}scores.append(s[1])",
            "print(np.mean(scores))",
            "print(np.std(scores))",
        ]
    )


def torch_kfold() -> str:
    """The same loop in PyTorch (``make_model()``, ``train()``: the model and loop code)."""
    return "\n".join(
        [
            "scores = []",
            "for tr, va in folds.split(x):",
            f"{INDENT}model, opt = make_model()",
            f"{INDENT}train(model, opt, x[tr], y[tr])",
            f"{INDENT}with torch.no_grad():",
            f"{INDENT * 2}p = model(x[va]) > 0.5",
            f"{INDENT}acc = (p == y[va]).float().mean()",
            f"{INDENT}scores.append(acc.item())",
        ]
    )


def side_by_side(left: str, right: str, gap: str = " │ ") -> str:
    """Two code texts as two columns (the left padded to its longest line)."""
    a, b = left.split("\n"), right.split("\n")
    width = max(len(line) for line in a)
    rows = max(len(a), len(b))
    a += [""] * (rows - len(a))
    b += [""] * (rows - len(b))
    return "\n".join((x.ljust(width) + gap + y).rstrip() for x, y in zip(a, b, strict=True))


def as_markup(code: str) -> str:
    """Code as lesson markup: escaped, one line per line, every space kept (no-break spaces)."""
    lines = []
    for line in code.split("\n"):
        lines.append(escape_markup(line).replace(" ", "\u00a0"))
    return "<code>" + "<br>".join(lines) + "</code>"
