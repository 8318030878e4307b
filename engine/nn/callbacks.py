"""Training callbacks (Keras style): the History that `fit` returns, and EarlyStopping.

A callback receives `on_train_begin`, `on_epoch_begin`, `on_batch_end`, `on_epoch_end` and
`on_train_end`; `logs` hold "loss", each metric, and "val_..." versions when there is validation
data. Setting `model.stop_training = True` ends `fit` after the current epoch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from engine.models.sequential import Sequential

__all__ = ["Callback", "EarlyStopping", "History"]

Logs = Mapping[str, float]


class Callback:
    """Base class; override the hooks you need. `self.model` is set by `fit`."""

    def __init__(self) -> None:
        self.model: Sequential | None = None

    def set_model(self, model: Sequential) -> None:
        """Remember the model being trained."""
        self.model = model

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Training starts."""

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """An epoch starts."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """An optimizer step finished; logs hold this batch's "loss"."""

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """An epoch ended; logs hold the epoch's loss, metrics and validation values."""

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Training ended (normally or by early stopping)."""


class History(Callback):
    """Per-epoch logs: `history["loss"][i]` is the mean training loss of epoch `epoch[i]`."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs.

    With `restore_best_weights`, the weights of the best epoch are put back when training ends.
    `mode` "auto" maximises accuracy-like quantities and minimises the rest.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        mode: Literal["auto", "min", "max"] = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        super().__init__()
        if patience < 0:
            raise ValueError(f"EarlyStopping(patience={patience!r}) must be >= 0")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping(mode={mode!r}): use 'auto', 'min' or 'max'")
        self.monitor, self.min_delta, self.patience = monitor, abs(min_delta), patience
        self.restore_best_weights = restore_best_weights
        maximise = any(k in monitor for k in ("acc", "auc", "precision", "recall", "f1"))
        self.sign = 1.0 if mode == "max" or (mode == "auto" and maximise) else -1.0
        self.best = -math.inf
        self.best_epoch = -1
        self.best_weights: list[np.ndarray] | None = None
        self.wait = 0
        self.stopped_epoch = -1

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.best, self.best_epoch, self.best_weights = -math.inf, -1, None
        self.wait, self.stopped_epoch = 0, -1

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r} but the logs have only "
                f"{sorted(logs)}; pass validation data or monitor one of those"
            )
        score = self.sign * logs[self.monitor]  # larger is better
        if score - self.min_delta > self.best or self.best_epoch < 0:
            self.best, self.best_epoch, self.wait = score, epoch, 0
            if self.restore_best_weights and self.model is not None:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience and self.model is not None:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        best, model = self.best_weights, self.model
        if self.restore_best_weights and best is not None and model is not None:
            model.set_weights(best)

    @property
    def best_value(self) -> float:
        """The best value of the monitored quantity seen so far."""
        return self.sign * self.best
