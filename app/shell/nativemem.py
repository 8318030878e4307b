"""Native memory given back to the system during a long session (glibc; elsewhere nothing).

Lesson steps are mostly NumPy arrays: a run keeps up to 1000 steps, and a lesson switch frees
them all.  glibc keeps what was freed: each thread that allocates gets its own arena (up to 8 per
core), and after a large block is freed it raises its mmap threshold (up to 32 MB), so later
large arrays come from the arenas too and stay there, fragmented, after they are freed.  In the
soak (issue 22) ``malloc_trim`` after a pass over every lesson gave back 42 MB of 321 MB.

:func:`tune` (once, before the lesson worker starts) caps the arenas at ``ARENAS`` (the GUI
thread and the lesson worker); :func:`trim` (``malloc_trim``) returns the free pages of every
arena, and the window calls it once the first step of a newly opened lesson is shown, when the
old run's steps are gone.  The mmap threshold is left to glibc: fixed at 256 KB it made
element-wise NumPy arithmetic on 512 KB arrays 2.5 times slower (a page fault per page).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

__all__ = ["ARENAS", "trim", "tune"]

log = logging.getLogger(__name__)

ARENAS = 2
_M_ARENA_MAX = -8  # mallopt's parameter (malloc.h)

_libc: ctypes.CDLL | None = None
_tuned = False


def _glibc() -> ctypes.CDLL | None:
    global _libc
    if _libc is None and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.gnu_get_libc_version  # noqa: B018 (glibc, not musl: raises AttributeError)
        except (OSError, AttributeError):
            return None
        _libc = libc
    return _libc


def tune() -> bool:
    """Cap malloc's arenas (once per process); False where the C library is not glibc."""
    global _tuned
    libc = _glibc()
    if libc is None:
        return False
    if not _tuned:
        _tuned = True
        if not libc.mallopt(_M_ARENA_MAX, ARENAS):
            log.warning("could not tune malloc (mallopt refused)")
    return True


def trim() -> bool:
    """Give the free pages of malloc's arenas back to the system; True if any were."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0))
