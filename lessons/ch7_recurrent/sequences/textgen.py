"""The character model of lesson 7.5: a small LSTM learns a slice of Macbeth and writes.

Training pairs are sequence to sequence: a run of ``SEQ`` characters in, the same run shifted
by one character as targets, so every position teaches "which character comes next".  The
model is LSTM(UNITS, all states) -> Dense(vocabulary) giving logits; the loss is sparse
cross-entropy from the logits.  Sampling feeds one character at a time, carrying (h, c), and
draws each next character from softmax(logits / T).  The hidden state h_t after each
character is what the heat map shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from engine.data.datasets import load_shakespeare
from engine.data.types import Corpus
from engine.models.seqmodels import one_hot, temperature_probabilities
from engine.models.sequential import Sequential
from engine.nn.layers import Dense
from engine.nn.losses import SparseCategoricalCrossentropy
from engine.nn.optimizers import Adam
from engine.nn.recurrent import LSTM

WORK = "Macbeth"
OFFSET = 3000  # the slice starts this many characters into the play (past its front matter)
TRAIN_CHARS = 10_000
VAL_CHARS = 2_000
SEQ = 50  # characters per training sequence
BATCH = 16
UNITS = 32
PRIME = 12  # characters of the validation text that start every sample
SAMPLE = 60  # characters generated after the prime


@cache
def corpus() -> Corpus:
    """The Shakespeare corpus, loaded once."""
    return load_shakespeare()


@dataclass(frozen=True)
class Slice:
    """The training and validation characters (vocabulary ids) and their sequences."""

    train: np.ndarray
    val: np.ndarray
    x: np.ndarray  # (n, SEQ, V) one-hot
    y: np.ndarray  # (n, SEQ) next ids
    xv: np.ndarray
    yv: np.ndarray

    @property
    def prime(self) -> np.ndarray:
        return self.val[:PRIME]


def _pairs(ids: np.ndarray, vocab: int) -> tuple[np.ndarray, np.ndarray]:
    n = (len(ids) - 1) // SEQ
    return one_hot(ids[: n * SEQ].reshape(n, SEQ), vocab), ids[1 : n * SEQ + 1].reshape(n, SEQ)


@cache
def text_slice() -> Slice:
    """Macbeth from OFFSET: TRAIN_CHARS to learn from, then VAL_CHARS held out."""
    c = corpus()
    start = int(c.starts[c.works.index(WORK)]) + OFFSET
    ids = c.ids()[start : start + TRAIN_CHARS + VAL_CHARS + 1]
    train, val = ids[: TRAIN_CHARS + 1], ids[TRAIN_CHARS:]
    x, y = _pairs(train, len(c.vocab))
    xv, yv = _pairs(val, len(c.vocab))
    return Slice(train, val, x, y, xv, yv)


def char_model(seed: int, rate: float) -> Sequential:
    """LSTM(UNITS, return_sequences) -> Dense(V) logits, compiled with Adam."""
    vocab = len(corpus().vocab)
    model = Sequential(
        [LSTM(UNITS, return_sequences=True, name="lstm"), Dense(vocab, name="logits")],
        seed=seed,
    )
    model.build((None, SEQ, vocab))
    model.compile(Adam(rate), SparseCategoricalCrossentropy(from_logits=True))
    return model


def lstm(model: Sequential) -> LSTM:
    layer = model.layers[0]
    assert isinstance(layer, LSTM)
    return layer


def epoch(model: Sequential, order: np.random.Generator) -> float:
    """One pass over the training sequences in shuffled batches; the mean batch loss."""
    s = text_slice()
    perm = order.permutation(len(s.x))
    losses = [
        model.train_on_batch(s.x[perm[i : i + BATCH]], s.y[perm[i : i + BATCH]])
        for i in range(0, len(perm), BATCH)
    ]
    return float(np.mean(losses))


def val_loss(model: Sequential) -> float:
    """Mean cross-entropy (nats per character) on the held-out sequences."""
    s = text_slice()
    logits = model.predict(s.xv).astype(np.float64)
    z = logits - logits.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(logp, s.yv[..., None], axis=-1)
    return float(-picked.mean())


def unigram_loss() -> float:
    """Cross-entropy on the validation text of always guessing the training text's character
    frequencies (add-one smoothed): what a model that ignores the past can reach."""
    s = text_slice()
    vocab = len(corpus().vocab)
    counts = np.bincount(s.train[1:], minlength=vocab) + 1.0
    p = counts / counts.sum()
    return float(-np.log(p[s.yv]).mean())


@dataclass(frozen=True)
class Sample:
    """Generated text: ids (prime then sample), the logits each sampled id was drawn from,
    and the LSTM's hidden state after every character of the whole text."""

    ids: np.ndarray  # (PRIME + n,)
    logits: np.ndarray  # (n, V): logits[k] gave ids[PRIME + k]
    hidden: np.ndarray  # (PRIME + n, UNITS): h after reading ids[t]
    temperature: float

    def probabilities(self, k: int) -> np.ndarray:
        """softmax(logits / T) of the k-th sampled character."""
        return temperature_probabilities(self.logits[k], self.temperature)


def sample(
    model: Sequential, prime: np.ndarray, length: int, temperature: float, seed: list[int]
) -> Sample:
    """Read ``prime``, then draw ``length`` characters from softmax(logits / temperature),
    feeding each back in and carrying the LSTM's (h, c) from character to character."""
    vocab = len(corpus().vocab)
    rnn, head = lstm(model), model.layers[1]
    assert isinstance(head, Dense)
    rng = np.random.default_rng(seed)
    out, (h, c) = rnn.call_with_state(one_hot(prime, vocab)[None])
    hidden = [np.asarray(out.data[0], dtype=np.float64)]
    ids = [int(i) for i in prime]
    logits_seen = []
    for _ in range(length):
        logits = np.asarray(head.pre_activation(h).data[0], dtype=np.float64)
        p = temperature_probabilities(logits, temperature)
        nxt = int(rng.choice(len(p), p=p))
        logits_seen.append(logits)
        ids.append(nxt)
        out, (h, c) = rnn.call_with_state(one_hot([nxt], vocab)[None], [h, c])
        hidden.append(np.asarray(out.data[0], dtype=np.float64))
    return Sample(np.array(ids), np.array(logits_seen), np.concatenate(hidden, axis=0), temperature)


def show_char(ch: str) -> str:
    """A character as a label: space and newline made visible."""
    return {" ": "␣", "\n": "⏎"}.get(ch, ch)
