"""Feeding data to a model: Dataset, DataLoader, StandardScaler, validation split and k-fold.

A `DataLoader` shuffles with its own seeded generator (same seed, same batches), cuts batches,
optionally drops a short last batch, and can augment each batch on the fly::

    loader = DataLoader(Dataset(x, y), batch_size=32, shuffle=True, seed=1,
                        augment=lambda xb, yb, rng: (xb + rng.normal(0, 0.1, xb.shape), yb))
    for xb, yb in loader: ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from engine.core import backend

__all__ = [
    "Augment",
    "DataLoader",
    "Dataset",
    "StandardScaler",
    "k_fold",
    "train_validation_split",
]

Array = Any
Augment = Callable[[Array, Array, np.random.Generator], tuple[Array, Array]]


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


class Dataset:
    """Inputs `x` and targets `y` with the same number of rows; `ds[indices]` gives rows."""

    def __init__(self, x: Array, y: Array) -> None:
        if len(x) != len(y):
            raise ValueError(
                f"Dataset: x has {len(x)} rows (shape {tuple(x.shape)}) but y has {len(y)} "
                f"(shape {tuple(y.shape)})"
            )
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: Any) -> tuple[Array, Array]:
        on_host = isinstance(self.x, np.ndarray)
        xp = np if on_host else backend.xp()
        if isinstance(index, np.ndarray) and not on_host:
            index = xp.asarray(index)  # device arrays want device indices
        if getattr(getattr(index, "dtype", None), "kind", "") in ("i", "u"):
            # rows by an integer index array (a shuffled batch): `take` gives what x[index]
            # gives, ~30 % faster
            return xp.take(self.x, index, axis=0), xp.take(self.y, index, axis=0)
        return self.x[index], self.y[index]


class DataLoader:
    """Batches of a Dataset, reshuffled each pass when `shuffle` (its own `seed`)."""

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 32,
        shuffle: bool = False,
        seed: int | np.random.Generator = 0,
        drop_last: bool = False,
        augment: Augment | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"DataLoader(batch_size={batch_size!r}): must be a positive integer")
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.drop_last, self.augment = shuffle, drop_last, augment
        self.rng = _rng(seed)

    def __len__(self) -> int:
        n, b = len(self.dataset), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[tuple[Array, Array]]:
        n = len(self.dataset)
        order = self.rng.permutation(n) if self.shuffle else None
        if order is not None and not isinstance(self.dataset.x, np.ndarray):
            order = backend.xp().asarray(order)  # one copy to the device per pass, not per batch
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            stop = min(start + self.batch_size, n)
            index = order[start:stop] if order is not None else slice(start, stop)
            xb, yb = self.dataset[index]
            if self.augment is not None:
                xb, yb = self.augment(xb, yb, self.rng)
            yield xb, yb


class StandardScaler:
    """Rescale each feature to mean 0 and standard deviation 1 (statistics from `fit`)."""

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, x: Array) -> StandardScaler:
        """Learn each column's mean and standard deviation (constant columns get scale 1)."""
        data = backend.to_numpy(x).astype(np.float64)
        if data.ndim < 2 or len(data) == 0:
            raise ValueError(f"StandardScaler.fit needs (samples, features) data, got {data.shape}")
        self.mean_ = data.mean(axis=0)
        std = data.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def _stats(self, x: Array) -> tuple[np.ndarray, np.ndarray]:
        if self.mean_ is None or self.scale_ is None:
            raise ValueError("StandardScaler: call fit(x) before transform")
        if tuple(x.shape[1:]) != self.mean_.shape:
            raise ValueError(
                f"StandardScaler was fitted on features of shape {self.mean_.shape}, "
                f"got data of shape {tuple(x.shape)}"
            )
        return self.mean_, self.scale_

    def transform(self, x: Array) -> np.ndarray:
        """(x - mean) / std, in x's dtype if it is a float array."""
        data = backend.to_numpy(x)
        mean, scale = self._stats(data)
        out: np.ndarray = (data - mean) / scale
        return out.astype(data.dtype) if data.dtype.kind == "f" else out

    def fit_transform(self, x: Array) -> np.ndarray:
        """`fit(x)` then `transform(x)`."""
        return self.fit(x).transform(x)

    def inverse_transform(self, x: Array) -> np.ndarray:
        """Undo `transform`: x * std + mean."""
        data = backend.to_numpy(x)
        mean, scale = self._stats(data)
        out: np.ndarray = data * scale + mean
        return out.astype(data.dtype) if data.dtype.kind == "f" else out


def train_validation_split(
    x: Array, y: Array, validation_split: float = 0.2, shuffle: bool = True, seed: int = 0
) -> tuple[Array, Array, Array, Array]:
    """(x_train, y_train, x_val, y_val), the last `validation_split` of the (shuffled) rows
    held out for validation."""
    if len(x) != len(y):
        raise ValueError(f"train_validation_split: x has {len(x)} rows but y has {len(y)}")
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split={validation_split!r} must be in (0, 1)")
    n = len(x)
    n_val = round(n * validation_split)
    if n_val == 0 or n_val == n:
        raise ValueError(f"validation_split={validation_split} of {n} rows leaves an empty part")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    train, val = order[: n - n_val], order[n - n_val :]
    return x[train], y[train], x[val], y[val]


def k_fold(
    n_samples: int, k: int = 5, shuffle: bool = True, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """k (train indices, validation indices) pairs; every sample is validated exactly once
    and fold sizes differ by at most one."""
    if not isinstance(k, int) or k < 2:
        raise ValueError(f"k_fold(k={k!r}): k must be an integer >= 2")
    if k > n_samples:
        raise ValueError(f"k_fold: k={k} folds need at least {k} samples, got {n_samples}")
    order = np.random.default_rng(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    folds = np.array_split(order, k)
    return [
        (np.concatenate([f for j, f in enumerate(folds) if j != i]), fold)
        for i, fold in enumerate(folds)
    ]
