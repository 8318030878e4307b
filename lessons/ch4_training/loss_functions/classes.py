"""Lesson 4.1's classification: two and three classes, probabilities and cross-entropy.

A logistic model ``p = σ(w x + b)`` fitted by the engine with binary cross-entropy to two
classes along x (one example, ★, placed by the learner), and a softmax model fitted with
categorical cross-entropy to three classes.  Probabilities come from the models' ``predict``,
every loss from :mod:`engine.nn.losses`.  The examples are drawn from Gaussians with the
lesson's seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import Adam
from lessons.ch4_training.loss_functions import model as m

BINARY_CENTRES = (-1.1, 1.1)  # class 0 and class 1
BINARY_COUNTS = (5, 5)  # plus the learner's example ★ of class 1
BINARY_SPREAD = 0.45
CLASS_CENTRES = (-1.2, 0.0, 1.2)  # three classes along x
CLASS_COUNT = 3  # examples per class
CLASS_SPREAD = 0.5
CLASS_NAMES = ("A", "B", "C")
CLASS_SCHEDULE: tuple[tuple[int, float], ...] = ((250, 0.1), (100, 0.03))


@dataclass(frozen=True, eq=False)  # holds arrays
class Classes:
    """Examples of a classification problem, the engine's fitted probabilities and losses.

    Two classes: ``probs`` is p(class 1) per example (n,), ``grid`` p(class 1) at GRID_X.
    Several: ``probs`` (n, k) and ``grid`` (len(GRID_X), k).  ``p_true`` is the probability
    each example's true class got; ``per`` the engine's per-example cross-entropy;
    ``reported`` the loss the engine reports for the model (``evaluate``, from logits).
    """

    x: np.ndarray
    labels: np.ndarray  # int class per example
    probs: np.ndarray
    grid: np.ndarray
    p_true: np.ndarray
    per: np.ndarray
    reported: float
    weights: tuple[np.ndarray, ...]
    names: tuple[str, ...]  # one label per example: "1".."n-1", "★"
    # Two classes only (None for more): (y − p)², what MSE on the probabilities would charge,
    # and the engine's categorical cross-entropy of (1 − p, p), the same numbers as ``per``.
    squared: np.ndarray | None = None
    as_categorical: np.ndarray | None = None


GRID_X = np.linspace(-2.2, 2.2, 221)


@lru_cache(maxsize=16)
def binary(star: float, data_seed: int, model_seed: int) -> Classes:
    """Two classes along x; the last example ★ (class 1) sits where the learner puts it.

    Cached and read-only like :func:`regression`."""
    rng = np.random.default_rng(data_seed)
    parts = [
        rng.normal(c, BINARY_SPREAD, k) for c, k in zip(BINARY_CENTRES, BINARY_COUNTS, strict=True)
    ]
    xs = np.concatenate(parts)
    ys = np.concatenate([np.full(m, k) for k, m in enumerate(BINARY_COUNTS)])
    order = np.argsort(xs)
    x = np.append(xs[order], star)
    labels = np.append(ys[order], 1).astype(np.int64)
    target = labels.astype(np.float64)[:, None]
    model = Sequential(
        [Input((1,)), Dense(1, activation="sigmoid")], seed=model_seed, dtype="float64"
    )
    model.compile(optimizer=Adam(0.1), loss="binary_crossentropy")
    m.train(model, x[:, None], target, CLASS_SCHEDULE)
    p = model.predict(x[:, None])[:, 0]
    p_true = np.where(labels == 1, p, 1.0 - p)
    both = np.stack([1.0 - p, p], axis=1)
    onehot = np.eye(2)[labels]
    return m.frozen(
        Classes(
            x=x,
            labels=labels,
            probs=p,
            grid=model.predict(GRID_X[:, None])[:, 0],
            p_true=p_true,
            per=m.BCE.per_example(target, p[:, None]),
            reported=float(model.evaluate(x[:, None], target)["loss"]),
            weights=tuple(model.get_weights()),
            names=(*(str(i + 1) for i in range(len(x) - 1)), "★"),
            squared=m.MSE.per_example(target, p[:, None]),
            as_categorical=m.CCE.per_example(onehot, both),
        )
    )


@lru_cache(maxsize=4)
def categorical(data_seed: int, model_seed: int) -> Classes:
    """Three classes along x, a softmax model fitted with categorical cross-entropy.

    Cached and read-only like :func:`regression`."""
    rng = np.random.default_rng(data_seed)
    xs = np.concatenate([rng.normal(c, CLASS_SPREAD, CLASS_COUNT) for c in CLASS_CENTRES])
    ys = np.repeat(np.arange(len(CLASS_CENTRES)), CLASS_COUNT)
    order = np.argsort(xs)
    x, labels = xs[order], ys[order].astype(np.int64)
    k = len(CLASS_CENTRES)
    onehot = np.eye(k)[labels]
    model = Sequential(
        [Input((1,)), Dense(k, activation="softmax")], seed=model_seed, dtype="float64"
    )
    model.compile(optimizer=Adam(0.1), loss="categorical_crossentropy")
    m.train(model, x[:, None], onehot, CLASS_SCHEDULE)
    probs = model.predict(x[:, None])
    p_true = probs[np.arange(len(x)), labels]
    return m.frozen(
        Classes(
            x=x,
            labels=labels,
            probs=probs,
            grid=model.predict(GRID_X[:, None]),
            p_true=p_true,
            per=m.CCE.per_example(onehot, probs),
            reported=float(model.evaluate(x[:, None], onehot)["loss"]),
            weights=tuple(model.get_weights()),
            names=tuple(str(i + 1) for i in range(len(x))),
        )
    )
