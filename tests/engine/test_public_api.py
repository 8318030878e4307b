"""The engine's public names, and its independence from Qt and the app."""

from __future__ import annotations

import re
from pathlib import Path

import engine

ENGINE = Path(engine.__file__).parent


def test_public_names_are_exactly_these() -> None:
    """engine.__all__ lists the public API, and every name in it exists."""
    assert sorted(engine.__all__) == sorted(
        [
            "Activation",
            "Adam",
            "BinaryCrossentropy",
            "Callback",
            "CategoricalCrossentropy",
            "DataLoader",
            "Dataset",
            "Dense",
            "DeviceError",
            "DivergenceError",
            "Dropout",
            "EarlyStopping",
            "Flatten",
            "History",
            "Input",
            "Layer",
            "MeanSquaredError",
            "Momentum",
            "Nesterov",
            "RMSprop",
            "SGD",
            "Sequential",
            "SparseCategoricalCrossentropy",
            "StandardScaler",
            "Tensor",
            "Tracer",
            "activations",
            "backend",
            "backward_steps",
            "callbacks",
            "current_tracer",
            "data",
            "events",
            "initializers",
            "k_fold",
            "landscape",
            "losses",
            "metrics",
            "no_grad",
            "optimizers",
            "to_numpy",
            "topological_order",
            "train_validation_split",
            "use_tracer",
            "AveragePooling2D",
            "BatchNormalization",
            "Conv2D",
            "EncoderDecoder",
            "GRU",
            "GlobalAveragePooling2D",
            "InceptionBlock",
            "LSTM",
            "MaxPooling2D",
            "RepeatVector",
            "ResidualBlock",
            "SimpleRNN",
            "architectures",
            "blocks",
            "cells",
            "conv",
            "conv_windows",
            "convolve2d",
            "pooling",
            "recurrent",
            "seqmodels",
        ]
    )
    for name in engine.__all__:
        assert hasattr(engine, name), name


def test_engine_never_imports_qt_or_the_app() -> None:
    """No engine module imports PySide6, shiboken6, pyqtgraph, app or lessons."""
    pattern = re.compile(r"^\s*(from|import)\s+(PySide6|shiboken6|pyqtgraph|app|lessons)\b", re.M)
    modules = sorted(ENGINE.rglob("*.py"))
    assert len(modules) > 40
    offenders = [str(p) for p in modules if pattern.search(p.read_text("utf-8"))]
    assert offenders == []


def test_every_engine_module_starts_with_a_docstring_and_stays_small() -> None:
    """Each module, in every engine package, says what it does first and stays under ~400 lines."""
    modules = sorted(ENGINE.rglob("*.py"))
    assert {p.parent.name for p in modules} >= {"core", "nn", "models", "data", "analysis", "bench"}
    for path in modules:
        source = path.read_text("utf-8")
        assert source.startswith('"""'), path
        assert len(source.splitlines()) < 420, path
