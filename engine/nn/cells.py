"""Recurrent cells: the time steps of SimpleRNN and GRU, forward and backward, on raw arrays.

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

A cell reads and writes the arrays of a `Trace` (time-major, one slot per step) and runs the
time loops: `run_forward` and `run_backward`. Here they call, step by step,
`forward(trace, t, xw[t], h_{t-1} @ U)` and `backward(trace, t, dh, dc)`, which turns the
gradient reaching h_t into the gradient of the step's pre-activations, stored in
`trace.dxw[t]` (and `trace.dhu[t]` where the recurrent part differs, for GRU), and returns what
flows straight to h_{t-1} (GRU's z * dh; None for SimpleRNN). The LSTM cell
(`engine.nn.lstm_cell`) writes its own loops, with fewer NumPy calls per step.

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

__all__ = ["Buffers", "GRUCell", "RecurrentCell", "SimpleRNNCell", "Trace"]

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
    acts: Array = None
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
    split_recurrent_grad: ClassVar[bool] = False  # dhu differs from dxw (GRU)
    sums_in_acts: ClassVar[bool] = False  # `run_forward` accepts xw in `acts` (LSTM)

    def __init__(self, units: int) -> None:
        self.units = units

    def gate_scale(self, dtype: Any) -> Array | None:
        """A row the layer multiplies W, U and b by before the loop (None: leave them)."""
        return None

    def prepare_forward(self, tr: Trace, steps: int, batch: int) -> None:
        """Set up, once per sequence, what every forward step uses: `acts`, `extra` (and
        `cells` for LSTM) for `steps` steps of `batch` sequences, constants, buffers."""
        tr.acts = tr.empty(steps, batch, self.blocks * self.units)
        tr.extra = tr.empty(steps, batch, self.units)

    def run_forward(self, tr: Trace, xw: Array, uk: Array, b_rec: Array | None) -> None:
        """All steps: h_{t-1} U (+ b_rec) with one product per step, then `forward`."""
        xp = backend.xp()
        hu = xp.empty(xw.shape[1:], dtype=tr.states.dtype)
        for t in range(len(xw)):
            xp.matmul(tr.states[t], uk, out=hu)
            if b_rec is not None:
                hu += b_rec
            self.forward(tr, t, xw[t], hu)

    def forward(self, tr: Trace, t: int, xw: Array, hu: Array) -> None:
        """Compute step t from x_t W + b (`xw`) and h_{t-1} U (`hu`), writing into `tr`."""
        raise NotImplementedError

    def run_backward(
        self, tr: Trace, g: Array, first: int, uk: Array
    ) -> tuple[Array, Array, Array | None]:
        """BPTT from the last step back to step `first`, given the upstream gradient `g` of the
        state stack: fills `tr.dxw` (and `tr.dhu`); returns dL/dh_t for every step (zero before
        `first`), and dL/dh and dL/dc (or None) reaching the initial states."""
        xp, (steps, b, width) = backend.xp(), tr.acts.shape
        self.prepare_backward(tr)
        tr.dxw = tr.empty(steps, b, width)
        tr.dhu = tr.empty(steps, b, width) if self.split_recurrent_grad else tr.dxw
        dh_seen = tr.empty(steps, b, self.units)
        for outside in (tr.dxw, tr.dhu, dh_seen):
            outside[:first] = 0.0  # no gradient before the truncation window
        dh_next = xp.zeros((b, self.units), dtype=tr.states.dtype)
        dc = g[steps + 1] if self.has_cell_state else None
        ut = uk.T
        for t in range(steps - 1, first - 1, -1):
            dh = xp.add(g[t + 1], dh_next, out=dh_seen[t])
            direct, dc = self.backward(tr, t, dh, dc)
            xp.matmul(tr.dhu[t], ut, out=dh_next)
            if direct is not None:
                dh_next += direct
        return dh_seen, dh_next, dc

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


class GRUCell(RecurrentCell):
    """Gated recurrent unit, Keras's reset_after=True form; see the module docstring."""

    gates = ("update", "reset", "candidate")
    blocks = 3
    split_recurrent_grad = True

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
