"""Matrix-product timings on this machine: NumPy on the CPU, CuPy on a GPU where one is usable.

``flops(m, k, n)`` counts the work of an (m×k)·(k×n) product: m·n dot products of length k,
each k multiplications and k additions, 2·m·k·n floating-point operations.  ``measure`` times
square products of growing size (median of a few repeats after one warm-up run) and
``gpu_status`` asks the engine's backend whether CuPy and a CUDA device can be used, keeping
its reason when they cannot.  The times are measurements, not constants: they differ between
machines and between runs, so no figure or test relies on them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.core import backend

SIZES = (32, 64, 128, 256, 512)  # the largest takes a few milliseconds on a slow CPU


def flops(m: int, k: int, n: int) -> int:
    """Floating-point operations of an (m×k)·(k×n) product: 2·m·k·n."""
    return 2 * m * k * n


def repeats(n: int) -> int:
    """How many timed runs a size gets (fewer for the slow large products)."""
    return 9 if n <= 128 else (7 if n <= 256 else 5)


@dataclass(frozen=True)
class GpuStatus:
    """Whether a GPU can be used here: its backend, or ``None`` and the reason why not."""

    gpu: backend.Backend | None
    message: str


def gpu_status() -> GpuStatus:
    """Ask the engine's backend for the GPU, then go back to the backend that was in use."""
    previous = backend.current()
    try:
        backend.use("gpu")
    except backend.DeviceError as err:
        reason = str(err).split(". ")[0].replace("GPU requested but ", "").rstrip(".")
        return GpuStatus(None, f"No GPU here: {reason}. Only NumPy on the CPU is timed.")
    gpu = backend.current()
    backend.use(previous)
    return GpuStatus(gpu, f"GPU found: {gpu.description}.")


def cpu_description() -> str:
    return f"CPU, {os.cpu_count() or 1} cores (NumPy {np.__version__})"


@dataclass(frozen=True)
class Timing:
    """Median seconds of one n×n by n×n product, per size, on one device."""

    device: str
    sizes: tuple[int, ...]
    seconds: tuple[float, ...]

    @property
    def gflops(self) -> tuple[float, ...]:
        """Billions of floating-point operations per second at each size."""
        return tuple(
            flops(n, n, n) / s / 1e9 for n, s in zip(self.sizes, self.seconds, strict=True)
        )


def _sync_of(xp: Any) -> Callable[[], None]:
    """Wait for the device to finish (CuPy launches work asynchronously); no-op for NumPy."""
    cuda = getattr(xp, "cuda", None)
    if cuda is None:
        return lambda: None
    return lambda: cuda.Device().synchronize()


def time_matmul(xp: Any, a: np.ndarray, b: np.ndarray) -> float:
    """Median wall-clock seconds of ``a @ b`` with array module ``xp`` (data copied there
    first, one warm-up run not counted)."""
    sync = _sync_of(xp)
    da, db = xp.asarray(a), xp.asarray(b)
    xp.matmul(da, db)
    sync()
    times = []
    for _ in range(repeats(a.shape[0])):
        start = time.perf_counter()
        xp.matmul(da, db)
        sync()
        times.append(time.perf_counter() - start)
    # a clock tick can read 0 for a tiny product: keep the time positive
    return max(float(np.median(times)), 1e-9)


def measure(
    xp: Any, device: str, rng: np.random.Generator, dtype: str, sizes: Sequence[int] = SIZES
) -> Timing:
    """Time square products of each size on ``xp`` (same random data for every device)."""
    seconds = []
    for n in sizes:
        a = rng.standard_normal((n, n)).astype(dtype)
        b = rng.standard_normal((n, n)).astype(dtype)
        seconds.append(time_matmul(xp, a, b))
    return Timing(device, tuple(sizes), tuple(seconds))
