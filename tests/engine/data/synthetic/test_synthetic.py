"""Tests for engine.data.synthetic: seeded generators, class balance, surfaces, hiring data."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data.synthetic import sets as syn


def _same(a: Any, b: Any) -> bool:
    """Whether two generated dataclasses hold identical arrays and values."""
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            if x.dtype != y.dtype or not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True


# ------------------------------------------------------------------------ playground sets


@pytest.mark.parametrize("name", syn.PLAYGROUND_SETS)
def test_playground_sets_are_deterministic_per_seed(name: syn.Playground) -> None:
    """Same seed, same points and split; another seed, other points."""
    a = syn.make_playground(name, 200, noise=0.1, seed=3)
    assert _same(a, syn.make_playground(name, 200, noise=0.1, seed=3))
    assert not np.array_equal(a.x_train, syn.make_playground(name, 200, noise=0.1, seed=4).x_train)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(syn.PLAYGROUND_SETS),
    n=st.integers(2, 600),
    noise=st.floats(0.0, 0.5),
    test_fraction=st.sampled_from([0.0, 0.2, 0.5]),
    seed=st.integers(0, 2**32 - 1),
)
def test_playground_sets_have_half_of_each_class_and_stratified_split(
    name: syn.Playground, n: int, noise: float, test_fraction: float, seed: int
) -> None:
    """n // 2 points of class 0, the rest class 1; each class gives round(k * f) to test."""
    data = syn.make_playground(name, n, noise=noise, test_fraction=test_fraction, seed=seed)
    y = np.concatenate([data.y_train, data.y_test])
    assert np.bincount(y, minlength=2).tolist() == [n // 2, n - n // 2]
    expected_test = [round((n // 2) * test_fraction), round((n - n // 2) * test_fraction)]
    assert np.bincount(data.y_test, minlength=2).tolist() == expected_test
    assert data.x_train.shape == (len(data.y_train), 2) and data.x_train.dtype == np.float32
    assert data.y_train.dtype == np.int64 and np.isfinite(data.x_train).all()


def test_noiseless_circle_puts_class_1_inside_and_class_0_on_the_ring() -> None:
    """Circle: class 1 within radius 0.5, class 0 between 0.7 and 1."""
    data = syn.make_circle(400)
    r = np.hypot(*np.concatenate([data.x_train, data.x_test]).T)
    y = np.concatenate([data.y_train, data.y_test])
    assert r[y == 1].max() <= 0.5 and r[y == 0].min() >= 0.7 and r.max() <= 1.0 + 1e-6


def test_noiseless_xor_labels_follow_the_sign_of_the_product() -> None:
    """XOR: class 1 exactly where x * y > 0."""
    data = syn.make_xor(400)
    assert np.array_equal(data.y_train, (np.prod(data.x_train, axis=1) > 0).astype(np.int64))


def test_gaussians_are_centred_on_opposite_corners() -> None:
    """Two gaussians: class means near (-0.5, -0.5) and (0.5, 0.5)."""
    data = syn.make_gaussians(2000, test_fraction=0.0)
    for label, centre in ((0, -0.5), (1, 0.5)):
        mean = data.x_train[data.y_train == label].mean(axis=0)
        np.testing.assert_allclose(mean, [centre, centre], atol=0.03)


def test_spiral_arms_stay_in_the_unit_disc_and_interleave() -> None:
    """Spiral: radius <= 1 and each arm is the other rotated by half a turn."""
    data = syn.make_spiral(400, test_fraction=0.0)
    assert np.hypot(*data.x_train.T).max() <= 1.0 + 1e-6
    flipped = -data.x_train[data.y_train == 1]
    angle = np.arctan2(flipped[:, 1], flipped[:, 0])
    radius = np.hypot(*flipped.T)
    arm0 = np.mod(1.75 * 2 * math.pi * radius - angle + math.pi, 2 * math.pi) - math.pi
    np.testing.assert_allclose(arm0, 0.0, atol=1e-4)


def test_a_generator_can_be_passed_instead_of_a_seed() -> None:
    """A Generator drives the data and advances: two calls differ, same state same data."""
    rng = np.random.default_rng(7)
    first, second = syn.make_spiral(50, seed=rng), syn.make_spiral(50, seed=rng)
    assert not np.array_equal(first.x_train, second.x_train)
    assert _same(first, syn.make_spiral(50, seed=np.random.default_rng(7)))


def test_playground_rejects_unknown_names_and_negative_noise() -> None:
    """Bad arguments are ValueErrors that say what is allowed."""
    with pytest.raises(ValueError, match="circle"):
        syn.make_playground("moons", 10)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="noise"):
        syn.make_circle(10, noise=-1.0)


# ----------------------------------------------------------------------------- regression


@pytest.mark.parametrize("name", sorted(syn.CURVES))
def test_regression_curves_without_noise_lie_on_the_curve(name: str) -> None:
    """noise=0: y == curve(x); shapes (n, 1) float32, 30 % for testing; deterministic."""
    data = syn.make_regression(name, 100, noise=0.0, seed=1)
    assert data.x_train.shape == (70, 1) and data.x_test.shape == (30, 1)
    assert data.y_train.dtype == np.float32
    f = syn.CURVES[name]
    np.testing.assert_allclose(data.y_train, f(data.x_train.astype(np.float64)), atol=1e-6)
    np.testing.assert_allclose(data.y_grid, f(data.x_grid.astype(np.float64)), atol=1e-6)
    assert _same(data, syn.make_regression(name, 100, noise=0.0, seed=1))


def test_regression_noise_has_the_requested_spread() -> None:
    """Residuals from the curve have standard deviation close to ``noise``."""
    data = syn.make_regression("cubic", 5000, noise=0.2, seed=2, dtype=np.float64)
    residual = data.y_train - syn.CURVES["cubic"](data.x_train)
    assert data.x_train.dtype == np.float64
    assert residual.std() == pytest.approx(0.2, rel=0.05)


# ----------------------------------------------------------------------------- sequences


def test_sine_sequences_predict_the_continuation_of_each_wave() -> None:
    """x (n, T, 1) and y (n, horizon); noise=0 targets continue the same sine."""
    data = syn.make_sine_sequences(8, 30, noise=0.0, horizon=3, seed=5)
    assert data.x.shape == (8, 30, 1) and data.y.shape == (8, 3) and data.task == "regression"
    assert np.abs(data.x).max() <= 1.0 and data.x.dtype == np.float32
    assert _same(data, syn.make_sine_sequences(8, 30, noise=0.0, horizon=3, seed=5))


def test_remember_first_target_is_the_first_symbol_with_balanced_classes() -> None:
    """y == the first one-hot symbol; 101 sequences over 4 symbols give 26/25/25/25."""
    data = syn.make_remember_first(101, 15, n_symbols=4, seed=9)
    assert data.x.shape == (101, 15, 4) and np.array_equal(data.x.sum(axis=2), np.ones((101, 15)))
    assert np.array_equal(data.y, data.x[:, 0].argmax(axis=1))
    assert sorted(np.bincount(data.y).tolist()) == [25, 25, 25, 26]


def test_copy_task_targets_repeat_the_shown_symbols_after_the_go_marker() -> None:
    """Targets are blank until the last ``length`` steps, which copy the first ones."""
    length, delay, k = 4, 6, 5
    data = syn.make_copy_task(20, length, delay=delay, n_symbols=k, seed=1)
    steps = 2 * length + delay + 1
    assert data.x.shape == (20, steps, k + 2) and data.y.shape == (20, steps)
    inputs = data.x.argmax(axis=2)
    assert np.array_equal(data.y[:, -length:], inputs[:, :length])
    assert (data.y[:, :-length] == k).all() and (inputs[:, length + delay] == k + 1).all()


def test_adding_problem_target_is_the_sum_of_the_two_marked_values() -> None:
    """Exactly one mark in each half; y is the sum of the two marked values."""
    data = syn.make_adding_problem(64, 30, seed=4)
    values, marks = data.x[..., 0], data.x[..., 1]
    assert (marks[:, :15].sum(axis=1) == 1).all() and (marks[:, 15:].sum(axis=1) == 1).all()
    np.testing.assert_allclose(data.y[:, 0], (values * marks).sum(axis=1), rtol=1e-6)


# -------------------------------------------------------------------------- loss surfaces


@pytest.mark.parametrize("name", sorted(syn.SURFACES))
def test_surface_gradient_matches_central_differences(name: str) -> None:
    """The analytic gradient agrees with central differences in float64."""
    s = syn.surface(name)
    rng = np.random.default_rng(0)
    w0 = rng.uniform(*s.x_range, 50)
    w1 = rng.uniform(*s.y_range, 50)
    h = 1e-6
    g0, g1 = s.grad(w0, w1)
    np.testing.assert_allclose(g0, (s(w0 + h, w1) - s(w0 - h, w1)) / (2 * h), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(g1, (s(w0, w1 + h) - s(w0, w1 - h)) / (2 * h), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name", sorted(syn.SURFACES))
def test_surface_minima_are_stationary_and_the_first_is_the_lowest(name: str) -> None:
    """Gradient zero at minima and saddles; the first minimum is the grid's lowest point."""
    s = syn.surface(name)
    for point in s.minima + s.saddles:
        assert np.allclose(s.grad(*point), 0.0), point
    _, _, z = s.grid(201)
    best = float(s(*s.minima[0]))
    assert best <= z.min() + 1e-9
    assert all(float(s(*m)) >= best for m in s.minima)
    assert s.x_range[0] <= s.start[0] <= s.x_range[1]
    assert s.y_range[0] <= s.start[1] <= s.y_range[1]


def test_surface_minimum_values_are_the_documented_ones() -> None:
    """Rosenbrock 0 at (1, 1); saddle -1/4 at (0, +-1); two minima -8/3 and -5/12."""
    assert syn.surface("rosenbrock")(1.0, 1.0) == 0.0
    assert syn.surface("saddle")(0.0, -1.0) == pytest.approx(-0.25)
    two = syn.surface("two_minima")
    assert two(2.0, 0.0) == pytest.approx(-8 / 3) and two(-1.0, 0.0) == pytest.approx(-5 / 12)


@pytest.mark.parametrize("name", sorted(syn.SURFACES))
def test_surfaces_work_on_engine_tensors_and_autodiff_agrees(name: str) -> None:
    """f on Tensors gives the same value, and backward() the analytic gradient."""
    tensor = pytest.importorskip("engine.core.tensor")
    s = syn.surface(name)
    a = tensor.Tensor(np.array(0.3), requires_grad=True)
    b = tensor.Tensor(np.array(-0.7), requires_grad=True)
    out = s(a, b)
    out.backward()
    assert float(out.item()) == pytest.approx(float(s(0.3, -0.7)))
    g0, g1 = s.grad(0.3, -0.7)
    assert float(np.asarray(a.grad)) == pytest.approx(g0)
    assert float(np.asarray(b.grad)) == pytest.approx(g1)


def test_unknown_surface_lists_the_known_ones() -> None:
    """surface() with a bad name raises ValueError naming the choices."""
    with pytest.raises(ValueError, match="rosenbrock"):
        syn.surface("himmelblau")


# ---------------------------------------------------------------------------- hiring


def test_hiring_is_deterministic_with_exact_group_and_hire_counts() -> None:
    """Same seed same data; exactly round(n * share) in group B and n * hire_rate hired."""
    data = syn.make_hiring(1000, group_share=0.3, hire_rate=0.25, seed=11)
    assert _same(data, syn.make_hiring(1000, group_share=0.3, hire_rate=0.25, seed=11))
    assert int(data.group.sum()) == 300
    assert int(data.y.sum()) == 250 and int(data.qualified.sum()) == 250
    assert data.x.shape == (1000, 5) and data.x.dtype == np.float32
    assert np.array_equal(data.x[:, -1], data.group)


def test_hiring_history_is_biased_against_group_b_though_ability_is_equal() -> None:
    """With bias 1, group B is hired far less often though it is as often qualified."""
    data = syn.make_hiring(20000, bias=1.0, seed=0)
    hired, qualified = data.rates(data.y), data.rates(data.qualified)
    assert abs(qualified["A"] - qualified["B"]) < 0.03
    assert hired["A"] - hired["B"] > 0.15


def test_hiring_without_bias_hires_both_groups_at_the_same_rate() -> None:
    """With bias 0 the historical selection rates of the groups agree."""
    data = syn.make_hiring(20000, bias=0.0, seed=0)
    hired = data.rates(data.y)
    assert abs(hired["A"] - hired["B"]) < 0.03


@pytest.mark.parametrize("strength", [0.0, 0.5, 0.9])
def test_hiring_proxy_correlates_with_group_as_configured(strength: float) -> None:
    """corr(neighbourhood, group) equals proxy_strength; dropping 'group' keeps the proxy."""
    data = syn.make_hiring(20000, proxy_strength=strength, seed=1)
    x, names = data.without_group()
    assert "group" not in names and x.shape == (20000, 4)
    proxy = x[:, names.index("neighbourhood")].astype(np.float64)
    assert np.corrcoef(proxy, data.group)[0, 1] == pytest.approx(strength, abs=0.02)
    assert f"correlates {strength:g} with group" in data.describe()


def test_hiring_rejects_out_of_range_knobs() -> None:
    """proxy_strength outside [0, 1] or shares outside (0, 1) are ValueErrors."""
    with pytest.raises(ValueError, match="proxy_strength"):
        syn.make_hiring(100, proxy_strength=1.5)
    with pytest.raises(ValueError, match="group_share"):
        syn.make_hiring(100, group_share=0.0)
