"""The votes as inputs, the seed's Sequential model, and k-fold cross-validation with the engine.

Each vote becomes one number: yea +1, nay -1, and '?' (present, abstained or absent) 0, half
way between.  Each fold trains a fresh model (its own seed, as Keras builds a new model per
fold) on the other folds and is scored on its own; the scores' mean and spread are NumPy's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from engine.core.events import DivergenceError
from engine.data.datasets import load_vote
from engine.data.loading import k_fold
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import Adam

BATCH = 32  # Keras's default batch size, as the seed's KerasClassifier uses
VOTE_VALUES = {1: 1.0, 0: -1.0, 2: 0.0}  # asset code -> input: 'y' +1, 'n' -1, '?' 0
SYMBOLS = {1: "y", 0: "n", 2: "?"}


@dataclass(frozen=True, eq=False)
class Votes:
    """The 435 members: raw codes (0 'n', 1 'y', 2 '?'), inputs x (+1/-1/0) and party y."""

    codes: np.ndarray  # (435, 16) int
    x: np.ndarray  # (435, 16) float32
    y: np.ndarray  # (435,) int64: 0 democrat, 1 republican
    bills: tuple[str, ...]
    parties: tuple[str, ...]

    @property
    def size(self) -> int:
        """Number of members (rows)."""
        return len(self.y)


def encode(codes: np.ndarray) -> np.ndarray:
    """Asset codes to inputs: 1 ('y') -> +1, 0 ('n') -> -1, 2 ('?') -> 0 (float32)."""
    return np.select([codes == 1, codes == 0], [1.0, -1.0], 0.0).astype(np.float32)


@cache
def votes() -> Votes:
    """The 1984 voting records from assets/vote.npz, encoded."""
    data = load_vote()
    codes = data.x.astype(np.int64)
    return Votes(codes, encode(codes), data.y, data.feature_names, data.class_names)


@dataclass(frozen=True)
class Settings:
    """What the learner controls: hidden sizes, learning rate, epochs and k."""

    hidden1: int = 6
    hidden2: int = 4
    rate: float = 0.01
    epochs: int = 30
    k: int = 5
    seed: int = 0  # the shuffle before the folds are cut; models get seed + 1 + fold


def build(s: Settings, n_inputs: int = 16, seed: int = 0) -> Sequential:
    """The seed's model: Dense relu, Dense relu, Dense 1 sigmoid; BCE; Adam (Keras's
    'normal' initializer: N(0, 0.05²))."""
    init = "random_normal"
    model = Sequential(
        [
            Input((n_inputs,)),
            Dense(s.hidden1, activation="relu", kernel_initializer=init),
            Dense(s.hidden2, activation="relu", kernel_initializer=init),
            Dense(1, activation="sigmoid", kernel_initializer=init),
        ],
        seed=seed,
    )
    model.compile(optimizer=Adam(s.rate), loss="binary_crossentropy", metrics=["accuracy"])
    return model


@dataclass(frozen=True, eq=False)
class FoldRun:
    """One fold: its indices, per-epoch curves (index 0 = before training) and final scores."""

    fold: int
    train_idx: np.ndarray
    val_idx: np.ndarray
    loss: np.ndarray
    val_loss: np.ndarray
    acc: np.ndarray
    val_acc: np.ndarray
    diverged: bool

    @property
    def score(self) -> float:
        """Validation accuracy after the last epoch (the fold's score)."""
        return float(self.val_acc[-1])

    @property
    def best_epoch(self) -> int:
        """The epoch with the lowest validation loss (0 = untrained)."""
        finite = np.where(np.isfinite(self.val_loss), self.val_loss, np.inf)
        return int(np.argmin(finite))


def train_fold(s: Settings, fold: int, train_idx: np.ndarray, val_idx: np.ndarray) -> FoldRun:
    """Train a fresh model (seed ``s.seed + 1 + fold``) on ``train_idx``; score ``val_idx``."""
    v = votes()
    xt, yt = v.x[train_idx], v.y[train_idx].astype(np.float32)[:, None]
    xv, yv = v.x[val_idx], v.y[val_idx].astype(np.float32)[:, None]
    model = build(s, v.x.shape[1], s.seed + 1 + fold)
    first_t, first_v = model.evaluate(xt, yt), model.evaluate(xv, yv)
    logs: dict[str, list[float]] = {
        "loss": [first_t["loss"]],
        "accuracy": [first_t["accuracy"]],
        "val_loss": [first_v["loss"]],
        "val_accuracy": [first_v["accuracy"]],
    }
    diverged = False
    try:
        history = model.fit(xt, yt, epochs=s.epochs, batch_size=BATCH, validation_data=(xv, yv))
        for key, values in logs.items():
            values.extend(float(h) for h in history.history[key])
    except DivergenceError:
        diverged = True
        for values in logs.values():
            values.append(float("nan"))
    return FoldRun(
        fold,
        train_idx,
        val_idx,
        np.array(logs["loss"]),
        np.array(logs["val_loss"]),
        np.array(logs["accuracy"]),
        np.array(logs["val_accuracy"]),
        diverged,
    )


@dataclass(frozen=True, eq=False)
class CrossValidation:
    """All k folds of one setting, and their scores' mean and standard deviation."""

    settings: Settings
    folds: tuple[FoldRun, ...]

    @property
    def scores(self) -> np.ndarray:
        """Each fold's validation accuracy."""
        return np.array([f.score for f in self.folds])

    @property
    def mean(self) -> float:
        """Mean of the fold scores."""
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        """Standard deviation of the fold scores (NumPy's default, ddof = 0)."""
        return float(np.std(self.scores))


def splits(s: Settings, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The engine's k-fold index pairs for ``n`` samples, shuffled with ``s.seed``."""
    return k_fold(n, s.k, shuffle=True, seed=s.seed)


def cross_validate(s: Settings) -> CrossValidation:
    """Train and score one fresh model per fold."""
    folds = splits(s, votes().size)
    return CrossValidation(s, tuple(train_fold(s, i, tr, va) for i, (tr, va) in enumerate(folds)))


def yes_share(v: Votes) -> np.ndarray:
    """(2, 16): per party, the share of its members who voted yea on each bill."""
    return np.array([(v.codes[v.y == p] == 1).mean(axis=0) for p in (0, 1)])


def majority_share(v: Votes) -> float:
    """Accuracy of always answering the larger party (the baseline a model must beat)."""
    counts = np.bincount(v.y, minlength=2)
    return float(counts.max() / counts.sum())
