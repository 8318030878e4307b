"""DeepStep engine: an instrumented NumPy/CuPy deep-learning engine with Keras-style models.

The public names are re-exported here; the modules (`engine.backend`, `engine.events`,
`engine.losses`, ...) hold the rest. The engine knows nothing of lessons or Qt.
"""

from engine import (
    activations,
    architectures,
    backend,
    blocks,
    callbacks,
    cells,
    conv,
    data,
    events,
    initializers,
    landscape,
    losses,
    metrics,
    optimizers,
    pooling,
    recurrent,
    seqmodels,
)
from engine.backend import DeviceError, to_numpy
from engine.blocks import BatchNormalization, InceptionBlock, ResidualBlock
from engine.callbacks import Callback, EarlyStopping, History
from engine.conv import Conv2D, conv_windows, convolve2d
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
from engine.pooling import AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D
from engine.recurrent import GRU, LSTM, SimpleRNN
from engine.seqmodels import EncoderDecoder, RepeatVector
from engine.tensor import Tensor, backward_steps, no_grad, topological_order

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
