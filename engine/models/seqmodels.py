"""Sequence model builders (the four RNN topologies) and character-level sampling with temperature.

    sequence_to_sequence   x (B, T, F) -> y (B, T, outputs)   one output per input step
    sequence_to_vector     x (B, T, F) -> y (B, outputs)      read everything, answer once
    vector_to_sequence     x (B, F)    -> y (B, T, outputs)   one input, repeated at every step
    encoder_decoder        x (B, T, F) -> y (B, T', outputs)  the encoder's final state is the
                                                              decoder's initial state

Each builder returns a `Sequential` model (outputs are logits or values: pick the loss to suit).
For text, `char_windows` turns a string's character ids into (one-hot window, next id) pairs,
a `sequence_to_vector` model learns to predict the next character, and `generate` samples new
text from it, character by character, from softmax(logits / temperature): low temperatures
pick the likeliest characters, high ones flatten the distribution toward uniform.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.core import backend
from engine.core.tensor import Tensor
from engine.models.sequential import Sequential
from engine.nn.blocks import Block
from engine.nn.layers import Dense, Input, Layer, Shape
from engine.nn.recurrent import GRU, LSTM, Recurrent, SimpleRNN

__all__ = [
    "EncoderDecoder",
    "RepeatVector",
    "char_windows",
    "encoder_decoder",
    "generate",
    "one_hot",
    "sample_with_temperature",
    "sequence_to_sequence",
    "sequence_to_vector",
    "temperature_probabilities",
    "vector_to_sequence",
]

CELLS: dict[str, type[Recurrent]] = {"simple_rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}


def _cell(cell: str) -> type[Recurrent]:
    if cell not in CELLS:
        raise ValueError(f"Unknown cell {cell!r}; choose one of {', '.join(CELLS)}")
    return CELLS[cell]


class RepeatVector(Layer):
    """Keras's RepeatVector: (batch, features) -> (batch, n, features), the same row n times."""

    def __init__(self, n: int, name: str | None = None) -> None:
        if n < 1:
            raise ValueError(f"RepeatVector(n={n!r}) must be >= 1")
        super().__init__(name or "repeat_vector")
        self.n = int(n)

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 2:
            raise ValueError(
                f"Layer {self.name!r} (RepeatVector) needs inputs (batch, features), got "
                f"{tuple(input_shape)}"
            )
        return (input_shape[0], self.n, input_shape[1])

    def build(self, input_shape: Shape) -> None:
        self.output_shape(input_shape)
        super().build(input_shape)

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        xp = backend.xp()
        data = xp.broadcast_to(x.data[:, None, :], (x.shape[0], self.n, x.shape[1]))
        return Tensor.from_op("repeat", data, (x,), backward=lambda g: (g.sum(axis=1),))


class EncoderDecoder(Block):
    """An encoder RNN reads the sequence; its final state starts a decoder RNN that runs for
    `output_steps` steps, fed the encoder's last output at every step. Returns the decoder's
    outputs (batch, output_steps, units); gradients reach the encoder through both paths."""

    def __init__(
        self, units: int, output_steps: int, cell: str = "lstm", name: str | None = None
    ) -> None:
        if output_steps < 1:
            raise ValueError(f"EncoderDecoder(output_steps={output_steps!r}) must be >= 1")
        super().__init__(name or "encoder_decoder")
        self.units, self.output_steps, self.cell = units, output_steps, _cell(cell)

    def plan(self, input_shape: Shape) -> dict[str, Layer]:
        return {
            "encoder": self.cell(self.units),
            "repeat": RepeatVector(self.output_steps),
            "decoder": self.cell(self.units, return_sequences=True),
        }

    def output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], self.output_steps, self.units)

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        encoder, repeat, decoder = (self.parts[k] for k in ("encoder", "repeat", "decoder"))
        if not isinstance(encoder, Recurrent) or not isinstance(decoder, Recurrent):
            raise ValueError(f"Layer {self.name!r} is not built yet")
        context, states = encoder.call_with_state(x, None, training)
        out, _ = decoder.call_with_state(repeat(context, training), states, training)
        return out


def _model(layers: list[Layer], input_shape: tuple[int, ...] | None, seed: int) -> Sequential:
    head = [Input(input_shape)] if input_shape is not None else []
    return Sequential([*head, *layers], seed=seed)


def sequence_to_sequence(
    features: int,
    outputs: int,
    units: int = 32,
    cell: str = "lstm",
    steps: int | None = None,
    seed: int = 0,
) -> Sequential:
    """RNN(return_sequences=True) -> Dense(outputs) at every step (e.g. tag each time step)."""
    rnn = _cell(cell)(units, return_sequences=True)
    return _model([rnn, Dense(outputs)], None if steps is None else (steps, features), seed)


def sequence_to_vector(
    features: int,
    outputs: int,
    units: int = 32,
    cell: str = "lstm",
    steps: int | None = None,
    seed: int = 0,
) -> Sequential:
    """RNN -> Dense(outputs) from the last state (e.g. classify a sequence, forecast a value)."""
    rnn = _cell(cell)(units)
    return _model([rnn, Dense(outputs)], None if steps is None else (steps, features), seed)


def vector_to_sequence(
    features: int, outputs: int, steps: int, units: int = 32, cell: str = "lstm", seed: int = 0
) -> Sequential:
    """RepeatVector(steps) -> RNN(return_sequences=True) -> Dense(outputs) (e.g. captioning)."""
    rnn = _cell(cell)(units, return_sequences=True)
    return _model([RepeatVector(steps), rnn, Dense(outputs)], (features,), seed)


def encoder_decoder(
    features: int,
    outputs: int,
    output_steps: int,
    units: int = 32,
    cell: str = "lstm",
    steps: int | None = None,
    seed: int = 0,
) -> Sequential:
    """EncoderDecoder -> Dense(outputs) at every output step (e.g. translate, reverse)."""
    block = EncoderDecoder(units, output_steps, cell)
    return _model([block, Dense(outputs)], None if steps is None else (steps, features), seed)


def one_hot(ids: Sequence[int] | np.ndarray, size: int) -> np.ndarray:
    """Integer ids (any shape) as float32 one-hot vectors of length `size` on a new last axis."""
    a = np.asarray(ids, dtype=np.int64)
    if a.size and (a.min() < 0 or a.max() >= size):
        raise ValueError(f"one_hot: ids must be in [0, {size}), got [{a.min()}, {a.max()}]")
    return np.eye(size, dtype=np.float32)[a]


def char_windows(
    ids: Sequence[int] | np.ndarray, window: int, vocab: int, stride: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Training pairs for next-character prediction: x (N, window, vocab) one-hot, y (N,) ids."""
    a = np.asarray(ids, dtype=np.int64)
    if window < 1 or stride < 1 or len(a) <= window:
        raise ValueError(
            f"char_windows: need window >= 1, stride >= 1 and more than {window} ids, "
            f"got {len(a)} ids"
        )
    starts = np.arange(0, len(a) - window, stride)
    x = np.lib.stride_tricks.sliding_window_view(a, window)[starts]
    return one_hot(x, vocab), a[starts + window]


def temperature_probabilities(
    logits: Sequence[float] | np.ndarray, temperature: float
) -> np.ndarray:
    """softmax(logits / temperature), computed stably, as a float64 host array."""
    if not temperature > 0:
        raise ValueError(f"temperature={temperature!r} must be > 0")
    z = np.asarray(backend.to_numpy(logits), dtype=np.float64) / temperature
    e = np.exp(z - z.max())
    p: np.ndarray = e / e.sum()
    return p


def sample_with_temperature(
    logits: Sequence[float] | np.ndarray, temperature: float, rng: np.random.Generator
) -> int:
    """One index drawn from softmax(logits / temperature)."""
    p = temperature_probabilities(logits, temperature)
    return int(rng.choice(len(p), p=p))


def generate(
    model: Sequential,
    start: Sequence[int],
    length: int,
    vocab: int,
    temperature: float = 1.0,
    rng: np.random.Generator | None = None,
    window: int | None = None,
) -> list[int]:
    """Extend the ids `start` by `length` sampled ids; the model maps one-hot windows
    (1, T, vocab) to next-id logits (1, vocab); `window` keeps only the last ids as input."""
    if not start:
        raise ValueError("generate: `start` needs at least one id")
    rng = rng or np.random.default_rng(0)
    ids = list(start)
    for _ in range(length):
        context = ids[-window:] if window else ids
        logits = model.predict(one_hot(context, vocab)[None])[0]
        ids.append(sample_with_temperature(logits, temperature, rng))
    return ids
