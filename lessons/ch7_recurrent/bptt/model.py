"""The numbers of lesson 7.3: a small tanh RNN run forward and backward by the engine.

One sequence of ``T`` random numbers goes through the engine's ``SimpleRNN`` (16 units,
float64) and a ``Dense(1)`` read-out; the loss is the mean squared error between the output
and the sequence's *first* number (at the last step only, or at every step).  The recurrent
kernel is a fixed orthogonal matrix times ``rho``, so ``rho`` is exactly its spectral radius.

:func:`run` does one forward and backward pass with the engine and keeps what the engine
reports: the states h_t, the loss, the parameter gradients and ``hidden_grad_norms``
(||dL/dh_t|| per step, zero outside a truncation window).  The gradient vectors dL/dh_t
themselves are not exposed by the engine, so :func:`run` also walks the recursion
dL/dh_{t-1} = (dL/dh_t * (1 - h_t^2)) U^T + direct_{t-1} on the engine's own weights and states;
the tests check that walk against the engine's norms and central differences.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import numpy as np

from engine.core.tensor import Tensor
from engine.nn import initializers
from engine.nn.layers import Dense
from engine.nn.losses import MeanSquaredError
from engine.nn.recurrent import SimpleRNN, orthogonal

UNITS = 16
INPUT_SCALE = 0.5  # the inputs are N(0, 0.5^2)
LEARNING_RATE = 0.1  # plain gradient descent in the clipping step
TRAIN_UPDATES = 40
CLIP_RHO = 3.0  # the exploding case the clipping step uses when the learner's rho does not explode
REFERENCE_RHOS = (0.5, 1.0, 3.0)
BAND = 10.0  # "within 10x": neither vanishing nor exploding


@dataclass(frozen=True, eq=False)  # holds arrays
class Weights:
    """All parameters: kernel W (1, u), recurrent kernel U (u, u), bias b (u,), read-out v, c."""

    W: np.ndarray
    U: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: np.ndarray

    def arrays(self) -> tuple[np.ndarray, ...]:
        return (self.W, self.U, self.b, self.v, self.c)


PARAM_NAMES = ("W", "U", "b", "v", "c")


@functools.cache
def _base(seed: int) -> Weights:
    rng = np.random.default_rng([seed, 73])
    return Weights(
        W=initializers.glorot_uniform((1, UNITS), rng, np.float64),
        U=orthogonal((UNITS, UNITS), rng, np.float64),
        b=np.zeros(UNITS),
        v=initializers.glorot_uniform((UNITS, 1), rng, np.float64),
        c=np.zeros(1),
    )


def init_weights(rho: float, seed: int) -> Weights:
    """The seed's weights with U = rho * (a fixed orthogonal matrix): spectral radius rho."""
    base = _base(seed)
    return replace(base, U=rho * base.U)


def sequence(length: int, seed: int) -> np.ndarray:
    """The seed's input sequence x_1..x_T (the first ``length`` numbers of one long draw)."""
    rng = np.random.default_rng([seed, 7])
    return INPUT_SCALE * rng.standard_normal(200)[:length]


@dataclass(frozen=True, eq=False)  # holds arrays
class Pass:
    """One forward and backward pass: what the engine computed, and the dL/dh_t vectors."""

    weights: Weights
    x: np.ndarray  # (T,)
    every: bool  # the loss looks at every step (else only at the last)
    k: int | None  # bptt_steps
    h: np.ndarray  # (T + 1, u): h[0] = 0, h[t] = h_t
    y_hat: np.ndarray  # (T,) the read-out at every step
    loss: float
    norms: np.ndarray  # (T,) the engine's hidden_grad_norms: ||dL/dh_t||, t = 1..T
    grads: tuple[np.ndarray, ...]  # the engine's gradients of W, U, b, v, c
    dh: np.ndarray  # (T, u) dL/dh_t from the recursion (zero outside the window)
    direct: np.ndarray  # (T, u) the output's own term in dL/dh_t

    @property
    def length(self) -> int:
        return len(self.x)

    @property
    def target(self) -> float:
        return float(self.x[0])

    @property
    def first(self) -> int:
        """Index of the earliest step the backward walk reaches (0-based)."""
        return 0 if self.k is None else max(self.length - self.k, 0)

    @property
    def grad_norm(self) -> float:
        """||g|| over all parameters together (what clipping by norm looks at)."""
        with np.errstate(all="ignore"):
            return float(math.sqrt(sum(float(np.sum(g * g)) for g in self.grads)))


def run(w: Weights, x: np.ndarray, every: bool, k: int | None = None) -> Pass:
    """Forward and backward through the engine (float64); NaN/inf pass through untouched."""
    steps = len(x)
    rng = np.random.default_rng(0)  # unused: every weight is set below
    rnn = SimpleRNN(UNITS, return_sequences=True, bptt_steps=k)
    dense = Dense(1)
    rnn.prepare(rng, "float64")
    dense.prepare(rng, "float64")
    rnn.build((None, steps, 1))
    dense.build((None, steps, UNITS))
    built = (rnn.kernel, rnn.recurrent_kernel, rnn.bias, dense.kernel, dense.bias)
    params = [p for p in built if p is not None]
    if len(params) != len(built):
        raise RuntimeError("the engine's layers did not create every weight")
    for p, value in zip(params, w.arrays(), strict=True):
        p.data[...] = value
    target = np.full((1, steps, 1), float(x[0]))
    with np.errstate(all="ignore"):
        states = rnn(Tensor(x.reshape(1, steps, 1), dtype="float64"))
        out = dense(states)
        scored = out if every else out[:, steps - 1 :, :]
        loss = MeanSquaredError()(target[:, : scored.shape[1]], scored)
        loss.backward()
    grads = tuple(np.array(p.grad, dtype=np.float64) for p in params)
    h = np.vstack([np.zeros((1, UNITS)), np.asarray(states.data)[0]])
    y_hat = np.asarray(out.data)[0, :, 0].copy()
    norms = np.asarray(rnn.hidden_grad_norms, dtype=np.float64).copy()
    direct, dh = _walk(w, h, y_hat, float(x[0]), every, k)
    return Pass(w, x, every, k, h, y_hat, float(loss.item()), norms, grads, dh, direct)


def _walk(
    w: Weights, h: np.ndarray, y_hat: np.ndarray, target: float, every: bool, k: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """dL/dh_t from the last step back: (dL/dh_t * (1 - h_t^2)) U^T plus the output's term."""
    steps = len(y_hat)
    direct = np.zeros((steps, UNITS))
    dh = np.zeros((steps, UNITS))
    with np.errstate(all="ignore"):
        if every:
            direct[:] = (2.0 / steps) * (y_hat - target)[:, None] * w.v[:, 0][None, :]
        else:
            direct[-1] = 2.0 * (y_hat[-1] - target) * w.v[:, 0]
        first = 0 if k is None else max(steps - k, 0)
        carry = np.zeros(UNITS)
        for t in range(steps - 1, first - 1, -1):
            dh[t] = direct[t] + carry
            carry = (dh[t] * (1.0 - h[t + 1] ** 2)) @ w.U.T
    return direct, dh


@functools.lru_cache(maxsize=256)
def cached_run(rho: float, length: int, every: bool, k: int | None, seed: int) -> Pass:
    """:func:`run` for control values (cached: Back and the tests reuse it)."""
    return run(init_weights(rho, seed), sequence(length, seed), every, k)


# ---- verdicts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """How ||dL/dh|| changes from the last step back to the first step the walk reaches."""

    word: str  # "vanishing" | "exploding" | "stable" | "overflow" | "no gradient"
    ratio: float  # ||dL/dh_first|| / ||dL/dh_T||
    per_step: float  # the geometric mean factor per step back
    steps: int  # how many steps back


def verdict(norms: np.ndarray) -> Verdict:
    """Compare the gradient norm at the earliest reached step with the one at the last step."""
    reached = np.flatnonzero(norms != 0)
    if not reached.size:
        return Verdict("no gradient", math.nan, math.nan, 0)
    first, last = float(norms[reached[0]]), float(norms[-1])
    steps = len(norms) - 1 - int(reached[0])
    if not (math.isfinite(first) and math.isfinite(last)):
        return Verdict("overflow", math.nan, math.nan, steps)
    if last == 0:
        return Verdict("no gradient", math.nan, math.nan, steps)
    ratio = first / last
    per_step = ratio ** (1.0 / steps) if steps and ratio > 0 else 1.0
    if ratio < 1.0 / BAND:
        word = "vanishing"
    elif ratio > BAND:
        word = "exploding"
    else:
        word = "stable"
    return Verdict(word, ratio, per_step, steps)


# ---- clipping --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # holds arrays
class Training:
    """Plain gradient descent on the one sequence, with or without clipping by norm."""

    losses: np.ndarray  # loss before update 0, 1, ... (NaN once it stopped)
    grad_norms: np.ndarray  # ||g|| at each update
    scales: np.ndarray  # the factor clipping applied, min(1, clip / ||g||)
    stopped: int | None  # the update at which the loss stopped being finite


def clip_factor(norm: float, clip: float | None) -> float:
    """min(1, clip / ||g||): the factor clipping by norm multiplies the gradient with."""
    if clip is None or not math.isfinite(norm):
        return 1.0 if clip is None else 0.0
    return min(1.0, clip / norm) if norm > 0 else 1.0


@functools.lru_cache(maxsize=64)
def train(
    rho: float, length: int, every: bool, k: int | None, clip: float | None, seed: int
) -> Training:
    """``TRAIN_UPDATES`` updates w <- w - eta * min(1, clip/||g||) * g (engine gradients)."""
    w = init_weights(rho, seed)
    x = sequence(length, seed)
    losses = np.full(TRAIN_UPDATES + 1, np.nan)
    norms = np.full(TRAIN_UPDATES, np.nan)
    scales = np.full(TRAIN_UPDATES, np.nan)
    stopped: int | None = None
    for i in range(TRAIN_UPDATES + 1):
        p = run(w, x, every, k)
        if not math.isfinite(p.loss):
            stopped = i
            break
        losses[i] = p.loss
        if i == TRAIN_UPDATES:
            break
        norms[i] = p.grad_norm
        scales[i] = clip_factor(norms[i], clip)
        if not math.isfinite(norms[i]):
            stopped = i + 1
            break
        with np.errstate(all="ignore"):
            w = Weights(
                *(
                    a - LEARNING_RATE * scales[i] * g
                    for a, g in zip(w.arrays(), p.grads, strict=True)
                )
            )
    return Training(losses, norms, scales, stopped)
