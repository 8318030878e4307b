"""DeepStep engine: an instrumented NumPy/CuPy deep-learning engine with Keras-style models.

The public names are re-exported here; the modules (`engine.backend`, `engine.events`,
`engine.losses`, ...) hold the rest. The engine knows nothing of lessons or Qt.
"""

from engine import (
    activations,
    backend,
    callbacks,
    data,
    events,
    initializers,
    landscape,
    losses,
    metrics,
    optimizers,
)
from engine.backend import DeviceError, to_numpy
from engine.callbacks import Callback, EarlyStopping, History
from engine.data import DataLoader, Dataset, StandardScaler, k_fold, train_validation_split
from engine.events import DivergenceError, Tracer, current_tracer, use_tracer
from engine.layers import Activation, Dense, Dropout, Flatten, Input, Layer
from engine.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)
from engine.model import Sequential
from engine.optimizers import SGD, Adam, Momentum, Nesterov, RMSprop
from engine.tensor import Tensor, backward_steps, no_grad, topological_order

__all__ = [
    "SGD",
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
]
