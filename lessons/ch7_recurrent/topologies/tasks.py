"""Lesson 7.2's four small tasks, one per RNN topology, trained by the engine and cached.

    sequence-to-sequence  running sum      x_1..x_T -> s_t = x_1 + ... + x_t at every step
    sequence-to-vector    is the sum > 0?  x_1..x_T -> one yes/no answer after the last step
    vector-to-sequence    sine from ω      one number ω -> sin(ω·1), ..., sin(ω·T)
    encoder-decoder       reverse digits   d_1..d_T -> d_T..d_1 (one-hot in, logits out)

Every model is a SimpleRNN (the recurrent neuron of 7.1) built by the engine's topology builders
(:mod:`engine.models.seqmodels`) and trained with Adam.  :func:`trained` is a pure function of
(topology, length) and cached, so moving the sample slider or going Back costs nothing.  The
hidden states the lesson animates come from the engine's ``RNNStep`` events of one forward pass
of the chosen sample; its outputs are ``Sequential.predict``'s.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from engine.core.events import RNNStep, Tracer, use_tracer
from engine.models.seqmodels import (
    encoder_decoder,
    one_hot,
    sequence_to_sequence,
    sequence_to_vector,
    vector_to_sequence,
)
from engine.models.sequential import Sequential
from engine.nn import losses, optimizers

TOPOLOGIES = ("sequence-to-sequence", "sequence-to-vector", "vector-to-sequence", "encoder-decoder")
TRAIN, TEST = 512, 200  # sequences per task
DIGITS = 10  # the encoder-decoder's vocabulary: 0..9
OMEGA = (0.3, 1.2)  # the vector-to-sequence task's frequencies (radians per step)
TOLERANCE = 0.1  # a regression output within this of its target counts as a hit
SEED = 72


@dataclass(frozen=True)
class Setup:
    """How one topology's model is built and trained."""

    task: str  # a few words for the learner
    units: int
    epochs: int
    rate: float
    classify: bool  # accuracy (True) or absolute error (False)


SETUPS: dict[str, Setup] = {
    "sequence-to-sequence": Setup("running sum", 8, 12, 0.02, False),
    "sequence-to-vector": Setup("is the sum positive?", 8, 12, 0.02, True),
    "vector-to-sequence": Setup("sine of a given frequency", 8, 15, 0.02, False),
    "encoder-decoder": Setup("reverse the digits", 32, 16, 0.01, True),
}


@dataclass(frozen=True, eq=False)
class Trained:
    """One topology's trained model and its test-set results (host NumPy arrays).

    ``inputs`` is what the learner reads (numbers, or digit ids for the encoder-decoder),
    ``x`` what the model reads (digits one-hot), ``targets`` and ``outputs`` are (TEST, steps)
    for sequences or (TEST,) for the yes/no task (outputs there: P(yes) from the logit).
    ``baseline`` is the same score for a model without memory or without input (see
    :func:`baseline`); ``loss`` the last epoch's training loss.
    """

    topology: str
    length: int
    model: Sequential
    inputs: np.ndarray
    x: np.ndarray
    targets: np.ndarray
    outputs: np.ndarray
    score: float  # accuracy (classification) or mean absolute error
    hits: float  # share of outputs within TOLERANCE (regression) or right (classification)
    baseline: float
    loss: float
    whole: float  # encoder-decoder: share of sequences reversed without a mistake

    @property
    def setup(self) -> Setup:
        return SETUPS[self.topology]


def _data(topology: str, length: int, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """(inputs, model inputs, targets) for ``n`` examples of the task."""
    if topology in ("sequence-to-sequence", "sequence-to-vector"):
        tenths = rng.integers(-9, 10, size=(n, length))  # inputs -0.9 .. 0.9 in steps of 0.1
        inputs = tenths / 10.0
        if topology == "sequence-to-sequence":
            target = np.cumsum(tenths, axis=1) / 10.0
        else:
            target = (tenths.sum(axis=1) > 0).astype(np.float64)
        return inputs, inputs[:, :, None], target
    if topology == "vector-to-sequence":
        omega = np.round(rng.uniform(*OMEGA, size=n), 2)
        target = np.sin(omega[:, None] * np.arange(1, length + 1)[None, :])
        return omega, omega[:, None], target
    digits = rng.integers(0, DIGITS, size=(n, length))
    return digits, one_hot(digits, DIGITS), digits[:, ::-1].copy()


def _build(topology: str, length: int) -> Sequential:
    units = SETUPS[topology].units
    if topology == "sequence-to-sequence":
        return sequence_to_sequence(1, 1, units, "simple_rnn", length, SEED)
    if topology == "sequence-to-vector":
        return sequence_to_vector(1, 1, units, "simple_rnn", length, SEED)
    if topology == "vector-to-sequence":
        return vector_to_sequence(1, 1, length, units, "simple_rnn", SEED)
    return encoder_decoder(DIGITS, DIGITS, length, units, "simple_rnn", length, SEED)


def _loss(topology: str) -> losses.Loss:
    if topology == "sequence-to-vector":
        return losses.BinaryCrossentropy(from_logits=True)
    if topology == "encoder-decoder":
        return losses.SparseCategoricalCrossentropy(from_logits=True)
    return losses.MeanSquaredError()


def readable(topology: str, raw: np.ndarray) -> np.ndarray:
    """The model's raw outputs for a batch as the learner reads them: numbers per step,
    P(yes) = σ(logit) for the yes/no task, the likeliest digit per step for the decoder."""
    if topology == "sequence-to-vector":
        out: np.ndarray = 1.0 / (1.0 + np.exp(-raw[:, 0].astype(np.float64)))
        return out
    if topology == "encoder-decoder":
        return np.asarray(raw.argmax(axis=-1))
    return np.asarray(raw[..., 0], dtype=np.float64)


def scores(topology: str, targets: np.ndarray, outputs: np.ndarray) -> tuple[float, float]:
    """(score, hits): accuracy twice for the classifiers; mean absolute error and the share of
    outputs within TOLERANCE for the regressions."""
    if topology == "sequence-to-vector":
        right = float(np.mean((outputs > 0.5) == (targets > 0.5)))
        return right, right
    if topology == "encoder-decoder":
        right = float(np.mean(outputs == targets))
        return right, right
    error = np.abs(outputs - targets)
    return float(error.mean()), float(np.mean(error <= TOLERANCE))


def baseline(
    topology: str, inputs: np.ndarray, targets: np.ndarray, train_targets: np.ndarray
) -> float:
    """The score of an answer that ignores what an RNN adds: no memory or no input.

    Running sum: output the current input x_t (the best guess without memory); sum positive:
    the sign of the last input alone; sine: the mean training target at each step (ignores ω);
    reverse: a random digit (1 in 10).
    """
    if topology == "sequence-to-sequence":
        return float(np.abs(inputs - targets).mean())
    if topology == "sequence-to-vector":
        return float(np.mean((inputs[:, -1] > 0) == (targets > 0.5)))
    if topology == "vector-to-sequence":
        return float(np.abs(train_targets.mean(axis=0)[None, :] - targets).mean())
    return 1.0 / DIGITS


@functools.cache
def trained(topology: str, length: int) -> Trained:
    """Train ``topology``'s model on sequences of ``length`` steps (cached; deterministic)."""
    if topology not in SETUPS:
        raise ValueError(f"unknown topology {topology!r}; choose one of {', '.join(TOPOLOGIES)}")
    rng = np.random.default_rng([SEED, TOPOLOGIES.index(topology), length])
    _, train_x, train_y = _data(topology, length, TRAIN, rng)
    test_in, test_x, test_y = _data(topology, length, TEST, rng)
    setup = SETUPS[topology]
    model = _build(topology, length)
    model.compile(optimizers.Adam(setup.rate), _loss(topology))
    y = train_y[:, None] if topology == "sequence-to-vector" else train_y
    y = y[..., None] if topology in ("sequence-to-sequence", "vector-to-sequence") else y
    history = model.fit(train_x, y, batch_size=32, epochs=setup.epochs)
    outputs = readable(topology, model.predict(test_x))
    score, hits = scores(topology, test_y, outputs)
    whole = (
        float(np.mean((outputs == test_y).all(axis=1))) if topology == "encoder-decoder" else 0.0
    )
    return Trained(
        topology=topology,
        length=length,
        model=model,
        inputs=test_in,
        x=test_x,
        targets=test_y,
        outputs=outputs,
        score=score,
        hits=hits,
        baseline=baseline(topology, test_in, test_y, train_y),
        loss=float(history.history["loss"][-1]),
        whole=whole,
    )


@dataclass(frozen=True, eq=False)
class Trace:
    """One sample through the trained model: hidden states per time step and the outputs.

    ``states`` is (steps, units) from the engine's RNNStep events (encoder steps first, then
    the decoder's for the encoder-decoder); ``raw`` the model's outputs for this sample
    (``predict``), ``shown`` the same as the learner reads them.
    """

    states: np.ndarray
    layers: tuple[str, ...]  # the layer name of each row of ``states``
    raw: np.ndarray
    shown: np.ndarray


def trace(run: Trained, sample: int) -> Trace:
    """Run sample ``sample`` of the test set through the model, recording its RNNStep events."""
    x = run.x[sample : sample + 1]
    tracer = Tracer()
    with use_tracer(tracer), tracer.record(kinds=(RNNStep,), cap=4 * run.length + 4) as events:
        raw = run.model.predict(x)
    steps = [e for e in events if isinstance(e, RNNStep)]
    states = np.array([np.asarray(e.h_t, dtype=np.float64) for e in steps])
    return Trace(states, tuple(e.layer for e in steps), raw[0], readable(run.topology, raw)[0])
