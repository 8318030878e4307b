"""Tensor: an array that remembers how it was computed, so gradients can flow back through it.

Each operation builds its output and a small closure for its gradient, as in micrograd. An
elementwise operation gives its local derivatives (d out / d input); the backward walk multiplies
them by the gradient arriving from above and sums away broadcast axes. Other operations (matmul,
reductions, reshapes) give a closure mapping the upstream gradient to one gradient per input::

    a = Tensor(2.0, requires_grad=True, name="a")
    b = Tensor(-3.0, requires_grad=True, name="b")
    c = (a * b + 10).tanh()
    c.backward()                      # a.grad == (1 - c**2) * b
    for node in topological_order(c):  # inputs first: draw the graph
        print(node.op, node.data, node.grad)

A scalar Tensor is a valid micrograd-style value; the same class trains MNIST-sized models.
Arrays come from the current backend (`engine.core.backend.xp()`): NumPy, or CuPy on a GPU.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, SupportsIndex

import numpy as np

from engine.core import backend
from engine.core.autodiff import (
    BackwardStep,
    ParentGradient,
    backward_steps,
    is_grad_enabled,
    no_grad,
    topological_order,
    unbroadcast,
)

__all__ = [
    "DEFAULT_DTYPE",
    "BackwardStep",
    "ParentGradient",
    "Tensor",
    "backward_steps",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
]

Array = Any  # a numpy.ndarray or cupy.ndarray
Local = Callable[[], tuple[Array | float, ...]]
Backward = Callable[[Array], tuple[Array | None, ...]]
DEFAULT_DTYPE = "float32"


def _as_array(data: Any, dtype: Any) -> Array:
    """An xp array for `data`: `dtype` if given, float arrays keep theirs, the rest float32."""
    xp = backend.xp()
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return xp.asarray(data, dtype=dtype)
    if hasattr(data, "dtype") and data.dtype.kind == "f":
        return xp.asarray(data)
    return xp.asarray(data, dtype=DEFAULT_DTYPE)


class Tensor:
    """An xp array plus the graph that produced it: `op`, `parents`, and after backward, `grad`.

    `Tensor(data, requires_grad=False, name=None, dtype=None)` wraps `data` without copying a
    float array; Python numbers, lists and integer arrays become float32 unless `dtype` is given.
    """

    __slots__ = (
        "_backward",
        "_local",
        "data",
        "grad",
        "logits",
        "name",
        "op",
        "parents",
        "requires_grad",
    )

    data: Array
    grad: Array | None
    op: str
    parents: tuple[Tensor, ...]
    name: str | None
    requires_grad: bool
    logits: Tensor | None
    _local: Local | None
    _backward: Backward | None

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        self.data = _as_array(data, dtype)
        self.grad = None
        self.op = "input"
        self.parents = ()
        self.name = name
        self.logits = None  # sigmoid/softmax outputs keep their inputs: losses fuse the gradient
        self._local = None
        self._backward = None
        self.requires_grad = bool(requires_grad)

    # -- building the graph ------------------------------------------------------------------

    @staticmethod
    def from_op(
        op: str,
        data: Array,
        parents: tuple[Tensor, ...],
        *,
        local: Local | None = None,
        backward: Backward | None = None,
    ) -> Tensor:
        """The output of `op`: `local` gives elementwise derivatives, `backward` the rest."""
        out = Tensor.__new__(Tensor)
        out.data = np.asarray(data) if isinstance(data, np.generic) else data
        out.grad = None
        out.op = op
        out.name = None
        out.logits = None
        if not is_grad_enabled():
            out.parents, out._local, out._backward, out.requires_grad = (), None, None, False
            return out
        out.parents = parents
        needs = any(p.requires_grad for p in parents)
        out.requires_grad = needs
        out._local = local if needs else None
        out._backward = backward if needs else None
        return out

    def _lift(self, other: Any) -> Tensor:
        """`other` as a Tensor: Python numbers and arrays become constants of this dtype."""
        if isinstance(other, Tensor):
            return other
        const = Tensor(other, dtype=self.data.dtype)
        const.op = "const"
        return const

    # -- elementwise arithmetic: forward value and local derivatives --------------------------

    def __add__(self, other: Any) -> Tensor:
        b = self._lift(other)
        return Tensor.from_op("add", self.data + b.data, (self, b), local=lambda: (1.0, 1.0))

    def __radd__(self, other: Any) -> Tensor:
        return self._lift(other) + self

    def __sub__(self, other: Any) -> Tensor:
        b = self._lift(other)
        return Tensor.from_op("sub", self.data - b.data, (self, b), local=lambda: (1.0, -1.0))

    def __rsub__(self, other: Any) -> Tensor:
        return self._lift(other) - self

    def __mul__(self, other: Any) -> Tensor:
        a, b = self.data, self._lift(other)
        return Tensor.from_op("mul", a * b.data, (self, b), local=lambda: (b.data, a))

    def __rmul__(self, other: Any) -> Tensor:
        return self._lift(other) * self

    def __truediv__(self, other: Any) -> Tensor:
        a, b = self.data, self._lift(other)
        out = a / b.data
        return Tensor.from_op("div", out, (self, b), local=lambda: (1.0 / b.data, -out / b.data))

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._lift(other) / self

    def __neg__(self) -> Tensor:
        return Tensor.from_op("neg", -self.data, (self,), local=lambda: (-1.0,))

    def __pow__(self, exponent: float) -> Tensor:
        if isinstance(exponent, Tensor) or not isinstance(exponent, int | float):
            raise ValueError(f"x ** p needs a constant number p, got {type(exponent).__name__}")
        a, p = self.data, exponent
        return Tensor.from_op("pow", a**p, (self,), local=lambda: (p * a ** (p - 1),))

    def exp(self) -> Tensor:
        """e ** x; d/dx = e ** x."""
        out = backend.xp().exp(self.data)
        return Tensor.from_op("exp", out, (self,), local=lambda: (out,))

    def log(self) -> Tensor:
        """Natural logarithm; d/dx = 1 / x."""
        a = self.data
        return Tensor.from_op("log", backend.xp().log(a), (self,), local=lambda: (1.0 / a,))

    def tanh(self) -> Tensor:
        """Hyperbolic tangent (see `engine.nn.activations.tanh`)."""
        from engine.nn.activations import tanh

        return tanh(self)

    def sigmoid(self) -> Tensor:
        """Logistic sigmoid (see `engine.nn.activations.sigmoid`)."""
        from engine.nn.activations import sigmoid

        return sigmoid(self)

    def relu(self) -> Tensor:
        """max(0, x) (see `engine.nn.activations.relu`)."""
        from engine.nn.activations import relu

        return relu(self)

    # -- matrix product, reductions and shapes: backward closures ----------------------------

    def __matmul__(self, other: Any) -> Tensor:
        b = self._lift(other)
        x, w = self.data, b.data
        if x.ndim == 0 or w.ndim == 0 or x.shape[-1] != w.shape[max(w.ndim - 2, 0)]:
            raise ValueError(f"matmul: shapes {x.shape} and {w.shape} are not aligned")

        def backward(g: Array) -> tuple[Array | None, ...]:
            if x.ndim == 1 and w.ndim == 1:  # a dot product
                return (g * w if self.requires_grad else None, g * x if b.requires_grad else None)
            x2 = x[None, :] if x.ndim == 1 else x
            w2 = w[:, None] if w.ndim == 1 else w
            g2 = g[..., None, :] if x.ndim == 1 else g
            g2 = g2[..., None] if w.ndim == 1 else g2
            gx = g2 @ w2.swapaxes(-1, -2) if self.requires_grad else None
            gw = x2.swapaxes(-1, -2) @ g2 if b.requires_grad else None
            return (
                None if gx is None else unbroadcast(gx, x2.shape).reshape(x.shape),
                None if gw is None else unbroadcast(gw, w2.shape).reshape(w.shape),
            )

        return Tensor.from_op("matmul", x @ w, (self, b), backward=backward)

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._lift(other) @ self

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over `axis` (all axes by default); the gradient is copied back to every term."""
        a = self.data
        out = a.sum(axis=axis, keepdims=keepdims)

        def backward(g: Array) -> tuple[Array]:
            g = g if keepdims else _restore_axes(g, axis, a.ndim)
            return (backend.xp().broadcast_to(g, a.shape).copy(),)

        return Tensor.from_op("sum", out, (self,), backward=backward)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over `axis` (all axes by default); each term receives gradient / count."""
        a = self.data
        out = a.mean(axis=axis, keepdims=keepdims)
        count = a.size // max(out.size, 1)

        def backward(g: Array) -> tuple[Array]:
            g = g if keepdims else _restore_axes(g, axis, a.ndim)
            return (backend.xp().broadcast_to(g / count, a.shape).copy(),)

        return Tensor.from_op("mean", out, (self,), backward=backward)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Maximum over `axis`; the gradient goes to the maxima (split evenly between ties)."""
        a = self.data
        peak = a.max(axis=axis, keepdims=True)
        out = peak if keepdims else peak.squeeze(axis=axis)

        def backward(g: Array) -> tuple[Array]:
            g = g if keepdims else _restore_axes(g, axis, a.ndim)
            winners = (a == peak).astype(a.dtype)
            return (g * winners / winners.sum(axis=axis, keepdims=True),)

        return Tensor.from_op("max", out, (self,), backward=backward)

    def reshape(self, *shape: SupportsIndex | tuple[int, ...]) -> Tensor:
        """The same values in a new shape: `t.reshape(2, 3)` or `t.reshape((2, 3))`."""
        dims = shape[0] if len(shape) == 1 and isinstance(shape[0], tuple) else shape
        a = self.data
        try:
            out = a.reshape(dims)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape {a.shape} ({a.size} values) to {dims}"
            ) from None
        return Tensor.from_op("reshape", out, (self,), backward=lambda g: (g.reshape(a.shape),))

    def transpose(self, *axes: int) -> Tensor:
        """Permute axes (reverse them by default); the gradient is permuted back."""
        perm = tuple(axes) if axes else tuple(reversed(range(self.data.ndim)))
        if sorted(perm) != list(range(self.data.ndim)):
            raise ValueError(f"transpose: {perm} is not a permutation of the axes of {self.shape}")
        inverse = tuple(int(i) for i in np.argsort(perm))
        out = self.data.transpose(perm)
        return Tensor.from_op("transpose", out, (self,), backward=lambda g: (g.transpose(inverse),))

    @property
    def T(self) -> Tensor:
        """The transpose (axes reversed)."""
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        a = self.data
        index = _device_index(index, backend.xp())

        def backward(g: Array) -> tuple[Array]:
            full = backend.xp().zeros_like(a)
            backend.scatter_add(full, index, g)
            return (full,)

        return Tensor.from_op("getitem", a[index], (self,), backward=backward)

    # -- gradients ---------------------------------------------------------------------------

    def backward(self, grad: Any = None) -> None:
        """Accumulate d self / d node into `.grad` of every node that requires grad."""
        for _ in backward_steps(self, grad):
            pass

    def zero_grad(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    # -- looking at values ---------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape."""
        return tuple(self.data.shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        """The array's dtype."""
        dtype: np.dtype[Any] = np.dtype(self.data.dtype)
        return dtype

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return int(self.data.ndim)

    @property
    def size(self) -> int:
        """Number of values."""
        return int(self.data.size)

    def numpy(self) -> np.ndarray:
        """The values as a host NumPy array."""
        return backend.to_numpy(self.data)

    def item(self) -> float:
        """The single value of a one-element Tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a Tensor with one value, this one has shape {self.shape}"
            )
        return float(self.data.reshape(()))

    def __repr__(self) -> str:
        label = f", name={self.name!r}" if self.name else ""
        if self.data.size == 1:
            grad = "None" if self.grad is None else f"{float(self.grad.reshape(())):.4g}"
            value = f"data={float(self.data.reshape(())):.4g}, grad={grad}"
        else:
            value = f"shape={self.shape}, dtype={self.dtype}"
        return f"Tensor({value}, op={self.op!r}{label})"


def _device_index(index: Any, xp: Any) -> Any:
    """An index for arrays of `xp`: Tensors and NumPy arrays in it become xp integer arrays."""
    if isinstance(index, tuple):
        return tuple(_device_index(i, xp) for i in index)
    if isinstance(index, Tensor):
        return index.data.astype(np.int64)
    if isinstance(index, np.ndarray) and xp is not np:
        return xp.asarray(index)
    return index


def _restore_axes(g: Array, axis: int | tuple[int, ...] | None, ndim: int) -> Array:
    """Put back the axes a reduction without keepdims removed, so `g` broadcasts again."""
    if axis is None:
        return g.reshape((1,) * ndim)
    axes = (axis,) if isinstance(axis, int) else axis
    shape = list(g.shape)
    for ax in sorted(a % ndim for a in axes):
        shape.insert(ax, 1)
    return g.reshape(shape)
