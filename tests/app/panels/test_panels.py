"""Stage panels: every kind draws real content, reuses its items, survives bad numbers, and
plots, bars, images, grids, tables and text each behave as the learner expects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

import app.panels as panels
import app.panels.text as text_module
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
from app.shell.theme import THEMES, Theme
from lessons.core.base import (
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
            series=(
                Series("sigmoid", X, 1 / (1 + np.exp(-X))),
                Series("tanh", X, np.tanh(X), color=1),
            ),
            annotations=(Annotation(0.0, 0.5, "a = 0.5"),),
            vlines=(0.0,),
        ),
        PlotData(
            series=(
                Series("sigmoid", X, 1 / (1 + np.exp(-2 * X))),
                Series("tanh", X, np.tanh(2 * X), color=1),
            )
        ),
        PlotData(
            series=(
                Series("loss", np.arange(5.0), np.array([1.0, NAN, INF, -INF, 2.0])),
                Series("all nan", np.arange(3.0), np.full(3, NAN), style="scatter"),
            ),
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
        ImageGridData(
            RNG.uniform(size=(64, 28, 28)), captions=tuple(map(str, range(64))), highlight=(3,)
        ),
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
VIEW_CLASSES = {
    "plot": PlotView,
    "bars": BarsView,
    "image": ImageView,
    "image_grid": ImageGridView,
    "table": TableView,
    "text": TextView,
}


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
def test_every_kind_draws_its_data_rather_than_a_blank_panel(
    qtbot: QtBot, kind: str, theme: Theme
) -> None:
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
def test_changing_theme_keeps_the_data_and_redraws_in_the_new_colours(
    qtbot: QtBot, kind: str
) -> None:
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
    """After clear() the panel has no content and the data's pixels are gone."""
    view = make(qtbot, KINDS[kind].spec)
    empty = pixels(view)
    view.set_data(KINDS[kind].first)
    items, drawn = KINDS[kind].items(view), changed(empty, pixels(view))
    view.clear()
    assert not view.has_content() and view.data() is None
    assert changed(empty, pixels(view)) < drawn / 5
    view.set_data(KINDS[kind].second)
    assert all(a is b for a, b in zip(items, KINDS[kind].items(view), strict=True))


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


# ---- plots ---------------------------------------------------------------------------------


def hover(widget: QWidget, pos: QPoint) -> None:
    """Deliver a mouse move straight to ``widget``.

    QTest.mouseMove moves the global cursor, so a window left open by another test that
    overlaps this one would receive the move instead.  pyqtgraph drops moves that come
    within 10 ms of the last one, hence the short wait.
    """
    QTest.qWait(25)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(pos),
        QPointF(widget.mapToGlobal(pos)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, move)


def scene_to_widget(view: PlotView, x: float, y: float) -> QPoint:
    scene = view.plot_item.getViewBox().mapViewToScene(QPointF(x, y))
    return view.plot_widget.mapFromScene(scene)


def test_clicking_a_pick_plot_emits_the_control_and_the_x_under_the_mouse(qtbot: QtBot) -> None:
    """A left click sets the named control to the clicked x; plots without pick stay silent."""
    view = make(qtbot, Plot("p", x_range=(0.0, 10.0), y_range=(0.0, 1.0), pick="learning_rate"))
    view.set_data(KINDS["plot"].second)
    with qtbot.waitSignal(view.picked, timeout=1000) as blocker:
        qtbot.mouseClick(
            view.plot_widget.viewport(),
            Qt.MouseButton.LeftButton,
            pos=scene_to_widget(view, 7.0, 0.5),
        )
    name, x = blocker.args
    assert name == "learning_rate" and x == pytest.approx(7.0, abs=0.05)

    silent = make(qtbot, Plot("q", x_range=(0.0, 10.0)))
    with qtbot.assertNotEmitted(silent.picked, wait=50):
        qtbot.mouseClick(
            silent.plot_widget.viewport(),
            Qt.MouseButton.LeftButton,
            pos=scene_to_widget(silent, 5.0, 0.5),
        )


def test_hovering_near_a_point_shows_its_exact_values(qtbot: QtBot) -> None:
    """The read-out names the series and its x, y; away from points it disappears."""
    view = make(qtbot, Plot("p", x_range=(0.0, 10.0), y_range=(0.0, 10.0)))
    points = Series(
        "weights", np.array([2.0, 5.0, 8.0]), np.array([3.0, 5.25, 7.0]), style="scatter"
    )
    view.set_data(PlotData(series=(points,)))
    hover(view.plot_widget.viewport(), scene_to_widget(view, 5.0, 5.25))
    qtbot.waitUntil(lambda: view.hover_text() != "")
    assert view.hover_text() == "weights\nx = 5\ny = 5.25"
    hover(view.plot_widget.viewport(), scene_to_widget(view, 9.5, 0.5))
    qtbot.waitUntil(lambda: view.hover_text() == "")


def test_moves_reach_the_read_out_at_most_60_times_a_second_and_none_after_leaving(
    qtbot: QtBot,
) -> None:
    """A move is handled a moment later (rate-limited); leaving first leaves no read-out."""
    view = make(qtbot, Plot("p", x_range=(0.0, 10.0), y_range=(0.0, 10.0)))
    points = Series("w", np.array([2.0, 5.0]), np.array([3.0, 5.25]), style="scatter")
    view.set_data(PlotData(series=(points,)))
    hover(view.plot_widget.viewport(), scene_to_widget(view, 5.0, 5.25))
    assert view.hover_text() == ""  # not yet: the move waits in the rate limiter
    QApplication.sendEvent(view, QEvent(QEvent.Type.Leave))
    QTest.qWait(50)
    assert view.hover_text() == ""


def test_series_that_vanish_are_hidden_and_the_legend_follows(qtbot: QtBot) -> None:
    """The legend lists two or more named series if it fits; series that are gone hide."""
    view = make(qtbot, Plot("p"))
    view.set_data(KINDS["plot"].first)
    assert view.legend.isVisible() and len(view.legend.items) == 2
    one = PlotData(series=(Series("sigmoid", X, X), Series("_guide", X, 0 * X)))
    view.set_data(one)
    assert not view.series_item("tanh").isVisible() and view.series_item("sigmoid").isVisible()
    assert not view.legend.isVisible()
    assert not make(qtbot, Plot("q", legend=False)).legend.isVisible()
    view.set_data(KINDS["plot"].first)
    view.apply_theme(LIGHT.scaled(2.0))
    view.resize(240, 180)
    pixels(view)
    # no room beside the small plot either: a text key under the title, never dropped
    assert view.legend_side() == "key" and not view.legend.isVisible()
    assert "sigmoid" in view.legend_key() and "tanh" in view.legend_key()


def test_labels_go_leftwards_only_when_they_would_run_off_the_right(qtbot: QtBot) -> None:
    """Judged against the range the step shows (not the last one), by the text's width."""
    view = make(qtbot, Plot("p"))
    data = PlotData(
        series=(Series("s", X, X),),
        annotations=(
            Annotation(2.0, 0.0, "short", anchor=(0.0, 0.5)),
            Annotation(3.9, 0.0, "runs past the edge", anchor=(0.0, 0.5)),
        ),
        x_range=(-4.0, 4.0),
    )
    view.set_data(data)
    anchors = [item.anchor.x() for item in view._annotations[:2]]
    assert anchors == [0.0, 1.0]


def test_a_legend_that_hides_data_goes_side_by_side_in_a_free_band(qtbot: QtBot) -> None:
    """Points fill the plot but for a band on top: the legend lies flat there, hiding none."""
    view = make(qtbot, Plot("p"))
    grid = np.linspace(-1.0, 1.0, 9)
    gx, gy = (a.ravel() for a in np.meshgrid(grid, grid))
    data = PlotData(
        series=(
            Series("a", gx, gy, style="scatter"),
            Series("b", gx[:3], gy[:3], style="scatter"),
        ),
        x_range=(-1.1, 1.1),
        y_range=(-1.1, 1.5),
    )
    view.set_data(data)
    pixels(view)
    assert view.legend.isVisible() and view.legend.columnCount == 2
    view.set_data(replace(data, y_range=(-1.1, 3.0)))  # room for the usual column: it returns
    pixels(view)
    assert view.legend.isVisible() and view.legend.columnCount == 1


def test_the_legend_keeps_off_labels_and_markers(qtbot: QtBot) -> None:
    """A read-out label in the top right sends the legend to the free top-left corner."""
    view = make(qtbot, Plot("p"))
    flat = np.zeros_like(X)
    data = PlotData(
        series=(Series("a", X, flat), Series("b", X, flat - 0.05)),
        annotations=(Annotation(3.9, 1.0, "f(1.00) = 0.731", anchor=(1.0, 0.0)),),
        x_range=(-4.0, 4.0),
        y_range=(-0.1, 1.0),
    )
    view.set_data(data)
    pixels(view)
    vb = view.plot_item.getViewBox()
    assert view.legend.isVisible()
    assert view.legend.mapRectToItem(vb, view.legend.boundingRect()).center().x() < vb.width() / 2


def test_long_sorted_series_are_clipped_and_downsampled_but_scatters_are_not(qtbot: QtBot) -> None:
    """A 100k-point loss history draws only what is on screen; point clouds are left whole."""
    view = make(qtbot, Plot("p"))
    t = np.arange(100_000.0)
    cloud = RNG.normal(size=(2, 5000))
    view.set_data(
        PlotData(
            series=(
                Series("loss", t, np.exp(-t / 1e4)),
                Series("cloud", cloud[0], cloud[1], style="scatter"),
            )
        )
    )
    loss, points = view.series_item("loss"), view.series_item("cloud")
    assert loss.opts["clipToView"] and loss.opts["autoDownsample"]
    assert not points.opts["clipToView"] and not points.opts["autoDownsample"]


def test_log_axis_ranges_and_styles_cope_with_zero_and_negative_values(qtbot: QtBot) -> None:
    """log_y plots take ranges in data units and skip values a log axis cannot show."""
    view = make(qtbot, Plot("p", log_y=True, y_range=(1e-3, 10.0)))
    y = np.array([1.0, 0.1, 0.0, -1.0, 1e-2])
    view.set_data(
        PlotData(
            series=(
                Series("loss", np.arange(5.0), y, style="area"),
                Series("step", np.arange(5.0), y, style="step", color=1),
            ),
            hlines=(0.0, 0.1),
            annotations=(Annotation(1.0, -1.0, "no"),),
        )
    )
    pixels(view)
    low, high = view.plot_item.getViewBox().viewRange()[1]
    assert low == pytest.approx(-3) and high == pytest.approx(1)


def test_data_ranges_override_spec_ranges(qtbot: QtBot) -> None:
    """PlotData.x_range/y_range win over the spec's; without either the view auto-ranges."""
    view = make(qtbot, Plot("p", x_range=(0.0, 1.0), y_range=(0.0, 1.0)))
    view.set_data(PlotData(series=KINDS["plot"].first.series, x_range=(-4.0, 4.0)))
    (x0, x1), (y0, y1) = view.plot_item.getViewBox().viewRange()
    assert (x0, x1) == pytest.approx((-4, 4)) and (y0, y1) == pytest.approx((0, 1))


def test_background_field_is_drawn_with_its_levels_and_contours(qtbot: QtBot) -> None:
    """A loss surface fills its rectangle, uses image_levels, and draws one line per contour."""
    view = make(qtbot, Plot("p", aspect_locked=True))
    gx, gy = np.meshgrid(np.linspace(-2, 2, 40), np.linspace(-2, 2, 40))
    field = PlotData(
        image=gx**2 + gy**2,
        image_rect=(-2.0, -2.0, 4.0, 4.0),
        image_colormap="viridis",
        image_levels=(0.0, 4.0),
        contours=(0.5, 1.0, 2.0),
    )
    view.set_data(field)
    assert view.surface.image.isVisible() and view.surface.image.levels == pytest.approx([0, 4])
    assert view.surface.image.mapRectToParent(view.surface.image.boundingRect()).getRect() == (
        pytest.approx((-2.0, -2.0, 4.0, 4.0))
    )
    assert [c.isVisible() for c in view.surface.contours] == [True, True, True]
    view.set_data(PlotData(image=gx, contours=(0.0,)))
    assert [c.isVisible() for c in view.surface.contours] == [True, False, False]
    view.set_data(PlotData())
    assert not view.surface.image.isVisible()


def test_contour_lines_run_where_the_field_has_their_level(qtbot: QtBot) -> None:
    """Cell values sit at pixel centres: a level between two cells runs between them."""
    view = make(qtbot, Plot("p"))
    ramp = np.tile(np.arange(5.0), (3, 1))  # 3 rows; column c holds the value c
    view.set_data(PlotData(image=ramp, image_rect=(10.0, 0.0, 10.0, 3.0), contours=(1.5, 3.0)))
    surface = view.surface
    lines = [
        c.mapRectToItem(surface.image.parentItem(), c.boundingRect()) for c in surface.contours
    ]
    # pixels are 2 wide from x = 10: 1.5 lies at x = 14, 3 at x = 17 (the centre of column 3)
    assert [r.left() for r in lines] == pytest.approx([14.0, 17.0])
    assert [r.right() for r in lines] == pytest.approx([14.0, 17.0])
    assert all(r.top() == pytest.approx(0.0) and r.bottom() == pytest.approx(3.0) for r in lines)


# ---- bars ----------------------------------------------------------------------------------


def test_the_highlighted_bar_is_drawn_in_the_accent_colour(qtbot: QtBot) -> None:
    """One bar in the accent, the others in the first palette colour; no highlight, no accent."""
    view = make(qtbot, KINDS["bars"].spec)
    view.set_data(KINDS["bars"].first)
    drawn = pixels(view)
    assert np.count_nonzero(drawn == rgb(LIGHT.accent)) > 2000
    assert np.count_nonzero(drawn == rgb(LIGHT.palette[0])) > 2000
    view.set_data(BarData(np.array([0.5, 0.5]), ("a", "b")))
    assert np.count_nonzero(pixels(view) == rgb(LIGHT.accent)) == 0


def test_bar_values_are_written_with_the_spec_format_and_shown_on_hover(qtbot: QtBot) -> None:
    """Labels above bars use value_format; hovering a bar names it with its exact value."""
    view = make(qtbot, KINDS["bars"].spec)
    view.set_data(KINDS["bars"].first)
    texts = [label.toPlainText() for label in view._value_labels if label.isVisible()]
    assert texts == ["0.10", "0.65", "0.20", "0.05"]
    hover(view.plot_widget.viewport(), scene_to_widget(view, 1.0, 0.3))
    qtbot.waitUntil(lambda: view.hover_text() == "dog\n0.65")
    many = np.arange(40.0)
    view.set_data(BarData(many, tuple(map(str, many))))
    assert not any(label.isVisible() for label in view._value_labels)


def test_small_values_are_labelled_as_they_are_and_a_step_can_rename_the_axis(
    qtbot: QtBot,
) -> None:
    """Ticks of a range below 1 are not silently scaled to milli-units (a pyqtgraph default);
    a step's own y label replaces the panel's and goes back when the step has none."""
    view = make(qtbot, KINDS["bars"].spec)
    view.set_data(BarData(np.array([-0.341, 0.242, 0.099]), ("a", "b", "c"), y_label="∂L/∂z"))
    axis = view.plot_item.getAxis("left")
    assert axis.autoSIPrefixScale == 1.0 and axis.labelUnitPrefix == ""
    assert axis.tickStrings([-0.2, 0.2], axis.autoSIPrefixScale * axis.scale, 0.1) == [
        "-0.2",
        "0.2",
    ]
    assert "∂L/∂z" in axis.labelString()
    view.set_data(BarData(np.array([0.5, 0.25]), ("a", "b")))
    assert not axis.label.isVisible()  # the panel itself has no y label


# ---- images --------------------------------------------------------------------------------


def test_signed_images_get_levels_symmetric_around_zero_unless_given(qtbot: QtBot) -> None:
    """A diverging map puts zero in the middle; explicit levels are used as they are."""
    view = make(qtbot, Image("i", colormap="diverging"))
    view.set_data(ImageData(np.array([[-1.0, 0.5], [3.0, 0.0]])))
    assert view.image_item.levels == pytest.approx([-3, 3]) and view.colorbar.levels() == (-3, 3)
    view.set_data(ImageData(np.array([[-1.0, 0.5]]), levels=(-0.5, 2.0)))
    assert view.image_item.levels == pytest.approx([-0.5, 2.0])
    with pytest.raises(ValueError, match="2-D"):
        view.set_data(ImageData(np.zeros((2, 2, 2))))


def test_small_images_write_each_value_in_a_contrasting_colour(qtbot: QtBot) -> None:
    """Cells show their numbers (dark text on light cells, light on dark); big arrays don't."""
    view = make(qtbot, Image("i", colormap="gray", show_values=True))
    view.set_data(ImageData(np.array([[0.0, 0.25], [0.5, 1.0]]), highlight=(1, 0, 1, 2)))
    labels = [lab for lab in view._cell_labels if lab.isVisible()]
    assert [lab.toPlainText() for lab in labels] == ["0.00", "0.25", "0.50", "1.00"]
    assert labels[0].color.name() == "#ffffff" and labels[3].color.name() == "#000000"
    assert view.box.isVisible() and view.box.rect().getRect() == (0, 1, 2, 1)
    view.set_data(ImageData(RNG.uniform(size=(28, 28))))
    assert not any(lab.isVisible() for lab in view._cell_labels)


def test_hovering_an_image_cell_shows_its_row_column_and_value(qtbot: QtBot) -> None:
    """The read-out names the cell by its labels (or indices) and gives the exact value."""
    view = make(qtbot, Image("i"))
    view.set_data(ImageData(np.array([[1.0, 2.0, 3.0], [4.0, 5.5, 6.0]]), row_labels=("a", "b")))
    hover(view.plot_widget.viewport(), scene_to_widget(view, 1.5, 1.5))
    qtbot.waitUntil(lambda: view.hover_text() == "b, col 1\nvalue = 5.5")


# ---- image grids ---------------------------------------------------------------------------


def test_image_grid_frames_highlighted_images_in_the_accent_colour(qtbot: QtBot) -> None:
    """Highlighted entries get an accent frame; one canvas paints all 64, no widget each."""
    view = make(qtbot, KINDS["image_grid"].spec)
    view.set_data(KINDS["image_grid"].first)
    assert np.count_nonzero(pixels(view) == rgb(LIGHT.accent)) > 40
    assert view.canvas.findChildren(QWidget) == [] and len(view.canvas.images) == 64
    view.set_data(ImageGridData(KINDS["image_grid"].first.images))
    assert np.count_nonzero(pixels(view) == rgb(LIGHT.accent)) == 0


def test_image_grid_hover_names_the_image_and_pixel(qtbot: QtBot) -> None:
    """Over an image the tooltip text gives its index, caption, pixel and value."""
    view = make(qtbot, ImageGrid("g", columns=2))
    images = np.arange(2 * 4 * 4, dtype=float).reshape(2, 4, 4)
    view.set_data(ImageGridData(images, captions=("zero", "one")))
    rect = view.canvas.layout_cells()[1]
    text = view.hover_text_at(rect.x() + rect.width() * 0.9, rect.y() + rect.height() * 0.1)
    assert text == "#1  one\nrow 0, col 3: 19"
    assert view.hover_text_at(0, 0) == ""
    view.set_data(ImageGridData(RNG.uniform(size=(3, 5, 5, 3))))  # colour images work too
    with pytest.raises(ValueError, match="image grid"):
        view.set_data(ImageGridData(np.zeros((4, 4))))


# ---- tables --------------------------------------------------------------------------------


def test_table_formats_numbers_and_highlights_rows_and_cells(qtbot: QtBot) -> None:
    """Floats use number_format, ints stay whole, NaN is spelled out; highlights are coloured."""
    view = make(qtbot, Table("t"))
    view.set_data(
        TableData(
            ("n", "loss", "note"),
            ((1, 0.123456, "ok"), (2, NAN, "diverged")),
            highlight_rows=(1,),
            highlight_cells=((0, 1),),
            number_format="{:.2f}",
        )
    )
    model = view.model
    text = [[model.index(r, c).data() for c in range(3)] for r in range(2)]
    assert text == [["1", "0.12", "ok"], ["2", "NaN", "diverged"]]
    background = Qt.ItemDataRole.BackgroundRole
    assert model.index(1, 2).data(background).color().name() == LIGHT.highlight
    assert model.index(0, 1).data(background).color().name() == LIGHT.highlight
    assert model.index(0, 0).data(background) is None


def test_number_columns_align_right_with_their_placeholders(qtbot: QtBot) -> None:
    """A column of numbers whose unrevealed cells read "·" or "?" is right-aligned throughout."""
    view = make(qtbot, Table("t"))
    view.set_data(TableData(("A", "C", "name"), (("·", "?", "x"), (1, 0, "y"))))
    align = Qt.ItemDataRole.TextAlignmentRole
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    model = view.model
    assert [model.index(0, c).data(align) for c in range(3)] == [right, right, left]
    horizontal = Qt.Orientation.Horizontal
    assert [model.headerData(c, horizontal, align) for c in range(3)] == [right, right, left]
    view.set_data(TableData(("w", "grad", "id"), (("−0.77", "", "a1"), ("0.55", "1.2e-05", "b"))))
    assert [model.index(0, c).data(align) for c in range(3)] == [right, right, left]


def test_long_headers_break_over_two_lines_before_a_column_hides(qtbot: QtBot) -> None:
    """Columns as wide as their two-word headers narrow to the longer word; all stay in view."""
    view = make(qtbot, Table("t"))
    columns = ("central difference", "largest gap", "backprop value", "engine result")
    view.set_data(TableData(columns, ((1.5, 2.5, 3.5, 4.5), (0.25, 0.5, 0.75, 1.0))))
    table = view.table
    wide = table.horizontalHeader().length()
    view.resize(round(wide * 0.8) + 40, 300)
    pixels(view)
    assert table.horizontalHeader().length() <= table.viewport().width()
    assert view.model.headerData(0, Qt.Orientation.Horizontal) == "central\ndifference"
    view.resize(wide + 200, 300)
    pixels(view)
    assert view.model.headerData(0, Qt.Orientation.Horizontal) == "central difference"


def test_wrapped_text_columns_never_cut_a_word(qtbot: QtBot) -> None:
    """A narrow table wraps its text columns between words, not inside one ("unfin…")."""
    view = make(qtbot, Table("t"))
    columns = ("network", "weights", "train", "validation", "test", "best epoch", "time")
    rows = tuple((f"funnel {k}–6–4–2", 119, "unfinished", "", "", "", "") for k in range(5))
    view.set_data(TableData(columns, rows))
    view.resize(330, 300)
    pixels(view)
    table = view.table
    assert table.horizontalHeader().sectionSize(2) >= table.fontMetrics().horizontalAdvance(
        "unfinished"
    )


def test_a_wrapped_text_column_keeps_a_number_and_its_unit_whole(qtbot: QtBot) -> None:
    """A no-break space ("22.8 M") is not a place to wrap: the column keeps room for both."""
    view = make(qtbot, Table("t"))
    columns = ("network", "weights", "train", "validation", "test", "best epoch", "cost")
    rows = tuple(
        (f"funnel {k}–6–4–2", 119, "unfinished", "", "", "", "22.8\u00a0M") for k in range(5)
    )
    view.set_data(TableData(columns, rows))
    view.resize(330, 300)
    pixels(view)
    table = view.table
    need = table.fontMetrics().horizontalAdvance("22.8\u00a0M")
    assert table.horizontalHeader().sectionSize(6) >= need


def test_ctrl_c_copies_the_selected_cells_as_tab_separated_text(qtbot: QtBot) -> None:
    """Selecting a block and pressing Ctrl+C puts it on the clipboard as TSV."""
    view = make(qtbot, Table("t"))
    view.set_data(TableData(("a", "b", "c"), ((1, -0.5, "x"), (2, 0.25, "y"), (3, 1.0, "z"))))
    selection = view.table.selectionModel()
    first, last = view.model.index(0, 1), view.model.index(1, 2)
    selection.select(QItemSelection(first, last), QItemSelectionModel.SelectionFlag.Select)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "-0.5\tx\n0.25\ty"
    view.set_data(TableData(("a", "b", "c"), ((4, 0.0, "x"), (5, 0.0, "y"), (6, 0.0, "z"))))
    assert len(selection.selectedIndexes()) == 4  # same shape: the selection survives


# ---- text ----------------------------------------------------------------------------------


def test_text_without_a_math_renderer_shows_the_markup_without_dollars(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallback keeps inline HTML, drops $ signs and makes blank lines paragraphs."""
    monkeypatch.setattr(text_module, "_math_renderer", lambda: None)
    view = make(qtbot, Text("x"))
    view.set_data(TextData("The <b>loss</b> is $L = 0.5$.\n\nCosts \\$5."))
    assert view.plain_text() == "The loss is L = 0.5.\nCosts $5."
    assert "font-weight:700" in view.browser.toHtml().replace(" ", "")


def test_text_goes_through_the_math_renderer_when_it_exists(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """render_markup hands document, markup, themed font and colour to app.math.render."""
    calls: list[tuple[Any, ...]] = []

    class FakeRenderer:
        @staticmethod
        def set_markup(*args: Any) -> None:
            calls.append(args)

    monkeypatch.setattr(text_module, "_math_renderer", lambda: FakeRenderer)
    view = make(qtbot, Text("x"), THEMES["dark"])
    view.set_data(TextData("$x^2$"))
    document, markup, font, color = calls[-1]
    assert document is view.browser.document() and markup == "$x^2$"
    assert font.pixelSize() == 15 and color.name() == THEMES["dark"].foreground


def test_table_marks_the_rows_a_step_changed_and_scrolls_to_the_first(qtbot: QtBot) -> None:
    """Changed or new rows get a tint of the highlight colour; the first is scrolled into view."""
    view = make(qtbot, Table("t"))
    view.resize(300, 200)
    rows = tuple((i, float(i)) for i in range(40))
    view.set_data(TableData(("n", "value"), rows))
    model, background = view.model, Qt.ItemDataRole.BackgroundRole
    assert not any(model.is_changed(r) for r in range(40))  # the first data: nothing is news
    assert view.table.rowAt(0) == 0
    step = tuple((i, v + 1.0 if i in (30, 33) else v) for i, v in rows)
    view.set_data(TableData(("n", "value"), step))
    pixels(view)
    assert [r for r in range(40) if model.is_changed(r)] == [30, 33]
    tint = model.index(30, 0).data(background).color()
    assert tint.name() not in (LIGHT.background, LIGHT.highlight)
    assert model.index(29, 0).data(background) is None
    top, bottom = view.table.rowAt(0), view.table.rowAt(view.table.viewport().height() - 1)
    assert top <= 30 <= (bottom if bottom >= 0 else 39) and top > 0
    view.set_data(TableData(("n", "value"), (*step, (40, 40.0))))
    assert [r for r in range(41) if model.is_changed(r)] == [40]
    view.set_data(TableData(("n", "value"), tuple((i, -float(i)) for i in range(41))))
    assert not any(model.is_changed(r) for r in range(41))  # all changed: none stands out
    view.apply_theme(LIGHT)  # the same data again keeps its marks (here: none)
    view.set_data(TableData(("n", "value"), rows, highlight_rows=(5,)))
    view.set_data(TableData(("n", "value"), rows, highlight_cells=((12, 1),)))
    pixels(view)
    assert model.focus_cell() == (12, 1)
    assert view.table.rowAt(0) <= 12 <= view.table.rowAt(view.table.viewport().height() - 1)


def test_table_columns_are_fitted_once_per_shape_not_every_frame(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New values of the same width reuse the fit; new headers or wider text fit again."""
    view = make(qtbot, Table("t"))
    fits: list[bool] = []
    real = view.table.fit_columns
    monkeypatch.setattr(
        view.table, "fit_columns", lambda force=False: fits.append(force) or real(force)
    )
    view.set_data(TableData(("n", "loss"), ((1, 0.51), (2, 0.25))))
    pixels(view)  # the first show also fits on resizing: that is not a frame
    before = len(fits)
    for k in range(5):
        view.set_data(TableData(("n", "loss"), ((1, 0.52 + k / 100), (2, 0.25))))
    assert len(fits) == before and view.fitted()
    view.set_data(TableData(("n", "loss"), ((1, 0.5), (2, 123456.5))))
    assert len(fits) == before + 1
    view.set_data(TableData(("step", "loss"), ((1, 0.5), (2, 0.25))))
    assert fits[-1] is True and len(fits) == before + 2
    view.apply_theme(LIGHT.scaled(1.5))
    assert len(fits) >= before + 3  # a new font fits again


def _legend_rect_in_scene(view: PlotView) -> Any:
    return view.legend.mapRectToScene(view.legend.boundingRect())


def test_a_legend_with_no_free_corner_moves_beside_the_plot_and_back(qtbot: QtBot) -> None:
    """Data in every corner: the legend leaves the view box (hiding nothing); room: it returns."""
    view = make(qtbot, Plot("p"))
    grid = np.linspace(-1.0, 1.0, 15)
    gx, gy = (a.ravel() for a in np.meshgrid(grid, grid))
    full = PlotData(
        series=(
            Series("train", gx, gy, style="scatter"),
            Series("test", gx[:5], gy[:5], style="scatter"),
        ),
        x_range=(-1.05, 1.05),
        y_range=(-1.05, 1.05),
    )
    view.set_data(full)
    pixels(view)
    vb = view.plot_item.getViewBox()
    box = vb.mapRectToScene(vb.boundingRect())
    legend = _legend_rect_in_scene(view)
    assert view.legend.isVisible() and view.legend_side() in ("right", "below")
    assert not legend.intersects(box)
    assert view.plot_item.mapRectToScene(view.plot_item.boundingRect()).contains(legend)
    pixels(view)  # settling again keeps the choice (no flip-flop with the smaller box)
    assert view.legend_side() in ("right", "below")
    view.set_data(replace(full, x_range=(-1.05, 4.0)))  # a free right half: back inside
    pixels(view)
    assert view.legend.isVisible() and view.legend_side() == "inside"
    assert vb.mapRectToScene(vb.boundingRect()).contains(_legend_rect_in_scene(view))
    view.clear()
    assert view.legend_side() == "inside"


def test_named_x_ticks_label_categories_and_numbers_come_back(qtbot: QtBot) -> None:
    """``PlotData.x_ticks`` names x positions (categories); data without them gets numbers."""
    view = make(qtbot, Plot("p", "P"))
    points = Series("s", np.array([0.0, 1.0]), np.array([0.5, 0.7]), "marker")
    view.set_data(PlotData((points,), x_ticks=((0.0, "model"), (1.0, "people"))))
    axis = view.plot_item.getAxis("bottom")
    assert axis._tickLevels == [[(0.0, "model"), (1.0, "people")]]
    view.set_data(PlotData((points,)))
    assert axis._tickLevels is None
