"""tanh, sigmoid and two-class cross-entropy in few array passes, for the stacked evaluator.

`np.tanh` on float32 is a scalar loop on CPUs without AVX-512 (~3 ns a value), while `np.exp`
is vectorised. So a hidden tanh (or sigmoid) layer is carried as the logistic array

    u = 1 / (1 + exp(scale * z)),   output = alpha + beta * u

(tanh: scale 2, alpha 1, beta -2; sigmoid: scale -1, alpha 0, beta 1): one exp and two cheap
passes. `scale` is folded into the layer's own kernel and bias, `alpha` and `beta` into the next
Dense layer's (`u @ (beta W) + (b + alpha * column sums of W)`), so the output itself is never
written. The result agrees with tanh to float rounding (a few units in the last place of 1).

Cross-entropy from two logits is the softplus of their difference: with t = z_other - z_label,
-log softmax(z)_label = log(1 + e^t) = max(t, 0) + log1p(e^-|t|), one pass over (K, batch)
values instead of a softmax over (K, batch, 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.core import backend
from engine.core.tensor import Array
from engine.nn import activations

__all__ = ["CARRIERS", "Carrier", "logistic_in_place", "softplus_in_place"]


@dataclass(frozen=True)
class Carrier:
    """A layer output kept as u = 1 / (1 + exp(scale * z)); the output is alpha + beta * u."""

    scale: float
    alpha: float
    beta: float


# tanh(z) = 1 - 2 / (1 + e^(2z)); sigmoid(z) = 1 / (1 + e^-z)
CARRIERS: dict[activations.Activation, Carrier] = {
    activations.tanh: Carrier(2.0, 1.0, -2.0),
    activations.sigmoid: Carrier(-1.0, 0.0, 1.0),
}


def logistic_in_place(a: Array) -> None:
    """a <- 1 / (1 + exp(a)); a large a gives 0 (exp overflows to inf), a very negative a 1."""
    xp = backend.xp()
    xp.exp(a, out=a)
    a += 1
    xp.reciprocal(a, out=a)


def softplus_in_place(t: Array, e: Array, u: Array, c: Array) -> None:
    """t <- log(1 + e^t) = max(t, 0) + log1p(e^-|t|); e, u and c are scratch arrays like t.

    log1p(e) is log(u) + (e - (u - 1)) / u with u = 1 + e: e - (u - 1) is the rounding error of
    1 + e, exact in floating point, so the result is accurate where log(u) alone is not."""
    xp = backend.xp()
    xp.abs(t, out=e)
    xp.negative(e, out=e)
    xp.exp(e, out=e)  # e^-|t|, in (0, 1]
    xp.add(e, 1, out=u)
    xp.subtract(u, 1, out=c)
    xp.subtract(e, c, out=c)
    c /= u
    xp.maximum(t, 0, out=t)
    t += c
    xp.log(u, out=u)
    t += u
