"""The LSTM cell (`engine.nn.cells` documents its gates), run over a whole sequence at once.

A time step works on (batch, 4u) arrays, where each NumPy call costs about as much as its
arithmetic, so the cell runs its own time loops with as few calls per step as it can:

- The layer scales the i, f, o columns of W, U and b by 1/2 before the loop (`gate_scale`), so
  x_t W + h_{t-1} U + b comes out already halved for the one-tanh trick (see `LSTMCell`).
  Halving is exact in floating point: every gate is what halving after the sum gives (barring
  subnormal values, under ~1e-38 in float32, which would lose a bit).
- The layer forms x_t W + b for all steps in `acts` itself; each step adds h_{t-1} U in place.
- Backward computes every step's activation derivatives (s (1 - s), 1 - g^2 and o tanh'(c_t))
  for all steps at once before its loop, into the gradient array dxw itself; each step then
  forms its four products in one small array and multiplies its row of dxw by it, so the loop
  streams through no third (T, batch, 4u) array.

Every number is the one a plain step-by-step LSTM computes, bit for bit (the same roundings;
`tests/engine/nn/test_lstm_cell.py` checks it).
"""

from __future__ import annotations

from typing import Any

from engine.core import backend
from engine.nn.cells import Array, RecurrentCell, Trace

__all__ = ["LSTMCell"]


class LSTMCell(RecurrentCell):
    """Long short-term memory: gates i, f, c (candidate), o (`engine.nn.cells`' docstring).

    One tanh computes all four gates of a step: with the pre-activations of i, f, o halved,
    tanh, then a shift by (1, 1, 0, 1) and a scale by (1/2, 1/2, 1, 1/2) per block give
    sig(z) = (1 + tanh(z / 2)) / 2 for i, f, o and tanh(z) for the candidate (adding 0 and
    multiplying by 1 round nothing, so each gate is what `sigmoid_` or `tanh` alone gives).
    """

    gates = ("input", "forget", "candidate", "output")
    blocks = 4
    has_cell_state = True
    sums_in_acts = True

    def gate_scale(self, dtype: Any) -> Array | None:
        u = self.units
        scale = backend.xp().full(4 * u, 0.5, dtype=dtype)  # (1/2, 1/2, 1, 1/2) per block
        scale[2 * u : 3 * u] = 1.0
        return scale

    def prepare_forward(self, tr: Trace, steps: int, batch: int) -> None:
        super().prepare_forward(tr, steps, batch)  # `extra` keeps tanh(c_t)
        tr.cells = tr.empty(steps + 1, batch, self.units)

    def run_forward(self, tr: Trace, xw: Array, uk: Array, b_rec: Array | None) -> None:
        """All steps from the halved x_t W + b (`xw`) and U (`uk`); see the class docstring."""
        xp, u, dtype = backend.xp(), self.units, tr.states.dtype
        steps, b, width = xw.shape
        # Whole (batch, 4u) arrays: a product with a row broadcast over the batch takes
        # about twice as long as with an array of the same shape.
        half = xp.full((b, width), 0.5, dtype=dtype)  # (1/2, 1/2, 1, 1/2) per block
        half[:, 2 * u : 3 * u] = 1.0
        shift = xp.ones((b, width), dtype=dtype)  # (1, 1, 0, 1)
        shift[:, 2 * u : 3 * u] = 0.0
        hu, ig = xp.empty((b, width), dtype=dtype), xp.empty((b, u), dtype=dtype)
        acts, cells, states, tanh_c = tr.acts, tr.cells, tr.states, tr.extra
        i, f, g, o = (acts[:, :, k * u : (k + 1) * u] for k in range(4))
        matmul, add, multiply, tanh = xp.matmul, xp.add, xp.multiply, xp.tanh
        for t in range(steps):
            matmul(states[t], uk, out=hu)
            z = add(xw[t], hu, out=acts[t])  # i, f, o: z / 2 (xw may be `acts` itself)
            tanh(z, out=z)
            z += shift  # i, f, o: (1 + tanh(z / 2)) / 2 = sig(z); g = tanh(z)
            z *= half
            c = multiply(f[t], cells[t], out=cells[t + 1])  # c_t = f c_{t-1} + i g
            c += multiply(i[t], g[t], out=ig)
            multiply(o[t], tanh(c, out=tanh_c[t]), out=states[t + 1])  # h_t = o tanh(c_t)

    def run_backward(
        self, tr: Trace, g: Array, first: int, uk: Array
    ) -> tuple[Array, Array, Array | None]:
        xp, u, dtype = backend.xp(), self.units, tr.states.dtype
        acts, cells, tanh_c = tr.acts, tr.cells, tr.extra
        steps, b, width = acts.shape
        # dxw starts as the activations' derivatives of every step in the window.
        tr.dxw = tr.dhu = dxw = tr.empty(steps, b, width)
        dh_seen = tr.empty(steps, b, u)
        for outside in (dxw, dh_seen):
            outside[:first] = 0.0  # no gradient before the truncation window
        window, deriv = acts[first:], dxw[first:]
        xp.subtract(1.0, window, out=deriv)
        deriv *= window  # sigmoid' = s (1 - s) for i, f, o
        candidate, d_candidate = window[:, :, 2 * u : 3 * u], deriv[:, :, 2 * u : 3 * u]
        xp.multiply(candidate, candidate, out=d_candidate)
        xp.subtract(1.0, d_candidate, out=d_candidate)  # tanh' = 1 - g^2 for the candidate
        dc_from_h = xp.multiply(tanh_c, tanh_c, out=tr.empty(steps, b, u))
        xp.subtract(1.0, dc_from_h, out=dc_from_h)
        dc_from_h *= acts[:, :, 3 * u :]  # d c_t / d h_t: o tanh'(c_t)
        dh_next = xp.zeros((b, u), dtype=dtype)
        dc_t, dc_prev = xp.empty((b, u), dtype=dtype), xp.empty((b, u), dtype=dtype)
        products = xp.empty((b, width), dtype=dtype)  # dc g, dc c_{t-1}, dc i, dh tanh(c_t)
        pi, pf, pg, po = (products[:, k * u : (k + 1) * u] for k in range(4))
        i, f, gate_g, _ = (acts[:, :, k * u : (k + 1) * u] for k in range(4))
        dc, ut = g[steps + 1], uk.T  # dc: dL/dc_t from the later steps
        matmul, add, multiply = xp.matmul, xp.add, xp.multiply
        for t in range(steps - 1, first - 1, -1):
            dh = add(g[t + 1], dh_next, out=dh_seen[t])
            multiply(dh, dc_from_h[t], out=dc_t)
            dc_t += dc  # dL/dc_t
            multiply(dc_t, gate_g[t], out=pi)
            multiply(dc_t, cells[t], out=pf)  # c_{t-1}
            multiply(dc_t, i[t], out=pg)
            multiply(dh, tanh_c[t], out=po)
            dz = dxw[t]
            dz *= products  # d i, d f, d g, d o
            dc = multiply(dc_t, f[t], out=dc_prev)  # dL/dc_{t-1}
            matmul(dz, ut, out=dh_next)
        return dh_seen, dh_next, dc
