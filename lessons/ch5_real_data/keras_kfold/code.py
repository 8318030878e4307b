"""The lesson's model written out as Keras code and as PyTorch code, read off the engine model.

Three parts, each Keras beside PyTorch: the model and its training (the course's generator,
:mod:`lessons.shared.code`, which reads the built ``Sequential``, so the code shown is the model
that trained) and the k-fold loop, written here.
"""

from __future__ import annotations

from engine.models.sequential import Sequential
from engine.nn.layers import Dense
from lessons.core.escape import escape_markup
from lessons.shared import code as shared
from lessons.shared.code import INDENT, keras_fit, keras_model, torch_fit, torch_model

__all__ = [
    "as_markup",
    "dense_layers",
    "keras_fit",
    "keras_kfold",
    "keras_model",
    "side_by_side",
    "torch_fit",
    "torch_kfold",
    "torch_model",
]


def dense_layers(model: Sequential) -> list[tuple[int, int, str]]:
    """(inputs, units, activation name) of each Dense layer, in order."""
    return [
        (shape[-1], layer.units, shared.activation_name(layer))
        for layer, shape in shared.layer_shapes(model)
        if isinstance(layer, Dense)
    ]


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
