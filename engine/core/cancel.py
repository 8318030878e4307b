"""Cooperative cancellation: long work checks a token its requester sets, and stops there.

A thread cannot safely be stopped from outside; a lesson step that trains a network, or a run
computing ten thousand steps, is stopped by asking. Whoever wants the work holds a
:class:`CancelToken` and may ``cancel()`` it from any thread; the work runs inside
``cancellable(token)`` and calls :func:`check` at safe points, which raises :class:`Cancelled`
once any active token is cancelled. The engine checks at its choke points (every gate of
:mod:`engine.core.emitting`: each layer's forward pass, each node of the backward walk, each
optimizer update, the window scans and the recurrent time loop), so training stops within one
layer's computation::

    token = CancelToken()
    with cancellable(token):          # in the worker thread
        model.fit(x, y, epochs=1000)  # raises Cancelled soon after token.cancel()

A token made with ``boundary_only=True`` is checked only where the work can stop and be taken
up again without loss (``check(boundary=True)``: the lesson runner calls it between steps),
never in the middle of a computation.

:class:`Cancelled` derives from BaseException, as KeyboardInterrupt does, so an
``except Exception`` meant for a failing computation does not swallow it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["CancelToken", "Cancelled", "cancellable", "check", "is_cancelled"]


class Cancelled(BaseException):
    """The work was cancelled by whoever asked for it."""


class CancelToken:
    """Set from any thread with :meth:`cancel`; read by the thread doing the work.

    Subclasses may decide ``cancelled`` otherwise (e.g. from a counter another thread moves).
    """

    def __init__(self, *, boundary_only: bool = False) -> None:
        self.boundary_only = boundary_only
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled


_active: ContextVar[tuple[CancelToken, ...]] = ContextVar("deepstep_cancel", default=())


@contextmanager
def cancellable(token: CancelToken) -> Iterator[CancelToken]:
    """Make the work in this block (this thread or task) stop when ``token`` is cancelled.

    Blocks nest: the work stops when any enclosing block's token is cancelled.
    """
    reset = _active.set((*_active.get(), token))
    try:
        yield token
    finally:
        _active.reset(reset)


def is_cancelled(*, boundary: bool = False) -> bool:
    """Whether an active token asks the work to stop here (see :func:`check`)."""
    return any(t.cancelled and (boundary or not t.boundary_only) for t in _active.get())


def check(*, boundary: bool = False) -> None:
    """Raise :class:`Cancelled` if an active token is cancelled.

    ``boundary``: the caller is at a point where stopping loses nothing; tokens made with
    ``boundary_only`` are honoured only there.
    """
    tokens = _active.get()
    if tokens and is_cancelled(boundary=boundary):
        raise Cancelled
