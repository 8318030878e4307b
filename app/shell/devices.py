"""The compute device as the app sees it: switch between NumPy and CuPy with a clear message."""

from __future__ import annotations

from engine.core import backend


def switch(name: str) -> str | None:
    """Use ``name`` ("cpu" or "gpu"); return a message saying why not, or None on success."""
    try:
        backend.use(name)
    except (backend.DeviceError, ValueError) as err:
        return str(err)
    return None


def current_name() -> str:
    return backend.current().name


def description() -> str:
    return backend.current().description
