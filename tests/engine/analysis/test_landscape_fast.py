"""The landscape fast paths (tanh/sigmoid carried as logistic arrays, exp tables for the first
layer on a grid, two-class cross-entropy as a softplus, worker threads) give the losses of one
plain forward pass per setting: within float32 rounding of a float64 reference, and to 1e-9 in
float64."""

from __future__ import annotations

import numpy as np
import pytest

from engine.analysis import batched, exptables, landscape
from engine.analysis.logistic import Carrier
from engine.models.sequential import Sequential
from engine.nn import activations
from engine.nn.layers import Dense, Dropout, Input

pytestmark = pytest.mark.usefixtures("backend")


def _mlp(dtype: str, hidden: str = "tanh", out: str = "softmax", units: int = 2) -> Sequential:
    model = Sequential(
        [
            Input((2,)),
            Dense(16, activation=hidden),
            Dense(16, activation=hidden),
            Dense(units, activation=out),
        ],
        seed=4,
        dtype=dtype,
    )
    model.compile("adam", "sparse_categorical_crossentropy" if out == "softmax" else "mse")
    return model


def _data(n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((n, 2))
    return x, (x[:, 0] * x[:, 1] > 0).astype(int)


def _reference(twin: Sequential, x: np.ndarray, y: np.ndarray, weights: list[np.ndarray]) -> float:
    """The loss with the weights set on a float64 model: the plain per-setting evaluation."""
    twin.set_weights(weights)
    return float(twin.evaluate(x, y)["loss"])


def _point(grid: landscape.Landscape, j: int, i: int) -> list[np.ndarray]:
    d1, d2 = grid.directions
    return [
        c + grid.alphas[i] * a + grid.betas[j] * b
        for c, a, b in zip(grid.center, d1, d2, strict=True)
    ]


def _worst(grid: landscape.Landscape, x: np.ndarray, y: np.ndarray) -> float:
    """The largest relative difference of the grid to the float64 per-setting reference."""
    twin = _mlp("float64")
    worst = 0.0
    for j in range(len(grid.betas)):
        for i in range(len(grid.alphas)):
            ref = _reference(twin, x, y, _point(grid, j, i))
            worst = max(worst, abs(grid.losses[j, i] - ref) / ref)
    return worst


def test_float32_grid_is_the_float64_reference_within_rounding() -> None:
    """W4's model in float32 on a 9 x 9 grid (exp tables, carried tanh, softplus loss): every
    value within 2e-6 (relative) of setting the weights on a float64 model and evaluating."""
    x, y = _data()
    grid = landscape.loss_grid(_mlp("float32"), x, y, extent=1.5, resolution=9, seed=2)
    assert _worst(grid, x, y) < 2e-6


def test_a_wrong_carrier_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above can fail: a carried tanh off by 5% in its factor is far outside."""
    monkeypatch.setitem(batched.CARRIERS, activations.tanh, Carrier(2.0, 1.0, -1.9))
    x, y = _data()
    grid = landscape.loss_grid(_mlp("float32"), x, y, extent=1.5, resolution=9, seed=2)
    assert _worst(grid, x, y) > 1e-3


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu"])
def test_float64_tables_and_direct_exp_agree_with_single_points(
    hidden: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With exp tables (a 9 x 9 grid) and without them (BOUND 0), float64 values are the
    per-setting losses to 1e-9."""
    x, y = _data(60)
    model = _mlp("float64", hidden)
    twin = _mlp("float64", hidden)
    tabled = landscape.loss_grid(model, x, y, resolution=9, seed=1)
    monkeypatch.setattr(exptables, "BOUND", 0.0)
    direct = landscape.loss_grid(model, x, y, resolution=9, seed=1)
    np.testing.assert_allclose(tabled.losses, direct.losses, rtol=1e-12)
    for j, i in [(0, 0), (2, 7), (4, 4), (8, 3), (8, 8)]:
        ref = _reference(twin, x, y, _point(tabled, j, i))
        assert tabled.losses[j, i] == pytest.approx(ref, rel=1e-9)


def test_large_logits_and_exponents_stay_exact() -> None:
    """Weights 30 times larger (saturated tanh, logits in the hundreds, exponents past the
    tables' bound): the softplus loss is still the per-setting loss."""
    x, y = _data(60)
    model, twin = _mlp("float64"), _mlp("float64")
    model.set_weights([30 * w for w in model.get_weights()])
    grid = landscape.loss_grid(model, x, y, resolution=9, seed=3)
    assert grid.losses.max() > 10
    for j, i in [(0, 0), (4, 4), (8, 1)]:
        assert grid.losses[j, i] == pytest.approx(
            _reference(twin, x, y, _point(grid, j, i)), rel=1e-9
        )


def test_three_directions_shuffled_rows_and_a_line() -> None:
    """losses_at on a 5 x 5 x 5 grid of three directions, in shuffled order (runs of one row),
    and along one direction with repeated values, matches single settings."""
    x, y = _data(40)
    model = Sequential(
        [Input((2,)), Dense(6, activation="sigmoid"), Dropout(0.5), Dense(2, activation="softmax")],
        dtype="float64",
    )
    model.compile("sgd", "sparse_categorical_crossentropy")
    twin = Sequential(
        [Input((2,)), Dense(6, activation="sigmoid"), Dense(2, activation="softmax")],
        dtype="float64",
    )
    twin.compile("sgd", "sparse_categorical_crossentropy")
    base = model.get_weights()
    rng = np.random.default_rng(0)
    dirs = [[rng.standard_normal(w.shape) for w in base] for _ in range(3)]
    axis = np.linspace(-1, 1, 5)
    coeffs = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1).reshape(-1, 3)
    coeffs = coeffs[rng.permutation(len(coeffs))]
    values = landscape.losses_at(model, x, y, base, dirs, coeffs)
    line = np.repeat(axis, 5)[:, None]
    along = landscape.losses_at(model, x, y, base, dirs[:1], line)
    for r in (0, 17, 124):
        point = [
            b + sum(c * d[p] for c, d in zip(coeffs[r], dirs, strict=True))
            for p, b in enumerate(base)
        ]
        assert values[r] == pytest.approx(_reference(twin, x, y, point), rel=1e-9)
    for r in (0, 12, 24):
        point = [b + line[r, 0] * d for b, d in zip(base, dirs[0], strict=True)]
        assert along[r] == pytest.approx(_reference(twin, x, y, point), rel=1e-9)


def test_two_workers_give_the_same_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """workers=2 splits the chunks between two threads: the values are identical."""
    monkeypatch.setattr(landscape, "_ELEMENTS_PER_BATCH", 7 * 120 * 16)
    x, y = _data()
    model = _mlp("float32")
    one = landscape.loss_grid(model, x, y, resolution=11, seed=5)
    two = landscape.loss_grid(model, x, y, resolution=11, seed=5, workers=2)
    np.testing.assert_array_equal(one.losses, two.losses)
    with pytest.raises(ValueError, match="workers"):
        landscape.loss_grid(model, x, y, resolution=3, workers=0)


def test_chunks_are_split_evenly_between_workers() -> None:
    """Whole chunks, in order, covering every row once."""
    assert landscape._split(2601, 32, 2) == [(0, 1312), (1312, 2601)]
    assert landscape._split(10, 32, 4) == [(0, 10)]
    assert landscape._split(100, 10, 3) == [(0, 30), (30, 60), (60, 100)]


def test_dense_on_sequences_adds_its_bias_to_every_step() -> None:
    """Dense layers on (batch, steps, features) inputs (a carried tanh, the bias tiled over
    batch x steps rows) and a Flatten: the per-setting losses to 1e-9."""
    from engine.nn.layers import Flatten

    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((30, 4, 3)), rng.standard_normal((30, 1))
    model, twin = (
        Sequential(
            [
                Input((4, 3)),
                Dense(5, activation="tanh"),  # carried into the next Dense
                Dense(2, activation="tanh"),
                Flatten(),
                Dense(1),
            ],
            dtype="float64",
        )
        for _ in range(2)
    )
    model.compile("sgd", "mse")
    twin.compile("sgd", "mse")
    model.set_weights([w + 0.1 for w in model.get_weights()])  # non-zero biases
    grid = landscape.loss_grid(model, x, y, resolution=3, seed=4)
    for j, i in [(0, 0), (1, 2), (2, 1)]:
        assert grid.losses[j, i] == pytest.approx(
            _reference(twin, x, y, _point(grid, j, i)), rel=1e-9
        )
