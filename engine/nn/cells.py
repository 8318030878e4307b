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
returns what flows straight to h_{t-1} (GRU's z * dh) and to c_{t-1} (LSTM's f * dc).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from engine.core import backend

__all__ = ["GRUCell", "LSTMCell", "RecurrentCell", "SimpleRNNCell", "Trace"]

Array = Any


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
    """

    states: Array
    acts: Array
    cells: Array = None
    extra: Array = None
    deriv: Array = None
    dxw: Array = None
    dhu: Array = None
    scratch: dict[str, Array] = field(default_factory=dict)


class RecurrentCell:
    """Base class: `blocks` gate blocks named `gates`, one time step forward and backward."""

    gates: ClassVar[tuple[str, ...]] = ()
    blocks: ClassVar[int] = 1
    has_cell_state: ClassVar[bool] = False

    def __init__(self, units: int) -> None:
        self.units = units

    def forward(self, tr: Trace, t: int, xw: Array, hu: Array) -> None:
        """Compute step t from x_t W + b (`xw`) and h_{t-1} U (`hu`), writing into `tr`."""
        raise NotImplementedError

    def prepare_backward(self, tr: Trace) -> None:
        """Precompute, for all steps at once, the activation derivatives backward needs."""

    def backward(self, tr: Trace, t: int, dh: Array, dc: Array | None) -> tuple[Array, Array]:
        """Fill `tr.dxw[t]` from dL/dh_t (and dL/dc_t); return (direct dh_{t-1}, dc_{t-1})."""
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
        h = tr.states[1 : len(tr.acts) + 1]
        tr.deriv = 1.0 - h * h

    def backward(self, tr: Trace, t: int, dh: Array, dc: Array | None) -> tuple[Array, Array]:
        backend.xp().multiply(dh, tr.deriv[t], out=tr.dxw[t])
        return 0.0, None

    def gate_values(self, tr: Trace, t: int, sample: int) -> dict[str, np.ndarray]:
        return {}


class LSTMCell(RecurrentCell):
    """Long short-term memory: gates i, f, c (candidate), o; see the module docstring."""

    gates = ("input", "forget", "candidate", "output")
    blocks = 4
    has_cell_state = True

    def forward(self, tr: Trace, t: int, xw: Array, hu: Array) -> None:
        xp, u = backend.xp(), self.units
        z = tr.acts[t]
        xp.add(xw, hu, out=z)
        g = xp.tanh(z[:, 2 * u : 3 * u])
        sigmoid_(z)  # i, f, o (the candidate block is overwritten next)
        z[:, 2 * u : 3 * u] = g
        i, f, o = z[:, :u], z[:, u : 2 * u], z[:, 3 * u :]
        c = tr.cells[t + 1]
        xp.multiply(f, tr.cells[t], out=c)
        c += i * g
        tc = xp.tanh(c, out=tr.extra[t])
        xp.multiply(o, tc, out=tr.states[t + 1])

    def prepare_backward(self, tr: Trace) -> None:
        u = self.units
        a = tr.acts
        deriv = a * (1.0 - a)  # sigmoid' = s (1 - s) for i, f, o
        g = a[:, :, 2 * u : 3 * u]
        deriv[:, :, 2 * u : 3 * u] = 1.0 - g * g  # tanh' for the candidate
        tr.deriv = deriv
        tc = tr.extra
        tr.scratch["dc_from_h"] = a[:, :, 3 * u :] * (1.0 - tc * tc)  # d c_t / d h_t path: o tanh'

    def backward(self, tr: Trace, t: int, dh: Array, dc: Array | None) -> tuple[Array, Array]:
        xp, u = backend.xp(), self.units
        a, dz = tr.acts[t], tr.dxw[t]
        dc_t = dh * tr.scratch["dc_from_h"][t]
        if dc is not None:
            dc_t += dc
        xp.multiply(dc_t, a[:, 2 * u : 3 * u], out=dz[:, :u])  # d i = dc * g
        xp.multiply(dc_t, tr.cells[t], out=dz[:, u : 2 * u])  # d f = dc * c_{t-1}
        xp.multiply(dc_t, a[:, :u], out=dz[:, 2 * u : 3 * u])  # d g = dc * i
        xp.multiply(dh, tr.extra[t], out=dz[:, 3 * u :])  # d o = dh * tanh(c_t)
        dz *= tr.deriv[t]
        return 0.0, dc_t * a[:, u : 2 * u]  # dc_{t-1} = dc * f


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
        u = self.units
        a = tr.acts
        deriv = a * (1.0 - a)
        n = a[:, :, 2 * u :]
        deriv[:, :, 2 * u :] = 1.0 - n * n
        tr.deriv = deriv

    def backward(self, tr: Trace, t: int, dh: Array, dc: Array | None) -> tuple[Array, Array]:
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
