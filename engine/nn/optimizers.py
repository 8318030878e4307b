"""Optimizers: SGD (with momentum or Nesterov), RMSprop and Adam, updating weights in place.

`optimizer.step(params)` reads each parameter's `.grad` and updates its `.data` in place; the
parameters can be a model's or any list of Tensors (a 2-D point on a loss surface). Each
optimizer's docstring shows its update rule as code, and its state (velocities, running averages,
moments) is readable with `state_of(param)` (and `set_state_of` puts a saved one back);
`iterations` counts the steps taken.

With `weight_decay > 0` the gradient first gains an L2 term, `g = g + weight_decay * w`, the
gradient of `0.5 * weight_decay * ||w||^2`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from engine.core import backend
from engine.core.emitting import emits
from engine.core.events import OptimizerStep, current_tracer, host_copy, snapshot
from engine.core.tensor import Array, Tensor

__all__ = ["SGD", "Adam", "Momentum", "Nesterov", "Optimizer", "RMSprop", "get"]


def _check(name: str, value: float, low: float, high: float = float("inf")) -> float:
    if not low <= value < high:
        raise ValueError(f"{name}={value!r} must be in [{low}, {high})")
    return float(value)


@emits(OptimizerStep)
def _optimizer_step(
    param: str, before: Array, grad: Array, after: Array, state: dict[str, Array]
) -> OptimizerStep:
    return OptimizerStep(
        param=param,
        before=snapshot(before),
        grad=snapshot(grad),
        after=snapshot(after),
        state={k: snapshot(v) for k, v in state.items()},
    )


class Optimizer:
    """Base class: `step(params)` applies `_update` to every parameter that has a gradient."""

    def __init__(self, learning_rate: float, weight_decay: float = 0.0) -> None:
        if not learning_rate > 0:
            raise ValueError(f"learning_rate={learning_rate!r} must be > 0")
        self.learning_rate = float(learning_rate)
        self.weight_decay = _check("weight_decay", weight_decay, 0.0)
        self.iterations = 0
        self._state: dict[Tensor, dict[str, Array]] = {}
        self._shown: set[Tensor] = set()  # parameters whose arrays an event handed out
        self._work: dict[tuple[Any, ...], Array] = {}  # scratch arrays by (type, shape, dtype)

    def step(self, params: Iterable[Tensor]) -> None:
        """Update every parameter with a gradient, in place, and count one iteration."""
        self.iterations += 1
        # While anyone listens, the arrays handed out are never written again (copy on write).
        watch = current_tracer().wants(OptimizerStep)
        for i, p in enumerate(params):
            g = p.grad
            if g is None:
                continue
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            state = self._state.get(p)
            if state is None:
                state = self._state[p] = self._new_state(p.data)
            before = p.data
            if watch or p in self._shown:
                # Copy on write: arrays handed to subscribers are never written again.
                p.data = p.data.copy()
                state = self._state[p] = {k: v.copy() for k, v in state.items()}
                self._shown.discard(p)
            self._update(p.data, g, state)
            if _optimizer_step(p.name or f"param{i}", before, g, p.data, state):
                self._shown.add(p)

    def state_of(self, param: Tensor) -> dict[str, np.ndarray]:
        """Host copies of this parameter's state (empty before its first update)."""
        return {k: host_copy(v) for k, v in self._state.get(param, {}).items()}

    def set_state_of(self, param: Tensor, state: Mapping[str, Any]) -> None:
        """Give this parameter the state ``state_of`` returned (a saved run continues exactly).

        ValueError if the names or shapes are not what this optimizer keeps for it.
        """
        expected = self._new_state(param.data)
        if not state:
            self._state.pop(param, None)
            return
        if set(state) != set(expected):
            raise ValueError(
                f"{type(self).__name__} keeps {sorted(expected) or 'no state'} per parameter, "
                f"got {sorted(state)}"
            )
        xp = backend.xp()
        arrays = {
            k: xp.array(backend.to_numpy(v), dtype=param.data.dtype) for k, v in state.items()
        }
        for k, v in arrays.items():
            if v.shape != expected[k].shape:
                raise ValueError(f"state {k!r} has shape {v.shape}, not {expected[k].shape}")
        self._state[param] = arrays
        self._shown.discard(param)

    def _new_state(self, w: Array) -> dict[str, Array]:
        return {}

    def _scratch(self, like: Array) -> Array:
        """A work array of `like`'s shape and dtype, kept for the next step of any parameter of
        that shape (it is never handed out): updates allocate nothing per step."""
        key = (type(like), like.shape, like.dtype)
        s = self._work.get(key)
        if s is None:
            s = self._work[key] = backend.xp().empty_like(like)
        return s

    def _update(self, w: Array, g: Array, state: dict[str, Array]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum (Keras conventions)::

        w -= learning_rate * g                              # momentum == 0
        v = momentum * v - learning_rate * g; w += v        # momentum > 0
        v = momentum * v - learning_rate * g                # nesterov=True
        w += momentum * v - learning_rate * g

    State: "velocity" (v), zero before the first step.
    """

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, weight_decay)
        self.momentum = _check("momentum", momentum, 0.0, 1.0)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0:
            raise ValueError("SGD(nesterov=True) needs momentum > 0")

    def _new_state(self, w: Array) -> dict[str, Array]:
        return {"velocity": backend.xp().zeros_like(w)} if self.momentum else {}

    def _update(self, w: Array, g: Array, state: dict[str, Array]) -> None:
        lr = self.learning_rate
        if not self.momentum:
            w -= lr * g
            return
        v = state["velocity"]
        v *= self.momentum
        v -= lr * g
        if self.nesterov:
            w += self.momentum * v - lr * g
        else:
            w += v


class Momentum(SGD):
    """SGD with classical momentum::

        v = momentum * v - learning_rate * g
        w += v

    State: "velocity" (v), zero before the first step.
    """

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.9, weight_decay: float = 0.0
    ) -> None:
        super().__init__(learning_rate, momentum, nesterov=False, weight_decay=weight_decay)


class Nesterov(SGD):
    """SGD with Nesterov momentum (the look-ahead form Keras uses)::

        v = momentum * v - learning_rate * g
        w += momentum * v - learning_rate * g

    State: "velocity" (v), zero before the first step.
    """

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.9, weight_decay: float = 0.0
    ) -> None:
        super().__init__(learning_rate, momentum, nesterov=True, weight_decay=weight_decay)


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012): divide the step by a running root-mean-square of gradients::

        s = rho * s + (1 - rho) * g**2
        w -= learning_rate * g / (sqrt(s) + epsilon)

    State: "average" (s), zero before the first step.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        rho: float = 0.9,
        epsilon: float = 1e-7,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, weight_decay)
        self.rho = _check("rho", rho, 0.0, 1.0)
        self.epsilon = _check("epsilon", epsilon, 0.0)

    def _new_state(self, w: Array) -> dict[str, Array]:
        return {"average": backend.xp().zeros_like(w)}

    def _update(self, w: Array, g: Array, state: dict[str, Array]) -> None:
        xp = backend.xp()
        s = state["average"]
        g2 = g * g
        g2 *= 1 - self.rho
        s *= self.rho
        s += g2
        step = xp.sqrt(s, out=xp.empty_like(s))
        step += self.epsilon
        xp.divide(g, step, out=step)
        step *= self.learning_rate
        w -= step


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015, Algorithm 1), with t = iterations (1 on the first step)::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        m_hat = m / (1 - beta_1**t)
        v_hat = v / (1 - beta_2**t)
        w -= learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    State: "m" and "v" (first and second moment estimates), zero before the first step.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, weight_decay)
        self.beta_1 = _check("beta_1", beta_1, 0.0, 1.0)
        self.beta_2 = _check("beta_2", beta_2, 0.0, 1.0)
        self.epsilon = _check("epsilon", epsilon, 0.0)

    def _new_state(self, w: Array) -> dict[str, Array]:
        xp = backend.xp()
        return {"m": xp.zeros_like(w), "v": xp.zeros_like(w)}

    def _update(self, w: Array, g: Array, state: dict[str, Array]) -> None:
        xp = backend.xp()
        t = self.iterations
        m, v = state["m"], state["v"]
        # One scratch array per shape holds each temporary in turn (no array allocated per
        # step); the operations and their order are the docstring's, so every number is too.
        s = self._scratch(g)
        m *= self.beta_1
        xp.multiply(g, 1 - self.beta_1, out=s)
        m += s
        xp.multiply(g, g, out=s)
        s *= 1 - self.beta_2
        v *= self.beta_2
        v += s
        # learning_rate * m_hat / (sqrt(v_hat) + epsilon)
        s = self._scratch(v)  # (the same array where g is shaped and typed like the weights)
        xp.sqrt(v, out=s)
        s *= 1 / (1 - self.beta_2**t) ** 0.5
        s += self.epsilon
        xp.divide(m, s, out=s)
        s *= self.learning_rate / (1 - self.beta_1**t)
        w -= s


_BY_NAME: dict[str, Callable[[], Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def get(name: str | Optimizer) -> Optimizer:
    """The optimizer called `name` with Keras's default settings; instances pass through."""
    if isinstance(name, Optimizer):
        return name
    key = name.lower() if isinstance(name, str) else name
    if key not in _BY_NAME:
        raise ValueError(f"Unknown optimizer {name!r}; valid names: {', '.join(_BY_NAME)}")
    return _BY_NAME[key]()
