"""Every operation of the engine: its forward and, right beside it, its backward.

An op is a pair of small functions on raw arrays (NumPy or CuPy), as a slide shows it
(`elementwise.py`: arithmetic and activations; `structural.py`: matmul, reductions, shapes,
softmax)::

    # mul: a * b                 d/da = b,  d/db = a
    def _mul(a: Array, b: Array) -> Array:
        return a * b

    def _mul_local(a: Array, b: Array, out: Array) -> tuple[Local, ...]:
        return b, a

    MUL = Op("mul", _mul, local=_mul_local)

Elementwise ops give `local(*inputs, out, **attrs)`: d out / d input for each input. The backward
walk multiplies it by the gradient arriving from above and sums away broadcast axes
(`unbroadcast`), so the autodiff lesson can show the local derivative on every edge. The other
ops (matrix product, reductions, shapes, softmax) give `grads`, one function per input mapping the
upstream gradient `g` to that input's gradient; the walk calls only those an input needs.
Settings such as `axis` or an exponent travel as keyword attributes (`attrs`) to both sides.

`Tensor` methods run `forward` through `Tensor.apply(op, *inputs, **attrs)`;
`engine.core.autodiff.backward_steps` runs the backward side. `OPS` lists every op by name.
Layer-sized ops (conv2d, pooling, the recurrent time loop, batch norm) keep their forward and
backward together in their own modules (`Tensor.from_op(..., backward=...)`).
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.core.ops.base import Op, Reduction, restore_axes, unbroadcast
from engine.core.ops.elementwise import (
    ADD,
    DIV,
    DROPOUT,
    ELU,
    EXP,
    LEAKY_RELU,
    LOG,
    MUL,
    NEG,
    NOISY_RELU,
    POW,
    RELU,
    SIGMOID,
    STEP,
    SUB,
    TANH,
)
from engine.core.ops.structural import (
    GETITEM,
    LOG_SOFTMAX,
    MATMUL,
    MAX,
    MEAN,
    RESHAPE,
    SOFTMAX,
    SUM,
    TRANSPOSE,
)

__all__ = [
    "ADD",
    "DIV",
    "DROPOUT",
    "ELU",
    "EXP",
    "GETITEM",
    "LEAKY_RELU",
    "LOG",
    "LOG_SOFTMAX",
    "MATMUL",
    "MAX",
    "MEAN",
    "MUL",
    "NEG",
    "NOISY_RELU",
    "OPS",
    "POW",
    "RELU",
    "RESHAPE",
    "SIGMOID",
    "SOFTMAX",
    "STEP",
    "SUB",
    "SUM",
    "TANH",
    "TRANSPOSE",
    "Op",
    "Reduction",
    "restore_axes",
    "unbroadcast",
]

OPS: Mapping[str, Op] = {
    op.name: op
    for op in (
        ADD,
        SUB,
        MUL,
        DIV,
        NEG,
        POW,
        EXP,
        LOG,
        TANH,
        SIGMOID,
        RELU,
        STEP,
        LEAKY_RELU,
        NOISY_RELU,
        ELU,
        DROPOUT,
        MATMUL,
        SUM,
        MEAN,
        MAX,
        RESHAPE,
        TRANSPOSE,
        GETITEM,
        SOFTMAX,
        LOG_SOFTMAX,
    )
}
