"""Suite-wide settings: Qt offscreen unless a display is asked for, isolated user folders."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# One BLAS thread: on a 2-core machine OpenBLAS's second thread spin-waits against the Qt GUI
# thread and any other process, making small matrix products many times slower.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


@pytest.fixture(autouse=True)
def _isolated_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the real user's settings or progress."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("DEEPSTEP_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("DEEPSTEP_DATA_DIR", str(base / "data"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that collected nothing is a failure, not a silent pass."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
