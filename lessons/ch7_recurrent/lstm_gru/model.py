"""The numbers of lesson 7.4: a long-range task, three cells trained side by side, their gates.

The task: a sequence of ``gap`` one-hot symbols from {A, B, c, d}; the first step also lights a
"start" channel.  The answer is the first symbol (A or B); every later symbol, A and B included,
is a random distractor, so the network must store the first one and keep it for ``gap - 1``
steps.  A ``SimpleRNN``, an ``LSTM`` and a ``GRU`` of :data:`UNITS` units (each followed by
``Dense(2)``, the engine's ``sequence_to_vector``) train on the same sequences with the same
seed, optimizer and batches, one epoch at a time (:class:`Race`).

:func:`inspect` runs one validation sequence through a trained cell and keeps what the engine's
``RNNStep`` events report: every gate's values, h_t and (LSTM) c_t at each step.  The
pre-activations the equations show are computed here from the layer's own weights with plain
NumPy (:func:`pre_activations`); the tests check that the sigmoid of them is the recorded gate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from engine.core.events import DivergenceError, RNNStep, Tracer, use_tracer
from engine.models.seqmodels import sequence_to_vector
from engine.models.sequential import Sequential
from engine.nn import optimizers
from engine.nn.losses import SparseCategoricalCrossentropy
from engine.nn.recurrent import GRU, LSTM, Recurrent

CELLS = ("SimpleRNN", "LSTM", "GRU")
ENGINE_NAMES = {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}
SYMBOLS = ("A", "B", "c", "d")
CHANNELS = ("start", *SYMBOLS)
UNITS = 8
TRAIN, VAL = 512, 256
BATCH = 32
RATE = 0.01
EPOCHS = 20
DATA_SEEDS = (1, 2)  # training and validation sequences
MODEL_SEED = 1  # the same initial weights draw and batch order for all three cells
GRU_UPDATE_BIAS = 1.0  # GRU's update gate starts like the LSTM's forget gate (Keras: bias 1)
SOLVED = 0.95  # validation accuracy that counts as solving the task
CHANCE = 0.5


@dataclass(frozen=True, eq=False)  # holds arrays
class TaskSet:
    """One-hot sequences ``x`` (n, gap, 5), answers ``y`` (n,) and the symbol ids (n, gap)."""

    x: np.ndarray
    y: np.ndarray
    symbols: np.ndarray


def make_task(n: int, gap: int, seed: int) -> TaskSet:
    """``n`` sequences of ``gap`` symbols; the first is A or B (balanced), the rest random."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 2)
    symbols = rng.integers(0, len(SYMBOLS), (n, gap))
    symbols[:, 0] = y
    x = np.zeros((n, gap, len(CHANNELS)), dtype=np.float32)
    x[:, :, 1:] = np.eye(len(SYMBOLS), dtype=np.float32)[symbols]
    x[:, 0, 0] = 1.0
    return TaskSet(x, y.astype(np.int64), symbols)


def build(cell: str, gap: int) -> Sequential:
    """The cell (UNITS units) -> Dense(2) logits, compiled with Adam and cross-entropy."""
    model = sequence_to_vector(
        len(CHANNELS), 2, units=UNITS, cell=ENGINE_NAMES[cell], steps=gap, seed=MODEL_SEED
    )
    layer = recurrent_layer(model)
    if isinstance(layer, GRU) and layer.bias is not None:
        layer.bias.data[0, :UNITS] = GRU_UPDATE_BIAS
    model.compile(
        optimizers.Adam(learning_rate=RATE),
        SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def recurrent_layer(model: Sequential) -> Recurrent:
    """The model's recurrent layer."""
    for layer in model.layers:
        if isinstance(layer, Recurrent):
            return layer
    raise ValueError("the model has no recurrent layer")


@dataclass
class Contender:
    """One cell in the race: its model and its accuracy/loss after every epoch (0 = start)."""

    name: str
    model: Sequential
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    diverged: bool = False

    @property
    def final(self) -> float:
        """Validation accuracy after the newest epoch."""
        return self.val_acc[-1]


class Race:
    """The three cells on the same task, trained one epoch at a time."""

    def __init__(self, gap: int) -> None:
        self.gap = gap
        self.train = make_task(TRAIN, gap, DATA_SEEDS[0])
        self.val = make_task(VAL, gap, DATA_SEEDS[1])
        self.epochs = 0
        self.cells = {name: Contender(name, build(name, gap)) for name in CELLS}
        for contender in self.cells.values():
            self._score(contender)

    def _score(self, c: Contender) -> None:
        if c.diverged:
            for column in (c.train_acc, c.val_acc, c.train_loss, c.val_loss):
                column.append(math.nan)
            return
        train = c.model.evaluate(self.train.x, self.train.y)
        val = c.model.evaluate(self.val.x, self.val.y)
        c.train_acc.append(train["accuracy"])
        c.val_acc.append(val["accuracy"])
        c.train_loss.append(train["loss"])
        c.val_loss.append(val["loss"])

    def epoch(self) -> None:
        """One pass over the training sequences for each cell (same batches), then scores."""
        for c in self.cells.values():
            if not c.diverged:
                try:
                    c.model.fit(self.train.x, self.train.y, batch_size=BATCH, epochs=1)
                except DivergenceError:
                    c.diverged = True
            self._score(c)
        self.epochs += 1

    def params(self, name: str) -> int:
        """Trainable values of the cell and its read-out."""
        return self.cells[name].model.count_params()


def verdict(acc: float) -> str:
    """'solved', 'chance' or 'partly' for a validation accuracy."""
    if not math.isfinite(acc):
        return "diverged"
    if acc >= SOLVED:
        return "solved"
    if acc < 0.6:
        return "chance"
    return "partly"


@dataclass(frozen=True, eq=False)  # holds arrays
class CellTrace:
    """One sequence through one cell, from the engine's RNNStep events.

    ``gates[name]`` is (gap, UNITS); ``h`` and ``c`` are (gap + 1, UNITS) with the initial
    zero state in row 0 (``c`` is None for cells without a cell state); ``x`` is (gap, 5).
    """

    cell: str
    x: np.ndarray
    gates: dict[str, np.ndarray]
    h: np.ndarray
    c: np.ndarray | None
    probs: np.ndarray


def inspect(model: Sequential, cell: str, x: np.ndarray) -> CellTrace:
    """Run one sequence ``x`` (gap, 5) through ``model``, recording its RNNStep events."""
    tracer = Tracer()
    gap = len(x)
    with use_tracer(tracer), tracer.record(kinds=(RNNStep,), cap=gap + 4) as events:
        logits = model.predict(x[None])[0]
    steps = [e for e in events if isinstance(e, RNNStep)]
    if len(steps) != gap:
        raise ValueError(f"expected {gap} RNNStep events, got {len(steps)}")
    h = np.array([steps[0].h_prev, *(e.h_t for e in steps)], dtype=np.float64)
    c = None
    if steps[0].c_t is not None:
        c0 = np.zeros(UNITS)
        c = np.array([c0, *(np.asarray(e.c_t) for e in steps)], dtype=np.float64)
    names = tuple(steps[0].gates)
    gates = {k: np.array([e.gates[k] for e in steps], dtype=np.float64) for k in names}
    z = logits - logits.max()
    probs = np.exp(z) / np.exp(z).sum()
    return CellTrace(cell, x.copy(), gates, h, c, probs)


def memory_unit(model: Sequential, x: np.ndarray, y: np.ndarray) -> int:
    """The unit whose final state (c_T for LSTM, h_T otherwise) best tells A from B."""
    layer = recurrent_layer(model)
    _, states = layer.call_with_state(x)
    final = np.asarray(states[-1].data, dtype=np.float64)
    gap = np.abs(final[y == 0].mean(axis=0) - final[y == 1].mean(axis=0))
    spread = final.std(axis=0) + 1e-6
    return int(np.argmax(gap / spread))


def pre_activations(
    model: Sequential, x_t: np.ndarray, h_prev: np.ndarray
) -> dict[str, np.ndarray]:
    """Every gate's pre-activation at one step, from the layer's weights (plain NumPy, float64).

    LSTM: ``x W + h U + b`` split into input, forget, candidate, output.  GRU (reset after):
    update and reset are ``x W + b_in + h U + b_rec``; the candidate's is
    ``x W_h + b_in,h + r * (h U_h + b_rec,h)``, so it is returned in parts: ``candidate_x``
    and ``candidate_h`` (the bracket r multiplies).
    """
    layer = recurrent_layer(model)
    if layer.kernel is None or layer.recurrent_kernel is None or layer.bias is None:
        raise ValueError("the layer is not built")
    w = np.asarray(layer.kernel.data, dtype=np.float64)
    u = np.asarray(layer.recurrent_kernel.data, dtype=np.float64)
    b = np.asarray(layer.bias.data, dtype=np.float64)
    n = layer.units
    if isinstance(layer, LSTM):
        z = x_t @ w + h_prev @ u + b
        return {k: z[i * n : (i + 1) * n] for i, k in enumerate(("i", "f", "g", "o"))}
    if isinstance(layer, GRU):
        xw = x_t @ w + b[0]
        hu = h_prev @ u + b[1]
        return {
            "z": xw[:n] + hu[:n],
            "r": xw[n : 2 * n] + hu[n : 2 * n],
            "nx": xw[2 * n :],
            "nh": hu[2 * n :],
        }
    return {"h": x_t @ w + h_prev @ u + b}


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return np.asarray(1.0 / (1.0 + np.exp(-a)))
