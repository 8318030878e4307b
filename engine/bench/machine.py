"""Describe the machine a benchmark ran on, and read or set the BLAS thread count.

`python -m engine.bench` records, next to every figure, what produced it: the date, the CPU
model and core count, the load average (other processes disturb timings), Python, NumPy and
CuPy versions, NumPy's BLAS build, the BLAS thread count and the compute device.

BLAS threads are read and set through threadpoolctl when it is installed, otherwise by calling
OpenBLAS's own `*_get_num_threads` / `*_set_num_threads` functions in the library NumPy loaded
(found in /proc/self/maps on Linux). Where neither works the count is reported as unknown and
`set_blas_threads` raises `ValueError` naming what is missing.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import importlib
import os
import platform
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from engine.core.backend import Backend

__all__ = [
    "blas_info",
    "blas_threads",
    "cpu_busy",
    "cpu_model",
    "machine_info",
    "set_blas_threads",
]

THREAD_ENV_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_OPENBLAS_PREFIXES = ("scipy_openblas_", "openblas_")
_OPENBLAS_SUFFIXES = ("64_", "")


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux, else `platform.processor()`)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "cpu model") and value.strip():
                return value.strip()
    return platform.processor() or platform.machine() or "unknown"


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs from /proc/stat, or None off Linux."""
    stat = Path("/proc/stat")
    if not stat.is_file():
        return None
    fields = [int(v) for v in stat.read_text().splitlines()[0].split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle + iowait


def cpu_busy(seconds: float = 0.5) -> float | None:
    """Percent of all CPUs busy over the next `seconds` while this process sleeps: what other
    processes use (unlike the load average, which lags by a minute). None off Linux."""
    before = _cpu_times()
    if before is None or seconds <= 0:
        return None
    time.sleep(seconds)
    after = _cpu_times()
    if after is None or after[1] == before[1]:
        return None
    return round(100.0 * (1.0 - (after[0] - before[0]) / (after[1] - before[1])), 1)


def _usable_cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def blas_info() -> dict[str, Any]:
    """NumPy's BLAS build as `numpy.show_config(mode='dicts')` reports it."""
    try:
        config = np.show_config(mode="dicts")
    except (TypeError, ValueError):  # NumPy < 1.26 has no mode="dicts"
        return {"name": "unknown"}
    blas = dict(config.get("Build Dependencies", {}).get("blas", {}))
    keep = ("name", "version", "openblas configuration", "detection method")
    return {key: blas[key] for key in keep if key in blas} or {"name": "unknown"}


def _threadpoolctl() -> ModuleType | None:
    """threadpoolctl if installed (optional: the OpenBLAS functions are the fallback)."""
    try:
        return importlib.import_module("threadpoolctl")
    except ImportError:
        return None


def _openblas_function(action: str) -> Callable[..., int] | None:
    """OpenBLAS's `<prefix><action>_num_threads<suffix>` in the loaded library, if any."""
    maps = Path("/proc/self/maps")
    if not maps.is_file():
        return None
    paths = sorted(
        {
            line.split()[-1]
            for line in maps.read_text(errors="replace").splitlines()
            if "openblas" in line.lower() and line.split()[-1].startswith("/")
        }
    )
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _OPENBLAS_PREFIXES:
            for suffix in _OPENBLAS_SUFFIXES:
                function = getattr(library, f"{prefix}{action}_num_threads{suffix}", None)
                if function is not None:
                    return function  # type: ignore[no-any-return]
    return None


def blas_threads() -> tuple[int | None, str]:
    """(threads the BLAS uses, how that was found): threadpoolctl, openblas, or unknown."""
    threadpoolctl = _threadpoolctl()
    if threadpoolctl is not None:
        pools = threadpoolctl.threadpool_info()
        counts = [int(p["num_threads"]) for p in pools if p.get("user_api") == "blas"]
        if counts:
            return max(counts), "threadpoolctl"
    get = _openblas_function("get")
    if get is not None:
        return int(get()), "openblas"
    return None, "unknown"


def set_blas_threads(count: int) -> None:
    """Make the BLAS use `count` threads from now on; ValueError if it cannot be set."""
    if count < 1:
        raise ValueError(f"BLAS threads must be >= 1, got {count}")
    threadpoolctl = _threadpoolctl()
    if threadpoolctl is not None:
        threadpoolctl.threadpool_limits(limits=count, user_api="blas")
        return
    setter = _openblas_function("set")
    if setter is None:
        raise ValueError(
            "cannot set the BLAS thread count: install threadpoolctl, or start Python with "
            "OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS set"
        )
    setter(count)


def _version(*distributions: str) -> str | None:
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def machine_info(device: Backend, busy_seconds: float = 0.5) -> dict[str, Any]:
    """Where and when a benchmark runs: everything a figure needs to be read correctly
    (`busy_seconds`: how long to watch what other processes use first; 0 skips it)."""
    threads, source = blas_threads()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "date": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu_model": cpu_model(),
        "cores": {"logical": os.cpu_count(), "usable": _usable_cores()},
        "load_average": None if load is None else [round(v, 2) for v in load],
        "cpu_busy_pct": cpu_busy(busy_seconds),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cupy": _version("cupy", "cupy-cuda12x", "cupy-cuda13x", "cupy-cuda11x"),
        "blas": blas_info(),
        "threads": {
            "blas": threads,
            "blas_source": source,
            "env": {k: os.environ[k] for k in THREAD_ENV_VARS if k in os.environ},
        },
        "device": {"name": device.name, "description": device.description},
    }
