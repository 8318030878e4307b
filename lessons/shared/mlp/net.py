"""The playground's model: 2-D point sets, input features, a Dense network and its training.

Shared by lessons 3.1 (the playground) and 3.3 (topologies).  The data are the engine's seeded
playground sets, stretched to the plane [-6, 6]^2 so the sine features see about two periods.
With two classes the output is one sigmoid unit trained with binary cross-entropy; with k > 2
classes (``PlaneData.classes``) it is k softmax units trained with categorical cross-entropy,
and the targets are one-hot rows.
A :class:`Trainer` runs one epoch of mini-batch SGD at a time on the engine's ``Sequential``
(``train_on_batch``), shuffling with its own generator, so the same seed gives the same weights
after every epoch.  :meth:`Trainer.probe` evaluates every neuron of the network on a grid over
the plane in one batched forward pass: that gives the decision map and each neuron's heat map.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.core.autodiff import no_grad
from engine.core.backend import to_numpy
from engine.core.events import DivergenceError
from engine.core.tensor import Tensor
from engine.data.synthetic.sets import Playground, make_playground
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input, Layer
from engine.nn.losses import BinaryCrossentropy, CategoricalCrossentropy, Loss
from engine.nn.optimizers import SGD, Optimizer

SCALE = 6.0  # the plane is [-SCALE, SCALE]^2
EXTENT = (-SCALE, -SCALE, 2 * SCALE, 2 * SCALE)
POINTS = 500  # points per data set, training and test together
GRID = 48  # decision-map resolution (cell centres); neuron heat maps use GRID // 2
DATASETS: tuple[Playground, ...] = ("circle", "xor", "gaussians", "spiral")
ACTIVATIONS = ("ReLU", "tanh", "sigmoid", "linear")
ENGINE_ACTIVATION = {"ReLU": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "linear": "linear"}

Feature = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class FeatureSpec:
    """An input feature: the control that switches it on, its label, and how it is computed."""

    control: str
    label: str
    fn: Feature


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("x1", "x₁", lambda a, b: a),
    FeatureSpec("x2", "x₂", lambda a, b: b),
    FeatureSpec("x1_sq", "x₁²", lambda a, b: a * a),
    FeatureSpec("x2_sq", "x₂²", lambda a, b: b * b),
    FeatureSpec("x1_x2", "x₁x₂", lambda a, b: a * b),
    FeatureSpec("sin_x1", "sin x₁", lambda a, b: np.sin(a)),
    FeatureSpec("sin_x2", "sin x₂", lambda a, b: np.sin(b)),
)


@dataclass(frozen=True, eq=False)  # holds arrays
class PlaneData:
    """Points on the plane (n, 2) with labels 0 .. classes-1 (float column vectors), split.

    ``class_names`` names the classes where they have names (imported data, k-class sets);
    ``axis_names`` the columns placed on the axes (imported data).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str
    classes: int = 2
    class_names: tuple[str, ...] = ()
    axis_names: tuple[str, str] | None = None  # what x1 and x2 are (imported columns)


def make_data(
    name: Playground, noise: float, train_share: float, seed: int | Sequence[int]
) -> PlaneData:
    """One of the four sets with ``POINTS`` points, ``train_share`` of them for training."""
    rng = np.random.default_rng(seed)
    test = min(max(1.0 - train_share, 0.02), 0.98)
    ps = make_playground(name, POINTS, noise=noise, test_fraction=test, seed=rng)
    column = np.float32
    return PlaneData(
        ps.x_train * np.float32(SCALE),
        ps.y_train.reshape(-1, 1).astype(column),
        ps.x_test * np.float32(SCALE),
        ps.y_test.reshape(-1, 1).astype(column),
        name,
    )


def features(points: np.ndarray, chosen: Sequence[FeatureSpec]) -> np.ndarray:
    """The chosen features of (n, 2) points as an (n, k) float32 array."""
    a, b = points[:, 0].astype(np.float64), points[:, 1].astype(np.float64)
    stacked: np.ndarray = np.stack([f.fn(a, b) for f in chosen], axis=1)
    return stacked.astype(np.float32)


def grid_points(n: int = GRID) -> np.ndarray:
    """(n*n, 2) cell centres of an n x n grid over the plane, row-major (rows are x2, upwards)."""
    step = 2 * SCALE / n
    axis = -SCALE + step * (np.arange(n) + 0.5)
    x1, x2 = np.meshgrid(axis, axis)
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def pool2(maps: np.ndarray) -> np.ndarray:
    """(k, n, n) maps averaged over 2 x 2 blocks: (k, n/2, n/2), covering the same plane."""
    k, n, _ = maps.shape
    pooled: np.ndarray = maps.reshape(k, n // 2, 2, n // 2, 2).mean(axis=(2, 4))
    return pooled


def build_model(
    n_inputs: int,
    hidden: Sequence[int],
    activation: str,
    seed: int,
    optimizer: Optimizer,
    classes: int = 2,
) -> Sequential:
    """Inputs -> hidden Dense layers -> one sigmoid unit with binary cross-entropy (2 classes),
    or ``classes`` softmax units with categorical cross-entropy (more classes)."""
    act = ENGINE_ACTIVATION[activation]
    layers: list[Layer] = [Input((n_inputs,))]
    layers += [Dense(int(units), activation=act) for units in hidden]
    binary = classes <= 2
    layers.append(
        Dense(1, activation="sigmoid") if binary else Dense(classes, activation="softmax")
    )
    model = Sequential(layers, seed=seed)
    loss: Loss = BinaryCrossentropy() if binary else CategoricalCrossentropy()
    model.compile(optimizer=optimizer, loss=loss)
    return model


def targets(labels: np.ndarray, classes: int) -> np.ndarray:
    """What the loss compares with: the 0/1 column itself, or one-hot rows for k > 2 classes."""
    if classes <= 2:
        return labels
    one_hot: np.ndarray = np.eye(classes, dtype=np.float32)[labels[:, 0].astype(np.int64)]
    return one_hot


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """Class indices from the network's outputs: p > 0.5 for one unit, else the argmax."""
    if outputs.shape[-1] == 1:
        return (outputs[:, 0] > 0.5).astype(np.int64)
    indices: np.ndarray = np.argmax(outputs, axis=-1).astype(np.int64)
    return indices


@dataclass(frozen=True)
class Scores:
    """Loss and accuracy on the training and the test points."""

    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float


class Trainer:
    """A model and its data: one epoch of mini-batch training at a time, seeded shuffles."""

    def __init__(
        self,
        data: PlaneData,
        chosen: Sequence[FeatureSpec],
        hidden: Sequence[int],
        activation: str,
        seed: int,
        optimizer: Optimizer | None = None,
    ) -> None:
        self.data = data
        self.chosen = tuple(chosen)
        self.hidden = tuple(int(h) for h in hidden)
        self.activation = activation
        self.x_train = features(data.x_train, self.chosen)
        self.x_test = features(data.x_test, self.chosen)
        self.optimizer = optimizer or SGD(0.03)
        self.classes = int(data.classes)
        self.t_train = targets(data.y_train, self.classes)
        self.t_test = targets(data.y_test, self.classes)
        self.model = build_model(
            len(self.chosen), self.hidden, activation, seed, self.optimizer, self.classes
        )
        self.shuffle = np.random.default_rng([seed, 7])
        self.grid = features(grid_points(), self.chosen)
        self.epochs = 0
        self.updates = 0

    @property
    def parameters(self) -> int:
        return self.model.count_params()

    def epoch(self, batch_size: int) -> float:
        """One pass over the shuffled training points; the mean mini-batch loss.

        Raises :class:`~engine.core.events.DivergenceError` (weights untouched by that batch) when
        the loss stops being a finite number.
        """
        n = len(self.x_train)
        order = self.shuffle.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            total += self.model.train_on_batch(self.x_train[rows], self.t_train[rows]) * len(rows)
            self.updates += 1
        self.epochs += 1
        return total / max(n, 1)

    def scores(self) -> Scores:
        """Mean cross-entropy and accuracy on both sets (inference, no gradients)."""
        out: list[float] = []
        for x, t, y in (
            (self.x_train, self.t_train, self.data.y_train),
            (self.x_test, self.t_test, self.data.y_test),
        ):
            out += self._loss_and_accuracy(x, t, y)
        return Scores(out[0], out[2], out[1], out[3])

    def _loss_and_accuracy(self, x: np.ndarray, t: np.ndarray, y: np.ndarray) -> list[float]:
        """Mean loss against targets ``t`` and accuracy against labels ``y`` (n, 1)."""
        if len(x) == 0:
            return [float("nan"), float("nan")]
        loss_fn = self.model.loss or BinaryCrossentropy()
        with no_grad(), np.errstate(over="ignore", invalid="ignore"):
            # the same fused (logits) loss the model trains with, not one on clipped outputs
            value, p = self.model.loss_and_output(x, t, loss_fn)
            loss = float(to_numpy(value.data))
            hits = predicted_classes(to_numpy(p.data)) == y[:, 0].astype(np.int64)
        return [loss, float(np.mean(hits))]

    def predict(self, points: np.ndarray) -> np.ndarray:
        """The predicted class of each point (n, 2) on the plane."""
        if len(points) == 0:
            return np.zeros(0, dtype=np.int64)
        with no_grad(), np.errstate(over="ignore", invalid="ignore"):
            p = self.model(features(points, self.chosen))
            return predicted_classes(to_numpy(p.data))

    def evaluate(self, points: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
        """Mean cross-entropy and accuracy on other points (n, 2) with labels (n, 1)."""
        x = features(points, self.chosen)
        loss, accuracy = self._loss_and_accuracy(x, targets(labels, self.classes), labels)
        return loss, accuracy

    def probe(self) -> list[np.ndarray]:
        """Every layer's output on the grid, one batched forward pass: [(units, n, n), ...]."""
        outputs = []
        with no_grad(), np.errstate(over="ignore", invalid="ignore"):
            h = Tensor(self.grid)
            for layer in self.model.layers:
                if isinstance(layer, Input):
                    continue
                h = layer(h)
                values = to_numpy(h.data).T.reshape(-1, GRID, GRID)
                outputs.append(values.astype(np.float32))
        return outputs

    def input_maps(self) -> np.ndarray:
        """The chosen features over the grid, (k, n, n)."""
        return self.grid.T.reshape(-1, GRID, GRID).copy()

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(kernel, bias) host copies per Dense layer, inputs to output."""
        w = self.model.get_weights()
        return [(w[i], w[i + 1]) for i in range(0, len(w), 2)]

    def gradients(self) -> list[tuple[np.ndarray | None, np.ndarray | None]]:
        """The last mini-batch's gradients (kernel, bias) per Dense layer (None before any)."""
        params = self.model.params
        grads = [None if p.grad is None else np.array(to_numpy(p.grad)) for p in params]
        return [(grads[i], grads[i + 1]) for i in range(0, len(grads), 2)]


__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "EXTENT",
    "FEATURES",
    "GRID",
    "SCALE",
    "DivergenceError",
    "FeatureSpec",
    "PlaneData",
    "Scores",
    "Trainer",
    "build_model",
    "features",
    "grid_points",
    "make_data",
    "pool2",
    "predicted_classes",
    "targets",
]
