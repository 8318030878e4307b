"""Elementwise ops: arithmetic and activations, each forward beside its local derivatives.

`local(*inputs, out, **attrs)` gives d out / d input for each input; the backward walk multiplies
it by the upstream gradient and sums away broadcast axes.
"""

from __future__ import annotations

from engine.core import backend
from engine.core.arrays import Array
from engine.core.ops.base import Local, Op

__all__ = [
    "ADD",
    "DIV",
    "DROPOUT",
    "ELU",
    "EXP",
    "LEAKY_RELU",
    "LOG",
    "MUL",
    "NEG",
    "NOISY_RELU",
    "POW",
    "RELU",
    "SIGMOID",
    "STEP",
    "SUB",
    "TANH",
]


def _xp() -> backend.ArrayModule:
    return backend.xp()


# -- arithmetic: out = f(a, b) and its local derivatives ------------------------------------


# add: a + b                 d/da = 1,  d/db = 1
def _add(a: Array, b: Array) -> Array:
    return a + b


def _add_local(a: Array, b: Array, out: Array) -> tuple[Local, ...]:
    return 1.0, 1.0


ADD = Op("add", _add, local=_add_local)


# sub: a - b                 d/da = 1,  d/db = -1
def _sub(a: Array, b: Array) -> Array:
    return a - b


def _sub_local(a: Array, b: Array, out: Array) -> tuple[Local, ...]:
    return 1.0, -1.0


SUB = Op("sub", _sub, local=_sub_local)


# mul: a * b                 d/da = b,  d/db = a
def _mul(a: Array, b: Array) -> Array:
    return a * b


def _mul_local(a: Array, b: Array, out: Array) -> tuple[Local, ...]:
    return b, a


MUL = Op("mul", _mul, local=_mul_local)


# div: a / b                 d/da = 1 / b,  d/db = -a / b^2 = -out / b
def _div(a: Array, b: Array) -> Array:
    return a / b


def _div_local(a: Array, b: Array, out: Array) -> tuple[Local, ...]:
    return 1.0 / b, -out / b


DIV = Op("div", _div, local=_div_local)


# neg: -a                    d/da = -1
def _neg(a: Array) -> Array:
    return -a


def _neg_local(a: Array, out: Array) -> tuple[Local, ...]:
    return (-1.0,)


NEG = Op("neg", _neg, local=_neg_local)


# pow: a ** p (p a number)   d/da = p a^(p-1)
def _pow(a: Array, *, p: float) -> Array:
    return a**p


def _pow_local(a: Array, out: Array, *, p: float) -> tuple[Local, ...]:
    return (p * a ** (p - 1),)


POW = Op("pow", _pow, local=_pow_local)


# exp: e^a                   d/da = e^a = out
def _exp(a: Array) -> Array:
    return _xp().exp(a)


def _exp_local(a: Array, out: Array) -> tuple[Local, ...]:
    return (out,)


EXP = Op("exp", _exp, local=_exp_local)


# log: ln a                  d/da = 1 / a
def _log(a: Array) -> Array:
    return _xp().log(a)


def _log_local(a: Array, out: Array) -> tuple[Local, ...]:
    return (1.0 / a,)


# -- activations ---------------------------------------------------------------------------


LOG = Op("log", _log, local=_log_local)


# tanh: tanh(x)              d/dx = 1 - tanh(x)^2
def _tanh(x: Array) -> Array:
    return _xp().tanh(x)


def _tanh_local(x: Array, out: Array) -> tuple[Local, ...]:
    return (1 - out * out,)


TANH = Op("tanh", _tanh, local=_tanh_local)


# sigmoid: 1 / (1 + e^-x)    d/dx = s (1 - s); computed without overflow
def _sigmoid(x: Array) -> Array:
    xp = _xp()
    e = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_local(x: Array, out: Array) -> tuple[Local, ...]:
    return (out * (1 - out),)


SIGMOID = Op("sigmoid", _sigmoid, local=_sigmoid_local)


# relu: max(0, x)            d/dx = 1 where x > 0, else 0
def _relu(x: Array) -> Array:
    return _xp().maximum(x, 0)


def _relu_local(x: Array, out: Array) -> tuple[Local, ...]:
    return ((x > 0).astype(x.dtype),)


RELU = Op("relu", _relu, local=_relu_local)


# step: 1 where x >= 0       d/dx = 0 (a perceptron cannot learn by gradient descent)
def _step(x: Array) -> Array:
    return (x >= 0).astype(x.dtype)


def _step_local(x: Array, out: Array) -> tuple[Local, ...]:
    return (_xp().zeros_like(out),)


STEP = Op("step", _step, local=_step_local)


# leaky_relu: x or alpha x   d/dx = 1 or alpha
def _leaky_relu(x: Array, *, alpha: float) -> Array:
    return _xp().where(x > 0, x, alpha * x)


def _leaky_relu_local(x: Array, out: Array, *, alpha: float) -> tuple[Local, ...]:
    return (_xp().where(x > 0, 1.0, alpha).astype(x.dtype, copy=False),)


LEAKY_RELU = Op("leaky_relu", _leaky_relu, local=_leaky_relu_local)


# noisy_relu: max(0, x + n)  d/dx = 1 where x + n > 0 (n drawn by the caller)
def _noisy_relu(x: Array, *, noise: Array) -> Array:
    return _xp().maximum(x + noise, 0)


def _noisy_relu_local(x: Array, out: Array, *, noise: Array) -> tuple[Local, ...]:
    return ((out > 0).astype(x.dtype),)


NOISY_RELU = Op("noisy_relu", _noisy_relu, local=_noisy_relu_local)


# elu: x or alpha (e^x - 1)  d/dx = 1 or out + alpha
def _elu(x: Array, *, alpha: float) -> Array:
    xp = _xp()
    return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))


def _elu_local(x: Array, out: Array, *, alpha: float) -> tuple[Local, ...]:
    return (_xp().where(x > 0, 1, out + alpha).astype(x.dtype, copy=False),)


ELU = Op("elu", _elu, local=_elu_local)


# dropout: x * mask          d/dx = mask (0, or 1 / (1 - rate))
def _dropout(x: Array, *, mask: Array) -> Array:
    return x * mask


def _dropout_local(x: Array, out: Array, *, mask: Array) -> tuple[Local, ...]:
    return (mask,)


DROPOUT = Op("dropout", _dropout, local=_dropout_local)
