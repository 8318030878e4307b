"""Presentation mode: clicker keys, blanking, go to step, leaving, sizes, screens, presenter."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QCursor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.main import main
from app.output.presentation import choose_screens
from app.output.presenter import NextSteps, PresenterWindow
from app.output.slide import SlideView, projection_scales
from app.shell.player import make_frame
from app.shell.stage import Stage
from app.shell.theme import THEMES
from app.shell.window import MainWindow
from app.state.store import JsonStore
from lessons.core.base import BarData, Bars, Lesson, Step, Values
from lessons.core.runner import LessonRun
from lessons.core.userdata import NO_IMPORTS, ImportedSets, UserSet
from lessons.registry import find


@pytest.fixture(autouse=True)
def _delete_closed_widgets(qapp: QApplication) -> Iterator[None]:
    """Delete what this test closed, so later tests (style sheets) don't re-polish it."""
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    win = MainWindow(JsonStore(tmp_path / "s.json"), threaded=False)
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    win.open_lesson("softmax")
    return win


def _position(window: MainWindow) -> int:
    frame = window.player.frame
    return -1 if frame is None else frame.position


def _present(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.presentation is not None
    assert window.presentation.projector.isVisible()


def test_clicker_keys_step_forward_and_back(qtbot: QtBot, window: MainWindow) -> None:
    """PageDown, Right and Space go forward; PageUp and Left go back; Home to the start."""
    _present(qtbot, window)
    projector = window.presentation.projector  # type: ignore[union-attr]
    for key, expected in (
        (Qt.Key.Key_PageDown, 1),
        (Qt.Key.Key_Right, 2),
        (Qt.Key.Key_Space, 3),
        (Qt.Key.Key_PageUp, 2),
        (Qt.Key.Key_Left, 1),
        (Qt.Key.Key_Home, 0),
    ):
        qtbot.keyClick(projector, key)
        assert _position(window) == expected, key
    assert not window.player.playing  # Space is "next" here, not play
    assert "Step 1 / 11" in projector.slide.footer.text()


def test_b_and_w_blank_the_screen_and_any_key_brings_it_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    """B blanks black, W white; the next key only unblanks, it does not step."""
    _present(qtbot, window)
    presentation = window.presentation
    assert presentation is not None
    projector = presentation.projector
    qtbot.keyClick(projector, Qt.Key.Key_B)
    assert presentation.blanked == "#000000" and projector.curtain.isVisible()
    image = projector.grab().toImage()
    assert image.pixelColor(image.width() // 2, image.height() // 2).name() == "#000000"
    qtbot.keyClick(projector, Qt.Key.Key_Right)
    assert presentation.blanked is None and _position(window) == 0
    qtbot.keyClick(projector, Qt.Key.Key_W)
    assert presentation.blanked == "#ffffff"
    qtbot.keyClick(projector, Qt.Key.Key_W)
    assert presentation.blanked is None and not projector.curtain.isVisible()
    qtbot.keyClick(projector, Qt.Key.Key_Right)
    assert _position(window) == 1


def test_g_then_a_number_goes_to_that_step(qtbot: QtBot, window: MainWindow) -> None:
    """G opens the step box; 7 Enter shows step 7; a step that does not exist is refused."""
    _present(qtbot, window)
    projector = window.presentation.projector  # type: ignore[union-attr]
    qtbot.keyClick(projector, Qt.Key.Key_G)
    assert projector.goto_box.isVisible()
    qtbot.keyClicks(projector.goto_box, "7")
    qtbot.keyClick(projector.goto_box, Qt.Key.Key_Return)
    assert _position(window) == 6 and not projector.goto_box.isVisible()
    qtbot.keyClick(projector, Qt.Key.Key_9)  # typing a digit opens the box with it
    qtbot.keyClicks(projector.goto_box, "9")
    qtbot.keyClick(projector.goto_box, Qt.Key.Key_Return)
    assert _position(window) == 6 and "no step 99" in projector.hint.text()
    qtbot.keyClick(projector, Qt.Key.Key_G)
    qtbot.keyClick(projector.goto_box, Qt.Key.Key_Escape)
    assert not projector.goto_box.isVisible() and window.presentation is not None


def test_escape_leaves_and_the_window_keys_work_again(qtbot: QtBot, window: MainWindow) -> None:
    """Esc closes the projection; the window's own keys step again; F5 toggles."""
    _present(qtbot, window)
    projector = window.presentation.projector  # type: ignore[union-attr]
    qtbot.keyClick(projector, Qt.Key.Key_B)
    qtbot.keyClick(projector, Qt.Key.Key_Escape)
    assert window.presentation is None and not projector.isVisible()
    window.stage.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert _position(window) == 1
    _present(qtbot, window)
    qtbot.keyClick(window.presentation.projector, Qt.Key.Key_F5)  # type: ignore[union-attr]
    assert window.presentation is None


def test_presentation_theme_is_used_and_the_window_theme_comes_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    """With "High contrast" chosen for projection, the projector is black; leaving restores."""
    window.settings["presentation_theme"] = "contrast"
    _present(qtbot, window)
    projector = window.presentation.projector  # type: ignore[union-attr]
    assert projector.slide.stage_theme.name == "contrast"
    image = projector.grab().toImage()
    assert image.pixelColor(2, 2).name() == "#000000"
    qtbot.keyClick(projector, Qt.Key.Key_Escape)
    assert window.theme.name == "light" and window.settings["theme"] == "light"


def test_laser_pointer_follows_the_mouse_and_l_turns_it_off(
    qtbot: QtBot, window: MainWindow
) -> None:
    """The highlight sits where the mouse is over the projection; L hides it."""
    _present(qtbot, window)
    presentation = window.presentation
    assert presentation is not None
    projector = presentation.projector
    QCursor.setPos(projector.mapToGlobal(QPoint(120, 90)))
    qtbot.waitUntil(lambda: projector.laser.point == QPoint(120, 90), timeout=2000)
    assert projector.cursor().shape() == Qt.CursorShape.BlankCursor
    qtbot.keyClick(projector, Qt.Key.Key_L)
    assert projector.laser.point is None and not presentation.laser_on


def test_projected_text_is_at_least_28_px_per_1080_lines() -> None:
    """Body text scales with the screen: 28 px at 1080 lines, 56 px at 2160."""
    theme = THEMES["light"]
    for lines in (1080, 2160, 768):
        stage, narrative = projection_scales(theme, lines)
        minimum = 28 * lines / 1080
        assert theme.scaled(stage).px("body") >= round(minimum)
        assert round(17 * narrative) >= round(minimum)
        assert theme.scaled(stage).px("tick") > theme.px("tick")  # ticks grow too


def test_slide_shrinks_its_narrative_no_further_than_the_minimum(qtbot: QtBot) -> None:
    """A long step text is set at 28 px (1080p) or more, never smaller."""
    slide = SlideView(THEMES["light"], 1080)
    qtbot.addWidget(slide)
    slide.resize(1920, 1080)
    slide.show()
    lesson = find("gradient_descent")
    run = LessonRun(lesson)
    slide.set_lesson(lesson)
    last = run.computed - 1
    slide.show_step(lesson, run.step_at(last), run.panel_state(last), last, str(run.computed))
    assert slide.narrative.body.font().pixelSize() >= 28
    assert slide.stage_theme.line_width > THEMES["light"].line_width


class _Screen:
    def __init__(self, name: str) -> None:
        self._name = name

    def name(self) -> str:
        return self._name


def test_screens_projector_elsewhere_and_presenter_on_the_laptop() -> None:
    """One screen: projector only. Two: projector on the other, presenter on the window's."""
    laptop, beamer, third = _Screen("eDP-1"), _Screen("HDMI-1"), _Screen("DP-2")
    assert choose_screens([laptop], laptop) == (laptop, None)
    assert choose_screens([laptop, beamer], laptop) == (beamer, laptop)
    assert choose_screens([laptop, beamer, third], laptop, "DP-2") == (third, laptop)
    assert choose_screens([laptop, beamer], beamer, "HDMI-1") == (beamer, laptop)
    with pytest.raises(ValueError):
        choose_screens([], None)


def test_presenter_view_shows_notes_and_the_next_step(qtbot: QtBot) -> None:
    """The speaker sees this step's text, the next step's title and a preview of it."""
    lesson = find("softmax")
    run = LessonRun(lesson)
    presenter = PresenterWindow(THEMES["light"])
    qtbot.addWidget(presenter)
    presenter.set_lesson(lesson)
    presenter.show_frame(make_frame(run))
    assert run.step_at(0).title in presenter.notes.heading.text()
    assert presenter.next_title.text() == f"Next: {run.step_at(1).title}"
    assert "Step 1 / 11" in presenter.counter.text()
    run.goto(run.computed - 1)
    presenter.show_frame(make_frame(run))
    assert "end of the lesson" in presenter.next_title.text()


def test_cli_renders_the_projected_view(qapp: QApplication, tmp_path: Path) -> None:
    """--presentation --screenshot writes the projection at --size, without the navigator."""
    out = tmp_path / "p.png"
    args = ["--lesson", "softmax", "--step", "5", "--presentation", "--screenshot", str(out)]
    assert main([*args, "--size", "1280x720"]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)
    colours = {image.pixel(x, y) for x in range(0, 1280, 9) for y in range(0, 720, 9)}
    assert len(colours) > 20


class _Noted(Lesson):
    """Two steps: the second has speaker notes and retitles the panel."""

    id, chapter, number, title = "noted", 0, "0.5", "Noted"
    panels = (Bars("loss", "Loss"),)

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        yield Step("One", "The short narrative.", {"loss": BarData(np.array([1.0]), ("a",))})
        yield Step(
            "Two",
            "Short again.",
            notes="The long story for the speaker.",
            titles={"loss": "Loss after epoch 40"},
        )


def test_presenter_shows_speaker_notes_else_the_narrative_and_retitles(qtbot: QtBot) -> None:
    """Notes replace the narrative in the notes pane; the preview and stage show retitles."""
    run = LessonRun(_Noted)
    presenter = PresenterWindow(THEMES["light"])
    qtbot.addWidget(presenter)
    presenter.set_lesson(_Noted)
    presenter.show_frame(make_frame(run))
    assert "The short narrative." in presenter.notes.body.toPlainText()
    assert presenter.preview.views["loss"].title() == "Loss after epoch 40"
    run.next()
    frame = make_frame(run)
    assert frame.titles == {"loss": "Loss after epoch 40"}
    presenter.show_frame(frame)
    text = presenter.notes.body.toPlainText()
    assert "The long story for the speaker." in text and "Short again." not in text
    stage = Stage(THEMES["light"])
    qtbot.addWidget(stage)
    stage.set_lesson(_Noted)
    stage.show_state(frame.state, frame.titles)
    assert stage.views["loss"].title() == "Loss after epoch 40"
    run.back()
    stage.show_state(run.panel_state(), run.panel_titles())
    assert stage.views["loss"].title() == "Loss"


def test_the_next_step_preview_follows_a_new_data_snapshot() -> None:
    """The presenter's cached run is rebuilt when the frame's imported sets are another object."""
    lesson = find("softmax")
    first = make_frame(LessonRun(lesson))
    preview = NextSteps()
    assert preview.after(first) is not None
    cached = preview._run
    assert preview.after(first) is not None and preview._run is cached  # same snapshot: reused
    other = ImportedSets.of([UserSet("k", "gone.csv", None, "moved")])
    assert other is not NO_IMPORTS
    second = make_frame(LessonRun(lesson, imports=other))
    assert preview.after(second) is not None
    assert preview._run is not cached and preview._run is not None
    assert preview._run.imports is other
