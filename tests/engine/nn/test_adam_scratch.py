"""Adam's update with one scratch array per shape gives the numbers of the plain expression.

`Adam._update` writes each temporary into a kept work array instead of a new one; the reference
below is the update as it was written before (one new array per temporary), the same operations
in the same order. Over a long run every weight and moment must be equal, bit for bit, in
float32 and float64, for parameters that share a shape (and so a work array) and for a gradient
whose dtype differs from the weights'. (On the CPU: the reference is NumPy code; the
device-parametrised optimizer tests run the same update on the fake GPU.)
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.core.tensor import Tensor
from engine.nn.optimizers import Adam

SHAPES = [(7, 5), (5,), (7, 5), (5, 3), (3,)]  # two parameters share the first shape


def _reference(opt: Adam, w: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray) -> None:
    """The update with a new array per temporary (the code before the scratch arrays)."""
    t = opt.iterations
    m *= opt.beta_1
    m += (1 - opt.beta_1) * g
    g2 = g * g
    g2 *= 1 - opt.beta_2
    v *= opt.beta_2
    v += g2
    step = np.sqrt(v, out=np.empty_like(v))
    step *= 1 / (1 - opt.beta_2**t) ** 0.5
    step += opt.epsilon
    np.divide(m, step, out=step)
    step *= opt.learning_rate / (1 - opt.beta_1**t)
    w -= step


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("grad_dtype", [None, "float64"])
@pytest.mark.parametrize("decay", [0.0, 0.01])
def test_adam_matches_the_plain_update_over_a_long_run(
    dtype: str, grad_dtype: str | None, decay: float
) -> None:
    rng = np.random.default_rng(3)
    start = [rng.normal(0, 1, s).astype(dtype) for s in SHAPES]
    params = [Tensor(w.copy(), requires_grad=True) for w in start]
    opt = Adam(0.01, weight_decay=decay)
    ref_w = [w.copy() for w in start]
    ref_m = [np.zeros_like(w) for w in start]
    ref_v = [np.zeros_like(w) for w in start]
    for _ in range(300):
        grads = [rng.normal(0, 1e-2, s).astype(grad_dtype or dtype) for s in SHAPES]
        for p, g in zip(params, grads, strict=True):
            p.grad = g
        opt.step(params)
        for w, g, m, v in zip(ref_w, grads, ref_m, ref_v, strict=True):
            _reference(opt, w, g + decay * w if decay else g, m, v)
    for p, w, m, v in zip(params, ref_w, ref_m, ref_v, strict=True):
        state = opt.state_of(p)
        np.testing.assert_array_equal(p.data, w)
        np.testing.assert_array_equal(state["m"], m)
        np.testing.assert_array_equal(state["v"], v)
    # the run moved every weight (the comparison above is not between two untouched arrays)
    assert all(not np.array_equal(w, s) for w, s in zip(ref_w, start, strict=True))


def test_the_comparison_tells_a_reordered_update_apart() -> None:
    """The comparison can fail: the same formula with its scalars folded differently (the
    bias correction moved to the numerator) drifts by rounding, and bit equality sees it."""
    rng = np.random.default_rng(0)
    w = rng.normal(0, 1, (40, 30)).astype(np.float32)
    p = Tensor(w.copy(), requires_grad=True)
    opt = Adam(0.01)
    other, m, v = w.copy(), np.zeros_like(w), np.zeros_like(w)
    for t in range(1, 51):
        g = rng.normal(0, 1e-2, w.shape).astype(np.float32)
        p.grad = g
        opt.step([p])
        m *= opt.beta_1
        m += (1 - opt.beta_1) * g
        v *= opt.beta_2
        v += (1 - opt.beta_2) * (g * g)
        c2 = (1 - opt.beta_2**t) ** 0.5
        other -= (opt.learning_rate * c2 / (1 - opt.beta_1**t)) * m / (np.sqrt(v) + 1e-7 * c2)
    np.testing.assert_allclose(p.data, other, rtol=0, atol=1e-5)
    assert not np.array_equal(p.data, other)
