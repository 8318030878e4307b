"""Typed events the engine emits while it computes, and the Tracer that delivers them.

The engine emits from a few choke points only: a layer's forward pass (`ForwardPass`), the
backward walk (`Gradient`, for every named node), the optimizer's per-parameter update
(`OptimizerStep`), the training loop (`BatchEnd`, `EpochEnd`, `Divergence`), the convolution and
pooling window scans (`ConvWindow`, `PoolWindow`) and the recurrent time loop (`RNNStep`), all
through one gate (`engine.core.emitting.emits`): it asks ``tracer.wants(Kind)`` and builds the
payload only then; when nobody listens that one check is the whole cost.

Payload arrays are read-only host NumPy snapshots that no later engine step changes, so what
was shown stays what was computed. On a GPU they are host copies; on the CPU they share memory
with arrays the engine never writes again: operation results and gradients are never updated in
place, and while anyone listens to `OptimizerStep` the optimizer updates fresh copies of the
parameters and its state instead of the arrays it handed out. That keeps a watched step cheap::

    tracer = current_tracer()
    unsubscribe = tracer.subscribe(OptimizerStep, lambda e: print(e.param, e.after - e.before))
    with tracer.record(kinds=(ForwardPass,), cap=100) as events:
        model.train_on_batch(x, y)
    unsubscribe()

A training loop marks each step (``with tracer.step():``) so that a subscriber that wants only
some steps (`StepSampler`, for a GUI's ~60 frames a second) leaves the others as cheap as when
nobody listens: see `Tracer.subscribe(..., wants_step=...)`.

The current tracer lives in a context variable; new threads see the shared default tracer
unless they enter `use_tracer(...)` themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from engine.core.backend import to_numpy

__all__ = [
    "EVENT_TYPES",
    "BatchEnd",
    "ConvWindow",
    "Divergence",
    "DivergenceError",
    "EpochEnd",
    "Event",
    "ForwardPass",
    "Gradient",
    "OptimizerStep",
    "PoolWindow",
    "RNNStep",
    "Recording",
    "Tracer",
    "current_tracer",
    "host_copy",
    "snapshot",
    "use_tracer",
]


def host_copy(a: Any) -> np.ndarray:
    """A host NumPy copy of `a` (an xp array or Tensor) that the caller owns."""
    host = to_numpy(a)
    return host.copy() if host is a or host is getattr(a, "data", None) else host


def snapshot(a: Any) -> np.ndarray:
    """A read-only host array of `a`'s values for an event payload, without copying on the CPU.

    Only for arrays the engine never writes again: results of operations, gradients, and the
    parameters and optimizer state an optimizer hands out (it updates copies afterwards).
    """
    host = to_numpy(a)
    view = host.view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True, eq=False)
class ForwardPass:
    """A layer computed `output` from `inputs` (its single input batch, Keras's `inputs`)."""

    layer: str
    inputs: np.ndarray
    output: np.ndarray


@dataclass(frozen=True, eq=False)
class Gradient:
    """The backward walk finished the gradient of the named node (a parameter or layer output)."""

    name: str
    value: np.ndarray


@dataclass(frozen=True, eq=False)
class OptimizerStep:
    """An optimizer updated one parameter: `after` = rule(`before`, `grad`, `state`)."""

    param: str
    before: np.ndarray
    grad: np.ndarray
    after: np.ndarray
    state: Mapping[str, np.ndarray]


@dataclass(frozen=True)
class BatchEnd:
    """One optimizer step on one batch finished with this (mean) loss."""

    epoch: int
    batch: int
    loss: float
    size: int


@dataclass(frozen=True)
class EpochEnd:
    """An epoch finished; `logs` holds loss, metrics and their validation counterparts."""

    epoch: int
    logs: Mapping[str, float]


@dataclass(frozen=True)
class Divergence:
    """The loss became NaN or infinite; training stops with `DivergenceError`."""

    epoch: int
    batch: int
    loss: float


@dataclass(frozen=True, eq=False)
class ConvWindow:
    """One output position of a convolution, for the watched sample and one filter.

    `patch` (in_channels, kh, kw) is the input window (after padding), `kernel` the filter's
    weights, `products` their elementwise product; `value` = products.sum() + `bias` is the
    feature-map value at row `y`, column `x` before the activation.
    """

    layer: str
    filter: int
    y: int
    x: int
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    bias: float
    value: float


@dataclass(frozen=True, eq=False)
class PoolWindow:
    """One output position of a pooling layer, for the watched sample and one channel.

    `window` (ph, pw) holds the input values pooled; `winner` is the (row, col) of the maximum
    inside the window for max pooling (None for average pooling); `value` is the output.
    """

    layer: str
    channel: int
    y: int
    x: int
    window: np.ndarray
    winner: tuple[int, int] | None
    value: float


@dataclass(frozen=True, eq=False)
class RNNStep:
    """One time step `t` of a recurrent layer for the watched sequence of the batch.

    `h_prev` -> `h_t` given `x_t`; `c_t` is the LSTM cell state (None for other cells) and
    `gates` each gate's activations by name ("input", "forget", "candidate", "output" for LSTM;
    "update", "reset", "candidate" for GRU; none for SimpleRNN).
    """

    layer: str
    t: int
    x_t: np.ndarray
    h_prev: np.ndarray
    h_t: np.ndarray
    c_t: np.ndarray | None
    gates: Mapping[str, np.ndarray]


Event = (
    ForwardPass
    | Gradient
    | OptimizerStep
    | BatchEnd
    | EpochEnd
    | Divergence
    | ConvWindow
    | PoolWindow
    | RNNStep
)
EVENT_TYPES: tuple[type[Event], ...] = (
    ForwardPass,
    Gradient,
    OptimizerStep,
    BatchEnd,
    EpochEnd,
    Divergence,
    ConvWindow,
    PoolWindow,
    RNNStep,
)

E = TypeVar(
    "E",
    ForwardPass,
    Gradient,
    OptimizerStep,
    BatchEnd,
    EpochEnd,
    Divergence,
    ConvWindow,
    PoolWindow,
    RNNStep,
)


class DivergenceError(ArithmeticError):
    """Training stopped because the loss became NaN or infinite."""

    def __init__(self, epoch: int, batch: int, loss: float) -> None:
        super().__init__(
            f"Training diverged at epoch {epoch}, batch {batch}: the loss is {loss}. "
            "Try a smaller learning rate, or scale the inputs."
        )
        self.epoch, self.batch, self.loss = epoch, batch, loss


_Subscription = tuple[Callable[[Any], None], Callable[[], bool] | None]  # (fn, wants_step)


class Recording(list[Event]):
    """The events collected by `Tracer.record`, at most `cap`; `dropped` counts the rest."""

    def __init__(self, kinds: frozenset[type[Event]], cap: int) -> None:
        super().__init__()
        self.kinds, self.cap, self.dropped = kinds, cap, 0

    def offer(self, event: Event) -> None:
        """Keep `event` if it is of a recorded kind and the cap is not reached."""
        if type(event) in self.kinds:
            if len(self) < self.cap:
                self.append(event)
            else:
                self.dropped += 1


class Tracer:
    """Delivers engine events to subscribers and recordings; free when nobody listens.

    A subscriber that summarises only some training steps says so with `wants_step`: a loop that
    marks its steps (``with tracer.step():``, as `Sequential.fit` and `train_on_batch` do) asks
    it once at each step's start, and a step no subscriber of a kind wants is computed as if
    nobody listened to that kind (no payload built, no copy made, the graph-free path taken).
    """

    def __init__(self) -> None:
        self._subscribers: dict[type[Event], tuple[_Subscription, ...]] = {}
        self._recordings: tuple[Recording, ...] = ()
        self._delivery: dict[type[Event], tuple[Callable[[Any], None], ...]] = {}
        self._wanted: frozenset[type[Event]] = frozenset()
        self._gates: tuple[Callable[[], bool], ...] = ()  # each distinct wants_step
        self._answers: dict[Callable[[], bool], bool] | None = None  # None: not in a step

    def _refresh(self) -> None:
        """Who gets each kind now: every plain subscriber, and a gated one unless its gate
        said no to the step in progress."""
        answers = self._answers or {}
        self._delivery = {
            kind: fns
            for kind, subs in self._subscribers.items()
            if (fns := tuple(fn for fn, gate in subs if gate is None or answers.get(gate, True)))
        }
        kinds = set(self._delivery)
        for recording in self._recordings:
            kinds |= recording.kinds
        self._wanted = frozenset(kinds)
        gates = (gate for subs in self._subscribers.values() for _, gate in subs if gate)
        self._gates = tuple(dict.fromkeys(gates))

    def subscribe(
        self,
        kind: type[E],
        fn: Callable[[E], None],
        wants_step: Callable[[], bool] | None = None,
    ) -> Callable[[], None]:
        """Call `fn(event)` for every event of `kind`; returns a function that unsubscribes.

        With `wants_step`, only during the marked steps it returns True for (and outside marked
        steps): it is asked once at each `step()`'s start, once for all the subscriptions that
        share it (an equal callable, e.g. the same bound method)."""
        _check_kinds((kind,))
        key: type[Event] = kind
        sub: _Subscription = (fn, wants_step)
        self._subscribers[key] = (*self._subscribers.get(key, ()), sub)
        self._refresh()
        done = False

        def unsubscribe() -> None:
            nonlocal done
            if not done:
                done = True
                subs = list(self._subscribers.get(key, ()))
                subs.remove(sub)
                self._subscribers[key] = tuple(subs)
                self._refresh()

        return unsubscribe

    def wants(self, kind: type[Event]) -> bool:
        """Whether anyone listens for `kind` (emitters check this before building payloads)."""
        return kind in self._wanted

    def emit(self, event: Event) -> None:
        """Deliver `event` to the subscribers of its kind and to open recordings."""
        for fn in self._delivery.get(type(event), ()):
            fn(event)
        for recording in self._recordings:
            recording.offer(event)

    @contextmanager
    def step(self) -> Iterator[None]:
        """Mark one training step: ask each subscriber's `wants_step` whether it wants this step,
        and until the step ends deliver to (and `wants`) only what is still listened to. A step
        marked inside a marked step is part of it; a tracer's steps are marked one at a time."""
        if not self._gates or self._answers is not None:
            yield
            return
        self._answers = {gate: bool(gate()) for gate in self._gates}
        self._refresh()
        try:
            yield
        finally:
            self._answers = None
            self._refresh()

    @contextmanager
    def record(
        self, kinds: Iterable[type[Event]] | None = None, cap: int = 10_000
    ) -> Iterator[Recording]:
        """Collect events of `kinds` (all kinds by default), at most `cap`, into a list."""
        chosen = frozenset(EVENT_TYPES if kinds is None else kinds)
        _check_kinds(chosen)
        if cap < 0:
            raise ValueError(f"record(cap={cap}): the cap must be >= 0")
        recording = Recording(chosen, cap)
        self._recordings = (*self._recordings, recording)
        self._refresh()
        try:
            yield recording
        finally:
            self._recordings = tuple(r for r in self._recordings if r is not recording)
            self._refresh()


def _check_kinds(kinds: Iterable[type]) -> None:
    for kind in kinds:
        if kind not in EVENT_TYPES:
            names = ", ".join(k.__name__ for k in EVENT_TYPES)
            raise ValueError(f"{kind!r} is not an engine event type; use one of {names}")


_DEFAULT = Tracer()
_current: ContextVar[Tracer] = ContextVar("deepstep_tracer", default=_DEFAULT)


def current_tracer() -> Tracer:
    """The tracer engine code emits to in this context (a shared default one if none is set)."""
    return _current.get()


@contextmanager
def use_tracer(tracer: Tracer) -> Iterator[Tracer]:
    """Make `tracer` the current tracer inside the `with` block."""
    token = _current.set(tracer)
    try:
        yield tracer
    finally:
        _current.reset(token)
