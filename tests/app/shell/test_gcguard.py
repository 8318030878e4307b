"""Once a lesson worker exists, cyclic garbage is collected on the GUI thread's timer only."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from app.shell.player import Player


class _Cycle:
    def __init__(self, log: list[str]) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it
        self.log = log

    def __del__(self) -> None:
        self.log.append(threading.current_thread().name)


def test_cycles_are_collected_on_the_gui_thread(qtbot: QtBot) -> None:
    player = Player()
    try:
        assert not gc.isenabled()  # no collection wherever an allocation happens to fall
        log: list[str] = []
        for _ in range(3):
            _Cycle(log)
        gc.collect()  # what the timer would do, here, now: nothing else freed the cycles
        assert log and set(log) == {threading.main_thread().name}
        log.clear()
        for _ in range(2000):  # enough garbage to pass the first generation's threshold
            _Cycle(log)
        qtbot.waitUntil(lambda: len(log) > 0, timeout=5000)  # the GUI thread's timer did it
        assert set(log) == {threading.main_thread().name}
    finally:
        assert player.shutdown()
