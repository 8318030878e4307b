"""Tensor: an array that remembers how it was computed, so gradients can flow back through it.

Each operation is an entry of the op table (`engine.core.ops`): a forward and a backward on raw
arrays, side by side. A Tensor method runs the forward through `Tensor.apply(op, ...)`, which
records the op, its inputs and settings on the output node; the backward walk
(`engine.core.autodiff.backward_steps`) later runs the op's backward side::

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

from engine.core import backend, ops
from engine.core.arrays import Array
from engine.core.autodiff import (
    BackwardStep,
    ParentGradient,
    backward_steps,
    is_grad_enabled,
    no_grad,
    topological_order,
)
from engine.core.ops import Op, Reduction

__all__ = [
    "DEFAULT_DTYPE",
    "Array",
    "BackwardStep",
    "ParentGradient",
    "Tensor",
    "backward_steps",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
]

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
        "_attrs",
        "_backward",
        "_fn",
        "_inputs",
        "data",
        "grad",
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
    _fn: Op | None  # the op-table entry whose backward side the walk runs
    _inputs: tuple[Array, ...]  # the arrays its forward saw
    _attrs: dict[str, Any]  # its settings (axis, exponent, ...)
    _backward: Backward | None  # a layer op's own backward (conv2d, pooling, ...)

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
        self._fn, self._inputs, self._attrs, self._backward = None, (), {}, None
        self.requires_grad = bool(requires_grad)

    # -- building the graph ------------------------------------------------------------------

    @staticmethod
    def apply(fn: Op, *inputs: Tensor, **attrs: Any) -> Tensor:
        """Run `fn`'s forward on the inputs' arrays; the output remembers `fn` for backward."""
        out = Tensor._node(fn.name, fn.forward(*(t.data for t in inputs), **attrs), inputs)
        if out.requires_grad:
            out._fn, out._inputs, out._attrs = fn, tuple(t.data for t in inputs), attrs
        return out

    @staticmethod
    def from_op(op: str, data: Array, parents: tuple[Tensor, ...], *, backward: Backward) -> Tensor:
        """The output of a layer-sized op `op` whose backward is the closure `backward`
        (upstream gradient -> one gradient per parent, None where a parent needs none)."""
        out = Tensor._node(op, data, parents)
        if out.requires_grad:
            out._backward = backward
        return out

    @staticmethod
    def _node(op: str, data: Array, parents: tuple[Tensor, ...]) -> Tensor:
        out = Tensor.__new__(Tensor)
        out.data = np.asarray(data) if isinstance(data, np.generic) else data
        out.grad = None
        out.op = op
        out.name = None
        out._fn, out._inputs, out._attrs, out._backward = None, (), {}, None
        if is_grad_enabled():
            out.parents = parents
            out.requires_grad = any(p.requires_grad for p in parents)
        else:
            out.parents, out.requires_grad = (), False
        return out

    def _lift(self, other: Any) -> Tensor:
        """`other` as a Tensor: Python numbers and arrays become constants of this dtype."""
        if isinstance(other, Tensor):
            return other
        const = Tensor(other, dtype=self.data.dtype)
        const.op = "const"
        return const

    # -- elementwise arithmetic ----------------------------------------------------------------

    def __add__(self, other: Any) -> Tensor:
        return Tensor.apply(ops.ADD, self, self._lift(other))

    def __radd__(self, other: Any) -> Tensor:
        return self._lift(other) + self

    def __sub__(self, other: Any) -> Tensor:
        return Tensor.apply(ops.SUB, self, self._lift(other))

    def __rsub__(self, other: Any) -> Tensor:
        return self._lift(other) - self

    def __mul__(self, other: Any) -> Tensor:
        return Tensor.apply(ops.MUL, self, self._lift(other))

    def __rmul__(self, other: Any) -> Tensor:
        return self._lift(other) * self

    def __truediv__(self, other: Any) -> Tensor:
        return Tensor.apply(ops.DIV, self, self._lift(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._lift(other) / self

    def __neg__(self) -> Tensor:
        return Tensor.apply(ops.NEG, self)

    def __pow__(self, exponent: float) -> Tensor:
        if isinstance(exponent, Tensor) or not isinstance(exponent, int | float):
            raise ValueError(f"x ** p needs a constant number p, got {type(exponent).__name__}")
        return Tensor.apply(ops.POW, self, p=exponent)

    def exp(self) -> Tensor:
        """e ** x; d/dx = e ** x."""
        return Tensor.apply(ops.EXP, self)

    def log(self) -> Tensor:
        """Natural logarithm; d/dx = 1 / x."""
        return Tensor.apply(ops.LOG, self)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent; d/dx = 1 - tanh(x)^2."""
        return Tensor.apply(ops.TANH, self)

    def sigmoid(self) -> Tensor:
        """Logistic sigmoid 1 / (1 + e^-x); d/dx = s (1 - s)."""
        return Tensor.apply(ops.SIGMOID, self)

    def relu(self) -> Tensor:
        """max(0, x); d/dx = 1 where x > 0, else 0."""
        return Tensor.apply(ops.RELU, self)

    # -- matrix product, reductions and shapes -------------------------------------------------

    def __matmul__(self, other: Any) -> Tensor:
        return Tensor.apply(ops.MATMUL, self, self._lift(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._lift(other) @ self

    def sum(self, axis: Reduction = None, keepdims: bool = False) -> Tensor:
        """Sum over `axis` (all axes by default); the gradient is copied back to every term."""
        return Tensor.apply(ops.SUM, self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Reduction = None, keepdims: bool = False) -> Tensor:
        """Mean over `axis` (all axes by default); each term receives gradient / count."""
        return Tensor.apply(ops.MEAN, self, axis=axis, keepdims=keepdims)

    def max(self, axis: Reduction = None, keepdims: bool = False) -> Tensor:
        """Maximum over `axis`; the gradient goes to the maxima (split evenly between ties)."""
        return Tensor.apply(ops.MAX, self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape: SupportsIndex | tuple[int, ...]) -> Tensor:
        """The same values in a new shape: `t.reshape(2, 3)` or `t.reshape((2, 3))`."""
        dims = shape[0] if len(shape) == 1 and isinstance(shape[0], tuple) else shape
        return Tensor.apply(ops.RESHAPE, self, shape=dims)

    def transpose(self, *axes: int) -> Tensor:
        """Permute axes (reverse them by default); the gradient is permuted back."""
        perm = tuple(axes) if axes else tuple(reversed(range(self.data.ndim)))
        if sorted(perm) != list(range(self.data.ndim)):
            raise ValueError(f"transpose: {perm} is not a permutation of the axes of {self.shape}")
        return Tensor.apply(ops.TRANSPOSE, self, axes=perm)

    @property
    def T(self) -> Tensor:
        """The transpose (axes reversed)."""
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        return Tensor.apply(ops.GETITEM, self, index=_device_index(index, backend.xp()))

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
