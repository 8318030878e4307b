"""A view control (``Effect.VIEW``) redraws the step shown at once: a paused player delivers
the redrawn frame without computing a step."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.shell.player import Frame, Player
from lessons.core.base import BarData, Bars, Effect, Lesson, Slider, Step, Values
from lessons.core.panels import PlotData
from lessons.core.userdata import NO_IMPORTS, ImportedSets


class Zoomed(Lesson):
    """Live: each step trains (draws from the rng); ``zoom`` only changes what is shown."""

    id, chapter, number, title = "zoomed", 0, "0.11", "Zoomed"
    live = True
    controls = (Slider("zoom", "Zoom", 0.0, 10.0, default=1.0, effect=Effect.VIEW),)
    panels = (Bars("b", "B"),)

    def __init__(self, imports: ImportedSets = NO_IMPORTS) -> None:
        super().__init__(imports)
        self._view: Callable[[Values], Step] | None = None

    def redraw(self, step: Step, values: Values) -> Step | None:
        return None if self._view is None else self._view(values)

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        total = 0.0
        while True:
            total += float(rng.normal())

            def view(cv: Values, total: float = total) -> Step:
                shown = total * cv.zoom
                return Step(f"zoom {cv.zoom:g}", "t", {"b": BarData(np.array([shown]), ("x",))})

            self._view = view
            yield view(c)


class Unzoomed(Zoomed):
    """The same without the hook."""

    id = "unzoomed"

    def redraw(self, step: Step, values: Values) -> Step | None:
        return None


@pytest.fixture
def player(qtbot: QtBot) -> Iterator[tuple[Player, list[Frame]]]:
    p = Player()
    frames: list[Frame] = []
    p.frame_ready.connect(frames.append)
    yield p, frames
    assert p.shutdown(2000)


def _paused_at_step_2(qtbot: QtBot, p: Player, frames: list[Frame], lesson: type[Lesson]) -> None:
    p.load(lesson)
    qtbot.waitUntil(lambda: bool(frames) and not p.busy, timeout=10_000)
    p.next()
    qtbot.waitUntil(lambda: frames[-1].position == 1 and not p.busy, timeout=10_000)
    assert not p.playing


def test_a_paused_player_delivers_the_redrawn_step_at_once(
    qtbot: QtBot, player: tuple[Player, list[Frame]]
) -> None:
    p, frames = player
    _paused_at_step_2(qtbot, p, frames, Zoomed)
    before = frames[-1]
    p.set_control("zoom", 3.0)
    qtbot.waitUntil(lambda: frames[-1].step.title == "zoom 3", timeout=5000)
    now = frames[-1]
    assert (now.position, now.computed) == (before.position, before.computed)
    shown, was = now.state["b"], before.state["b"]
    assert isinstance(shown, BarData) and isinstance(was, BarData)
    np.testing.assert_allclose(shown.values, was.values * 3.0)
    assert now.values["zoom"] == 3.0 and not p.playing


def test_without_the_hook_the_frame_keeps_the_step(
    qtbot: QtBot, player: tuple[Player, list[Frame]]
) -> None:
    p, frames = player
    _paused_at_step_2(qtbot, p, frames, Unzoomed)
    before = frames[-1]
    p.set_control("zoom", 3.0)
    qtbot.waitUntil(lambda: frames[-1].values["zoom"] == 3.0 and not p.busy, timeout=5000)
    assert frames[-1].step is before.step
    p.next()
    qtbot.waitUntil(lambda: frames[-1].position == 2, timeout=5000)
    assert frames[-1].step.title == "zoom 3"


def test_a_click_on_the_cnn_strip_is_shown_while_paused(
    qtbot: QtBot, player: tuple[Player, list[Frame]]
) -> None:
    """Lesson 6.3: a clicked conv pixel lights its receptive field in the frame at once (by
    default the strongest pooled pixel's is lit)."""
    from lessons.ch6_convnets.mnist_cnn import views
    from lessons.ch6_convnets.mnist_cnn.lesson import MnistCnn

    p, frames = player
    _paused_at_step_2(qtbot, p, frames, MnistCnn)
    was = frames[-1].state["strip"]
    assert isinstance(was, PlotData) and was.series[0].name == "receptive field 4×4"
    (cr, cc) = views.CONV_AT
    pick = (cc + 1.0, -(cr + 5.0))  # conv pixel (5, 1)
    p.set_control("pick", pick)
    qtbot.waitUntil(lambda: tuple(frames[-1].values["pick"]) == pick and not p.busy)
    strip = frames[-1].state["strip"]
    assert isinstance(strip, PlotData) and strip.series[0].name == "receptive field 3×3"
    assert frames[-1].position == 1 and frames[-1].computed == 2
