"""Stage panels: every kind draws real content, reuses its items, survives bad numbers, and
plots, bars, images, grids, tables and text each behave as the learner expects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import app.panels as panels
from app.panels import (
    BarsView,
    ImageGridView,
    ImageView,
    PanelView,
    PlotView,
    TableView,
    TextView,
    create_panel,
    register_view,
)
from app.theme import THEMES, Theme
from lessons.base import (
    Annotation,
    BarData,
    Bars,
    Image,
    ImageData,
    ImageGrid,
    ImageGridData,
    Panel,
    Plot,
    PlotData,
    Series,
    Table,
    TableData,
    Text,
    TextData,
)

LIGHT = THEMES["light"]
RNG = np.random.default_rng(7)
X = np.linspace(-4.0, 4.0, 200)
NAN, INF = float("nan"), float("inf")


@dataclass(frozen=True)
class Kind:
    """One panel kind: its spec, two steps of realistic data, data with NaN/inf, its items."""

    spec: Panel
    first: Any
    second: Any
    broken: Any
    items: Callable[[Any], list[object]]


KINDS: dict[str, Kind] = {
    "plot": Kind(
        Plot("p", "Activations", x_label="z", y_label="a"),
        PlotData(
            series=(Series("sigmoid", X, 1 / (1 + np.exp(-X))), Series("tanh", X, np.tanh(X), color=1)),
            annotations=(Annotation(0.0, 0.5, "a = 0.5"),),
            vlines=(0.0,),
        ),
        PlotData(series=(Series("sigmoid", X, 1 / (1 + np.exp(-2 * X))), Series("tanh", X, np.tanh(2 * X), color=1))),
        PlotData(
            series=(Series("loss", np.arange(5.0), np.array([1.0, NAN, INF, -INF, 2.0])),
                    Series("all nan", np.arange(3.0), np.full(3, NAN), style="scatter")),
            annotations=(Annotation(NAN, 1.0, "diverged"), Annotation(1.0, 1.0, "diverged")),
            hlines=(INF,),
            image=np.full((4, 4), NAN),
        ),
        lambda v: [v.series_item("sigmoid"), v.series_item("tanh"), v.surface.image, v.legend],
    ),
    "bars": Kind(
        Bars("b", "Probabilities", value_format="{:.2f}"),
        BarData(np.array([0.1, 0.65, 0.2, 0.05]), ("cat", "dog", "bird", "fish"), highlight=1),
        BarData(np.array([0.3, 0.3, 0.3, 0.1]), ("cat", "dog", "bird", "fish"), highlight=0),
        BarData(np.array([NAN, INF, -INF, 1.0]), ("a", "b", "c", "d")),
        lambda v: [v.bars, *v._value_labels],
    ),
    "image": Kind(
        Image("i", "Weights", colormap="diverging", show_values=True),
        ImageData(RNG.normal(size=(3, 4)), highlight=(1, 1, 1, 2)),
        ImageData(RNG.normal(size=(3, 4)), highlight=(0, 0, 1, 1)),
        ImageData(np.array([[NAN, INF], [-INF, 1.0]])),
        lambda v: [v.image_item, v.colorbar, v.box, *v._cell_labels],
    ),
    "image_grid": Kind(
        ImageGrid("g", "Samples", columns=8),
        ImageGridData(RNG.uniform(size=(64, 28, 28)), captions=tuple(map(str, range(64))), highlight=(3,)),
        ImageGridData(RNG.uniform(size=(64, 28, 28)), highlight=(5,)),
        ImageGridData(np.full((2, 3, 3), NAN), levels=None),
        lambda v: [v.canvas],
    ),
    "table": Kind(
        Table("t", "Optimizer state"),
        TableData(("step", "w", "grad"), tuple((i, RNG.normal(), RNG.normal()) for i in range(8))),
        TableData(("step", "w", "grad"), tuple((i, RNG.normal(), RNG.normal()) for i in range(8))),
        TableData(("x", "y"), ((NAN, INF), (-INF, None))),
        lambda v: [v.table, v.model],
    ),
    "text": Kind(
        Text("x", "Softmax"),
        TextData("The <b>softmax</b> turns scores into probabilities, " * 6),
        TextData("A higher <i>temperature</i> flattens them: $T \\to \\infty$. " * 6),
        TextData("nan inf $x$"),
        lambda v: [v.browser, v.browser.document()],
    ),
}
VIEW_CLASSES = {"plot": PlotView, "bars": BarsView, "image": ImageView,
                "image_grid": ImageGridView, "table": TableView, "text": TextView}


def make(qtbot: QtBot, spec: Panel, theme: Theme = LIGHT) -> Any:
    view = create_panel(spec, theme)
    qtbot.addWidget(view)
    view.resize(480, 360)
    view.show()
    qtbot.waitExposed(view)
    return view


def pixels(view: PanelView) -> np.ndarray:
    """The widget as drawn now, as an (h, w) array of 0xRRGGBB values."""
    QApplication.processEvents()
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    raw = np.frombuffer(image.constBits(), np.uint32, image.width() * image.height())
    return raw.reshape(image.height(), image.width()) & 0xFFFFFF


def changed(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.count_nonzero(a != b))


def rgb(color: str) -> int:
    return QColor(color).rgb() & 0xFFFFFF


@pytest.mark.parametrize("theme", THEMES.values(), ids=THEMES.keys())
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_draws_its_data_rather_than_a_blank_panel(qtbot: QtBot, kind: str, theme: Theme) -> None:
    """Data changes thousands of pixels against the same panel without data."""
    view = make(qtbot, KINDS[kind].spec, theme)
    empty = pixels(view)
    assert not view.has_content()
    view.set_data(KINDS[kind].first)
    drawn = pixels(view)
    assert view.has_content()
    assert changed(empty, drawn) > 1500
    assert len(np.unique(drawn)) > 8


@pytest.mark.parametrize("kind", KINDS)
def test_new_data_updates_the_same_items_in_place(qtbot: QtBot, kind: str) -> None:
    """A second step reuses every widget and plot item, and the picture changes."""
    view = make(qtbot, KINDS[kind].spec)
    view.set_data(KINDS[kind].first)
    items, before = KINDS[kind].items(view), pixels(view)
    view.set_data(KINDS[kind].second)
    assert all(a is b for a, b in zip(items, KINDS[kind].items(view), strict=True))
    assert view.data() is KINDS[kind].second
    assert changed(before, pixels(view)) > 50


@pytest.mark.parametrize("kind", KINDS)
def test_data_of_another_kind_is_a_value_error(qtbot: QtBot, kind: str) -> None:
    """Each view refuses data it cannot show, naming the panel, and keeps what it had."""
    view = make(qtbot, KINDS[kind].spec)
    view.set_data(KINDS[kind].first)
    wrong = TextData("x") if kind != "text" else BarData(np.ones(1), ("a",))
    with pytest.raises(ValueError, match=repr(KINDS[kind].spec.id)):
        view.set_data(wrong)
    assert view.data() is KINDS[kind].first


@pytest.mark.parametrize("kind", KINDS)
def test_changing_theme_keeps_the_data_and_redraws_in_the_new_colours(qtbot: QtBot, kind: str) -> None:
    """apply_theme to dark, contrast and a presentation scale keeps data, items and content."""
    view = make(qtbot, KINDS[kind].spec)
    view.set_data(KINDS[kind].first)
    items = KINDS[kind].items(view)
    for theme in (THEMES["dark"], THEMES["contrast"], THEMES["light"].scaled(1.8)):
        view.apply_theme(theme)
        drawn = pixels(view)
        assert view.theme is theme and view.data() is KINDS[kind].first and view.has_content()
        assert all(a is b for a, b in zip(items, KINDS[kind].items(view), strict=True))
        background = np.count_nonzero(drawn == rgb(theme.background))
        assert background > drawn.size // 4  # the panel really is in the new colours
        assert view._title.font().pixelSize() == theme.px("title")


@pytest.mark.parametrize("kind", KINDS)
def test_nan_and_infinite_values_are_shown_without_errors(qtbot: QtBot, kind: str) -> None:
    """Diverged numbers (NaN, ±inf) never raise, even when drawn (warnings are errors here)."""
    view = make(qtbot, KINDS[kind].spec)
    view.set_data(KINDS[kind].broken)
    pixels(view)
    view.set_data(KINDS[kind].first)
    assert view.has_content()


@pytest.mark.parametrize("kind", KINDS)
def test_clear_empties_the_panel_but_keeps_its_items(qtbot: QtBot, kind: str) -> None:
    """After clear() the panel has no content and looks as it did before any data."""
    view = make(qtbot, KINDS[kind].spec)
    empty = pixels(view)
    view.set_data(KINDS[kind].first)
    view.clear()
    assert not view.has_content() and view.data() is None
    assert changed(empty, pixels(view)) < 200


def test_create_panel_builds_the_registered_view_for_each_spec_kind(qtbot: QtBot) -> None:
    """Each spec kind gets its view, titled and named for screen readers, 4 to a 720p stage."""
    for kind, view_cls in VIEW_CLASSES.items():
        view = make(qtbot, KINDS[kind].spec)
        assert type(view) is view_cls and view.spec is KINDS[kind].spec
        assert view.accessibleName() == KINDS[kind].spec.title
        assert view.minimumWidth() <= 320 and view.minimumHeight() <= 200


def test_create_panel_refuses_a_spec_kind_without_a_view() -> None:
    """An unregistered spec kind is a ValueError that says how to register one."""

    class Network(Panel):
        pass

    with pytest.raises(ValueError, match="register_view"):
        create_panel(Network("net"), LIGHT)


def test_register_view_adds_a_kind_and_spec_subclasses_inherit_views(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later lesson's panel kind is drawn by its registered view; Plot subclasses use PlotView."""
    monkeypatch.setattr(panels, "_VIEWS", dict(panels._VIEWS))

    class Network(Panel):
        pass

    class NetworkView(TextView):
        accepts = (TextData,)

        def __init__(self, spec: Panel, theme: Theme, parent: Any = None) -> None:
            PanelView.__init__(self, spec, theme, parent)

    class ZoomPlot(Plot):
        pass

    register_view(Network, NetworkView)
    assert type(create_panel(Network("net"), LIGHT)) is NetworkView
    assert type(make(qtbot, ZoomPlot("z"))) is PlotView
    with pytest.raises(TypeError):
        register_view(Network, object)  # type: ignore[arg-type]


def test_a_view_built_for_the_wrong_spec_is_refused() -> None:
    """Constructing a view with another kind's spec is a ValueError."""
    with pytest.raises(ValueError, match="Plot spec"):
        PlotView(Bars("b"), LIGHT)


def test_fonts_and_lines_scale_with_the_presentation_theme(qtbot: QtBot) -> None:
    """Title, tick labels and line width grow with font_scale and line_width."""
    view = make(qtbot, KINDS["plot"].spec)
    view.set_data(KINDS["plot"].first)
    big = LIGHT.scaled(2.0)
    view.apply_theme(big)
    tick_font: QFont = view.plot_item.getAxis("bottom").style["tickFont"]
    assert view._title.font().pixelSize() == 2 * LIGHT.px("title")
    assert tick_font.pixelSize() == big.px("tick") == 26
    assert view.series_item("sigmoid").opts["pen"].widthF() == pytest.approx(big.line_width)
    assert view.series_item("sigmoid").opts["pen"].color().name() == big.palette[0]
