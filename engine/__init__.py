"""DeepStep engine: an instrumented NumPy/CuPy deep-learning engine with Keras-style models.

The public names are re-exported here, and so are the modules by their short names
(`engine.backend`, `engine.losses`, ...). The packages hold the rest:

- `engine.core`: the array backend, Tensor and its autodiff, and the events the engine emits;
- `engine.nn`: activations, layers, losses, optimizers, convolution, pooling, recurrence;
- `engine.models`: the Sequential model, its persistence, named architectures, sequence models;
- `engine.data`: feeding data to a model, shipped data sets, synthetic sets, the learner's files;
- `engine.analysis`: metrics and loss landscapes;
- `engine.bench`: `python -m engine.bench`.

The engine knows nothing of lessons or Qt.
"""

from engine import data
from engine.analysis import landscape, metrics
from engine.core import backend, events
from engine.core.backend import DeviceError, to_numpy
from engine.core.events import DivergenceError, Tracer, current_tracer, use_tracer
from engine.core.tensor import Tensor, backward_steps, no_grad, topological_order
from engine.data.loading import DataLoader, Dataset, StandardScaler, k_fold, train_validation_split
from engine.models import architectures, seqmodels
from engine.models.seqmodels import EncoderDecoder, RepeatVector
from engine.models.sequential import Sequential
from engine.nn import (
    activations,
    blocks,
    callbacks,
    cells,
    conv,
    initializers,
    losses,
    optimizers,
    pooling,
    recurrent,
)
from engine.nn.blocks import BatchNormalization, InceptionBlock, ResidualBlock
from engine.nn.callbacks import Callback, EarlyStopping, History
from engine.nn.conv import Conv2D, conv_windows, convolve2d
from engine.nn.layers import Activation, Dense, Dropout, Flatten, Input, Layer
from engine.nn.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)
from engine.nn.optimizers import SGD, Adam, Momentum, Nesterov, RMSprop
from engine.nn.pooling import AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D
from engine.nn.recurrent import GRU, LSTM, SimpleRNN

__all__ = [
    "GRU",
    "LSTM",
    "SGD",
    "Activation",
    "Adam",
    "AveragePooling2D",
    "BatchNormalization",
    "BinaryCrossentropy",
    "Callback",
    "CategoricalCrossentropy",
    "Conv2D",
    "DataLoader",
    "Dataset",
    "Dense",
    "DeviceError",
    "DivergenceError",
    "Dropout",
    "EarlyStopping",
    "EncoderDecoder",
    "Flatten",
    "GlobalAveragePooling2D",
    "History",
    "InceptionBlock",
    "Input",
    "Layer",
    "MaxPooling2D",
    "MeanSquaredError",
    "Momentum",
    "Nesterov",
    "RMSprop",
    "RepeatVector",
    "ResidualBlock",
    "Sequential",
    "SimpleRNN",
    "SparseCategoricalCrossentropy",
    "StandardScaler",
    "Tensor",
    "Tracer",
    "activations",
    "architectures",
    "backend",
    "backward_steps",
    "blocks",
    "callbacks",
    "cells",
    "conv",
    "conv_windows",
    "convolve2d",
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
    "pooling",
    "recurrent",
    "seqmodels",
    "to_numpy",
    "topological_order",
    "train_validation_split",
    "use_tracer",
]
