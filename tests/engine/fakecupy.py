"""A stand-in for CuPy on machines without a GPU: NumPy behind a device array type of its own.

It behaves like CuPy where the engine can go wrong without noticing on the CPU:

- arrays are `DeviceArray`s, not `numpy.ndarray`s, and every result is one again (a reduction
  gives a 0-d array, as CuPy's does, never a NumPy scalar);
- implicit conversion to NumPy raises `TypeError` (`np.asarray(a)`, `np.testing` on `a`), and so
  does mixing a host `numpy.ndarray` into device arithmetic, as CuPy's does;
- every explicit copy is counted in `transfers`: device to host (`asnumpy`, `a.get()`,
  `float(a)`, `int(a)`, `bool(a)`, `a.item()`, `a.tolist()`, `repr(a)`) and host to device
  (`asarray`/`array` of host data, a host array assigned into a device array).

`backend.use(Backend("fake", fakecupy, ...))` makes it the engine's array module; the engine
test fixture `backend` does so for its "fake" parameter. Functions are NumPy's, looked up on
first use (module `__getattr__`), with device arrays unwrapped on the way in and wrapped on
the way out.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

__all__ = ["DeviceArray", "Transfers", "asnumpy", "ndarray", "transfers"]

_IMPLICIT = (
    "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct a "
    "NumPy array explicitly."
)
_HOST_TO_DEVICE = ("array", "asarray", "asanyarray", "ascontiguousarray")


@dataclass
class Transfers:
    """Counts of explicit copies between host and device, with where each device->host was."""

    to_host: int = 0
    to_device: int = 0
    host_sites: list[str] = field(default_factory=list)
    device_sites: list[str] = field(default_factory=list)

    def reset(self) -> None:
        """Start counting from zero."""
        self.to_host, self.to_device = 0, 0
        self.host_sites.clear()
        self.device_sites.clear()


transfers = Transfers()


def _caller() -> str:
    """file:line of the first frame outside this module and the backend (who asked to copy)."""
    frame = sys._getframe(1)
    while frame.f_back is not None and (
        frame.f_code.co_filename == __file__
        or frame.f_code.co_filename.endswith("engine/core/backend.py")
    ):
        frame = frame.f_back
    return f"{frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_lineno}"


def _to_host() -> None:
    transfers.to_host += 1
    transfers.host_sites.append(_caller())


def _to_device() -> None:
    transfers.to_device += 1
    transfers.device_sites.append(_caller())


def _unwrap(value: Any, *, host_ok: bool = False) -> Any:
    """Device arrays become their NumPy data; a host ndarray is refused unless `host_ok`."""
    if isinstance(value, DeviceArray):
        return value._a
    if isinstance(value, np.ndarray) and not host_ok:
        raise TypeError(f"Unsupported type {type(value)} (a host array in device code)")
    if isinstance(value, list | tuple):
        return type(value)(_unwrap(v, host_ok=host_ok) for v in value)
    return value


def _wrap(value: Any) -> Any:
    if isinstance(value, np.ndarray | np.generic) and not isinstance(value, DeviceArray):
        return DeviceArray(np.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _call(fn: Callable[..., Any], args: Any, kwargs: dict[str, Any]) -> Any:
    out = kwargs.get("out")
    result = fn(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
    if out is not None:  # a ufunc's `out` arrives as a tuple
        return out[0] if isinstance(out, tuple) and len(out) == 1 else out
    return _wrap(result)


class DeviceArray(NDArrayOperatorsMixin):
    """An array "on the device": NumPy data that refuses to leave without being counted."""

    __slots__ = ("_a",)
    __array_priority__ = 100

    def __init__(self, data: np.ndarray) -> None:
        self._a = data

    # -- leaving the device: explicit and counted, or refused --------------------------------

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(_IMPLICIT)

    def get(self) -> np.ndarray:
        """A host copy (CuPy's `ndarray.get`)."""
        _to_host()
        return self._a.copy()

    def item(self) -> Any:
        _to_host()
        return self._a.item()

    def tolist(self) -> Any:
        _to_host()
        return self._a.tolist()

    def __float__(self) -> float:
        _to_host()
        return float(self._a)

    def __int__(self) -> int:
        _to_host()
        return int(self._a)

    def __bool__(self) -> bool:
        _to_host()
        return bool(self._a)

    def __repr__(self) -> str:
        _to_host()
        return f"array({self._a!r}, device='fake')"

    def __format__(self, spec: str) -> str:
        _to_host()
        return format(self._a if self._a.ndim else self._a.item(), spec)

    # -- NumPy protocols: results stay on the device -------------------------------------------

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return _call(getattr(ufunc, method), inputs, kwargs)

    def __array_function__(
        self, func: Callable[..., Any], types: Any, args: Any, kwargs: dict[str, Any]
    ) -> Any:
        return _call(func, args, kwargs)

    # -- ndarray interface ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Iterator[Any]:
        return (_wrap(row) for row in self._a)

    def __getitem__(self, index: Any) -> Any:
        return _wrap(self._a[_unwrap(index, host_ok=True)])

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(value, np.ndarray):
            _to_device()
        self._a[_unwrap(index, host_ok=True)] = _unwrap(value, host_ok=True)

    @property
    def data(self) -> object:
        """Like CuPy's `MemoryPointer`: no array, so `getattr(a, "data", a)` can't pass as one."""
        return _MemoryPointer()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # no __array_interface__ & co.: NumPy must call __array__
            raise AttributeError(name)
        attribute = getattr(self._a, name)
        if callable(attribute):
            return lambda *args, **kwargs: _call(attribute, args, kwargs)
        return _wrap(attribute)


class _MemoryPointer:
    """Where a device array's memory is; not convertible to an array."""


class _Namespace:
    """A NumPy submodule (random, linalg, fft, ...) whose functions give device arrays."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        return _lookup(getattr(self._module, name))


class _Function:
    """A NumPy function (or ufunc) working on device arrays, refusing host arrays."""

    def __init__(self, fn: Any) -> None:
        self._fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _call(self._fn, args, kwargs)

    def __getattr__(self, name: str) -> Any:  # ufunc methods: add.at, maximum.reduce, ...
        return _Function(getattr(self._fn, name))


def _copy_in(name: str) -> Callable[..., Any]:
    fn = getattr(np, name)

    def copy_in(data: Any, *args: Any, **kwargs: Any) -> DeviceArray:
        if not isinstance(data, DeviceArray):
            _to_device()
        result = fn(_unwrap(data, host_ok=True), *args, **kwargs)
        return DeviceArray(np.asarray(result))

    return copy_in


def asnumpy(a: Any) -> np.ndarray:
    """A host copy of a device array (CuPy's `asnumpy`); host data passes through."""
    if isinstance(a, DeviceArray):
        return a.get()
    return np.asarray(a)


ndarray = DeviceArray
lib = SimpleNamespace(
    stride_tricks=SimpleNamespace(
        sliding_window_view=_Function(np.lib.stride_tricks.sliding_window_view),
        as_strided=_Function(np.lib.stride_tricks.as_strided),
    )
)


def _lookup(attribute: Any) -> Any:
    if isinstance(attribute, ModuleType):
        return _Namespace(attribute)
    if isinstance(attribute, type) or not callable(attribute):
        return attribute  # dtypes (float32, ...), classes (errstate, finfo), constants (pi, nan)
    return _Function(attribute)


def __getattr__(name: str) -> Any:
    if name in _HOST_TO_DEVICE:
        return _copy_in(name)
    return _lookup(getattr(np, name))
