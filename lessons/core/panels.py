"""Lesson panels: what the learner sees (specs) and what a panel shows at one step (data).

A lesson declares its panels as specs (a plot, bars, an image, ...); each step gives some of
them new data.  ``ACCEPTS`` says which data each spec kind can show; the app has one view per
spec kind.  All arrays are host NumPy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np


@dataclass(frozen=True)
class Panel:
    """Base of every panel spec: an id the steps address and a title shown above it."""

    id: str
    title: str = ""
    stretch: int = field(default=1, kw_only=True)  # relative share of the stage
    help: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class Plot(Panel):
    """Lines and scatter points on x/y axes (curves, loss histories, 2-D data)."""

    x_label: str = ""
    y_label: str = ""
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    log_y: bool = False
    aspect_locked: bool = False
    legend: bool = True
    pick: str | None = None  # name of the control set by a click: a Slider gets the x ...
    pick_point: bool = False  # ... or, when True, a 2-number Vector gets (x, y)


@dataclass(frozen=True)
class Bars(Panel):
    """A bar chart with one labelled bar per category."""

    y_label: str = ""
    y_range: tuple[float, float] | None = None
    value_format: str = "{:.3f}"


@dataclass(frozen=True)
class Image(Panel):
    """An image or heat map; signed data gets a diverging colour scale centred on zero."""

    colormap: str = "viridis"  # "viridis" | "gray" | "diverging"
    show_values: bool = False  # write each cell's number on it (small arrays)
    x_label: str = ""
    y_label: str = ""


@dataclass(frozen=True)
class ImageGrid(Panel):
    """Several small images with captions (samples, filters, feature maps)."""

    columns: int = 8
    colormap: str = "gray"


@dataclass(frozen=True)
class Table(Panel):
    """Rows of values with column headers."""


@dataclass(frozen=True)
class Text(Panel):
    """A block of rich text (HTML subset with math) inside the stage."""


@dataclass(frozen=True)
class Canvas(Panel):
    """A square the learner draws on with the mouse (a Clear button wipes it).

    Each finished stroke sets the :class:`~lessons.core.controls.Drawing` control named
    ``control`` to every stroke so far; the lesson reads it at its next step.
    """

    control: str = "drawing"


@dataclass(frozen=True)
class CanvasData:
    """What a :class:`Canvas` shows: the strokes the lesson has read (a Drawing's value)."""

    strokes: tuple[float, ...] = ()
    caption: str = ""


PanelSpec: TypeAlias = Panel


# Styles a series can take; the app maps each to a colour-blind-safe palette entry.
SERIES_STYLES = ("line", "dash", "scatter", "marker", "step", "area")


@dataclass(frozen=True)
class Series:
    """One named line or point set of a plot."""

    name: str
    x: np.ndarray
    y: np.ndarray
    style: str = "line"
    color: int = 0  # index into the app's palette
    width: float = 2.0
    size: float = 8.0
    symbol: str = "o"
    labels: tuple[str, ...] = ()  # optional text next to each point (scatter/marker)

    def __post_init__(self) -> None:
        if self.style not in SERIES_STYLES:
            raise ValueError(f"series {self.name!r}: unknown style {self.style!r}")
        if np.shape(self.x) != np.shape(self.y):
            raise ValueError(
                f"series {self.name!r}: x has shape {np.shape(self.x)}, y {np.shape(self.y)}"
            )


@dataclass(frozen=True)
class Annotation:
    """A short text placed at data coordinates (x, y)."""

    x: float
    y: float
    text: str
    color: int = 0
    anchor: tuple[float, float] = (0.0, 1.0)


@dataclass(frozen=True)
class PlotData:
    """What a :class:`Plot` shows at one step."""

    series: tuple[Series, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    vlines: tuple[float, ...] = ()
    hlines: tuple[float, ...] = ()
    image: np.ndarray | None = None  # optional background (e.g. decision regions)
    image_rect: tuple[float, float, float, float] | None = None  # x, y, width, height
    image_colormap: str = "diverging"
    image_levels: tuple[float, float] | None = None  # colour range of the image
    contours: tuple[float, ...] = ()  # draw these level lines of ``image`` (a surface)
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    axis_labels: tuple[str, str] | None = None  # (x, y) for this step, instead of the panel's
    axes: bool = True  # False: a pure diagram (no axes, ticks or grid)
    x_ticks: tuple[tuple[float, str], ...] = ()  # named x positions (categories), else numbers


@dataclass(frozen=True)
class BarData:
    """What a :class:`Bars` panel shows: values, their labels, which bar to highlight."""

    values: np.ndarray
    labels: tuple[str, ...]
    highlight: int | None = None
    y_range: tuple[float, float] | None = None
    caption: str = ""
    y_label: str | None = None  # the value axis's label for this step, instead of the panel's

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.values):
            raise ValueError(f"{len(self.values)} bar values but {len(self.labels)} labels")


@dataclass(frozen=True)
class ImageData:
    """What an :class:`Image` panel shows: a 2-D array (row-major: rows are y)."""

    image: np.ndarray
    levels: tuple[float, float] | None = None  # colour range; None = symmetric/auto
    highlight: tuple[int, int, int, int] | None = None  # row, col, height, width box
    row_labels: tuple[str, ...] = ()
    col_labels: tuple[str, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class ImageGridData:
    """Images of equal size with one caption each."""

    images: np.ndarray  # (n, h, w)
    captions: tuple[str, ...] = ()
    levels: tuple[float, float] | None = None
    highlight: tuple[int, ...] = ()


@dataclass(frozen=True)
class TableData:
    """Column headers and rows of cells (numbers are formatted by the panel)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    highlight_rows: tuple[int, ...] = ()
    highlight_cells: tuple[tuple[int, int], ...] = ()
    number_format: str = "{:.4g}"

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table row {i} has {len(row)} cells for {len(self.columns)} columns"
                )


@dataclass(frozen=True)
class TextData:
    """Rich text for a :class:`Text` panel (same markup as the narrative, see mathtext)."""

    text: str


@dataclass(frozen=True)
class Graph(Panel):
    """A computation graph: nodes (operations and values) in layers, edges between them."""


@dataclass(frozen=True)
class GraphNode:
    """One node: ``layer`` is its column (inputs at 0), ``row`` its place in the column."""

    id: str
    op: str  # "input", "add", "mul", ... (shown as the node's symbol)
    label: str = ""  # variable name, e.g. "w1"
    value: str = ""  # formatted value, "" before the forward pass reaches it
    grad: str = ""  # formatted gradient, "" before the reverse pass reaches it
    layer: int = 0
    row: float = 0.0
    state: str = "idle"  # "idle" | "active" | "done"


@dataclass(frozen=True)
class GraphEdge:
    """An edge from a parent node to the node that uses it; ``lit`` while it is being used."""

    source: str
    target: str
    label: str = ""  # e.g. the local derivative during the reverse pass
    lit: bool = False


@dataclass(frozen=True)
class GraphData:
    """The graph at one step, with an optional caption (e.g. the traversal counter)."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    caption: str = ""

    def __post_init__(self) -> None:
        ids = {node.id for node in self.nodes}
        if len(ids) != len(self.nodes):
            raise ValueError("graph node ids must be unique")
        for edge in self.edges:
            if edge.source not in ids or edge.target not in ids:
                raise ValueError(f"edge {edge.source} -> {edge.target} names a missing node")


@dataclass(frozen=True)
class Network(Panel):
    """A layered network diagram: neurons (small heat maps or labelled circles) and weighted edges.

    ``layers_control`` and ``neurons_control`` name integer Sliders the diagram's +/- buttons
    set (hidden layers, neurons per hidden layer) when a step's data is ``editable``; their
    ranges bound the buttons.
    """

    layers_control: str | None = None
    neurons_control: str | None = None
    layer_range: tuple[int, int] = (0, 6)
    neuron_range: tuple[int, int] = (1, 8)


@dataclass(frozen=True, eq=False)  # holds arrays
class NeuronLayer:
    """One column of a network diagram: its neurons and the weights that lead into it.

    ``heatmaps`` (size, h, w) is each neuron's output over the input plane (row-major, rows are
    the second input from its lowest value up), coloured with ``levels`` (None: each map
    symmetric about zero).  ``weights`` (previous size, size) and ``biases`` (size,) feed the
    layer (None for the inputs); ``weight_grads``/``bias_grads`` are their last gradients.
    ``labels`` is one short text per neuron (feature names, values).  ``active`` (size,) is
    one bool per neuron, False where the neuron is switched off at this step (dropout): the
    diagram greys it out and fades its edges; None means all are active.
    """

    name: str
    size: int
    heatmaps: np.ndarray | None = None
    levels: tuple[float, float] | None = None
    weights: np.ndarray | None = None
    biases: np.ndarray | None = None
    weight_grads: np.ndarray | None = None
    bias_grads: np.ndarray | None = None
    labels: tuple[str, ...] = ()
    active: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError(f"layer {self.name!r} needs at least one neuron")
        if self.heatmaps is not None and (
            np.ndim(self.heatmaps) != 3 or len(self.heatmaps) != self.size
        ):
            raise ValueError(f"layer {self.name!r}: heatmaps must be ({self.size}, h, w)")
        for field_name in ("biases", "bias_grads"):
            value = getattr(self, field_name)
            if value is not None and np.shape(value) != (self.size,):
                raise ValueError(
                    f"layer {self.name!r}: {field_name} must have shape ({self.size},)"
                )
        if self.labels and len(self.labels) != self.size:
            raise ValueError(f"layer {self.name!r}: one label per neuron")
        if self.active is not None and (
            np.shape(self.active) != (self.size,) or np.asarray(self.active).dtype != np.bool_
        ):
            raise ValueError(f"layer {self.name!r}: active must be {self.size} bools")


@dataclass(frozen=True, eq=False)  # holds arrays
class NetworkData:
    """What a :class:`Network` shows at one step: its layers, inputs first, output last.

    ``selected`` (layer, neuron) and ``highlight_edge`` (layer, source, target: the weight from
    neuron ``source`` of layer ``layer - 1``) are drawn highlighted.  ``extent`` is the input
    plane (x, y, width, height) the heat maps cover.  ``editable`` shows the +/- buttons.
    """

    layers: tuple[NeuronLayer, ...]
    selected: tuple[int, int] | None = None
    highlight_edge: tuple[int, int, int] | None = None
    editable: bool = False
    extent: tuple[float, float, float, float] = (-1.0, -1.0, 2.0, 2.0)
    caption: str = ""

    def __post_init__(self) -> None:
        for prev, layer in zip(self.layers, self.layers[1:], strict=False):
            for field_name in ("weights", "weight_grads"):
                value = getattr(layer, field_name)
                if value is not None and np.shape(value) != (prev.size, layer.size):
                    raise ValueError(
                        f"layer {layer.name!r}: {field_name} must have shape "
                        f"({prev.size}, {layer.size})"
                    )

    @property
    def sizes(self) -> tuple[int, ...]:
        """Neurons per layer, inputs first."""
        return tuple(layer.size for layer in self.layers)

    @property
    def input_names(self) -> tuple[str, ...]:
        """The input features' names (the first layer's labels)."""
        return self.layers[0].labels if self.layers else ()


@dataclass(frozen=True)
class Surface3D(Panel):
    """A surface z(x, y) drawn in 3-D, coloured by height, that the learner can turn.

    The app draws it with OpenGL where it can (drag to turn, wheel or +/- to zoom, arrow keys
    to turn); elsewhere it shows the same data as a filled contour map with the path.
    """

    x_label: str = ""
    y_label: str = ""
    z_label: str = ""


@dataclass(frozen=True, eq=False)  # holds arrays
class Surface3DData:
    """What a :class:`Surface3D` shows: heights ``z[j, i]`` at ``(x[i], y[j])`` and a path.

    ``z`` is row-major like an image (rows are y).  ``path`` (n, 3) is a line of (x, y, z)
    points drawn over the surface (e.g. a training path), ``marker`` one (x, y, z) point.
    ``levels`` is the colour range of z (default: its finite min..max); heights above it are
    drawn at its top, so a few huge values do not flatten the rest.  ``contours`` are the
    level lines the contour-map fallback draws (default: evenly spaced in ``levels``).
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    path: np.ndarray | None = None
    marker: tuple[float, float, float] | None = None
    levels: tuple[float, float] | None = None
    contours: tuple[float, ...] = ()
    colormap: str = "viridis"
    caption: str = ""

    def __post_init__(self) -> None:
        nx, ny = np.shape(self.x), np.shape(self.y)
        if len(nx) != 1 or len(ny) != 1 or nx[0] < 2 or ny[0] < 2:
            raise ValueError("surface: x and y must be 1-D with at least 2 values each")
        if np.shape(self.z) != (ny[0], nx[0]):
            raise ValueError(
                f"surface: z must have shape (len(y), len(x)) = ({ny[0]}, {nx[0]}), "
                f"got {np.shape(self.z)}"
            )
        if self.path is not None and (np.ndim(self.path) != 2 or np.shape(self.path)[1] != 3):
            raise ValueError(f"surface: path must have shape (n, 3), got {np.shape(self.path)}")
        if self.marker is not None and len(self.marker) != 3:
            raise ValueError("surface: marker must be one (x, y, z) point")
        if self.levels is not None and not self.levels[0] < self.levels[1]:
            raise ValueError(f"surface: levels must rise, got {self.levels}")


PanelData: TypeAlias = (
    PlotData
    | BarData
    | ImageData
    | ImageGridData
    | TableData
    | TextData
    | GraphData
    | NetworkData
    | Surface3DData
    | CanvasData
)


# Which data each panel kind accepts, checked when a step is made.
ACCEPTS: dict[type[Panel], tuple[type, ...]] = {
    Plot: (PlotData,),
    Bars: (BarData,),
    Image: (ImageData,),
    ImageGrid: (ImageGridData,),
    Table: (TableData,),
    Text: (TextData,),
    Graph: (GraphData,),
    Network: (NetworkData,),
    Surface3D: (Surface3DData,),
    Canvas: (CanvasData,),
}
