"""Stage panels: one view class per panel spec kind, found through an explicit registry.

``create_panel(spec, theme)`` builds the view for a lesson's panel spec; later lessons add
their own kinds (network diagram, computation graph, ...) with ``register_view``.  Importing
this package sets pyqtgraph's ``imageAxisOrder='row-major'`` once, so arrays are drawn as
matrices (rows are y) everywhere.
"""

from __future__ import annotations

import pyqtgraph as pg

from app.panels.bars import BarsView
from app.panels.base import MIN_HEIGHT, MIN_WIDTH, PanelView
from app.panels.canvas import CanvasView
from app.panels.graph import GraphView
from app.panels.image import ImageView
from app.panels.image_grid import ImageGridView
from app.panels.network import NetworkView
from app.panels.plot import PlotView
from app.panels.surface3d import Surface3DView
from app.panels.table import TableView
from app.panels.text import TextView, render_markup
from app.shell.theme import Theme
from lessons.core.base import Bars, Image, ImageGrid, Panel, Plot, Table, Text
from lessons.core.panels import Canvas, Graph, Network, Surface3D

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)

__all__ = [
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "BarsView",
    "CanvasView",
    "GraphView",
    "ImageGridView",
    "ImageView",
    "NetworkView",
    "PanelView",
    "PlotView",
    "Surface3DView",
    "TableView",
    "TextView",
    "create_panel",
    "register_view",
    "registered_views",
    "render_markup",
]

_VIEWS: dict[type[Panel], type[PanelView]] = {
    Plot: PlotView,
    Bars: BarsView,
    Image: ImageView,
    ImageGrid: ImageGridView,
    Table: TableView,
    Text: TextView,
    Graph: GraphView,
    Network: NetworkView,
    Surface3D: Surface3DView,
    Canvas: CanvasView,
}


def register_view(spec_cls: type[Panel], view_cls: type[PanelView]) -> None:
    """Use ``view_cls`` for panel specs of class ``spec_cls`` (replacing any earlier view)."""
    if not (isinstance(spec_cls, type) and issubclass(spec_cls, Panel)):
        raise TypeError(f"{spec_cls!r} is not a Panel spec class")
    if not (isinstance(view_cls, type) and issubclass(view_cls, PanelView)):
        raise TypeError(f"{view_cls!r} is not a PanelView class")
    _VIEWS[spec_cls] = view_cls


def registered_views() -> dict[type[Panel], type[PanelView]]:
    """A copy of the registry: spec class -> view class."""
    return dict(_VIEWS)


def create_panel(spec: Panel, theme: Theme) -> PanelView:
    """Build the view for ``spec``; a spec subclass uses its nearest registered base's view.

    Raises ValueError for a spec kind no view is registered for.
    """
    for cls in type(spec).__mro__:
        view_cls = _VIEWS.get(cls)
        if view_cls is not None:
            return view_cls(spec, theme)
    raise ValueError(
        f"no view for panel {getattr(spec, 'id', spec)!r} of kind {type(spec).__name__}; "
        "register one with app.panels.register_view"
    )
