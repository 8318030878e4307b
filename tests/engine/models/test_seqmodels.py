"""Tests for engine.seqmodels: the four RNN topologies, and character sampling with temperature."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.models.seqmodels import (
    EncoderDecoder,
    RepeatVector,
    char_windows,
    encoder_decoder,
    generate,
    one_hot,
    sample_with_temperature,
    sequence_to_sequence,
    sequence_to_vector,
    temperature_probabilities,
    vector_to_sequence,
)
from engine.models.sequential import Sequential
from engine.nn.losses import SparseCategoricalCrossentropy
from engine.nn.optimizers import Adam
from engine.nn.recurrent import Recurrent

pytestmark = pytest.mark.usefixtures("backend")
GradCheck = Callable[..., None]


@pytest.mark.parametrize(
    ("build", "x_shape", "y_shape"),
    [
        (lambda: sequence_to_sequence(3, 2, units=8, cell="gru"), (4, 6, 3), (4, 6, 2)),
        (lambda: sequence_to_vector(3, 2, units=8, steps=6), (4, 6, 3), (4, 2)),
        (lambda: vector_to_sequence(3, 2, steps=5, units=8), (4, 3), (4, 5, 2)),
        (lambda: encoder_decoder(3, 2, 5, units=8, cell="simple_rnn"), (4, 6, 3), (4, 5, 2)),
    ],
    ids=["seq2seq", "seq2vec", "vec2seq", "encoder_decoder"],
)
def test_topologies_have_their_shapes_and_train(
    build: Callable[[], Sequential],
    x_shape: tuple[int, ...],
    y_shape: tuple[int, ...],
    rng: np.random.Generator,
) -> None:
    """Each builder maps its input shape to its output shape and fits a fixed batch."""
    model = build()
    x = rng.standard_normal(x_shape).astype(np.float32)
    y = rng.standard_normal(y_shape).astype(np.float32)
    assert model.predict(x).shape == y_shape
    model.compile(Adam(0.02), "mse")
    losses = [model.train_on_batch(x, y) for _ in range(15)]
    assert losses[-1] < 0.8 * losses[0]


def test_encoder_decoder_passes_the_state_and_its_gradient(
    gradcheck: GradCheck, rng: np.random.Generator
) -> None:
    """The decoder starts from the encoder's final state; gradients reach the encoder weights."""
    block = EncoderDecoder(3, output_steps=2, cell="lstm")
    block.prepare(np.random.default_rng(0), "float64")
    block.build((None, 4, 2))
    encoder, decoder = block.parts["encoder"], block.parts["decoder"]
    assert isinstance(encoder, Recurrent) and isinstance(decoder, Recurrent)
    expected = 4 * 3 * (2 + 3 + 1) + 4 * 3 * (3 + 3 + 1)  # encoder on 2 features, decoder on 3
    assert block.count_params() == block.params_for((None, 4, 2)) == expected
    weights = [to_numpy(p.data) for p in block.params]

    def fn(x: Tensor, *ws: Tensor) -> Tensor:
        encoder.kernel, encoder.recurrent_kernel, encoder.bias = ws[:3]
        decoder.kernel, decoder.recurrent_kernel, decoder.bias = ws[3:]
        return block.call(x)

    gradcheck(fn, rng.standard_normal((2, 4, 2)), *weights)


def test_repeat_vector_repeats_and_sums_the_gradient(
    gradcheck: GradCheck, rng: np.random.Generator
) -> None:
    """(batch, features) -> (batch, n, features); backward sums over the n copies."""
    layer = RepeatVector(3)
    out = layer(np.arange(4.0).reshape(2, 2)).numpy()
    np.testing.assert_array_equal(out[:, 2], [[0, 1], [2, 3]])
    gradcheck(lambda x: layer.call(x), rng.standard_normal((2, 2)))


def test_temperature_sharpens_or_flattens_the_distribution() -> None:
    """softmax(logits / T): T -> 0 picks the largest logit, large T tends to uniform."""
    logits = np.array([2.0, 1.0, 0.1])
    p = temperature_probabilities(logits, 1.0)
    np.testing.assert_allclose(p, np.exp(logits) / np.exp(logits).sum())
    np.testing.assert_allclose(temperature_probabilities(logits, 0.01), [1, 0, 0], atol=1e-12)
    np.testing.assert_allclose(temperature_probabilities(logits, 1e4), [1 / 3] * 3, atol=1e-4)
    assert temperature_probabilities(np.array([1000.0, 0.0]), 0.5)[0] == 1.0  # no overflow
    rng = np.random.default_rng(0)
    draws = [sample_with_temperature(logits, 1.0, rng) for _ in range(4000)]
    np.testing.assert_allclose(np.bincount(draws) / 4000, p, atol=0.03)
    with pytest.raises(ValueError, match="temperature"):
        temperature_probabilities(logits, 0.0)


def test_char_windows_and_one_hot() -> None:
    """Each window of ids (one-hot) is paired with the id that follows it."""
    x, y = char_windows([0, 1, 2, 3, 4], window=3, vocab=5)
    assert x.shape == (2, 3, 5) and x.dtype == np.float32
    np.testing.assert_array_equal(x.argmax(axis=-1), [[0, 1, 2], [1, 2, 3]])
    np.testing.assert_array_equal(y, [3, 4])
    with pytest.raises(ValueError, match="ids must be in"):
        one_hot([0, 5], 5)
    with pytest.raises(ValueError, match="window"):
        char_windows([0, 1], window=3, vocab=2)


def test_a_char_model_learns_a_text_and_generates_it() -> None:
    """Next-character LSTM on a repeated word; sampling at a low temperature writes it back."""
    text = "hello world " * 20
    vocab = sorted(set(text))
    ids = [vocab.index(ch) for ch in text]
    x, y = char_windows(ids, window=4, vocab=len(vocab))
    model = sequence_to_vector(len(vocab), len(vocab), units=24, steps=4)
    model.compile(Adam(0.02), SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=32, epochs=30)
    out = generate(model, ids[:4], 12, len(vocab), temperature=0.1, window=4)
    assert "".join(vocab[i] for i in out) == text[:16]
    again = generate(model, ids[:4], 12, len(vocab), temperature=0.1, window=4)
    assert again == out  # the same generator seed gives the same text
