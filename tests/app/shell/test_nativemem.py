"""Native memory: on glibc the arenas are capped once and free pages can be given back; on
any other C library both calls do nothing and say so."""

from __future__ import annotations

import sys

import numpy as np

from app.shell import nativemem


def test_tune_and_trim_work_on_glibc_and_are_harmless_elsewhere() -> None:
    """tune() is idempotent; trim() after freeing many small arrays returns a bool."""
    glibc = nativemem._glibc() is not None
    assert nativemem.tune() is glibc and nativemem.tune() is glibc
    if not sys.platform.startswith("linux"):
        assert not glibc
    arrays = [np.ones(1000) for _ in range(20_000)]  # 8 KB each: from malloc's arenas
    del arrays
    assert isinstance(nativemem.trim(), bool)
    assert nativemem.trim() is False or glibc
