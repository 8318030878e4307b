"""Tests for engine.losses: values by hand, float64 gradient checks, stability, fusion, errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.models.sequential import Sequential
from engine.nn import activations as act
from engine.nn import losses
from engine.nn.layers import Activation, Input

pytestmark = pytest.mark.usefixtures("backend")
GradCheck = Callable[..., None]


def _probs(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    p = rng.uniform(0.2, 1.0, (n, c))
    return p / p.sum(axis=1, keepdims=True)


def test_mse_value_and_per_example() -> None:
    """MSE averages squared errors over features, then over the batch."""
    y = np.array([[0.0, 1.0], [2.0, 2.0]])
    p = Tensor(np.array([[1.0, 1.0], [2.0, 0.0]]))
    mse = losses.MeanSquaredError()
    np.testing.assert_allclose(mse.per_example(y, p), [0.5, 2.0])
    assert mse(y, p).item() == pytest.approx(1.25)


def test_binary_crossentropy_value_by_hand() -> None:
    """BCE = -(y log p + (1-y) log(1-p)), averaged."""
    y = np.array([[1.0], [0.0]])
    p = Tensor(np.array([[0.8], [0.4]]))
    expected = -(np.log(0.8) + np.log(0.6)) / 2
    assert losses.BinaryCrossentropy()(y, p).item() == pytest.approx(expected)


def test_categorical_and_sparse_agree_by_hand() -> None:
    """CCE with one-hot rows equals sparse CCE with labels, both -mean(log p_true)."""
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    expected = -(np.log(0.7) + np.log(0.6)) / 2
    cce = losses.CategoricalCrossentropy()(np.array([[1, 0, 0], [0, 0, 1]]), Tensor(p))
    sparse = losses.SparseCategoricalCrossentropy()(np.array([0, 2]), Tensor(p))
    assert cce.item() == pytest.approx(expected) and sparse.item() == pytest.approx(expected)


@pytest.mark.parametrize("kind", ["binary", "categorical", "sparse"])
def test_from_logits_equals_from_probabilities(kind: str, rng: np.random.Generator) -> None:
    """The logits formula gives the same loss as applying sigmoid/softmax first."""
    z = rng.standard_normal((6, 3))
    if kind == "binary":
        y = rng.integers(0, 2, (6, 3)).astype(float)
        logit_loss = losses.BinaryCrossentropy(from_logits=True)(y, Tensor(z))
        prob_loss = losses.BinaryCrossentropy()(y, Tensor(1 / (1 + np.exp(-z))))
    else:
        labels = rng.integers(0, 3, 6)
        y = np.eye(3)[labels] if kind == "categorical" else labels
        cls = (
            losses.CategoricalCrossentropy
            if kind == "categorical"
            else (losses.SparseCategoricalCrossentropy)
        )
        probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        logit_loss, prob_loss = cls(from_logits=True)(y, Tensor(z)), cls()(y, Tensor(probs))
    assert logit_loss.item() == pytest.approx(prob_loss.item(), rel=1e-9)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("mse", lambda rng: (losses.MeanSquaredError(), rng.standard_normal((4, 3)), None)),
        (
            "bce probs",
            lambda rng: (
                losses.BinaryCrossentropy(),
                rng.integers(0, 2, (5, 2)).astype(float),
                rng.uniform(0.1, 0.9, (5, 2)),
            ),
        ),
        (
            "bce logits",
            lambda rng: (
                losses.BinaryCrossentropy(from_logits=True),
                rng.uniform(0, 1, (5, 1)),
                rng.standard_normal((5, 1)) * 3,
            ),
        ),
        (
            "cce probs",
            lambda rng: (losses.CategoricalCrossentropy(), _probs(rng, 4, 3), _probs(rng, 4, 3)),
        ),
        (
            "cce logits",
            lambda rng: (
                losses.CategoricalCrossentropy(from_logits=True),
                _probs(rng, 4, 3),
                rng.standard_normal((4, 3)),
            ),
        ),
        (
            "sparse probs",
            lambda rng: (
                losses.SparseCategoricalCrossentropy(),
                np.array([0, 2, 1, 2]),
                _probs(rng, 4, 3),
            ),
        ),
        (
            "sparse logits sequence",
            lambda rng: (
                losses.SparseCategoricalCrossentropy(from_logits=True),
                rng.integers(0, 4, (2, 3)),
                rng.standard_normal((2, 3, 4)),
            ),
        ),
    ],
)
def test_loss_gradient_matches_central_differences(
    name: str, make: Callable, gradcheck: GradCheck, rng: np.random.Generator
) -> None:
    """d loss / d y_pred equals the numerical gradient in float64."""
    loss, y_true, y_pred = make(rng)
    if y_pred is None:
        y_pred = rng.standard_normal(y_true.shape)
    gradcheck(lambda p: loss(y_true, p), y_pred)


def test_compiled_softmax_model_computes_crossentropy_from_the_logits() -> None:
    """A model ending in softmax, compiled with CCE, differentiates the logits: (p - y) / N."""
    model = Sequential([Input((3,)), Activation("softmax")], dtype="float64")
    model.compile("sgd", "categorical_crossentropy")
    z = Tensor(np.array([[50.0, -50.0, 0.0], [0.0, 0.0, 0.0]]), requires_grad=True)
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    loss, probs = model.loss_and_output(z, y)
    assert loss.parents == (z,) and probs.op == "softmax"
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx((100.0 + np.log(3)) / 2)
    loss.backward()
    expected = (probs.numpy() - y) / 2
    np.testing.assert_allclose(to_numpy(z.grad), expected, atol=1e-12)


def test_a_loss_called_on_probabilities_differentiates_the_probabilities() -> None:
    """Outside a compiled model nothing is fused: the loss's parent is the softmax output."""
    probs = act.softmax(Tensor(np.array([[1.0, 2.0, 3.0]]), requires_grad=True))
    loss = losses.CategoricalCrossentropy()(np.array([[0.0, 0.0, 1.0]]), probs)
    assert loss.parents == (probs,)


def test_logits_twin_pairs_each_crossentropy_with_the_activation_it_undoes() -> None:
    """sigmoid + BCE and softmax + (sparse) CCE fuse, by type; other pairs do not."""
    bce = losses.logits_twin(losses.BinaryCrossentropy(), act.sigmoid)
    assert isinstance(bce, losses.BinaryCrossentropy) and bce.from_logits
    for cls in (losses.CategoricalCrossentropy, losses.SparseCategoricalCrossentropy):
        twin = losses.logits_twin(cls(), act.softmax)
        assert type(twin) is cls and twin.from_logits
        assert losses.logits_twin(cls(), act.sigmoid) is None
    assert losses.logits_twin(losses.BinaryCrossentropy(), act.softmax) is None
    assert losses.logits_twin(losses.BinaryCrossentropy(from_logits=True), act.sigmoid) is None
    assert losses.logits_twin(losses.MeanSquaredError(), act.sigmoid) is None


def test_binary_crossentropy_is_finite_for_extreme_logits() -> None:
    """Logits of +-1000 give finite loss and gradient."""
    z = Tensor(np.array([[1000.0], [-1000.0]]), requires_grad=True)
    loss = losses.BinaryCrossentropy(from_logits=True)(np.array([[0.0], [1.0]]), z)
    assert loss.item() == pytest.approx(1000.0)
    loss.backward()
    np.testing.assert_allclose(to_numpy(z.grad), [[0.5], [-0.5]])


def test_probabilities_of_zero_are_clipped_not_infinite() -> None:
    """A predicted probability of exactly 0 for the true class gives a large finite loss."""
    loss = losses.SparseCategoricalCrossentropy()(np.array([1]), Tensor(np.array([[1.0, 0.0]])))
    assert np.isfinite(loss.item()) and loss.item() > 10


def test_shape_mismatch_names_the_loss_and_both_shapes() -> None:
    """A y_true that does not fit y_pred raises ValueError with both shapes."""
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(3, 2\).*\(3, 4\)"):
        losses.MeanSquaredError()(np.zeros((3, 2)), Tensor(np.zeros((3, 4))))
    with pytest.raises(ValueError, match=r"\(4,\).*\(3, 5\)"):
        losses.SparseCategoricalCrossentropy()(np.zeros(4), Tensor(np.ones((3, 5)) / 5))


def test_column_targets_match_flat_targets() -> None:
    """y_true of shape (batch,) is accepted for predictions of shape (batch, 1)."""
    p = Tensor(np.array([[0.2], [0.9]]))
    flat = losses.BinaryCrossentropy()(np.array([0.0, 1.0]), p)
    column = losses.BinaryCrossentropy()(np.array([[0.0], [1.0]]), p)
    assert flat.item() == column.item()


def test_sparse_labels_out_of_range_or_fractional_are_rejected() -> None:
    """Labels must be integers within [0, classes)."""
    p = Tensor(np.ones((2, 3)) / 3)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        losses.SparseCategoricalCrossentropy()(np.array([0, 3]), p)
    with pytest.raises(ValueError, match="integer"):
        losses.SparseCategoricalCrossentropy()(np.array([0.5, 1.0]), p)


def test_get_resolves_keras_names() -> None:
    """get() maps names to loss objects and rejects unknown names."""
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(
        losses.get("sparse_categorical_crossentropy"), losses.SparseCategoricalCrossentropy
    )
    with pytest.raises(ValueError, match="valid names"):
        losses.get("hinge")
