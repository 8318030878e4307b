"""The compute device as the app sees it: switch between NumPy and CuPy with a clear message.

The device named by ``DEEPSTEP_DEVICE`` is checked once at start: the command line refuses one
that cannot be used (one line, exit code 2: :func:`environment_problem`), the window computes on
the CPU instead and says why (:func:`from_environment`).
"""

from __future__ import annotations

from engine.core import backend


def switch(name: str) -> str | None:
    """Use ``name`` ("cpu" or "gpu"); return a message saying why not, or None on success."""
    try:
        backend.use(name)
    except (backend.DeviceError, ValueError) as err:
        return str(err)
    return None


def environment_problem() -> str | None:
    """Why the device ``DEEPSTEP_DEVICE`` names cannot be used; None if it can (or none is
    named, or a device was chosen already)."""
    try:
        backend.current()
    except backend.DeviceError as err:
        return str(err)
    return None


def from_environment() -> str | None:
    """Use the device ``DEEPSTEP_DEVICE`` names; if it cannot be used, the CPU, and say why."""
    problem = environment_problem()
    if problem is None:
        return None
    backend.use("cpu")
    return f"{problem} The lessons compute on the CPU."


def current_name() -> str:
    return backend.current().name


def description() -> str:
    return backend.current().description
