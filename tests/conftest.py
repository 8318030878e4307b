"""Suite-wide settings: Qt offscreen unless a display is asked for, isolated user folders, and
one shared walk per lesson for the generic lesson checks."""

from __future__ import annotations

import copy
import os
import sys
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from lessons.core.base import Lesson, PanelData, Step
    from lessons.core.runner import LessonRun

pytest_plugins = ["no_network"]  # any socket use fails the test (tests/no_network.py)

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


@pytest.fixture(autouse=True)
def _delete_closed_widgets(_isolated_user_folders: None) -> Iterator[None]:
    """Delete the windows a test leaves behind, so they do not pile up from test to test.

    pytest-qt closes a test's widgets and calls ``deleteLater``, but without a running event
    loop Qt never carries the deletion out; windows made by code under test (``main()``, the
    headless screenshot) are not even closed.  Every such window, with its menus, panels and
    player, stayed alive, and each later test that built a window got slower than the one
    before.  After each test (user folders still isolated) those windows are closed, so their
    players stop, and deleted.
    """
    yield
    widgets = sys.modules.get("PySide6.QtWidgets")
    app = widgets.QApplication.instance() if widgets is not None else None
    if app is None:
        return
    from PySide6.QtCore import QEvent

    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    for window in app.topLevelWidgets():
        if isinstance(window, widgets.QMainWindow) or window.isVisible():
            window.close()
            window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that collected nothing is a failure, not a silent pass."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# ---- one walk per lesson, shared by the generic lesson checks ---------------------------------

LIVE_WALK_STEPS = 6
"""The budget of a live lesson (``live = True``, e.g. the playground) in the shared walk: it is
stepped this many steps and no further, however long it could go on.  Six steps reach every
panel of today's live lessons (all have data by step 2) and keep a heavy live lesson cheap: a
step of the topology lesson trains a whole network.  The render test shows steps 1, 3 and 6.
Finite lessons are walked to their end: their steps are cheap by contract and computed when the
run starts."""


@dataclass(frozen=True)
class LessonWalk:
    """A lesson run once with its default controls, seed and no imported data, strictly.

    ``steps`` and ``states`` (what every panel shows at each step, read-only) are the walk's;
    ``run`` is the walked :class:`LessonRun` itself, shared by every test of the session: read
    it, never move it or change its controls.  A test that needs to move or change a run takes
    its own copy with :meth:`fork`.
    """

    lesson: type[Lesson]
    run: LessonRun
    steps: tuple[Step, ...]
    states: tuple[Mapping[str, PanelData], ...]

    @property
    def last(self) -> int:
        """Number of the last step walked (the lesson's last, or the live budget's)."""
        return len(self.steps) - 1

    def fork(self) -> LessonRun:
        """A private copy of the walked run at its first step: the same step objects, its own
        history, position and control values.  Moving it or changing its controls leaves the
        shared walk as it is.  It cannot compute past the walk (a live lesson's ``next`` at the
        budget returns False); a control that restarts the lesson gives it its own steps."""
        run = copy.copy(self.run)
        for name, value in vars(run).items():
            if isinstance(value, deque):
                setattr(run, name, deque(value, maxlen=value.maxlen))
            elif isinstance(value, dict | list | set):
                setattr(run, name, copy.copy(value))
            elif isinstance(value, Iterator):  # the walk's generator is never advanced again
                setattr(run, name, None)
        run.values = self.run.values.copy()
        run.first()
        return run

    def assert_intact(self) -> None:
        """The shared run still holds exactly the walked steps and stands at the last one."""
        assert self.run.position == self.last, "a test moved the shared walk"
        kept = self.run.steps_so_far()
        assert len(kept) == len(self.steps), "a test extended the shared walk"
        assert all(a is b for a, b in zip(kept, self.steps, strict=True)), "walk was changed"


def walk_lesson(lesson: type[Lesson]) -> LessonWalk:
    """Run ``lesson`` strictly with its defaults to its end, or LIVE_WALK_STEPS if it is live."""
    from lessons.core.runner import LessonRun

    run = LessonRun(lesson, strict=True)
    limit = run.length if run.length is not None else LIVE_WALK_STEPS
    while run.position + 1 < limit and run.next():
        pass
    steps = tuple(run.steps_so_far())
    states = tuple(MappingProxyType(run.panel_state(n)) for n in range(run.oldest, run.computed))
    return LessonWalk(lesson, run, steps, states)


class LessonWalks:
    """The session's walks, one per lesson, each computed the first time a test asks for it."""

    def __init__(self) -> None:
        self._walks: dict[type[Lesson], LessonWalk] = {}

    def __call__(self, lesson: type[Lesson]) -> LessonWalk:
        walk = self._walks.get(lesson)
        if walk is None:
            walk = self._walks[lesson] = walk_lesson(lesson)
        return walk


@pytest.fixture(scope="session")
def lesson_walks() -> LessonWalks:
    """``lesson_walks(lesson)``: that lesson's walk, computed once per session (see LessonWalk)."""
    return LessonWalks()
