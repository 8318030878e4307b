"""The two scenarios of lesson 8.1, their data splits and the engine-trained classifier.

*Breast cancer* is the real Wisconsin diagnostic set (assets/breast_cancer.npz, see
assets/ATTRIBUTION.md): 569 tumours, 30 features measured on images of fine-needle aspirates,
1 = malignant.  *Emergency braking* is a synthetic set this module draws from a seed: situations
in which a car's forward sensors report an object ahead, 1 = a real obstacle on a collision
course.  Each set is cut into training (50 %), validation (25 %) and test (25 %) rows, the
features are standardised with the training rows' statistics, and the engine trains a logistic
regression (one Dense unit, binary cross-entropy from logits, Adam) on the training rows.  The
lesson then reads the model's probabilities p = σ(z) on the held-out rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from engine.data.datasets import load_breast_cancer
from engine.data.loading import StandardScaler, train_validation_split
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.losses import BinaryCrossentropy
from engine.nn.optimizers import Adam

CANCER, BRAKING = "Breast cancer (real data)", "Emergency braking (synthetic)"
SCENARIOS = (CANCER, BRAKING)
EPOCHS = 40
BATCH = 32
RATE = 0.01
SPLIT_SEED = 0  # which rows are held out (the same for every run)
MODEL_SEED = 1  # the model's initial weights and its shuffles
BRAKING_SEED = 81  # the synthetic braking situations
BRAKING_SIZE = 1200
BRAKING_SHARE = 0.3  # share of real obstacles among the situations drawn


@dataclass(frozen=True)
class Words:
    """How a scenario names its classes and its two kinds of error."""

    positive: str  # "malignant"
    negative: str  # "benign"
    case: str  # "tumour"
    cases: str  # "tumours"
    act: str  # what a positive call sets off: "biopsy"
    fp: str  # "unnecessary biopsy"
    fn: str  # "missed cancer"
    fps: str  # plural: "unnecessary biopsies"
    fns: str  # "missed cancers"
    fp_long: str
    fn_long: str
    one_pos: str  # "malignant tumour", "real obstacle"
    one_neg: str  # "benign tumour", "harmless situation"

    @property
    def positives(self) -> str:
        """The positive cases in prose: "malignant tumours"."""
        return self.one_pos + "s"

    @property
    def negatives(self) -> str:
        """The negative cases in prose: "benign tumours"."""
        return self.one_neg + "s"


CANCER_WORDS = Words(
    "malignant",
    "benign",
    "tumour",
    "tumours",
    "biopsy",
    "unnecessary biopsy",
    "missed cancer",
    "unnecessary biopsies",
    "missed cancers",
    "a benign tumour sent to biopsy or surgery it did not need",
    "a malignant tumour called benign: the cancer goes untreated",
    "malignant tumour",
    "benign tumour",
)
BRAKING_WORDS = Words(
    "obstacle",
    "harmless",
    "situation",
    "situations",
    "braking",
    "braking for nothing",
    "crash",
    "brakings for nothing",
    "crashes",
    "the car brakes hard for a bridge, a sign or a bag",
    "it does not brake and hits the car in front",
    "real obstacle",
    "harmless situation",
)


@dataclass(frozen=True, eq=False)
class Scenario:
    """One scenario's data, split, trained model outputs and words."""

    name: str
    words: Words
    features: tuple[str, ...]
    y: np.ndarray  # (n,) int 0/1, all rows
    train: np.ndarray  # row indices
    val: np.ndarray
    test: np.ndarray
    p: np.ndarray  # (n,) float64: the model's probability of the positive class, every row
    loss: np.ndarray  # (EPOCHS,) training loss per epoch
    val_loss: np.ndarray  # (EPOCHS,) validation loss per epoch
    synthetic: bool

    @property
    def size(self) -> int:
        """All rows of the set."""
        return len(self.y)

    def part(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        """(labels, probabilities) of ``which`` rows: "train", "val" or "test"."""
        rows = {"train": self.train, "val": self.val, "test": self.test}[which]
        return self.y[rows], self.p[rows]


def braking_data(seed: int = BRAKING_SEED, n: int = BRAKING_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic sensor readings (n, 3) and labels (1 = real obstacle) drawn from ``seed``.

    Features: the radar's time to collision (s), the radar echo strength (0..1 scale, noisy)
    and a camera's "vehicle ahead" score.  Real obstacles are nearer in time, echo more and
    look more like cars, but every feature overlaps between the classes.
    """
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < BRAKING_SHARE).astype(np.int64)
    ttc = np.where(y == 1, rng.lognormal(np.log(1.6), 0.45, n), rng.lognormal(np.log(2.8), 0.5, n))
    echo = np.where(y == 1, rng.normal(0.62, 0.22, n), rng.normal(0.38, 0.25, n))
    camera = np.where(y == 1, rng.normal(0.66, 0.22, n), rng.normal(0.42, 0.24, n))
    return np.stack([ttc, echo, camera], axis=1), y


BRAKING_FEATURES = ("time to collision (s)", "radar echo strength", "camera vehicle score")


def split_rows(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training, validation and test row indices (50 / 25 / 25 %), from the engine's split."""
    idx = np.arange(n)
    rest, _, test, _ = train_validation_split(idx, idx, 0.25, seed=SPLIT_SEED)
    train, _, val, _ = train_validation_split(rest, rest, 1 / 3, seed=SPLIT_SEED + 100)
    return np.sort(train), np.sort(val), np.sort(test)


def build(n_inputs: int) -> Sequential:
    """Logistic regression in the engine: one Dense unit, BCE from logits, Adam."""
    model = Sequential([Input((n_inputs,)), Dense(1)], seed=MODEL_SEED, dtype="float64")
    model.compile(optimizer=Adam(RATE), loss=BinaryCrossentropy(from_logits=True))
    return model


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)) in float64, without overflow warnings for large |z|."""
    out = np.empty_like(z, dtype=np.float64)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _fit(
    name: str, words: Words, features: tuple[str, ...], x: np.ndarray, y: np.ndarray, synth: bool
) -> Scenario:
    train, val, test = split_rows(len(y))
    xs = StandardScaler().fit(x[train]).transform(x).astype(np.float64)
    model = build(x.shape[1])
    yt = y[train].astype(np.float64)[:, None]
    yv = y[val].astype(np.float64)[:, None]
    history = model.fit(
        xs[train], yt, epochs=EPOCHS, batch_size=BATCH, validation_data=(xs[val], yv)
    )
    z = np.asarray(model.predict(xs), dtype=np.float64)[:, 0]
    return Scenario(
        name,
        words,
        features,
        y.astype(np.int64),
        train,
        val,
        test,
        sigmoid(z),
        np.asarray(history.history["loss"], dtype=np.float64),
        np.asarray(history.history["val_loss"], dtype=np.float64),
        synth,
    )


@cache
def scenario(name: str) -> Scenario:
    """The trained scenario ``name`` (one of :data:`SCENARIOS`); computed once per process."""
    if name == CANCER:
        data = load_breast_cancer()
        x = np.asarray(data.x, dtype=np.float64)
        return _fit(name, CANCER_WORDS, tuple(data.feature_names), x, data.y, False)
    if name == BRAKING:
        x, y = braking_data()
        return _fit(name, BRAKING_WORDS, BRAKING_FEATURES, x, y, True)
    raise ValueError(f"unknown scenario {name!r}: use one of {SCENARIOS}")


def other(name: str) -> str:
    """The scenario that is not ``name``."""
    return BRAKING if name == CANCER else CANCER


def resample(
    y: np.ndarray, p: np.ndarray, share: float, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` cases drawn with replacement from (y, p) so that a ``share`` of them are positive.

    The positives are round(share·n) draws from the positive cases, the rest draws from the
    negative ones: the same model scores, a rarer condition.
    """
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    n_pos = round(share * n)
    picks = np.concatenate([rng.choice(pos, n_pos), rng.choice(neg, n - n_pos)])
    return y[picks], p[picks]
