"""The app caps the BLAS at one thread before NumPy loads, unless the environment chose."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "import app.main\nfrom engine.bench.machine import blas_threads\nprint(blas_threads()[0])\n"


def _threads(**env: str) -> int:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip().splitlines()[-1])


def test_the_app_runs_blas_on_one_thread_by_default() -> None:
    assert _threads() == 1


def test_a_thread_count_set_in_the_environment_is_kept() -> None:
    assert _threads(OPENBLAS_NUM_THREADS="2") == 2
