"""The controls panel sets an editor only when the run's value changed (a playing lesson sends
the same values with every frame), and shows the run's value again after the learner edits."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from app.shell.controls import ControlsPanel
from lessons.core.base import Slider, Vector


def test_unchanged_values_are_not_set_again_and_an_edit_forgets_the_last_shown(
    qtbot: QtBot,
) -> None:
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    panel.set_controls(
        (Slider("rate", "Rate", 0.0, 1.0, default=0.5), Vector("v", "V", (1.0, 2.0)))
    )
    shown: list[tuple[str, Any]] = []
    for name, editor in panel.editors.items():
        original = editor.show_value

        def spy(value: Any, name: str = name, original: Any = original) -> None:
            shown.append((name, value))
            original(value)

        editor.show_value = spy  # type: ignore[method-assign]
    panel.show_values({"rate": 0.5, "v": (1.0, 2.0)})
    panel.show_values({"rate": 0.5, "v": (1.0, 2.0)})
    assert shown == [("rate", 0.5), ("v", (1.0, 2.0))]
    panel.show_values({"rate": 0.25, "v": (1.0, 2.0)})
    assert shown[-1] == ("rate", 0.25) and len(shown) == 3
    panel.editors["rate"].edited.emit(0.9)  # the learner moves the slider
    panel.show_values({"rate": 0.25, "v": (1.0, 2.0)})  # the run kept (or clamped) its value
    assert shown[-1] == ("rate", 0.25) and len(shown) == 4
