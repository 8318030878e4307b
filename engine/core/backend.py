"""Choose the array module the engine computes with: NumPy on the CPU, CuPy on an NVIDIA GPU.

The engine never imports NumPy or CuPy for arithmetic directly; it asks this module for `xp`,
the current array module, so the same code runs on either device::

    from engine.core import backend
    backend.use("gpu")          # or DEEPSTEP_DEVICE=gpu, or `deepstep --device gpu`
    xp = backend.xp()           # cupy
    host = backend.to_numpy(a)  # anything leaving the engine is a NumPy array

Asking for the GPU when CuPy or a CUDA device is missing raises `DeviceError` naming what is
missing; nothing silently falls back to the CPU in the middle of a run.

`use` also takes a `Backend` object: the seam through which the tests inject an array module that
behaves like CuPy without a GPU (tests/engine/fakecupy.py). Such a module provides what CuPy
does and the engine needs: an `ndarray` type, `asnumpy(a)` for the explicit host copy, the NumPy
functions, and ufunc methods (`add.at`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol, TypeAlias, cast

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ENV_VAR",
    "Array",
    "ArrayModule",
    "Backend",
    "DeviceError",
    "available_devices",
    "current",
    "scatter_add",
    "to_numpy",
    "use",
    "xp",
]

# What mypy checks engine arrays against: NumPy's ndarray. A CuPy array has the same interface
# (that is what lets one engine run on both), so the NumPy stubs describe it too.
Array: TypeAlias = NDArray[Any]


class Ufunc(Protocol):
    """An elementwise function of the array module (`xp.exp`, `xp.add`, ...)."""

    def __call__(self, *args: Any, out: Array | None = None, **kwargs: Any) -> Array: ...

    def at(self, target: Array, index: Any, values: Any, /) -> None: ...


class ArrayModule(Protocol):
    """What the engine uses of its array module (`numpy`, `cupy`, or a test double): each
    function returns an `Array`. Anything else the module has is reachable but untyped."""

    ndarray: type
    abs: Ufunc
    add: Ufunc
    divide: Ufunc
    exp: Ufunc
    expm1: Ufunc
    log: Ufunc
    log1p: Ufunc
    maximum: Ufunc
    minimum: Ufunc
    multiply: Ufunc
    sqrt: Ufunc
    subtract: Ufunc
    tanh: Ufunc

    def arange(self, *args: Any, **kwargs: Any) -> Array: ...
    def array(self, a: Any, dtype: Any = None, **kwargs: Any) -> Array: ...
    def asarray(self, a: Any, dtype: Any = None, **kwargs: Any) -> Array: ...
    def broadcast_to(self, a: Any, shape: Any) -> Array: ...
    def clip(self, a: Any, low: Any, high: Any, **kwargs: Any) -> Array: ...
    def concatenate(self, arrays: Any, axis: int | None = 0, **kwargs: Any) -> Array: ...
    def empty(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Array: ...
    def empty_like(self, a: Any, dtype: Any = None, **kwargs: Any) -> Array: ...
    def matmul(self, a: Any, b: Any, /, out: Array | None = None, **kwargs: Any) -> Array: ...
    def ones(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Array: ...
    def ones_like(self, a: Any, dtype: Any = None, **kwargs: Any) -> Array: ...
    def pad(self, a: Any, widths: Any, **kwargs: Any) -> Array: ...
    def round(self, a: Any, decimals: int = 0, **kwargs: Any) -> Array: ...
    def stack(self, arrays: Any, axis: int = 0, **kwargs: Any) -> Array: ...
    def where(self, condition: Any, x: Any, y: Any, /) -> Array: ...
    def zeros(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Array: ...
    def zeros_like(self, a: Any, dtype: Any = None, **kwargs: Any) -> Array: ...
    def asnumpy(self, a: Any) -> np.ndarray: ...
    def __getattr__(self, name: str) -> Any: ...


ENV_VAR = "DEEPSTEP_DEVICE"
DEVICES = ("cpu", "gpu")


class DeviceError(RuntimeError):
    """The requested device cannot be used (CuPy missing, no CUDA device, unknown name)."""


@dataclass(frozen=True)
class Backend:
    """A device the engine computes on: its name ("cpu", "gpu", or an injected module's) and
    array module."""

    name: str
    xp: ModuleType
    description: str


def _cpu() -> Backend:
    return Backend("cpu", np, f"CPU (NumPy {np.__version__})")


def _gpu() -> Backend:
    try:
        import cupy
    except ImportError as exc:
        raise DeviceError(
            "GPU requested but CuPy is not installed. Install the extra matching your CUDA "
            "version, e.g. `pip install deepstep[gpu-cuda12]`, or use the CPU (--device cpu)."
        ) from exc
    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as exc:  # CuPy raises its own CUDARuntimeError types; report any of them.
        raise DeviceError(
            f"GPU requested but CUDA is not usable: {exc}. Check the NVIDIA driver, or use "
            "the CPU (--device cpu)."
        ) from exc
    if count == 0:
        raise DeviceError("GPU requested but no CUDA device was found. Use the CPU (--device cpu).")
    props = cupy.cuda.runtime.getDeviceProperties(0)
    name = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
    return Backend("gpu", cupy, f"GPU 0: {name} (CuPy {cupy.__version__})")


_current: Backend | None = None


def _select(device: str) -> Backend:
    if device not in DEVICES:
        raise DeviceError(f"Unknown device {device!r}; choose one of {', '.join(DEVICES)}.")
    return _gpu() if device == "gpu" else _cpu()


def use(device: str | Backend) -> None:
    """Compute on `device` ("cpu" or "gpu") from now on; raise DeviceError if unusable.

    A `Backend` is used as given: `use(Backend("fake", fakecupy, "..."))` injects an array module
    (a test double of CuPy), and `use(previous)` restores a backend `current()` returned.
    """
    global _current
    _current = device if isinstance(device, Backend) else _select(device)


def current() -> Backend:
    """The backend in use; on first call it honours the DEEPSTEP_DEVICE environment variable.

    DeviceError, naming the variable, if that device cannot be used (nothing is chosen then).
    """
    global _current
    if _current is None:
        name = os.environ.get(ENV_VAR, "cpu").strip().lower() or "cpu"
        try:
            _current = _select(name)
        except DeviceError as err:
            raise DeviceError(f"{ENV_VAR}={name}: {err}") from err
    return _current


def xp() -> ArrayModule:
    """The current array module: `numpy` or `cupy`."""
    return cast(ArrayModule, (_current or current()).xp)


def to_numpy(a: Any) -> NDArray[Any]:
    """A host NumPy array for `a` (a NumPy/CuPy array, a Tensor, or a Python number)."""
    if hasattr(a, "requires_grad"):  # a Tensor (importing the class here would be a cycle)
        a = a.data
    if isinstance(a, np.ndarray):
        return a
    if type(a).__module__.startswith("cupy"):
        return np.asarray(a.get())
    module = (_current or current()).xp
    if module is not np and isinstance(a, module.ndarray):  # an injected device module
        return np.asarray(module.asnumpy(a))
    return np.asarray(a)


def scatter_add(target: Any, index: Any, values: Any) -> None:
    """`target[index] += values`, adding repeated indices once each (unbuffered)."""
    if isinstance(target, np.ndarray):
        np.add.at(target, index, values)
    elif type(target).__module__.startswith("cupy"):
        import cupyx

        cupyx.scatter_add(target, index, values)
    else:  # an injected device module
        xp().add.at(target, index, values)


def available_devices() -> tuple[str, ...]:
    """The devices usable on this machine: always "cpu", plus "gpu" when CuPy sees a GPU."""
    try:
        _gpu()
    except DeviceError:
        return ("cpu",)
    return ("cpu", "gpu")
