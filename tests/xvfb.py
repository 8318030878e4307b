"""Run a Python script in a real X session: a private Xvfb server for the length of one run.

Tests that need a real display (OpenGL, real window painting) call :func:`run_script`; it skips
the test where Xvfb is missing or cannot start, and waits for the server only until it says it
is ready (``-displayfd``).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_script(
    script: str, *args: str, size: str = "1600x1000"
) -> subprocess.CompletedProcess[str]:
    """``python -c script args...`` from the repository root on a fresh Xvfb display."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    display = f":{90 + os.getpid() % 800}"
    ready, told = os.pipe()  # Xvfb writes its display number to `told` once it accepts clients
    command = ["Xvfb", display, "-screen", "0", f"{size}x24", "-nolisten", "tcp"]
    try:
        server = subprocess.Popen(
            [*command, "-displayfd", str(told)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(told,),
        )
    except BaseException:
        os.close(ready)
        raise
    finally:
        os.close(told)
    try:
        started = _wait_until_ready(ready, server)
        if not started:
            pytest.skip("Xvfb could not start here")
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        return subprocess.run(
            [sys.executable, "-c", script, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(ready)
        server.terminate()
        server.wait(timeout=10)


def _wait_until_ready(ready: int, server: subprocess.Popen[bytes], seconds: float = 30.0) -> bool:
    """Whether the server said it accepts clients (its display number on ``ready``) within
    ``seconds``; False if it exited or stayed silent.  No fixed wait: it starts in a fraction
    of a second on a quiet machine and may need several on a loaded one."""
    deadline = time.monotonic() + seconds
    said = b""
    while not said.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([ready], [], [], left)[0]:
            return False
        chunk = os.read(ready, 64)
        if not chunk:  # the server exited: it closed its end without a word
            return False
        said += chunk
    return server.poll() is None
