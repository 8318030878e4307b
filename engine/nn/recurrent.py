"""Recurrent layers: SimpleRNN, LSTM and GRU loop a cell over time, with (truncated) BPTT.

Input is (batch, time, features). A layer computes x_t W + b for every step with one matrix
product, then its cell loops over time: `h_{t-1} U` (one product per step for all gates) and
the cell's step (`engine.nn.cells`, which documents gate order and weight layouts, Keras's;
`engine.nn.lstm_cell` for LSTM). The whole
sequence is a single autodiff node whose backward is backpropagation through time written out:
from the last step back, each step turns dL/dh_t into the gradient of its pre-activations dz_t
and passes dL/dh_{t-1} = dz_t U^T (+ the cell's direct path) on; the weight gradients are then
one product each over all steps, dW = X^T dZ and dU = H_prev^T dZ. This is how real frameworks
run RNNs: a graph node per step would cost more than the arithmetic.

- `bptt_steps=k` truncates BPTT: the backward walk covers only the last k steps, so only those
  steps (their inputs, and their outputs' gradients) take part; earlier steps and the initial
  state receive no gradient.
- After each backward pass `hidden_grad_norms[t]` is ||dL/dh_t|| over the batch: the gradient
  reaching step t (zero outside the truncation window), for the vanishing-gradient plot. The
  layer keeps dL/dh_t and computes the norms (and copies them to the host) only when read.
- While someone listens to `RNNStep`, the layer emits one event per step for the sequence
  `watch_sample` of the batch: x_t, h_{t-1}, h_t, c_t and every gate's values.
- Keras's `return_sequences`, `return_state` and `initial_state`: `layer(x)` returns the last
  output (or all of them), or with return_state=True `(output, h)` / `(output, h, c)` for LSTM;
  `layer(x, initial_state=[h0])` (LSTM: `[h0, c0]`) starts from given states, gradients flow
  into them. `call_with_state` gives the same with precise types.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import numpy as np

from engine.core import backend
from engine.core.emitting import emits
from engine.core.events import RNNStep, snapshot
from engine.core.tensor import Array, Tensor
from engine.nn import initializers
from engine.nn.cells import Buffers, GRUCell, RecurrentCell, SimpleRNNCell, Trace
from engine.nn.layers import Layer, Shape, forward_pass
from engine.nn.lstm_cell import LSTMCell

__all__ = ["GRU", "LSTM", "Recurrent", "SimpleRNN", "orthogonal", "recurrence"]


def orthogonal(shape: tuple[int, ...], rng: np.random.Generator, dtype: Any = np.float32) -> Any:
    """A (semi-)orthogonal matrix from the QR decomposition of a normal one (Keras's default
    recurrent initialiser: repeated products with U neither explode nor vanish at first)."""
    rows, cols = math.prod(shape[:-1]), shape[-1]
    q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    q *= np.sign(np.diag(r))
    return (q.T if rows < cols else q).reshape(shape).astype(dtype)


def recurrence(
    cell: RecurrentCell,
    x: Tensor,
    kernel: Tensor,
    recurrent_kernel: Tensor,
    bias: Tensor,
    initial: Sequence[Tensor] = (),
    *,
    bptt_steps: int | None = None,
    name: str = "rnn",
    watch_sample: int = 0,
    on_backward: Callable[[Array], None] | None = None,
    buffers: Buffers | None = None,
) -> Tensor:
    """Run `cell` over x (B, T, F) as one node whose value is the time-major state stack S:
    S[t + 1] = h_t for t < T, S[0] = h_0, and for LSTM S[T + 1] = c_T. `on_backward` receives
    dL/dh_t for every step, (T, B, units) time-major, after each backward pass. Large arrays
    come from `buffers`, which a layer keeps from call to call."""
    xp = backend.xp()
    buffers = buffers or Buffers()
    b, steps, features = x.shape
    u, width = cell.units, cell.blocks * cell.units
    gru = isinstance(cell, GRUCell)
    b_in, b_rec = (bias.data[0], bias.data[1]) if gru else (bias.data, None)
    w, uk = kernel.data, recurrent_kernel.data
    dtype = w.dtype
    scale = cell.gate_scale(dtype)  # exact (powers of two): the loop's weights, scaled
    w_in, b_in, u_in = (w, b_in, uk) if scale is None else (w * scale, b_in * scale, uk * scale)
    xs = x.data.transpose(1, 0, 2).reshape(steps * b, features)
    states = buffers.empty((steps + 1 + cell.has_cell_state, b, u), dtype)
    states[0] = initial[0].data if initial else 0.0
    tr = Trace(states=states, buffers=buffers)
    cell.prepare_forward(tr, steps, b)
    xw_dtype = xp.result_type(xs.dtype, dtype)
    in_acts = cell.sums_in_acts and xw_dtype == dtype  # the cell adds h_{t-1} U in place
    xw = tr.acts if in_acts else buffers.empty((steps, b, width), xw_dtype)
    # NumPy's matmul leaves BLAS when the inner size is 1 (one input feature) and takes ~5x the
    # time of the outer product, which gives the same numbers.
    (xp.matmul if features > 1 else xp.multiply)(xs, w_in, out=xw.reshape(steps * b, width))
    xw += b_in
    if tr.cells is not None:
        tr.cells[0] = initial[1].data if len(initial) > 1 else 0.0
    cell.run_forward(tr, xw, u_in, b_rec)
    if tr.cells is not None:
        states[steps + 1] = tr.cells[steps]
    if 0 <= watch_sample < b:
        _rnn_steps(cell, tr, x.data, name, watch_sample)

    def backward(g: Array) -> tuple[Array | None, ...]:
        first = 0 if bptt_steps is None else max(steps - bptt_steps, 0)
        dh_seen, dh_first, dc_first = cell.run_backward(tr, g, first, uk)
        if on_backward is not None:
            on_backward(dh_seen)
        dxw = tr.dxw.reshape(steps * b, width)
        dhu = tr.dhu.reshape(steps * b, width)
        gx = (dxw @ w.T).reshape(steps, b, features).transpose(1, 0, 2) if x.requires_grad else None
        gw = xs.T @ dxw
        gu = states[:steps].reshape(steps * b, u).T @ dhu
        gb = xp.stack([dxw.sum(axis=0), dhu.sum(axis=0)]) if gru else dxw.sum(axis=0)
        grads: list[Array | None] = [gx, gw, gu, gb]
        if initial:
            grads.append(dh_first if first == 0 else None)
        if len(initial) > 1:
            grads.append(dc_first if first == 0 else None)
        return tuple(grads)

    parents = (x, kernel, recurrent_kernel, bias, *initial)
    return Tensor.from_op(f"{name}_bptt", states, parents, backward=backward)


@emits(RNNStep)
def _rnn_steps(cell: RecurrentCell, tr: Trace, x: Array, name: str, s: int) -> Iterator[RNNStep]:
    """RNNStep events for sequence `s`, read from the finished forward pass."""
    xs = snapshot(backend.to_numpy(x[s]).copy())  # read-only host copies
    hs = snapshot(backend.to_numpy(tr.states[:, s]).copy())
    cs = None if tr.cells is None else snapshot(backend.to_numpy(tr.cells[:, s]).copy())
    for t in range(len(tr.acts)):
        c_t = None if cs is None else cs[t + 1]
        gates = {k: snapshot(v) for k, v in cell.gate_values(tr, t, s).items()}
        yield RNNStep(name, t, xs[t], hs[t], hs[t + 1], c_t, gates)


def _select(stack: Tensor, index: Any, batch_major: bool, buffers: Buffers) -> Tensor:
    """A view of the state stack (a whole range of steps is returned batch-major)."""
    data = stack.data[index]
    if batch_major:
        data = data.transpose(1, 0, 2)

    def backward(g: Array) -> tuple[Array]:
        full = buffers.empty(stack.shape, stack.data.dtype)
        full.fill(0.0)
        full[index] = g.transpose(1, 0, 2) if batch_major else g
        return (full,)

    return Tensor.from_op("select", data, (stack,), backward=backward)


class Recurrent(Layer):
    """Base of SimpleRNN, LSTM and GRU: weights, the call with states, and shape rules."""

    cell_type: ClassVar[type[RecurrentCell]] = SimpleRNNCell
    default_name: ClassVar[str] = "simple_rnn"

    def __init__(
        self,
        units: int,
        return_sequences: bool = False,
        return_state: bool = False,
        bptt_steps: int | None = None,
        kernel_initializer: str | initializers.Initializer = "glorot_uniform",
        recurrent_initializer: str | initializers.Initializer = "orthogonal",
        bias_initializer: str | initializers.Initializer = "zeros",
        name: str | None = None,
    ) -> None:
        kind = type(self).__name__
        if isinstance(units, bool) or not isinstance(units, int | np.integer) or units < 1:
            raise ValueError(f"{kind}(units={units!r}): units must be a positive integer")
        if bptt_steps is not None and bptt_steps < 1:
            raise ValueError(f"{kind}(bptt_steps={bptt_steps!r}) must be >= 1 or None")
        super().__init__(name or self.default_name)
        self.units = int(units)
        self.cell = self.cell_type(self.units)
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.bptt_steps = bptt_steps
        self.initializers = (
            initializers.get(kernel_initializer),
            orthogonal
            if recurrent_initializer == "orthogonal"
            else initializers.get(recurrent_initializer),
            initializers.get(bias_initializer),
        )
        self.kernel: Tensor | None = None
        self.recurrent_kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.watch_sample = 0
        self._buffers = Buffers()  # the arrays of earlier calls, reused once free
        self._hidden_grads: Array | None = None  # dL/dh_t (T, B, units) of the last backward
        self._hidden_grad_norms: np.ndarray | None = None

    @property
    def state_size(self) -> int:
        """How many state arrays the layer carries: 1 (h), or 2 (h, c) for LSTM."""
        return 1 + int(self.cell.has_cell_state)

    def _features(self, input_shape: Shape) -> int:
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) needs inputs (batch, time, "
                f"features), got {tuple(input_shape)}"
            )
        return int(input_shape[-1])

    def _bias_shape(self) -> tuple[int, ...]:
        return (self.cell.blocks * self.units,)

    def build(self, input_shape: Shape) -> None:
        features, width = self._features(input_shape), self.cell.blocks * self.units
        init_kernel, init_recurrent, init_bias = self.initializers
        self.kernel = self.add_weight("kernel", (features, width), init_kernel)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, width), init_recurrent
        )
        self.bias = self.add_weight("bias", self._bias_shape(), init_bias)
        super().build((input_shape[0], None, features))  # any sequence length

    def output_shape(self, input_shape: Shape) -> Shape:
        self._features(input_shape)
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def params_for(self, input_shape: Shape) -> int:
        """The parameter count for inputs of `input_shape`, without creating any weight."""
        features = self._features(input_shape)
        width = self.cell.blocks * self.units
        return (features + self.units) * width + math.prod(self._bias_shape())

    def call_with_state(
        self, x: Tensor | Array, initial_state: Sequence[Any] | None = None, training: bool = False
    ) -> tuple[Tensor, tuple[Tensor, ...]]:
        """(output, final states): the output as `return_sequences` asks, states (h,) or (h, c)."""
        if not isinstance(x, Tensor):
            x = Tensor(x, dtype=self.dtype)
        if not self.built:
            self.build((None, *x.shape[1:]))
        self.check_input(x.shape)
        initial = self._initial(initial_state, x.shape[0])
        if self.kernel is None or self.recurrent_kernel is None or self.bias is None:
            raise ValueError(f"Layer {self.name!r} is not built yet")
        stack = recurrence(
            self.cell,
            x,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            initial,
            bptt_steps=self.bptt_steps,
            name=self.name,
            watch_sample=self.watch_sample,
            on_backward=self._keep_norms,
            buffers=self._buffers,
        )
        steps, pool = x.shape[1], self._buffers
        h = _select(stack, steps, False, pool)
        out = _select(stack, slice(1, steps + 1), True, pool) if self.return_sequences else h
        states = (h, _select(stack, steps + 1, False, pool)) if self.cell.has_cell_state else (h,)
        out.name = self.name
        forward_pass(self.name, x.data, out.data)
        return out, states

    def _keep_norms(self, hidden_grads: Array) -> None:
        self._hidden_grads, self._hidden_grad_norms = hidden_grads, None

    @property
    def hidden_grad_norms(self) -> np.ndarray | None:
        """||dL/dh_t|| over the batch for every step t after the last backward pass (host
        array, computed when first read); None before any backward pass."""
        d = self._hidden_grads
        if self._hidden_grad_norms is None and d is not None:
            self._hidden_grad_norms = backend.to_numpy(backend.xp().sqrt((d * d).sum(axis=(1, 2))))
        return self._hidden_grad_norms

    def _initial(self, initial_state: Sequence[Any] | None, batch: int) -> tuple[Tensor, ...]:
        if initial_state is None:
            return ()
        states = tuple(
            s if isinstance(s, Tensor) else Tensor(s, dtype=self.dtype) for s in initial_state
        )
        want = (batch, self.units)
        if len(states) != self.state_size or any(s.shape != want for s in states):
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) expects initial_state as "
                f"{self.state_size} array(s) of shape {want}, got "
                f"{[s.shape for s in states]}"
            )
        return states

    def __call__(
        self,
        x: Tensor | Array,
        training: bool = False,
        initial_state: Sequence[Any] | None = None,
    ) -> Any:
        """The output; with return_state=True the tuple (output, *states), as Keras returns."""
        out, states = self.call_with_state(x, initial_state, training)
        return (out, *states) if self.return_state else out

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        return self.call_with_state(x, None, training)[0]


class SimpleRNN(Recurrent):
    """Keras's SimpleRNN (tanh): kernel (features, units), recurrent_kernel (units, units)."""

    cell_type = SimpleRNNCell


class LSTM(Recurrent):
    """Keras's LSTM: kernel (features, 4u), recurrent_kernel (u, 4u), bias (4u,), gate order
    i, f, c, o; the forget gate's bias starts at 1 (Keras's unit_forget_bias)."""

    cell_type = LSTMCell
    default_name = "lstm"

    def build(self, input_shape: Shape) -> None:
        super().build(input_shape)
        if self.bias is not None and self.initializers[2] is initializers.zeros:
            self.bias.data[self.units : 2 * self.units] = 1.0


class GRU(Recurrent):
    """Keras's GRU (reset_after=True): kernel (features, 3u), recurrent_kernel (u, 3u),
    bias (2, 3u) (input and recurrent biases), gate order z, r, h."""

    cell_type = GRUCell
    default_name = "gru"

    def _bias_shape(self) -> tuple[int, ...]:
        return (2, self.cell.blocks * self.units)
