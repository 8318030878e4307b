"""Loss functions: mean squared error and the cross-entropies, numerically stable.

`loss(y_true, y_pred)` is a scalar Tensor, the mean over the batch, with one backward node.
Cross-entropies work from probabilities or, with `from_logits=True`, from raw scores. As in
Keras, a model whose last activation is the sigmoid (binary) or softmax (categorical) skips it for
the loss: `logits_twin(loss, activation)` gives the from-logits loss to use instead, decided once
by type when the model is compiled. The logits formula is stable, and its gradient is simply
`probabilities - targets`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engine.core import backend
from engine.core.arrays import max_last, sum_last
from engine.core.tensor import Array, Tensor
from engine.nn import activations
from engine.nn.activations import Activation
from engine.nn.layers import Layer, _Activated

__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Loss",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "fuse",
    "get",
    "logits_twin",
]

EPSILON = 1e-7  # Keras's clip for probabilities, so log never sees 0
GradFn = Callable[[], Array]


class Loss:
    """Base class: `__call__` gives the mean loss as a Tensor, `per_example` one value per row."""

    name = "loss"
    from_logits = False

    def __call__(self, y_true: Any, y_pred: Tensor | Array, check: bool = True) -> Tensor:
        """The mean loss over the batch as a scalar Tensor that backpropagates into `y_pred`.

        `check=False` skips the target checks that read values (a copy to the host on a GPU):
        for batches of targets `check_targets` already accepted.
        """
        pred = y_pred if isinstance(y_pred, Tensor) else Tensor(y_pred)
        y = self._targets(y_true, pred.data, check)
        values, grad_fn = self._compute(y, pred.data, self.from_logits)
        count = values.size

        def backward(g: Array) -> tuple[Array]:
            return (grad_fn() * (g / count),)

        return Tensor.from_op(self.name, values.mean(), (pred,), backward=backward)

    def per_example(self, y_true: Any, y_pred: Tensor | Array) -> np.ndarray:
        """The loss of each example (row) as a host NumPy array of shape (batch,)."""
        pred = y_pred if isinstance(y_pred, Tensor) else Tensor(y_pred)
        return backend.to_numpy(self.per_example_array(y_true, pred))

    def per_example_array(self, y_true: Any, y_pred: Tensor) -> Array:
        """`per_example` left on the device (used by landscapes and evaluation)."""
        y = self._targets(y_true, y_pred.data, True)
        values, _ = self._compute(y, y_pred.data, self.from_logits)
        return values.reshape(values.shape[0], -1).mean(axis=1) if values.ndim > 1 else values

    def check_targets(self, y_true: Any, shape: tuple[int, ...], dtype: str) -> None:
        """Raise ValueError if `y_true` (a whole data set) does not fit predictions of `shape`;
        then its batches can skip the checks (`check=False`). At most one copy to the host."""
        xp = backend.xp()
        self._targets(y_true, xp.broadcast_to(xp.zeros((), dtype=dtype), shape), True)

    def _targets(self, y_true: Any, pred: Array, check: bool) -> Array:
        y = backend.xp().asarray(_data(y_true), dtype=pred.dtype)
        if y.shape != pred.shape and y.size == pred.size and y.ndim != pred.ndim:
            y = y.reshape(pred.shape)  # (batch,) against (batch, 1), as Keras squeezes
        if y.shape != pred.shape:
            raise ValueError(
                f"{self.name}: y_true has shape {y.shape} but y_pred has shape {pred.shape}"
            )
        return y

    def _compute(self, y: Array, p: Array, logits: bool) -> tuple[Array, GradFn]:
        """Per-example values and a function giving d(sum of values)/d p."""
        raise NotImplementedError

    def __repr__(self) -> str:
        extra = "from_logits=True" if self.from_logits else ""
        return f"{type(self).__name__}({extra})"


def _data(y: Any) -> Any:
    """A Tensor's array; anything else as it is (a CuPy array's `.data` is a memory pointer)."""
    return y.data if isinstance(y, Tensor) else y


def _mean_last(a: Array) -> Array:
    return a.mean(axis=-1) if a.ndim > 1 else a


class MeanSquaredError(Loss):
    """mean((y_pred - y_true)^2) over the last axis, then over the batch."""

    name = "mean_squared_error"

    def _compute(self, y: Array, p: Array, logits: bool) -> tuple[Array, GradFn]:
        diff = p - y
        width = p.shape[-1] if p.ndim > 1 else 1
        return _mean_last(diff * diff), lambda: diff * (2.0 / width)


class _Probabilistic(Loss):
    """A cross-entropy: from probabilities, or from logits (`from_logits=True`)."""

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = bool(from_logits)


class BinaryCrossentropy(_Probabilistic):
    """-(y log p + (1 - y) log(1 - p)), averaged over the last axis, then the batch."""

    name = "binary_crossentropy"

    def _compute(self, y: Array, p: Array, logits: bool) -> tuple[Array, GradFn]:
        xp = backend.xp()
        width = p.shape[-1] if p.ndim > 1 else 1
        if logits:  # max(z, 0) - z y + log(1 + e^-|z|): no overflow for any z
            z = p
            values = xp.maximum(z, 0) - z * y + xp.log1p(xp.exp(-xp.abs(z)))

            def grad() -> Array:
                e = xp.exp(-xp.abs(z))
                s = xp.where(z >= 0, 1 / (1 + e), e / (1 + e))
                return (s - y) / width

            return _mean_last(values), grad
        q = xp.clip(p, EPSILON, 1 - EPSILON)
        values = -(y * xp.log(q) + (1 - y) * xp.log(1 - q))
        inside = (p > EPSILON) & (p < 1 - EPSILON)
        return _mean_last(values), lambda: (q - y) / (q * (1 - q)) * inside / width


class CategoricalCrossentropy(_Probabilistic):
    """-sum(y log p) over the classes (last axis), then the mean over the batch."""

    name = "categorical_crossentropy"

    def _targets(self, y_true: Any, pred: Array, check: bool) -> Array:
        if pred.ndim < 2:
            raise ValueError(f"{self.name}: y_pred needs a class axis, got shape {pred.shape}")
        return super()._targets(y_true, pred, check)

    def _compute(self, y: Array, p: Array, logits: bool) -> tuple[Array, GradFn]:
        xp = backend.xp()
        if logits:
            shifted = p - max_last(p)
            log_probs = shifted - xp.log(sum_last(xp.exp(shifted)))
            values = -sum_last(y * log_probs)[..., 0]
            return values, lambda: xp.exp(log_probs) * sum_last(y) - y
        q = xp.clip(p, EPSILON, 1 - EPSILON)
        values = -sum_last(y * xp.log(q))[..., 0]
        inside = (p > EPSILON) & (p < 1 - EPSILON)
        return values, lambda: -y / q * inside


class SparseCategoricalCrossentropy(_Probabilistic):
    """Categorical cross-entropy with integer class labels instead of one-hot rows."""

    name = "sparse_categorical_crossentropy"

    def _targets(self, y_true: Any, pred: Array, check: bool) -> Array:
        xp = backend.xp()
        labels = xp.asarray(_data(y_true))
        if pred.ndim < 2:
            raise ValueError(f"{self.name}: y_pred needs a class axis, got shape {pred.shape}")
        if labels.shape == (*pred.shape[:-1], 1):
            labels = labels.reshape(pred.shape[:-1])
        if labels.shape != pred.shape[:-1]:
            raise ValueError(
                f"{self.name}: y_true has shape {labels.shape} but y_pred has shape "
                f"{pred.shape}; expected labels of shape {pred.shape[:-1]}"
            )
        if not check:
            return labels.astype(np.int64, copy=False)
        if labels.size == 0:
            return labels.astype(np.int64, copy=False)
        # One copy to the host for all the checks: fraction (integer dtypes have none), smallest
        # and largest label.
        if labels.dtype.kind in "iu":
            low, high = backend.to_numpy(xp.stack([labels.min(), labels.max()])).tolist()
        else:
            fraction, low, high = backend.to_numpy(
                xp.stack([xp.abs(labels - xp.round(labels)).max(), labels.min(), labels.max()])
            ).tolist()
            if fraction:
                raise ValueError(f"{self.name}: y_true must hold integer class labels")
        classes = pred.shape[-1]
        if low < 0 or high >= classes:
            raise ValueError(
                f"{self.name}: labels must be in [0, {classes}), got [{int(low)}, {int(high)}]"
            )
        return labels.astype(np.int64, copy=False)

    def _compute(self, y: Array, p: Array, logits: bool) -> tuple[Array, GradFn]:
        xp = backend.xp()
        classes = p.shape[-1]
        flat = p.reshape(-1, classes)
        rows = xp.arange(flat.shape[0])
        labels = y.reshape(-1)
        if logits:
            shifted = flat - max_last(flat)
            log_norm = xp.log(sum_last(xp.exp(shifted))[:, 0])
            values = log_norm - shifted[rows, labels]

            def grad() -> Array:
                g = xp.exp(shifted - log_norm[:, None])
                g[rows, labels] -= 1
                return g.reshape(p.shape)

            return values.reshape(p.shape[:-1]), grad
        picked = flat[rows, labels]
        q = xp.clip(picked, EPSILON, 1 - EPSILON)
        values = -xp.log(q)

        def grad_probs() -> Array:
            g = xp.zeros_like(flat)
            inside = (picked > EPSILON) & (picked < 1 - EPSILON)
            g[rows, labels] = -(inside / q)
            return g.reshape(p.shape)

        return values.reshape(p.shape[:-1]), grad_probs


_BY_NAME: dict[str, Callable[[], Loss]] = {
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def logits_twin(loss: Loss, activation: Activation | None) -> Loss | None:
    """The from-logits form of `loss` when `activation` is the one it undoes (sigmoid for binary
    cross-entropy, softmax for the categorical ones), else None. A model ending in that activation
    computes this loss from the activation's input: stable, with gradient `p - y`."""
    if not isinstance(loss, _Probabilistic) or loss.from_logits:
        return None
    undone = activations.sigmoid if isinstance(loss, BinaryCrossentropy) else activations.softmax
    return type(loss)(from_logits=True) if activation is undone else None


def fuse(layers: Sequence[Layer], loss: Loss) -> tuple[Layer, Loss] | None:
    """(last layer, from-logits loss) where `loss` undoes the last layer's activation: the model
    then computes the loss from that layer's pre-activation (`Sequential.compile` decides)."""
    last = layers[-1] if layers else None
    if isinstance(last, _Activated) and (twin := logits_twin(loss, last.activation)):
        return last, twin
    return None


def get(name: str | Loss) -> Loss:
    """The loss called `name` (Keras names), or `name` itself if it already is a Loss."""
    if isinstance(name, Loss):
        return name
    if name not in _BY_NAME:
        raise ValueError(f"Unknown loss {name!r}; valid names: {', '.join(_BY_NAME)}")
    return _BY_NAME[name]()
