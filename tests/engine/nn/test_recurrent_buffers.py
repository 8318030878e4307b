"""Tests for the arrays recurrent layers reuse between calls (engine.nn.cells.Buffers)."""

from __future__ import annotations

import fakecupy
import numpy as np
import pytest

from engine.core import backend
from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.nn.cells import Buffers
from engine.nn.recurrent import GRU, LSTM, Recurrent, SimpleRNN

KINDS = [SimpleRNN, LSTM, GRU]


def test_buffers_hand_out_an_array_again_only_once_nothing_holds_it() -> None:
    """A held array (or a view of it) is never returned again; a released one is reused."""
    pool = Buffers()
    first = pool.empty((4, 3), np.float32)
    second = pool.empty((4, 3), np.float32)
    assert second is not first and first.dtype == np.float32 and first.shape == (4, 3)
    view = second[1:]
    del second
    third = pool.empty((4, 3), np.float32)
    assert third is not first and third.base is None and view.base is not third
    del first
    assert pool.empty((4, 3), np.float32) is not third  # `third` is still held here
    assert pool.empty((4, 3), np.float64).dtype == np.float64


def test_buffers_reuse_a_released_array_and_start_over_past_their_limit() -> None:
    """Released arrays come back; past `limit` bytes the pool forgets what it kept."""
    pool = Buffers(limit=1000)
    a = pool.empty((10, 10), np.float32)  # 400 bytes
    address = a.ctypes.data
    del a
    assert pool.empty((10, 10), np.float32).ctypes.data == address
    held = [pool.empty((10, 10), np.float32) for _ in range(3)]  # 1,200 bytes: starts over
    assert len({h.ctypes.data for h in held}) == 3


def test_buffers_give_other_array_modules_fresh_arrays(fake_device: fakecupy.Transfers) -> None:
    """On a GPU-like module every call allocates there (CuPy pools memory itself)."""
    pool = Buffers()
    a, b = pool.empty((2, 2), np.float32), pool.empty((2, 2), np.float32)
    assert isinstance(a, fakecupy.DeviceArray) and a is not b
    assert fake_device.to_host == 0 and backend.current().name == "fake"


@pytest.mark.parametrize("kind", KINDS)
def test_a_layer_called_again_leaves_earlier_outputs_and_graphs_intact(
    kind: type[Recurrent], rng: np.random.Generator
) -> None:
    """Two graphs built before either backward pass: each output keeps its values and each
    backward pass gives the gradients a fresh layer with the same weights gives."""
    layer = kind(4, return_sequences=True)
    xs = [Tensor(rng.standard_normal((3, 5, 2)).astype(np.float32)) for _ in range(2)]
    outs = [layer(x) for x in xs]
    kept = [o.numpy().copy() for o in outs]
    grads = []
    for out in outs:
        for p in layer.params:
            p.grad = None
        (out * out).sum().backward()
        grads.append([to_numpy(p.grad).copy() for p in layer.params])
    for x, out, values, got in zip(xs, outs, kept, grads, strict=True):
        np.testing.assert_array_equal(out.numpy(), values)
        fresh = kind(4, return_sequences=True)
        fresh(x)
        for p, q in zip(fresh.params, layer.params, strict=True):
            p.data = q.data.copy()
        out2 = fresh(x)
        np.testing.assert_array_equal(out2.numpy(), values)
        (out2 * out2).sum().backward()
        for p, g in zip(fresh.params, got, strict=True):
            np.testing.assert_array_equal(p.grad, g)
