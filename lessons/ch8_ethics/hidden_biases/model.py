"""The screening models of lesson 8.2 and the fairness numbers they are judged by.

Every model is a logistic regression trained by the engine (one ``Dense(1)`` unit on
standardised features, full-batch Adam, binary cross-entropy from logits).  Reweighing trains
with a weight per example, ``w(g, y) = P(g) P(y) / P(g, y)`` (Kamiran and Calders, 2012), through
:class:`WeightedBCE`.  The trainings are cached: they depend on the controls only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np

from engine.analysis.metrics import GroupRates, rates_by_group
from engine.data.datasets import load_credit_g
from engine.data.loading import StandardScaler
from engine.data.synthetic.hiring import make_hiring
from engine.models.sequential import Sequential
from engine.nn.layers import Dense
from engine.nn.losses import BinaryCrossentropy
from engine.nn.optimizers import Adam

TRAIN_STEPS = 300
LEARNING_RATE = 0.05
APPLICANTS = 2000
TRAIN_SHARE = 0.6
FOLDS = 5
YOUNG = 25  # German credit: group B is the applicants younger than this


class WeightedBCE(BinaryCrossentropy):
    """Binary cross-entropy from logits with one fixed weight per example (full batches)."""

    def __init__(self, weights: np.ndarray) -> None:
        super().__init__(from_logits=True)
        self.weights = np.asarray(weights, dtype=np.float64)

    def _compute(self, y: Any, p: Any, logits: bool) -> tuple[Any, Any]:
        values, grad = super()._compute(y, p, logits)
        w = self.weights.astype(values.dtype)
        return values * w, lambda: grad() * w.reshape(-1, *([1] * (p.ndim - 1)))


def train_logistic(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray | None, seed: int
) -> Sequential:
    """A logistic regression fitted by the engine on standardised ``x`` (full-batch Adam)."""
    w = np.ones(len(y)) if weights is None else weights
    model = Sequential([Dense(1)], seed=seed, dtype="float64")
    model.compile(Adam(LEARNING_RATE), WeightedBCE(w))
    target = y.astype(np.float64).reshape(-1, 1)
    for _ in range(TRAIN_STEPS):
        model.train_on_batch(x, target)
    return model


def probabilities(model: Sequential, x: np.ndarray) -> np.ndarray:
    """P(positive) for each row: the sigmoid of the model's logit."""
    z = model.predict(x).ravel().astype(np.float64)
    return 1.0 / (1.0 + np.exp(-z))


def reweighing(group: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kamiran-Calders weights P(g) P(y) / P(g, y): group and label independent when weighted."""
    w = np.zeros(len(y))
    for g in (0, 1):
        for label in (0, 1):
            cell = (group == g) & (y == label)
            if cell.any():
                w[cell] = (group == g).mean() * (y == label).mean() / cell.mean()
    return w


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation; NaN where one of them is constant."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    sa, sb = a.std(), b.std()
    if sa == 0 or sb == 0:
        return math.nan
    return float(((a - a.mean()) * (b - b.mean())).mean() / (sa * sb))


# -- decisions and their rates ---------------------------------------------------------------


def decide(scores: np.ndarray, group: np.ndarray, t_a: float, t_b: float) -> np.ndarray:
    """1 where the score reaches its group's threshold (``t_a`` for group 0, ``t_b`` for 1)."""
    return (scores >= np.where(group == 1, t_b, t_a)).astype(np.int64)


def group_rates(truth: np.ndarray, chosen: np.ndarray, group: np.ndarray) -> tuple[GroupRates, ...]:
    """The engine's per-group rates of decisions ``chosen`` against ``truth`` (A, then B)."""
    rates = rates_by_group(truth, chosen.astype(np.float64), group, threshold=0.5)
    return rates[0], rates[1]


def accuracy(truth: np.ndarray, chosen: np.ndarray) -> float:
    """Share of decisions that agree with ``truth``."""
    return float((truth == chosen).mean())


# -- the synthetic hiring runs ---------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # holds arrays
class Screen:
    """One screening model's test-set scores and its thresholds for groups A and B."""

    name: str
    scores: np.ndarray
    t_a: float = 0.5
    t_b: float = 0.5
    coef: tuple[float, ...] = ()

    def chosen(self, group: np.ndarray) -> np.ndarray:
        return decide(self.scores, group, self.t_a, self.t_b)


@dataclass(frozen=True, eq=False)  # holds arrays
class Hiring:
    """The synthetic set's test applicants and the four screening models compared on them."""

    group: np.ndarray
    hired: np.ndarray  # the biased historical decision
    qualified: np.ndarray  # the unbiased ground truth
    proxy: np.ndarray  # 'neighbourhood'
    test_score: np.ndarray  # a feature driven by ability, for comparison with the proxy
    proxy_corr: float  # correlation of the proxy with group membership (training applicants)
    train_hired: tuple[float, float]  # historical hiring rate of A and B (training applicants)
    train_qualified: tuple[float, float]
    n_train: tuple[int, int]
    features: tuple[str, ...]
    full: Screen  # trained with the group column
    blind: Screen  # the group column dropped
    reweighed: Screen  # dropped and trained with reweighing
    thresholds: Screen  # the blind model with per-group thresholds (equal selection rates)


def equalising_threshold(scores: np.ndarray, target: float) -> float:
    """The threshold at which a share ``target`` of ``scores`` is at or above it."""
    k = round(target * len(scores))
    if k <= 0:
        return 1.0
    return float(np.sort(scores)[::-1][min(k, len(scores)) - 1])


@lru_cache(maxsize=8)  # keyed by control values: bounded for long sessions
def hiring(bias: float, proxy_strength: float, seed: int) -> Hiring:
    """Train the four hiring screens on 60% of the applicants; score the other 40%."""
    data = make_hiring(
        APPLICANTS, bias=bias, proxy_strength=proxy_strength, seed=seed, dtype=np.float64
    )
    cut = round(TRAIN_SHARE * APPLICANTS)
    tr, te = slice(0, cut), slice(cut, None)
    g_tr, y_tr = data.group[tr], data.y[tr]
    blind_x, names = data.without_group()

    def fit(
        x: np.ndarray, weights: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, tuple[float, ...]]:
        scaler = StandardScaler().fit(x[tr])
        model = train_logistic(scaler.transform(x[tr]), y_tr, weights, seed)
        kernel = model.get_weights()[0].ravel()
        return (
            probabilities(model, scaler.transform(x[tr])),
            probabilities(model, scaler.transform(x[te])),
            tuple(float(v) for v in kernel),
        )

    _, full, full_coef = fit(data.x, None)
    blind_train, blind, blind_coef = fit(blind_x, None)
    _, rew, rew_coef = fit(blind_x, reweighing(g_tr, y_tr))
    share = float((blind_train[g_tr == 0] >= 0.5).mean())
    t_b = equalising_threshold(blind_train[g_tr == 1], share)
    proxy_col = names.index("neighbourhood")
    return Hiring(
        group=data.group[te],
        hired=data.y[te],
        qualified=data.qualified[te],
        proxy=data.x[te, proxy_col],
        test_score=data.x[te, names.index("test_score")],
        proxy_corr=correlation(data.x[tr, proxy_col], g_tr),
        train_hired=(float(y_tr[g_tr == 0].mean()), float(y_tr[g_tr == 1].mean())),
        train_qualified=(
            float(data.qualified[tr][g_tr == 0].mean()),
            float(data.qualified[tr][g_tr == 1].mean()),
        ),
        n_train=(int((g_tr == 0).sum()), int((g_tr == 1).sum())),
        features=data.feature_names,
        full=Screen("with the group column", full, coef=full_coef),
        blind=Screen("group column dropped", blind, coef=blind_coef),
        reweighed=Screen("reweighing", rew, coef=rew_coef),
        thresholds=Screen("per-group thresholds", blind, 0.5, t_b, blind_coef),
    )


# -- German credit ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # holds arrays
class Credit:
    """Out-of-fold P(good) for every German-credit applicant, with and without the age column."""

    group: np.ndarray  # 1: younger than YOUNG
    good: np.ndarray  # 1: the bank's record says good credit risk
    with_age: np.ndarray
    without_age: np.ndarray
    proxies: tuple[tuple[str, float], ...]  # the columns most correlated with the group


def credit_design(drop_age: bool) -> tuple[np.ndarray, tuple[str, ...], np.ndarray, np.ndarray]:
    """One-hot categorical columns and numeric columns of German credit; (x, names, group, good)."""
    data = load_credit_g()
    columns, names = [], []
    for j, name in enumerate(data.feature_names):
        if name == "age" and drop_age:
            continue
        col = data.x[:, j].astype(np.float64)
        levels = data.categories.get(name)
        if levels is None:
            columns.append(col)
            names.append(name)
            continue
        for k, level in enumerate(levels):
            if (col == k).any():
                columns.append((col == k).astype(np.float64))
                names.append(f"{name} = {level}")
    age = data.x[:, data.feature_names.index("age")]
    group = (age < YOUNG).astype(np.int64)
    return np.stack(columns, axis=1), tuple(names), group, (data.y == 0).astype(np.int64)


def out_of_fold(x: np.ndarray, good: np.ndarray, seed: int) -> np.ndarray:
    """Each applicant scored by a model trained on the other folds (5-fold, seeded shuffle)."""
    order = np.random.default_rng(seed).permutation(len(good))
    scores = np.zeros(len(good))
    for fold in np.array_split(order, FOLDS):
        train = np.setdiff1d(order, fold)
        scaler = StandardScaler().fit(x[train])
        model = train_logistic(scaler.transform(x[train]), good[train], None, seed)
        scores[fold] = probabilities(model, scaler.transform(x[fold]))
    return scores


@cache
def credit(seed: int) -> Credit:
    """German credit scored out of fold, with and without age; the strongest age proxies."""
    x_age, _, group, good = credit_design(drop_age=False)
    x, names, _, _ = credit_design(drop_age=True)
    corr = [(name, correlation(x[:, j], group)) for j, name in enumerate(names)]
    corr = sorted((c for c in corr if math.isfinite(c[1])), key=lambda c: -abs(c[1]))
    return Credit(
        group, good, out_of_fold(x_age, good, seed), out_of_fold(x, good, seed), tuple(corr[:3])
    )
