""" "Show as code": the code is read off the engine model that trained, runs in PyTorch with the
engine's parameter count, and every step of 5.1, 5.2 and 6.3 carries it (and exports it)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from lessons.ch5_real_data.keras_kfold import model as kfold
from lessons.ch6_convnets.mnist_cnn import model as cnn
from lessons.core.runner import LessonRun
from lessons.markup.exportdata import step_data
from lessons.registry import find
from lessons.shared import mnist
from lessons.shared.code import keras_model, model_code


def _models() -> dict[str, tuple[object, tuple[int, ...]]]:
    conv = cnn.cnn(3)
    cnn.compile_adam(conv, 0.004)
    mlp = mnist.build(24, 0.01, 3)
    votes = kfold.build(kfold.Settings(hidden1=5, hidden2=3), 16, 1)
    return {"cnn": (conv, (4, 1, 28, 28)), "mlp": (mlp, (4, 784)), "votes": (votes, (4, 16))}


def test_keras_code_lists_the_layers_and_settings_in_order() -> None:
    models = _models()
    text = keras_model(models["cnn"][0])  # type: ignore[arg-type]
    order = ["Input((28, 28, 1))", "Conv2D(8, 3", "MaxPooling2D(2)", "Dropout(0.25)", "Flatten()"]
    order += ["Dense(64", 'Dense(10, activation="softmax")', "Adam(0.004)"]
    places = [text.index(part) for part in order]
    assert places == sorted(places)
    assert 'Dense(24, activation="relu")' in keras_model(models["mlp"][0])  # type: ignore[arg-type]
    votes = keras_model(models["votes"][0])  # type: ignore[arg-type]
    assert re.search(r"Dense\(5.*Dense\(3.*Dense\(1, activation=\"sigmoid\"\)", votes, re.S)
    assert "binary_crossentropy" in votes


@pytest.mark.parametrize("name", ["cnn", "mlp", "votes"])
def test_pytorch_code_runs_with_the_engines_parameter_count(name: str) -> None:
    """The whole PyTorch text (imports, model, loss, optimizer, one epoch of training) runs."""
    torch = pytest.importorskip("torch")
    model, shape = _models()[name]
    x = torch.rand(shape)
    y = torch.rand(shape[0], 1) if name == "votes" else torch.randint(0, 10, (shape[0],))
    scope: dict[str, Any] = {"x_tr": x, "y_tr": y}
    exec(model_code(model, 1, 2).torch, scope)  # type: ignore[arg-type]
    net = scope["model"]
    assert sum(p.numel() for p in net.parameters()) == model.count_params()  # type: ignore[attr-defined]
    assert tuple(net(x).shape) == (shape[0], 1 if name == "votes" else 10)
    assert np.isfinite(float(scope["loss_fn"](net(x), y).detach()))


def test_every_step_of_the_three_lessons_carries_the_model_as_code() -> None:
    cases = (
        ("mnist_mlp", {"hidden": 16, "epochs": 1}, "Dense(16"),
        ("keras_kfold", {"hidden1": 7}, "Dense(7"),
    )
    for lesson_id, values, expected in cases:
        run = LessonRun(find(lesson_id), values)
        for _ in range(3):
            step = run.current
            assert step.code is not None and expected in step.code.keras, lesson_id
            run.next()
        data = step_data(run)
        assert data["code"]["keras"] == run.current.code.keras  # type: ignore[union-attr]
    run = LessonRun(find("mnist_cnn"), {"epochs": 1})
    step = run.current
    assert step.code is not None and "Conv2D(8, 3" in step.code.keras
    assert "nn.Conv2d(1, 8, 3)" in step.code.torch


def test_a_step_without_a_model_exports_no_code() -> None:
    run = LessonRun(find("softmax"), {})
    assert run.current.code is None and step_data(run)["code"] is None
