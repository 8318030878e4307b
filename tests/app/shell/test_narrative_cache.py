"""Live frames repeat their text: the narrative typesets it once, until text or theme change."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

import app.math.render as render
from app.panels.plot import PlotView
from app.shell.narrative import Narrative
from app.shell.theme import LIGHT, Theme
from lessons.core.base import Plot, PlotData, Series

TEXT = r"Every weight steps: $$w \leftarrow w - \eta \frac{\partial J}{\partial w}$$ with $\eta$."


def _theme() -> Theme:
    return LIGHT


@pytest.fixture
def typeset_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the narrative hands to the math typesetter, in order."""
    calls: list[str] = []
    original = render.set_markup

    def counting(document: Any, text: str, *args: Any, **kwargs: Any) -> None:
        calls.append(text)
        original(document, text, *args, **kwargs)

    monkeypatch.setattr(render, "set_markup", counting)
    return calls


def test_identical_text_is_typeset_once(qtbot: QtBot, typeset_calls: list[str]) -> None:
    """Frames with the same text (only the title moves on) do not typeset it again."""
    narrative = Narrative(_theme())
    qtbot.addWidget(narrative)
    for epoch in range(5):
        narrative.show_step("3.1  Playground", f"Epoch {epoch}", TEXT)
    assert typeset_calls == [TEXT]
    assert narrative.heading.text() == "Epoch 4"
    assert narrative.plain_text().startswith("Every weight steps:")


def test_changed_text_is_typeset_again(qtbot: QtBot, typeset_calls: list[str]) -> None:
    """New text is shown at once, and its plain form becomes the accessible description."""
    narrative = Narrative(_theme())
    qtbot.addWidget(narrative)
    narrative.show_step("L", "A", "First $x$.")
    narrative.show_step("L", "B", "Second $y$.")
    narrative.show_step("L", "C", "Second $y$.")
    assert typeset_calls == ["First $x$.", "Second $y$."]
    assert "Second" in narrative.body.accessibleDescription()


def test_a_new_theme_typesets_the_same_text_again(qtbot: QtBot, typeset_calls: list[str]) -> None:
    """A theme with another font size or colour re-typesets what is shown."""
    theme = _theme()
    narrative = Narrative(theme)
    qtbot.addWidget(narrative)
    narrative.show_step("L", "A", TEXT)
    narrative.apply_theme(theme.scaled(1.5))
    assert typeset_calls == [TEXT, TEXT]
    narrative.apply_theme(theme.scaled(1.5))  # same font and colour: nothing to redo
    assert typeset_calls == [TEXT, TEXT]


def _points(y: list[float]) -> PlotData:
    x = np.arange(len(y), dtype=float)
    return PlotData(
        series=(
            Series("train", x, np.asarray(y), style="scatter"),
            Series("loss", x, np.asarray(y) * 2),
        )
    )


def test_a_plot_sets_only_the_series_that_changed(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Equal points in a new data object are not handed to the plot item again."""
    view = PlotView(Plot("p", "P"), _theme())
    qtbot.addWidget(view)
    view.set_data(_points([1.0, 2.0, 3.0]))
    items = {name: view.series_item(name) for name in ("train", "loss")}
    set_calls: list[str] = []
    for name, item in items.items():
        assert item is not None
        original = item.setData

        def counting(*args: Any, _name: str = name, _orig: Any = original, **kw: Any) -> None:
            set_calls.append(_name)
            _orig(*args, **kw)

        monkeypatch.setattr(item, "setData", counting)
    view.set_data(_points([1.0, 2.0, 3.0]))
    assert set_calls == []
    changed = _points([1.0, 2.0, 3.0])
    changed = PlotData(series=(changed.series[0], Series("loss", np.arange(3.0), np.ones(3))))
    view.set_data(changed)
    assert set_calls == ["loss"]
    loss = view.series_item("loss")
    assert loss is not None
    assert list(loss.getData()[1]) == [1.0, 1.0, 1.0]


def test_a_plot_redraws_its_series_in_a_new_theme(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unchanged points still take a new theme's pens and sizes."""
    theme = _theme()
    view = PlotView(Plot("p", "P"), theme)
    qtbot.addWidget(view)
    view.set_data(_points([1.0, 2.0]))
    item = view.series_item("loss")
    assert item is not None
    before = item.opts["pen"].widthF()
    view.apply_theme(theme.scaled(2.0))
    assert item.opts["pen"].widthF() > before
