"""Tests for engine.nn.lstm_cell: the whole-sequence LSTM loops give, bit for bit, the numbers of
a plain step-by-step LSTM written the way the cell used to compute them (one step at a time, the
gate pre-activations halved after the sum, each derivative formed inside its step)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.nn.recurrent import LSTM

pytestmark = pytest.mark.usefixtures("backend")


def _step_by_step(
    x: np.ndarray,
    w: np.ndarray,
    uk: np.ndarray,
    bias: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    g_seq: np.ndarray,
    g_c: np.ndarray,
    first: int,
) -> dict[str, np.ndarray]:
    """Outputs and gradients of an LSTM over x (B, T, F), for the upstream gradients g_seq of
    every h_t (B, T, u) and g_c of c_T, with BPTT back to step `first`."""
    b, steps, features = x.shape
    u = uk.shape[0]
    half = np.full((b, 4 * u), 0.5, dtype=x.dtype)
    half[:, 2 * u : 3 * u] = 1.0
    shift = np.ones((b, 4 * u), dtype=x.dtype)
    shift[:, 2 * u : 3 * u] = 0.0
    xs = x.transpose(1, 0, 2).reshape(steps * b, features)
    xw = (xs @ w if features > 1 else xs * w).reshape(steps, b, 4 * u) + bias
    hs, cs, acts, tcs = [h0], [c0], [], []
    for t in range(steps):
        z = (xw[t] + hs[t] @ uk) * half
        z = (np.tanh(z) + shift) * half
        i, f, g, o = (z[:, k * u : (k + 1) * u] for k in range(4))
        c = f * cs[t] + i * g
        tc = np.tanh(c)
        hs.append(o * tc)
        cs.append(c)
        acts.append(z)
        tcs.append(tc)
    dz_all = np.zeros((steps, b, 4 * u), dtype=x.dtype)
    dh_seen = np.zeros((steps, b, u), dtype=x.dtype)
    dh_next, dc = np.zeros((b, u), dtype=x.dtype), g_c
    for t in range(steps - 1, first - 1, -1):
        a, tc = acts[t], tcs[t]
        i, f, g, o = (a[:, k * u : (k + 1) * u] for k in range(4))
        dh = dh_seen[t] = g_seq[:, t] + dh_next
        deriv = (1.0 - a) * a
        deriv[:, 2 * u : 3 * u] = 1.0 - g * g
        dc_t = dh * ((1.0 - tc * tc) * o) + dc
        dz = np.concatenate([dc_t * g, dc_t * cs[t], dc_t * i, dh * tc], axis=1) * deriv
        dc = dc_t * f
        dh_next = dz @ uk.T
        dz_all[t] = dz
    dxw = dz_all.reshape(steps * b, 4 * u)
    return {
        "seq": np.stack(hs[1:], axis=1),
        "c": cs[-1],
        "gx": (dxw @ w.T).reshape(steps, b, features).transpose(1, 0, 2),
        "gw": xs.T @ dxw,
        "gu": np.concatenate(hs[:steps]).reshape(steps * b, u).T @ dxw,
        "gb": dxw.sum(axis=0),
        "gh0": dh_next,
        "gc0": dc,
        "norms": np.sqrt((dh_seen * dh_seen).sum(axis=(1, 2))),
    }


def _layer_numbers(
    x: np.ndarray,
    weights: list[np.ndarray],
    states: list[np.ndarray],
    grads: list[np.ndarray],
    k: Any,
) -> dict[str, np.ndarray]:
    units = weights[1].shape[0]
    layer = LSTM(units, return_sequences=True, return_state=True, bptt_steps=k)
    layer.prepare(np.random.default_rng(0), x.dtype.name)
    layer.build((None, None, x.shape[2]))
    for p, value in zip(layer.params, weights, strict=True):
        p.data[...] = value
    xt = Tensor(x, requires_grad=True)
    h0, c0 = (Tensor(s, requires_grad=True) for s in states)
    seq, _, c = layer(xt, initial_state=[h0, c0])
    ((seq * Tensor(grads[0])).sum() + (c * Tensor(grads[1])).sum()).backward()
    got = {"seq": seq.numpy(), "c": c.numpy(), "norms": layer.hidden_grad_norms}
    for key, t in (("gx", xt), ("gh0", h0), ("gc0", c0)):
        got[key] = to_numpy(t.grad) if t.grad is not None else None
    for key, p in zip(("gw", "gu", "gb"), layer.params, strict=True):
        got[key] = to_numpy(p.grad)
    return got


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("features", "bptt"), [(1, None), (3, None), (1, 4), (2, 9)])
def test_lstm_matches_a_step_by_step_lstm_bit_for_bit(
    dtype: Any, features: int, bptt: int | None
) -> None:
    """Outputs, all gradients (weights, inputs, initial states) and the per-step gradient
    norms equal the step-by-step LSTM's exactly, with full and truncated BPTT."""
    rng = np.random.default_rng(7 + features)
    b, steps, u = 5, 9, 6
    x = rng.standard_normal((b, steps, features)).astype(dtype)
    weights = [
        (0.5 * rng.standard_normal(shape)).astype(dtype)
        for shape in ((features, 4 * u), (u, 4 * u), (4 * u,))
    ]
    states = [rng.standard_normal((b, u)).astype(dtype) for _ in range(2)]
    grads = [rng.standard_normal((b, steps, u)).astype(dtype), rng.standard_normal((b, u))]
    grads[1] = grads[1].astype(dtype)
    first = 0 if bptt is None else steps - bptt
    want = _step_by_step(x, *weights, *states, grads[0], grads[1], first)
    got = _layer_numbers(x, weights, states, grads, bptt)
    for key, value in want.items():
        if first > 0 and key in ("gh0", "gc0"):
            assert got[key] is None, key  # truncated: no gradient reaches the initial states
            continue
        assert got[key] is not None and got[key].dtype == dtype, key
        np.testing.assert_array_equal(got[key], value, err_msg=key)
    if first > 0:
        assert np.all(got["norms"][:first] == 0.0) and np.all(got["norms"][first:] > 0.0)


def test_the_step_by_step_comparison_can_fail() -> None:
    """The reference is sensitive: one gate's rounding changed shows in the numbers compared."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 6, 1)).astype(np.float32)
    weights = [(0.5 * rng.standard_normal(s)).astype(np.float32) for s in ((1, 8), (2, 8), (8,))]
    states = [rng.standard_normal((4, 2)).astype(np.float32) for _ in range(2)]
    grads = [rng.standard_normal((4, 6, 2)).astype(np.float32), np.ones((4, 2), np.float32)]
    want = _step_by_step(x, *weights, *states, grads[0], grads[1], 0)
    nudged = [weights[0], weights[1], weights[2] * np.float32(1 + 2**-20)]
    other = _layer_numbers(x, nudged, states, grads, None)
    assert not np.array_equal(other["seq"], want["seq"])
    assert not np.array_equal(other["gu"], want["gu"])
