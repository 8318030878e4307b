"""Sequential: a stack of layers trained Keras style with compile, fit, evaluate and predict.

    model = Sequential([Input((2,)), Dense(16, activation="tanh"), Dense(1, activation="sigmoid")])
    model.compile(optimizer=Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=100, batch_size=32, validation_split=0.2)
    model.summary()

`train_on_batch` is one optimizer step, for live lessons. A Dense stack trains without the graph
(`dense_step`, `fit_batch`: the same numbers) in every step no listener wants (`Tracer.step`). A
NaN or infinite loss stops training (`Divergence`, then `DivergenceError`) before any weight is
touched. The same `seed` gives the same initial weights, shuffles and dropout masks.

`fit` copies a batch's loss to the host only when asked (a `BatchEnd` or `Divergence` subscriber,
a callback's `on_batch_end`); otherwise losses and metrics are read once per epoch (`Tally`), and
a NaN or infinite loss raises `DivergenceError` at the epoch's end, after its later steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.analysis import metrics as metrics_module
from engine.core import backend
from engine.core.autodiff import no_grad
from engine.core.emitting import emit_if_wanted
from engine.core.events import (
    BatchEnd,
    Divergence,
    DivergenceError,
    EpochEnd,
    ForwardPass,
    current_tracer,
)
from engine.core.tensor import Array, Tensor
from engine.data.loading import DataLoader, Dataset
from engine.models.dense_step import train_step
from engine.models.fit_batch import graph_free_fit
from engine.models.persistence import (
    LayerSummary,
    load_weights,
    save_weights,
    set_weights,
    summary_rows,
    summary_text,
)
from engine.models.tally import Tally
from engine.nn import losses, optimizers
from engine.nn.callbacks import Callback, History
from engine.nn.layers import Input, Layer, Shape, _Activated

__all__ = ["LayerSummary", "Sequential"]

DTYPES = ("float32", "float64")


class Sequential:
    """Layers applied one after the other; Keras's `Sequential` with the same methods."""

    def __init__(
        self,
        layers: Sequence[Layer] = (),
        seed: int = 0,
        dtype: str = "float32",
        name: str = "sequential",
    ) -> None:
        if dtype not in DTYPES:
            raise ValueError(f"Sequential(dtype={dtype!r}): use one of {DTYPES}")
        self.seed, self.dtype, self.name = seed, dtype, name
        self.layers: list[Layer] = []
        self.input_shape: Shape | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.loss: losses.Loss | None = None
        self._fused: tuple[Layer, losses.Loss] | None = None  # see compile
        self.metrics: list[metrics_module.Metric] = []
        self.stop_training = False
        self.history: History | None = None
        self._shuffle_rng = np.random.default_rng([seed, 1])
        self._steps = 0
        for layer in layers:
            self.add(layer)

    # -- structure ---------------------------------------------------------------------------

    def add(self, layer: Layer) -> None:
        """Append `layer` (named uniquely: a second Dense becomes "dense_1")."""
        if not isinstance(layer, Layer):
            raise ValueError(f"Sequential.add expects a Layer, got {type(layer).__name__}")
        if isinstance(layer, Input) and self.layers:
            raise ValueError("Input(...) can only be the first layer of a Sequential model")
        taken = {other.name for other in self.layers}
        if layer.name in taken:
            base, i = layer.name, 1
            while f"{base}_{i}" in taken:
                i += 1
            layer.rename(f"{base}_{i}")
        if not layer.built:
            layer.prepare(np.random.default_rng([self.seed, 0, len(self.layers)]), self.dtype)
        self.layers.append(layer)
        if isinstance(layer, Input):
            self.build(layer.input_shape or (None, *layer.shape))
        elif self.input_shape is not None:
            self.build(self.input_shape)

    def build(self, input_shape: Shape) -> None:
        """Create every layer's weights for inputs of `input_shape` (batch axis first)."""
        shape: Shape = tuple(input_shape)
        self.input_shape = shape
        for layer in self.layers:
            if layer.built:
                layer.check_input(shape)
            else:
                layer.build(shape)
            shape = layer.output_shape(shape)

    @property
    def built(self) -> bool:
        """Whether the weights exist (after `Input`, `build`, or a first call on data)."""
        return self.input_shape is not None

    @property
    def params(self) -> list[Tensor]:
        """All trainable parameters, layer by layer."""
        return [p for layer in self.layers for p in layer.params]

    def count_params(self) -> int:
        """Number of trainable values."""
        return sum(layer.count_params() for layer in self.layers)

    def __call__(self, x: Tensor | Array, training: bool = False) -> Tensor:
        """The forward pass as a Tensor (a graph to backpropagate through unless no_grad)."""
        return self._forward(x, training)[0]

    def _forward(
        self, x: Tensor | Array, training: bool, fused: Layer | None = None
    ) -> tuple[Tensor, Tensor]:
        """(output, what the loss reads): the last layer's pre-activation if it is `fused`."""
        if not isinstance(x, Tensor):
            # A watched input is copied, so later changes to the caller's array don't show.
            xp = backend.xp()
            watched = current_tracer().wants(ForwardPass)
            x = Tensor(xp.array(x, dtype=self.dtype) if watched else xp.asarray(x, self.dtype))
        if not self.built:
            self.build((None, *x.shape[1:]))
        for layer in self.layers:
            if layer is fused and layer is self.layers[-1] and isinstance(layer, _Activated):
                return layer.call_with_logits(x, training)
            x = layer(x, training=training)
        return x, x

    def loss_and_output(
        self,
        x: Tensor | Array,
        y: Array,
        loss: losses.Loss | None = None,
        training: bool = False,
        check: bool = True,
    ) -> tuple[Tensor, Tensor]:
        """(loss, output) for a batch: the forward pass and `loss` (the compiled one by default),
        computed from the last layer's pre-activation where it fuses with that activation."""
        loss_fn = loss if loss is not None else self._compiled()[1]
        fused = self._fused if loss_fn is self.loss else losses.fuse(self.layers, loss_fn)
        out, h = self._forward(x, training, None if fused is None else fused[0])
        return (fused[1] if fused and h is not out else loss_fn)(y, h, check=check), out

    def zero_grad(self) -> None:
        """Forget the gradients of all parameters."""
        for p in self.params:
            p.grad = None

    # -- training ------------------------------------------------------------------------------

    def compile(
        self,
        optimizer: str | optimizers.Optimizer = "rmsprop",
        loss: str | losses.Loss | None = None,
        metrics: Sequence[str | metrics_module.Metric] = (),
    ) -> None:
        """Choose the optimizer, loss and metrics (Keras names or objects); decide, once, whether
        the loss fuses with the last layer's activation (`losses.fuse`)."""
        if loss is None:
            raise ValueError("compile() needs a loss, e.g. loss='mse' or 'binary_crossentropy'")
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        self._fused = losses.fuse(self.layers, self.loss)
        logits = isinstance(self.loss, losses.BinaryCrossentropy) and self.loss.from_logits
        self.metrics = [
            metrics_module.Accuracy(threshold=0.0 if logits else 0.5)
            if m in ("accuracy", "acc")
            else metrics_module.get(m)
            for m in metrics
        ]

    def _compiled(self) -> tuple[optimizers.Optimizer, losses.Loss]:
        if self.optimizer is None or self.loss is None:
            raise ValueError("The model is not compiled: call compile(optimizer, loss) first")
        return self.optimizer, self.loss

    def as_arrays(self, x: Any, y: Any) -> tuple[Array, Array]:
        """`x` (in the model's dtype) and `y` as device arrays with the same number of rows."""
        xp = backend.xp()
        xa = xp.asarray(backend.to_numpy(x) if isinstance(x, Tensor) else x, dtype=self.dtype)
        ya = xp.asarray(backend.to_numpy(y) if isinstance(y, Tensor) else y)
        if ya.dtype.kind == "f":
            ya = ya.astype(self.dtype, copy=False)
        if len(xa) != len(ya):
            raise ValueError(
                f"x has {len(xa)} samples (shape {tuple(xa.shape)}) but y has {len(ya)} "
                f"(shape {tuple(ya.shape)})"
            )
        return xa, ya

    def _step(
        self, xb: Array, yb: Array, epoch: int, batch: int, watch: bool = True, check: bool = True
    ) -> tuple[Tensor, float | None, Tensor]:
        """One optimizer step on one batch: forward, loss, divergence check, backward, update.

        With `watch` the loss is copied to the host and checked before any weight changes, and
        `BatchEnd` is emitted; without, it stays on the device (the caller checks it later)."""
        optimizer, _ = self._compiled()
        value = None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, out = self.loss_and_output(xb, yb, training=True, check=check)
            if watch:
                value = float(loss.data)
                if not math.isfinite(value):
                    self._diverged(epoch, batch, value)
            self.zero_grad()
            loss.backward()
            optimizer.step(self.params)
        if value is not None:
            emit_if_wanted(BatchEnd, epoch, batch, value, len(xb))
        return loss, value, out

    @staticmethod
    def _diverged(epoch: int, batch: int, value: float) -> None:
        emit_if_wanted(Divergence, epoch, batch, value)
        raise DivergenceError(epoch, batch, value)

    def _check_targets(self, loss_fn: losses.Loss, x: Array, y: Array) -> bool:
        """Check all of `y` against the model's output shape once, so batches need not read
        their targets back; False where that shape is not known before a forward pass."""
        if not self.built:
            self.build((None, *x.shape[1:]))
        shape: Shape = self.input_shape or (None, *x.shape[1:])
        for layer in self.layers:
            shape = layer.output_shape(shape)
        if any(d is None for d in shape[1:]):
            return False
        dims = (int(d) for d in shape[1:] if d is not None)
        loss_fn.check_targets(y, (len(y), *dims), self.dtype)
        return True

    def train_on_batch(self, x: Any, y: Any) -> float:
        """One optimizer step on (x, y); returns the batch loss before the step."""
        xa, ya = self.as_arrays(x, y)
        with current_tracer().step():  # (a sampling subscriber may not want it: see events)
            value = train_step(self, xa, ya)  # None: not a plain Dense stack, or someone listens
            value = self._step(xa, ya, 0, self._steps)[1] if value is None else value
        self._steps += 1
        return math.nan if value is None else value  # a watched step always reads its loss

    def fit(
        self,
        x: Any,
        y: Any = None,
        batch_size: int = 32,
        epochs: int = 1,
        verbose: int = 0,
        callbacks: Sequence[Callback] = (),
        validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None,
        shuffle: bool = True,
    ) -> History:
        """Train for `epochs` passes over (x, y) or over a DataLoader passed as `x`.

        `verbose` is accepted for Keras compatibility; the engine never prints (subscribe to
        `EpochEnd` events instead). `validation_split` holds out the last fraction of the
        samples (before shuffling), as Keras does; `validation_data` takes precedence.
        """
        _, loss_fn = self._compiled()
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"fit(epochs={epochs!r}): epochs must be an integer >= 0")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"fit(validation_split={validation_split!r}) must be in [0, 1)")
        val: tuple[Array, Array] | None = None
        if validation_data is not None:
            if len(validation_data) != 2:
                raise ValueError("fit(validation_data=...) must be a pair (x_val, y_val)")
            val = self.as_arrays(*validation_data)
        if isinstance(x, DataLoader):
            if y is not None or validation_split:
                raise ValueError("fit(DataLoader) takes no y and no validation_split")
            loader = x
        else:
            xa, ya = self.as_arrays(x, y)
            if validation_split and val is None:
                split_at = int(len(xa) * (1.0 - validation_split))
                if split_at in (0, len(xa)):
                    raise ValueError(
                        f"validation_split={validation_split} of {len(xa)} samples leaves an "
                        "empty part"
                    )
                xa, ya, val = xa[:split_at], ya[:split_at], (xa[split_at:], ya[split_at:])
            loader = DataLoader(Dataset(xa, ya), batch_size, shuffle, seed=self._shuffle_rng)
        if len(loader) == 0:
            raise ValueError("fit() got no training samples")

        data = loader.dataset
        check = loader.augment is not None or not self._check_targets(loss_fn, data.x, data.y)
        history = History()
        hooks = [history, *callbacks]
        for cb in hooks:
            cb.set_model(self)
        self.stop_training = False
        for cb in hooks:
            cb.on_train_begin()
        for epoch in range(epochs):
            for cb in hooks:
                cb.on_epoch_begin(epoch)
            logs = self._train_epoch(loader, epoch, hooks, check)
            if val is not None:
                scores = self.evaluate(*val, batch_size=max(batch_size, 1024))
                logs.update({f"val_{k}": v for k, v in scores.items()})
            for cb in hooks:
                cb.on_epoch_end(epoch, logs)
            emit_if_wanted(EpochEnd, epoch, dict(logs))
            if self.stop_training:
                break
        for cb in hooks:
            cb.on_train_end()
        self.history = history
        return history

    def _train_epoch(
        self, loader: DataLoader, epoch: int, hooks: list[Callback], check: bool
    ) -> dict[str, float]:
        batch_hooks = [cb for cb in hooks if type(cb).on_batch_end is not Callback.on_batch_end]
        tally = Tally(self.metrics)
        for batch, batch_data in enumerate(loader):
            xb, yb = self.as_arrays(*batch_data)  # no copy unless a loader yields host arrays
            tracer = current_tracer()
            watch = bool(batch_hooks) or tracer.wants(BatchEnd) or tracer.wants(Divergence)
            with tracer.step():
                stepped = graph_free_fit(self, xb, yb, epoch, batch, watch, check)
                loss, value, out = stepped or self._step(xb, yb, epoch, batch, watch, check)
            tally.add(loss, yb, out)
            if value is not None:
                for cb in batch_hooks:
                    cb.on_batch_end(batch, {"loss": value})
        batch_losses, means = tally.read()
        for batch, value in enumerate(batch_losses):
            if not math.isfinite(value):
                self._diverged(epoch, batch, value)
        return means

    # -- inference, weights, files -----------------------------------------------------------

    def evaluate(self, x: Any, y: Any, batch_size: int = 1024) -> dict[str, float]:
        """Mean loss and metrics over (x, y) in inference mode: {"loss": ..., "accuracy": ...}.

        The batches' values are copied to the host once, at the end."""
        _, loss_fn = self._compiled()
        xa, ya = self.as_arrays(x, y)
        if len(xa) == 0:
            raise ValueError("evaluate() got no samples")
        check = not self._check_targets(loss_fn, xa, ya)
        tally = Tally(self.metrics)
        with no_grad():
            for xb, yb in DataLoader(Dataset(xa, ya), batch_size):
                loss, out = self.loss_and_output(xb, yb, check=check)
                tally.add(loss, yb, out)
        return tally.read()[1]

    def predict(self, x: Any, batch_size: int = 1024) -> np.ndarray:
        """The model's outputs for `x` (inference mode) as a host NumPy array."""
        xp = backend.xp()
        xa = xp.asarray(backend.to_numpy(x) if isinstance(x, Tensor) else x, dtype=self.dtype)
        if xa.ndim == 0:
            raise ValueError("predict() needs a batch of inputs, got a scalar")
        if batch_size < 1:
            raise ValueError(f"predict(batch_size={batch_size!r}) must be >= 1")
        with no_grad():
            parts = [
                backend.to_numpy(self(xa[i : i + batch_size]).data)
                for i in range(0, max(len(xa), 1), batch_size)
            ]
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def get_weights(self) -> list[np.ndarray]:
        """Host copies of all parameters, layer by layer (Dense: kernel, then bias)."""
        return [backend.to_numpy(p.data).copy() for p in self.params]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Replace all parameters' values with arrays shaped as `get_weights` returns."""
        set_weights(self, weights)

    def summary_rows(self) -> list[LayerSummary]:
        """One row per layer: name, type, output shape and parameter count."""
        return summary_rows(self)

    def summary(self) -> str:
        """A Keras-like table of layers, output shapes and parameter counts."""
        return summary_text(self)

    def save(self, path: Any) -> None:
        """Write the weights (and the input shape) to a .npz file."""
        save_weights(self, path)

    def load(self, path: Any) -> Sequential:
        """Read weights written by `save` into this (same-architecture) model; returns it."""
        load_weights(self, path)
        return self

    def __repr__(self) -> str:
        return f"Sequential(name={self.name!r}, layers={[layer.name for layer in self.layers]})"
