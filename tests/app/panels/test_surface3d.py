"""The 3-D surface panel: contours wherever OpenGL is missing, a turnable surface where it works.

Offscreen (these tests) there is no OpenGL: the panel must choose the contour map, draw the
surface and the path in it, say why in one line, and survive bad numbers, a broken OpenGL
and a theme change.  The Xvfb test runs the panel on a real X server: with PyOpenGL it draws
in 3-D and turns with a mouse drag and the keyboard; without it, it falls back the same way.
"""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage, QOpenGLContext
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from xvfb import run_script

import app.panels.surface3d as s3
from app.panels import create_panel
from app.panels.surface3d_gl import Scene
from app.shell.theme import THEMES
from lessons.core.panels import Surface3D, Surface3DData
from lessons.markup.exportdata import panel_data

ROOT = Path(__file__).resolve().parents[3]
SPEC = Surface3D("s", "A bowl", x_label="α", y_label="β", z_label="loss")
AXIS = np.linspace(-1.0, 1.0, 15)


def bowl(path: bool = True) -> Surface3DData:
    """A tilted bowl with a path that runs down into it."""
    xx, yy = np.meshgrid(AXIS, AXIS)  # rows are y
    z = 0.2 + xx**2 + 2.0 * yy**2 + 0.3 * xx
    t = np.linspace(0.0, 1.0, 12)
    trail = np.column_stack([0.9 - 0.9 * t, 0.7 * (1 - t) ** 2, 1.5 - 1.3 * t])
    return Surface3DData(
        AXIS, AXIS, z, path=trail if path else None, marker=(0.0, 0.0, 0.2), caption="a bowl"
    )


def distinct_colours(image: QImage) -> int:
    """How many different colours every third pixel of every third row has (1 = blank)."""
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    rows = np.frombuffer(argb.constBits(), np.uint32, argb.height() * argb.bytesPerLine() // 4)
    pixels = rows.reshape(argb.height(), argb.bytesPerLine() // 4)[:, : argb.width()]
    return len(np.unique(pixels[::3, ::3]))


def _view(qtbot: QtBot, theme: str = "light") -> s3.Surface3DView:
    view = create_panel(SPEC, THEMES[theme])
    assert isinstance(view, s3.Surface3DView)
    qtbot.addWidget(view)
    view.resize(420, 340)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_offscreen_chooses_the_contour_map_and_says_why(qtbot: QtBot) -> None:
    """No OpenGL offscreen: the fallback map, its one-line message and a reason in its tip."""
    problem = s3.gl_problem()
    assert problem is not None and "offscreen" in problem
    view = _view(qtbot)
    assert view.mode == "contours" and view.scene is None and view.contours is not None
    assert not view.message.isHidden()  # shown with the map once data arrives
    view.set_data(bowl())
    assert view.message.isVisible()
    assert view.message.text() == "3-D view needs OpenGL; showing contours"
    assert "offscreen" in view.message.toolTip()


def test_contour_map_draws_the_surface_the_path_and_the_marker(qtbot: QtBot) -> None:
    """The map shows the heights as colours with level lines, the path and its ends."""
    view = _view(qtbot)
    view.set_data(bowl())
    assert view.has_content()
    c = view.contours
    assert c is not None
    assert c.layer.image.isVisible() and any(curve.isVisible() for curve in c.layer.contours)
    x, y = c.path.getData()
    np.testing.assert_allclose(x, bowl().path[:, 0])  # type: ignore[index]
    np.testing.assert_allclose(y, bowl().path[:, 1])  # type: ignore[index]
    assert c.ends.isVisible() and c.marker.isVisible()
    assert distinct_colours(view.grab().toImage()) > 30
    assert "a bowl" in view._caption.text()
    view.set_data(bowl(path=False))
    assert not c.path.isVisible() and not c.ends.isVisible()


def test_bad_numbers_and_clear_and_themes_do_not_break_it(qtbot: QtBot) -> None:
    """NaN and infinite heights, an all-NaN surface, clearing and re-theming: no exception."""
    view = _view(qtbot)
    z = bowl().z.copy()
    z[0, 0], z[1, 1], z[2, 2] = np.nan, np.inf, -np.inf
    view.set_data(Surface3DData(AXIS, AXIS, z, levels=(0.0, 2.0)))
    assert view.has_content()
    empty = Surface3DData(AXIS, AXIS, np.full((15, 15), np.nan))
    view.set_data(empty)
    assert not view.has_content()
    view.clear()
    assert not view.has_content()
    for name in ("dark", "contrast", "light"):
        view.apply_theme(THEMES[name])
    view.set_data(bowl())
    assert distinct_colours(view.grab().toImage()) > 30


def test_a_broken_opengl_falls_back_instead_of_crashing(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If OpenGL looks usable but the 3-D widget cannot be built, the panel shows contours."""
    monkeypatch.setattr(s3, "gl_problem", lambda: None)

    def broken(*_args: object) -> None:
        raise RuntimeError("no GL here")

    monkeypatch.setattr(Scene, "__init__", broken)
    view = _view(qtbot)
    assert view.mode == "contours" and view.problem == "RuntimeError: no GL here"
    view.set_data(bowl())
    assert view.has_content() and view.message.isVisible()


def test_a_failure_after_the_start_switches_to_contours(qtbot: QtBot) -> None:
    """An OpenGL error while drawing hands over to the map on the next event loop turn."""
    view = _view(qtbot)
    view.set_data(bowl())

    class FakeScene:  # stands in for a 3-D scene that was working
        def __init__(self) -> None:
            self.view = QWidget()

    view.contours = None
    view.scene = FakeScene()  # type: ignore[assignment]
    view._gl_failed("GLError: context lost")
    qtbot.waitUntil(lambda: view.contours is not None)
    assert view.mode == "contours" and "context lost" in view.message.toolTip()
    assert view.contours is not None and view.contours.layer.image.isVisible()


def test_probe_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each reason is a sentence: a platform without OpenGL, a missing module, no context."""
    assert "offscreen" in (s3._probe.__wrapped__("offscreen") or "")
    real = importlib.import_module

    def no_opengl(name: str) -> object:
        if name.startswith("OpenGL"):
            raise ImportError("No module named 'OpenGL'")
        return real(name)

    monkeypatch.setattr(importlib, "import_module", no_opengl)
    assert "No module named 'OpenGL'" in (s3._probe.__wrapped__("xcb") or "")
    monkeypatch.setattr(importlib, "import_module", lambda name: None)
    monkeypatch.setattr(QOpenGLContext, "create", lambda self: False)
    assert s3._probe.__wrapped__("xcb") == "no OpenGL context could be created"


def test_data_is_validated_and_exported() -> None:
    """Shapes are checked where the data is made; the export has plain lists."""
    with pytest.raises(ValueError, match="len\\(y\\), len\\(x\\)"):
        Surface3DData(AXIS, AXIS[:5], bowl().z)
    with pytest.raises(ValueError, match="path"):
        Surface3DData(AXIS, AXIS, bowl().z, path=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="levels"):
        Surface3DData(AXIS, AXIS, bowl().z, levels=(1.0, 1.0))
    exported = panel_data(bowl())
    assert exported["z"][2][7] == bowl().z[2, 7] and len(exported["path"][0]) == 3
    assert exported["marker"] == [0.0, 0.0, 0.2]


SCRIPT = r"""
import sys
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
assert app.platformName() == "xcb", app.platformName()
import numpy as np
import app.panels.surface3d as s3
from app.panels import create_panel
from app.panels.surface3d_gl import CAMERA
from app.shell.theme import THEMES
from lessons.core.panels import Surface3D, Surface3DData
SPEC = Surface3D("s", "A bowl", x_label="a", y_label="b", z_label="loss")
axis = np.linspace(-1.0, 1.0, 15)
xx, yy = np.meshgrid(axis, axis)
t = np.linspace(0.0, 1.0, 12)
trail = np.column_stack([0.9 - 0.9 * t, 0.7 * (1 - t) ** 2, 1.5 - 1.3 * t])
def bowl():
    return Surface3DData(axis, axis, 0.2 + xx**2 + 2 * yy**2, path=trail, marker=(0, 0, 0.2))
def distinct_colours(image):
    return len({image.pixel(x, y) for x in range(0, image.width(), 3)
                for y in range(0, image.height(), 3)})
view = create_panel(SPEC, THEMES["light"])
view.resize(520, 420)
view.show()
QTest.qWaitForWindowExposed(view)
view.set_data(bowl())
QTest.qWait(200)
print("mode", view.mode, "problem", view.problem)
first = view.grab().toImage()
assert distinct_colours(first) > 30
if view.mode == "3d":
    gl = view.scene.view
    before = (gl.opts["azimuth"], gl.opts["elevation"])
    c = gl.rect().center()
    QTest.mousePress(gl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, c)
    for k in range(1, 9):
        QTest.mouseMove(gl, c + QPoint(10 * k, 4 * k))
        QTest.qWait(10)
    QTest.mouseRelease(gl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, c)
    QTest.qWait(100)
    after = (gl.opts["azimuth"], gl.opts["elevation"])
    assert after != before, (before, after)
    turned = view.grab().toImage()
    assert turned != first, "the picture did not change when turned"
    distance = gl.opts["distance"]
    gl.setFocus()
    QTest.keyClick(gl, Qt.Key.Key_Plus)
    assert gl.opts["distance"] < distance
    QTest.keyClick(gl, Qt.Key.Key_Home)
    home = (CAMERA["azimuth"], CAMERA["distance"])
    assert (gl.opts["azimuth"], gl.opts["distance"]) == home
else:
    assert view.message.isVisible() and view.problem
print("ok")
"""


@pytest.mark.slow
@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")
def test_real_x_server_draws_in_3d_or_falls_back(tmp_path: Path) -> None:
    """Under Xvfb: 3-D that a drag turns and +/Home zoom and reset, or the contour fallback."""
    done = run_script(SCRIPT, size="1280x1024")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok" in done.stdout
