"""Walk a computation graph: topological order, and the chain rule applied one node at a time.

`backward_steps(root)` is the whole reverse pass as a generator: for each node, from the root
back to the inputs, it yields the gradient arriving at the node and, for each parent, the local
derivative and the contribution it sends there (`contribution = unbroadcast(upstream * local)`).
`Tensor.backward()` simply runs it to the end, so a lesson stepping through it shows exactly
the numbers training uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.core import backend
from engine.core.arrays import Array
from engine.core.emitting import emits
from engine.core.events import Gradient, snapshot
from engine.core.ops import unbroadcast

if TYPE_CHECKING:
    from engine.core.tensor import Tensor

__all__ = [
    "BackwardStep",
    "ParentGradient",
    "backward_steps",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
    "unbroadcast",
]

_grad_enabled: ContextVar[bool] = ContextVar("deepstep_grad_enabled", default=True)


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside the block, operations record no graph (inference, landscapes, evaluation)."""
    token = _grad_enabled.set(False)
    try:
        yield
    finally:
        _grad_enabled.reset(token)


def is_grad_enabled() -> bool:
    """False inside `no_grad()`."""
    return _grad_enabled.get()


@dataclass(frozen=True, eq=False)
class ParentGradient:
    """What one node sends one parent: d node/d parent (elementwise ops) and the gradient."""

    parent: Tensor
    local: Array | float | None  # None where the op is not elementwise (matmul, sum, ...)
    contribution: Array | None  # None where the parent needs no gradient (a constant)


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """One node of the reverse pass: its complete upstream gradient and what it sent on."""

    node: Tensor
    upstream: Array
    parents: tuple[ParentGradient, ...]


def topological_order(root: Tensor) -> list[Tensor]:
    """Every node `root` depends on, each after all of its parents (inputs first)."""
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in reversed(node.parents) if id(p) not in seen)
    return order


def backward_steps(root: Tensor, grad: Array | Tensor | None = None) -> Iterator[BackwardStep]:
    """Run the reverse pass from `root`, yielding one `BackwardStep` per node as it goes.

    Each node's `.grad` is accumulated (+=) when the node is reached, so after the last step
    every node that needs a gradient has it; `root.backward()` is this loop run to the end.
    """
    if not root.requires_grad:
        raise ValueError(
            f"backward() from a Tensor (op {root.op!r}) that does not require grad: create "
            "the inputs with requires_grad=True"
        )
    xp = backend.xp()
    if grad is None:
        if root.data.size != 1:
            raise ValueError(
                f"backward() needs an explicit gradient for a non-scalar Tensor of shape "
                f"{root.shape}"
            )
        grad = xp.ones_like(root.data)
    else:
        given: Any = grad
        if hasattr(given, "requires_grad"):  # a Tensor (a CuPy array's `.data` is a pointer)
            given = given.data
        grad = xp.asarray(given, dtype=root.data.dtype)
        if grad.shape != root.shape:
            raise ValueError(
                f"backward(grad): grad shape {grad.shape} != Tensor shape {root.shape}"
            )

    pending: dict[int, Array] = {id(root): grad}
    for node in reversed(topological_order(root)):
        upstream = pending.pop(id(node), None)
        if upstream is None or not node.requires_grad:
            continue
        if isinstance(upstream, np.generic):
            upstream = np.asarray(upstream)
        node.grad = upstream if node.grad is None else node.grad + upstream
        if node.name is not None:
            _gradient(node.name, node.grad)
        sent = _send(node, upstream, pending)
        yield BackwardStep(node, upstream, sent)


@emits(Gradient)
def _gradient(name: str, value: Array) -> Gradient:
    return Gradient(name, snapshot(value))


def _send(node: Tensor, upstream: Array, pending: dict[int, Array]) -> tuple[ParentGradient, ...]:
    """Run the node's backward side and add each contribution to its parent's pending sum.

    An elementwise op (see `engine.core.ops`) gives its local derivatives, multiplied here by the
    upstream gradient (the chain rule) and summed over broadcast axes; the others give each
    parent's gradient directly; a layer op (conv2d, pooling, ...) runs its own closure."""
    fn, parents = node._fn, node.parents
    locals_: tuple[Array | float | None, ...] = (None,) * len(parents)
    if fn is not None and fn.local is not None:
        locals_ = fn.local(*node._inputs, node.data, **node._attrs)
        contributions = tuple(
            unbroadcast(upstream if _is_one(d) else upstream * d, p.shape)
            if p.requires_grad
            else None
            for p, d in zip(parents, locals_, strict=True)
        )
    elif fn is not None:
        contributions = tuple(
            grad(upstream, *node._inputs, node.data, **node._attrs) if p.requires_grad else None
            for p, grad in zip(parents, fn.grads, strict=True)
        )
    elif node._backward is not None:
        contributions = node._backward(upstream)
    else:
        return ()
    for parent, c in zip(parents, contributions, strict=True):
        if c is not None and parent.requires_grad:
            key = id(parent)
            pending[key] = c if key not in pending else pending[key] + c
    return tuple(
        ParentGradient(p, d, c) for p, d, c in zip(parents, locals_, contributions, strict=True)
    )


def _is_one(d: Array | float) -> bool:
    return isinstance(d, float | int) and d == 1
