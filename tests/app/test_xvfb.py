"""A real X window under Xvfb: the app opens, steps with the keyboard and paints the screen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from xvfb import run_script

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import sys
from pathlib import Path
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
assert app.platformName() == "xcb", app.platformName()
from app.state.store import JsonStore
from app.shell.window import MainWindow
window = MainWindow(JsonStore(Path(sys.argv[1]) / "s.json"))
window.resize(1280, 720)
window.show()
window.open_lesson("softmax")
QTest.qWaitForWindowExposed(window)
window.activateWindow()
# keys go to the active window: activation under X is asynchronous (a key pressed before it
# reaches no widget)
assert QTest.qWaitForWindowActive(window)
def position():
    frame = window.player.frame
    return -1 if frame is None else frame.position
def wait(cond, ms=10000):
    waited = 0
    while not cond() and waited < ms:
        QTest.qWait(20); waited += 20
    return cond()
assert wait(lambda: position() == 0)
for _ in range(3):
    QTest.keyClick(window, Qt.Key.Key_Right)
    QTest.qWait(50)
assert wait(lambda: position() == 3), position()
QTest.keyClick(window, Qt.Key.Key_Left)
assert wait(lambda: position() == 2), position()
QTest.qWait(300)
shot = window.screen().grabWindow(0)
image = shot.toImage()
colours = {image.pixel(x, y) for x in range(0, image.width(), 9)
           for y in range(0, image.height(), 9)}
image.save(str(Path(sys.argv[1]) / "screen.png"))
print("colours", len(colours))
assert len(colours) > 30
window.close()
print("ok")
"""


@pytest.mark.slow
@pytest.mark.xvfb
@pytest.mark.skipif(
    shutil.which("Xvfb") is None,
    reason="Xvfb is not installed (apt-get install xvfb); CI installs it",
)
def test_app_in_a_real_window_under_xvfb(tmp_path: Path) -> None:
    """The window opens on a real X server, follows the keyboard and paints real pixels."""
    done = run_script(SCRIPT, str(tmp_path), size="1600x1000")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok" in done.stdout
