"""Recurrent cells: one time step of SimpleRNN, LSTM and GRU, forward and backward, on raw arrays.

Weight layouts follow Keras. With `u` units and G gate blocks of `u` columns each, the kernel W
is (features, G*u), the recurrent kernel U is (u, G*u), and the blocks are, in column order::

    SimpleRNN  G=1  h_t = tanh(x_t W + h_{t-1} U + b)                           bias (u,)
    LSTM       G=4  i, f, c, o: input, forget, candidate, output                bias (4u,)
                    i = sig(z_i)  f = sig(z_f)  g = tanh(z_c)  o = sig(z_o)
                    c_t = f * c_{t-1} + i * g          h_t = o * tanh(c_t)
    GRU        G=3  z, r, h: update, reset, candidate (Keras reset_after=True)  bias (2, 3u)
                    [xz, xr, xh] = x_t W + b[0]        [hz, hr, hh] = h_{t-1} U + b[1]
                    z = sig(xz + hz)  r = sig(xr + hr)  n = tanh(xh + r * hh)
                    h_t = z * h_{t-1} + (1 - z) * n

A cell reads and writes the arrays of a `Trace` (time-major, one slot per step), so the layer's
time loop is just `cell.forward(trace, t, xw[t], h_{t-1} @ U)`. `backward(trace, t, dh, dc)`
turns the gradient reaching h_t (and c_t) into the gradient of the step's pre-activations,
stored in `trace.dxw[t]` (and `trace.dhu[t]` where the recurrent part differs, for GRU); it
returns what flows straight to h_{t-1} (GRU's z * dh; None for the others) and to c_{t-1}
(LSTM's f * dc).

A step works on small arrays (batch x units), where each NumPy call costs about as much as its
arithmetic, so the cells write into arrays set up once per sequence by `prepare_forward` and
`prepare_backward` (`out=`, no temporaries) and call as few functions as they can.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from engine.core import backend

__all__ = ["Buffers", "GRUCell", "LSTMCell", "RecurrentCell", "SimpleRNNCell", "Trace"]

Array = Any


def _references(kept: list[np.ndarray]) -> int:
    """What sys.getrefcount reports, in `Buffers.empty`'s loop, for an array nothing else holds."""
    for a in kept:
        return sys.getrefcount(a)
    return 0


class Buffers:
    """Arrays a recurrent layer reuses from call to call, each only once nothing else holds it.

    A sequence's trace and its gradients take megabytes, and fresh arrays that size come from
    the operating system page by page (a page fault at the first touch of each 4 KiB), which on
    the CPU costs more than the cell's arithmetic on them. Whether an array is free is read from
    its reference count: one still held by a graph, a Tensor, a view of it or an event payload
    is never handed out again. Other array modules (CuPy has its own memory pool) get fresh
    arrays; past `limit` bytes kept, the pool starts over.
    """

    _FREE = _references([np.empty(0)])

    def __init__(self, limit: int = 64 << 20) -> None:
        self.limit = limit
        self._kept: dict[tuple[tuple[int, ...], np.dtype[Any]], list[np.ndarray]] = {}
        self._bytes = 0

    def empty(self, shape: tuple[int, ...], dtype: Any) -> Array:
        """An uninitialised array of `shape` and `dtype`, like `xp.empty`."""
        if backend.current().xp is not np:
            return backend.xp().empty(shape, dtype=dtype)
        kept = self._kept.setdefault((shape, np.dtype(dtype)), [])
        for a in kept:
            if sys.getrefcount(a) == self._FREE:
                return a
        a = np.empty(shape, dtype=dtype)
        if self._bytes + a.nbytes > self.limit:
            self._kept.clear()
            self._bytes = 0
        self._kept.setdefault((shape, a.dtype), []).append(a)
        self._bytes += a.nbytes
        return a


def sigmoid_(a: Array) -> Array:
    """The logistic function applied in place: sig(a) = (1 + tanh(a / 2)) / 2."""
    a *= 0.5
    backend.xp().tanh(a, out=a)
    a += 1.0
    a *= 0.5
    return a


@dataclass
class Trace:
    """Everything a forward pass over T steps keeps for backward (time-major arrays).

    `states[t + 1]` is h_t (`states[0]` the initial state); for LSTM `states[T + 1]` is the final
    cell state c_T. `acts[t]` holds the gate activations in kernel column order, `cells[t + 1]`
    the LSTM cell state c_t, `extra[t]` per-cell values (tanh(c_t) for LSTM, h_{t-1} U + b for
    GRU's candidate). Backward fills `dxw` (and for GRU `dhu`), the pre-activation gradients.
    Arrays come from `buffers` (`empty`), reused by the layer from call to call.
    """

    states: Array
    acts: Array
    cells: Array = None
    extra: Array = None
    deriv: Array = None
    dxw: Array = None
    dhu: Array = None
    scratch: dict[str, Array] = field(default_factory=dict)
    buffers: Buffers = field(default_factory=Buffers)

    def empty(self, *shape: int) -> Array:
        """An uninitialised array of the trace's dtype (from `buffers`)."""
        return self.buffers.empty(shape, self.states.dtype)


class RecurrentCell:
    """Base class: `blocks` gate blocks named `gates`, one time step forward and backward."""

    gates: ClassVar[tuple[str, ...]] = ()
    blocks: ClassVar[int] = 1
    has_cell_state: ClassVar[bool] = False

    def __init__(self, units: int) -> None:
        self.units = units

    def prepare_forward(self, tr: Trace) -> None:
        """Set up, once per sequence, what every forward step uses (constants, buffers)."""

    def forward(self, tr: Trace, t: int, xw: Array, hu: Array) -> None:
        """Compute step t from x_t W + b (`xw`) and h_{t-1} U (`hu`), writing into `tr`."""
        raise NotImplementedError

    def prepare_backward(self, tr: Trace) -> None:
        """Set up, once per backward pass, what every backward step uses (buffers, or the
        activation derivatives of all steps at once)."""

    def backward(
        self, tr: Trace, t: int, dh: Array, dc: Array | None
    ) -> tuple[Array | None, Array | None]:
        """Fill `tr.dxw[t]` from dL/dh_t (and dL/dc_t); return (direct dh_{t-1} or None,
        dc_{t-1} or None)."""
        raise NotImplementedError

    def gate_values(self, tr: Trace, t: int, sample: int) -> dict[str, np.ndarray]:
        """Each gate's activations at step t for one sample, as host arrays."""
        u = self.units
        acts = backend.to_numpy(tr.acts[t, sample])
        return {name: acts[k * u : (k + 1) * u].copy() for k, name in enumerate(self.gates)}


class SimpleRNNCell(RecurrentCell):
    """h_t = tanh(x_t W + h_{t-1} U + b); backward: dz = dh * (1 - h_t^2)."""

    def forward(self, tr: Trace, t: int, xw: Array, hu: Array) -> None:
        h = tr.states[t + 1]
        backend.xp().add(xw, hu, out=h)
        backend.xp().tanh(h, out=h)

    def prepare_backward(self, tr: Trace) -> None:
        xp, h = backend.xp(), tr.states[1 : len(tr.acts) + 1]
        tr.deriv = xp.multiply(h, h, out=tr.empty(*h.shape))
        xp.subtract(1.0, tr.deriv, out=tr.deriv)

    def backward(
        self, tr: Trace, t: int, dh: Array, dc: Array | None
    ) -> tuple[Array | None, Array | None]:
        backend.xp().multiply(dh, tr.deriv[t], out=tr.dxw[t])
        return None, None

    def gate_values(self, tr: Trace, t: int, sample: int) -> dict[str, np.ndarray]:
        return {}


class LSTMCell(RecurrentCell):
    """Long short-term memory: gates i, f, c (candidate), o; see the module docstring.

    One tanh computes all four gates of a step: sig(z) = (1 + tanh(z / 2)) / 2, so the
    pre-activations are scaled by (1/2, 1/2, 1, 1/2) per block, passed through tanh, then
    shifted by (1, 1, 0, 1) and scaled again (exact in floating point: halving and adding 0 or
    multiplying by 1 round nothing, so each gate is what `sigmoid_` or `tanh` alone gives).
    """

    gates = ("input", "forget", "candidate", "output")
    blocks = 4
    has_cell_state = True

    def prepare_forward(self, tr: Trace) -> None:
        xp, u = backend.xp(), self.units
        _, b, width = tr.acts.shape
        # Whole (batch, 4u) arrays: a product with a row broadcast over the batch takes
        # about twice as long as with an array of the same shape.
        half = xp.full((b, width), 0.5, dtype=tr.acts.dtype)  # (1/2, 1/2, 1, 1/2) per block
        half[:, 2 * u : 3 * u] = 1.0
        shift = xp.ones((b, width), dtype=tr.acts.dtype)  # (1, 1, 0, 1)
        shift[:, 2 * u : 3 * u] = 0.0
        tr.scratch.update(half=half, shift=shift)
        tr.scratch["ig"] = xp.empty((b, u), dtype=tr.acts.dtype)  # i * g

    def forward(self, tr: Trace, t: int, xw: Array, hu: Array) -> None:
        xp, u, scratch = backend.xp(), self.units, tr.scratch
        z = tr.acts[t]
        xp.add(xw, hu, out=z)
        z *= scratch["half"]  # i, f, o: z / 2
        xp.tanh(z, out=z)
        z += scratch["shift"]  # i, f, o: (1 + tanh(z / 2)) / 2 = sig(z); g = tanh(z)
        z *= scratch["half"]
        i, f, g, o = z[:, :u], z[:, u : 2 * u], z[:, 2 * u : 3 * u], z[:, 3 * u :]
        c = tr.cells[t + 1]
        xp.multiply(f, tr.cells[t], out=c)  # c_t = f * c_{t-1} + i * g
        c += xp.multiply(i, g, out=scratch["ig"])
        tc = xp.tanh(c, out=tr.extra[t])
        xp.multiply(o, tc, out=tr.states[t + 1])  # h_t = o * tanh(c_t)

    def prepare_backward(self, tr: Trace) -> None:
        xp, (_, b, width) = backend.xp(), tr.acts.shape
        for key, shape in (("deriv", (b, width)), ("dc_from_h", (b, self.units))):
            tr.scratch[key] = xp.empty(shape, dtype=tr.acts.dtype)
        tr.scratch["dc"] = xp.empty((b, self.units), dtype=tr.acts.dtype)  # dL/dc_t
        tr.scratch["dc_prev"] = xp.empty((b, self.units), dtype=tr.acts.dtype)  # dc_t * f

    def backward(
        self, tr: Trace, t: int, dh: Array, dc: Array | None
    ) -> tuple[Array | None, Array | None]:
        xp, u, scratch = backend.xp(), self.units, tr.scratch
        a, dz, tc = tr.acts[t], tr.dxw[t], tr.extra[t]
        i, f, g, o = a[:, :u], a[:, u : 2 * u], a[:, 2 * u : 3 * u], a[:, 3 * u :]
        deriv = xp.subtract(1.0, a, out=scratch["deriv"])
        deriv *= a  # sigmoid' = s (1 - s) for i, f, o
        dg = deriv[:, 2 * u : 3 * u]
        xp.multiply(g, g, out=dg)
        xp.subtract(1.0, dg, out=dg)  # tanh' = 1 - g^2 for the candidate
        dc_from_h = xp.multiply(tc, tc, out=scratch["dc_from_h"])
        xp.subtract(1.0, dc_from_h, out=dc_from_h)
        dc_from_h *= o  # d c_t / d h_t: o tanh'(c_t)
        dc_t = xp.multiply(dh, dc_from_h, out=scratch["dc"])
        if dc is not None:
            dc_t += dc
        xp.multiply(dc_t, g, out=dz[:, :u])  # d i = dc * g
        xp.multiply(dc_t, tr.cells[t], out=dz[:, u : 2 * u])  # d f = dc * c_{t-1}
        xp.multiply(dc_t, i, out=dz[:, 2 * u : 3 * u])  # d g = dc * i
        xp.multiply(dh, tc, out=dz[:, 3 * u :])  # d o = dh * tanh(c_t)
        dz *= deriv
        return None, xp.multiply(dc_t, f, out=scratch["dc_prev"])  # dc * f


class GRUCell(RecurrentCell):
    """Gated recurrent unit, Keras's reset_after=True form; see the module docstring."""

    gates = ("update", "reset", "candidate")
    blocks = 3

    def forward(self, tr: Trace, t: int, xw: Array, hu: Array) -> None:
        xp, u = backend.xp(), self.units
        a = tr.acts[t]
        xp.add(xw[:, : 2 * u], hu[:, : 2 * u], out=a[:, : 2 * u])
        sigmoid_(a[:, : 2 * u])
        z, r = a[:, :u], a[:, u : 2 * u]
        tr.extra[t] = hu[:, 2 * u :]  # hh = h_{t-1} U_h + b_h, kept for backward
        n = a[:, 2 * u :]
        xp.multiply(r, hu[:, 2 * u :], out=n)
        n += xw[:, 2 * u :]
        xp.tanh(n, out=n)
        h_prev, h = tr.states[t], tr.states[t + 1]
        xp.subtract(h_prev, n, out=h)  # h_t = n + z * (h_{t-1} - n)
        h *= z
        h += n

    def prepare_backward(self, tr: Trace) -> None:
        xp, u = backend.xp(), self.units
        a = tr.acts
        deriv = xp.subtract(1.0, a, out=tr.empty(*a.shape))
        deriv *= a  # sigmoid' = s (1 - s) for z, r
        n, dn = a[:, :, 2 * u :], deriv[:, :, 2 * u :]
        xp.multiply(n, n, out=dn)
        xp.subtract(1.0, dn, out=dn)  # tanh' = 1 - n^2 for the candidate
        tr.deriv = deriv

    def backward(
        self, tr: Trace, t: int, dh: Array, dc: Array | None
    ) -> tuple[Array | None, Array | None]:
        xp, u = backend.xp(), self.units
        a, d = tr.acts[t], tr.deriv[t]
        z, r, n = a[:, :u], a[:, u : 2 * u], a[:, 2 * u :]
        dxw, dhu = tr.dxw[t], tr.dhu[t]
        xp.multiply(dh, tr.states[t] - n, out=dxw[:, :u])  # d z = dh * (h_{t-1} - n)
        xp.multiply(dh * (1.0 - z), d[:, 2 * u :], out=dxw[:, 2 * u :])  # d pre-n
        xp.multiply(dxw[:, 2 * u :], tr.extra[t], out=dxw[:, u : 2 * u])  # d r = d pre-n * hh
        dxw[:, : 2 * u] *= d[:, : 2 * u]
        dhu[:, : 2 * u] = dxw[:, : 2 * u]
        xp.multiply(dxw[:, 2 * u :], r, out=dhu[:, 2 * u :])  # d hh = d pre-n * r
        return dh * z, None
