"""The one place the engine emits events: `@emits(Kind)` on the function that builds them.

Every choke point (a layer's forward pass, the backward walk, the optimizer's update, the
training loop, the conv/pool window scans, the recurrent time loop) writes its payload as a small
builder and decorates it::

    @emits(ForwardPass)
    def forward_pass(layer: str, x: Array, out: Array) -> ForwardPass:
        return ForwardPass(layer, snapshot(x), snapshot(out))

    forward_pass(self.name, x.data, out.data)  # builds and emits only if anyone listens

A call asks the current tracer ``wants(Kind)`` first and runs the builder only then, so when
nobody listens that one check is the whole cost: no payload is built, no array copied to the
host. A builder returns one event or an iterable of them (a generator for the window scans); the
call returns whether it emitted. Events without arrays need no builder:
``emit_if_wanted(EpochEnd, epoch, logs)``.

Every gate is also a cancellation point (:func:`engine.core.cancel.check`): work running under a
cancelled token stops there with ``Cancelled``, so a long training run can be interrupted
within one layer's computation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, ParamSpec

from engine.core.cancel import check as check_cancelled
from engine.core.events import E, current_tracer

__all__ = ["emit_if_wanted", "emits"]

P = ParamSpec("P")


def emits(kind: type[E]) -> Callable[[Callable[P, E | Iterable[E]]], Callable[P, bool]]:
    """Decorate a builder of `kind` events: calling it emits what it builds to the current
    tracer if anyone listens for `kind`, builds nothing otherwise, and returns whether it
    emitted."""

    def decorate(build: Callable[P, E | Iterable[E]]) -> Callable[P, bool]:
        @wraps(build)
        def emit_if_wanted(*args: P.args, **kwargs: P.kwargs) -> bool:
            check_cancelled()
            tracer = current_tracer()
            if not tracer.wants(kind):
                return False
            built = build(*args, **kwargs)
            for event in built if isinstance(built, Iterable) else (built,):
                tracer.emit(event)
            return True

        return emit_if_wanted

    return decorate


def emit_if_wanted(kind: type[E], *args: Any) -> bool:
    """Emit `kind(*args)` if anyone listens for `kind` (for events without arrays to copy)."""
    check_cancelled()
    tracer = current_tracer()
    if not tracer.wants(kind):
        return False
    tracer.emit(kind(*args))
    return True
