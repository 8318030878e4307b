"""The numbers of lesson 7.1, all computed by the engine's SimpleRNN layer.

A run feeds one input sequence x_1..x_T (one feature) through a ``SimpleRNN`` whose kernel W,
recurrent kernel U and bias b the lesson sets, records the layer's ``RNNStep`` events
(x_t, h_{t-1}, h_t for each step) and keeps them with the layer's own output.  The
per-step pieces the lesson writes out (x_t W, h_{t-1} U, z_t) are products of the engine's
weights with the event's x_t and h_{t-1}; the tests check that tanh(z_t) is the engine's h_t.

Sequences are made from the controls only (no randomness); the layer's weights for several
units come from the lesson's seeded generator, with U an orthogonal matrix (Keras's default
recurrent initialiser, the engine's ``orthogonal``) times the learner's recurrent weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.core.events import RNNStep, Tracer, use_tracer
from engine.nn.recurrent import SimpleRNN, orthogonal

STEPS = 10  # T: time steps in every sequence
UNITS = 3  # neurons in the layer of lesson step "A layer of recurrent neurons"
SEQUENCES = ("single pulse", "two pulses", "held input", "sine wave")
GAP = 4  # steps between the two pulses


def sequence(kind: str, pulse: int, steps: int = STEPS) -> np.ndarray:
    """The input x_1..x_T (shape (T,)) for a sequence kind; ``pulse`` is a 1-based time."""
    t = np.arange(1, steps + 1)
    x = np.zeros(steps)
    if kind == "single pulse":
        x[pulse - 1] = 1.0
    elif kind == "two pulses":
        x[pulse - 1] = 1.0
        x[min(pulse - 1 + GAP, steps - 1)] = 1.0
    elif kind == "held input":
        x[pulse - 1 :] = 1.0
    elif kind == "sine wave":
        x = np.sin(2.0 * np.pi * (t - pulse) / 6.0)
        x[np.abs(x) < 1e-12] = 0.0
    else:
        raise ValueError(f"unknown sequence {kind!r}; use one of {', '.join(SEQUENCES)}")
    return x


@dataclass(frozen=True, eq=False)
class RNNRun:
    """One sequence through a SimpleRNN: weights, the recorded steps and the layer's output.

    Arrays are time-major with t = 1..T at index t - 1: ``x`` (T, F), ``h_prev`` and ``h``
    (T, units) from the RNNStep events, ``output`` (T, units) what the layer returned
    (return_sequences=True).  ``xw`` = x_t W, ``hu`` = h_{t-1} U and ``z`` = xw + hu + b are
    computed here from the engine's weights and the events.
    """

    kernel: np.ndarray  # W (F, units)
    recurrent: np.ndarray  # U (units, units)
    bias: np.ndarray  # b (units,)
    x: np.ndarray
    h_prev: np.ndarray
    h: np.ndarray
    output: np.ndarray
    params: int

    @property
    def steps(self) -> int:
        return len(self.x)

    @property
    def units(self) -> int:
        return int(self.h.shape[1])

    @property
    def xw(self) -> np.ndarray:
        """x_t W for every step (T, units)."""
        return np.asarray(self.x @ self.kernel)

    @property
    def hu(self) -> np.ndarray:
        """h_{t-1} U for every step (T, units)."""
        return np.asarray(self.h_prev @ self.recurrent)

    @property
    def z(self) -> np.ndarray:
        """The pre-activation z_t = x_t W + h_{t-1} U + b (T, units)."""
        return np.asarray(self.xw + self.hu + self.bias)


def run_rnn(x: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray) -> RNNRun:
    """Feed ``x`` (T, F) through a SimpleRNN with these weights (float64), recording each step."""
    x = np.asarray(x, dtype=np.float64)
    units = recurrent.shape[0]
    layer = SimpleRNN(units, return_sequences=True, name="simple_rnn")
    layer.prepare(np.random.default_rng(0), "float64")
    layer.build((None, x.shape[0], x.shape[1]))
    if layer.kernel is None or layer.recurrent_kernel is None or layer.bias is None:
        raise RuntimeError("the SimpleRNN layer built no weights")
    layer.kernel.data[...] = kernel
    layer.recurrent_kernel.data[...] = recurrent
    layer.bias.data[...] = bias
    with use_tracer(Tracer()) as tracer, tracer.record((RNNStep,)) as rec:
        out = layer(x[None])
    events = [e for e in rec if isinstance(e, RNNStep)]
    if [e.t for e in events] != list(range(len(x))):
        raise RuntimeError("the SimpleRNN layer did not report one RNNStep per time step")
    return RNNRun(
        kernel=np.array(layer.kernel.data, dtype=np.float64),
        recurrent=np.array(layer.recurrent_kernel.data, dtype=np.float64),
        bias=np.array(layer.bias.data, dtype=np.float64),
        x=np.stack([e.x_t for e in events]).astype(np.float64),
        h_prev=np.stack([e.h_prev for e in events]).astype(np.float64),
        h=np.stack([e.h_t for e in events]).astype(np.float64),
        output=np.array(out.data[0], dtype=np.float64),
        params=layer.count_params(),
    )


@lru_cache(maxsize=32)  # keyed by control values: bounded for long sessions
def neuron(kind: str, pulse: int, w: float, u: float) -> RNNRun:
    """One recurrent neuron (a SimpleRNN with 1 unit, b = 0) over the chosen sequence."""
    x = sequence(kind, pulse)[:, None]
    return run_rnn(x, np.array([[w]]), np.array([[u]]), np.zeros(1))


def layer_weights(w: float, u: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """W (1, units): seeded numbers around 1 times ``w``; U (units, units): a seeded
    orthogonal matrix times ``u`` (so every direction of the state is scaled by |u|)."""
    rng = np.random.default_rng(seed)
    base = np.round(rng.uniform(0.5, 1.5, UNITS) * rng.choice((-1.0, 1.0), UNITS), 2)
    base[0] = abs(base[0])
    return w * base[None, :], u * orthogonal((UNITS, UNITS), rng, np.float64)


@lru_cache(maxsize=32)  # keyed by control values: bounded for long sessions
def layer(kind: str, pulse: int, w: float, u: float, seed: int) -> RNNRun:
    """A layer of ``UNITS`` recurrent neurons over the chosen sequence (b = 0)."""
    kernel, recurrent = layer_weights(w, u, seed)
    return run_rnn(sequence(kind, pulse)[:, None], kernel, recurrent, np.zeros(UNITS))


# ---- memory: the echo of one pulse ---------------------------------------------------------


@dataclass(frozen=True)
class Echo:
    """What is left of a single pulse at time ``pulse`` in one neuron's state.

    ``after[k]`` is h at k steps after the pulse (k = 0 is the pulse step itself), ``linear[k]``
    what the same loop would give without tanh (u^k h_pulse), ``kept`` = |h_T| / |h_pulse|.
    """

    u: float
    after: np.ndarray
    linear: np.ndarray
    kept: float
    verdict: str
    why: str
    flips: bool


SATURATED = 0.95  # |h| at or above this is pressed against tanh's ceiling of 1
FADED = 0.05  # an echo below 5 % of its start counts as forgotten
HELD = 0.5  # an echo that keeps at least half of its start is held


def echo(pulse: int, w: float, u: float) -> Echo:
    """The pulse's echo in a single neuron, its verdict computed from the engine's numbers."""
    run = neuron("single pulse", pulse, w, u)
    after = run.h[pulse - 1 :, 0]
    start = float(after[0])
    with np.errstate(over="ignore"):
        linear = start * np.power(u, np.arange(len(after)), dtype=np.float64)
    end = float(after[-1])
    kept = abs(end) / abs(start) if start != 0.0 else 0.0
    k = len(after) - 1
    if start == 0.0:
        verdict, why = "no echo", "the input weight is 0, so the pulse never enters the state"
    elif abs(end) >= SATURATED:
        verdict = "saturates"
        why = f"|h| is stuck at {abs(end):.3f}, close to tanh's ceiling of 1"
    elif kept >= HELD:
        verdict = "persists"
        why = f"{k} steps later h keeps {kept:.0%} of its start"
    elif kept < FADED:
        verdict = "fades"
        why = f"{k} steps later only {kept:.1%} of it is left"
    else:
        verdict = "fades slowly"
        why = f"{k} steps later {kept:.0%} of it is left"
    flips = bool(start != 0.0 and k >= 1 and np.sign(after[1]) == -np.sign(start))
    if flips:
        why += "; the sign flips at every step (u is negative)"
    return Echo(u, after, linear, kept, verdict, why, flips)


SWEEP = (0.5, 0.9, 1.0, 1.5, 3.0, -1.5)  # recurrent weights compared in the memory step


def half_life(e: Echo) -> int | None:
    """Steps after the pulse until |h| first falls below half of its start; None: never here."""
    start = abs(float(e.after[0]))
    if start == 0.0:
        return None
    below = np.nonzero(np.abs(e.after) < 0.5 * start)[0]
    return int(below[0]) if below.size else None


def fixed_point(u: float) -> float:
    """The non-negative h* = tanh(u h*) a neuron with no input settles to (0 for |u| <= 1)."""
    if abs(u) <= 1.0:
        return 0.0
    h = 1.0
    for _ in range(200):
        h = math.tanh(abs(u) * h)
    return h
